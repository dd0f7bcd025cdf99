package cloudtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// RequireFakeGCS starts fake-gcs-server for t and stops it when t ends. The
// emulator checks no credentials: with STORAGE_EMULATOR_HOST set, gocloud.dev
// sends none (its client is unauthenticated), so none are given.
func RequireFakeGCS(t testing.TB) *Server {
	t.Helper()
	return require(t, fakeGCS)
}

var fakeGCS = emulator{
	name: "fake-gcs-server",
	find: func() (string, error) { return tool(fakeGCSRelPath, "fake-gcs-server") },
	args: func(port int, dir string) []string {
		// Reads go to the XML API's /bucket/object paths, which the
		// emulator serves only for requests to its public host.
		return []string{"-scheme", "http", "-host", "127.0.0.1", "-port", strconv.Itoa(port),
			"-public-host", "127.0.0.1:" + strconv.Itoa(port),
			"-backend", "filesystem", "-filesystem-root", dir, "-log-level", "warn"}
	},
	setup: func(s *Server, port int) {
		s.Scheme = objstore.GCS
		host := "127.0.0.1:" + strconv.Itoa(port)
		s.env = []string{"STORAGE_EMULATOR_HOST=" + host}
		s.create = func(name string) error { return createGCSBucket("http://"+host, name) }
	},
}

// createGCSBucket creates a bucket through the JSON API at endpoint.
func createGCSBucket(endpoint, name string) error {
	body, err := json.Marshal(map[string]string{"name": name})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/storage/v1/b?project=test", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// Require starts the emulator of scheme (gs or azblob) for t.
func Require(t testing.TB, scheme objstore.Scheme) *Server {
	t.Helper()
	switch scheme {
	case objstore.Azure:
		return RequireAzurite(t)
	case objstore.GCS:
		return RequireFakeGCS(t)
	}
	t.Fatalf("no emulator for %s:// in cloudtest (S3 has s3test)", scheme)
	return nil
}

// Schemes are the schemes with an emulator here.
var Schemes = []objstore.Scheme{objstore.GCS, objstore.Azure}
