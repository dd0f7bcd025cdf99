package cloudtest

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// Azurite's development account, the same in every Azurite: its name and key
// are published, so they are no secret.
const (
	AzureAccount = "devstoreaccount1"
	AzureKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// RequireAzurite starts Azurite's blob service for t and stops it when t
// ends. Clients authenticate with the development account's shared key,
// which Azurite checks.
//
// gocloud.dev's azblob opener reads the AZURE_STORAGE_* environment once per
// process, at the first bucket it opens: a later Azurite, on another port,
// and any later change of key would be ignored by code running in the test's
// own process. So RequireAzurite may be called once per test binary; a
// second call fails the test. (Child processes read their own environment.)
func RequireAzurite(t testing.TB) *Server {
	t.Helper()
	if !azuriteStarted.CompareAndSwap(false, true) {
		t.Fatal("Azurite was already started in this test binary, and gocloud.dev's azblob opener keeps the first one's " +
			"environment: run every in-process Azure test against that one")
	}
	return require(t, azurite)
}

// azuriteStarted is set by the first RequireAzurite.
var azuriteStarted atomic.Bool

var azurite = emulator{
	name: "azurite",
	find: func() (string, error) { return tool(azuriteRelPath, "Azurite") },
	args: func(port int, dir string) []string {
		// skipApiVersionCheck: the Azure SDK may ask for a newer service
		// version than this Azurite knows; the calls gocloud.dev makes are
		// older than that.
		return []string{"--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
			"--location", dir, "--silent", "--skipApiVersionCheck", "--disableProductStyleUrl"}
	},
	setup: func(s *Server, port int) {
		s.Scheme = objstore.Azure
		s.env = []string{
			"AZURE_STORAGE_ACCOUNT=" + AzureAccount,
			"AZURE_STORAGE_KEY=" + AzureKey,
			"AZURE_STORAGE_DOMAIN=127.0.0.1:" + strconv.Itoa(port),
			"AZURE_STORAGE_PROTOCOL=http",
			"AZURE_STORAGE_IS_LOCAL_EMULATOR=true",
		}
		s.create = func(name string) error { return createContainer(s.Endpoint+"/"+AzureAccount+"/", name) }
	},
}

// createContainer creates the container name of the account at serviceURL.
func createContainer(serviceURL, name string) error {
	cred, err := azblob.NewSharedKeyCredential(AzureAccount, AzureKey)
	if err != nil {
		return err
	}
	c, err := azblob.NewClientWithSharedKeyCredential(serviceURL, cred, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.CreateContainer(ctx, name, nil)
	return err
}
