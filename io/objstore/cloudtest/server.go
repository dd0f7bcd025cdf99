package cloudtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bertbatch/bertbatch/io/objstore"
	"github.com/bertbatch/bertbatch/io/objstore/internal/testserver"
)

// Server is a running emulator of one object store.
type Server struct {
	// Scheme is the scheme of the paths the emulator serves.
	Scheme objstore.Scheme
	// Endpoint is the emulator's base URL, http://127.0.0.1:PORT.
	Endpoint string
	env      []string
	create   func(name string) error
	proc     *testserver.Proc
}

// emulator says how to run one emulator.
type emulator struct {
	name string
	// find locates the executable.
	find func() (string, error)
	// args are the arguments that serve on port with the data under dir.
	args func(port int, dir string) []string
	// setup fills the server's env and create once its endpoint is known.
	setup func(s *Server, port int)
}

// require starts em for t and stops it when t ends.
func require(t testing.TB, em emulator) *Server {
	t.Helper()
	exe, err := em.find()
	if err != nil {
		skipOrFail(t, err)
	}
	s, err := run(em, exe, t.TempDir())
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

// run starts em with its data under dir and waits until a bucket can be created; an emulator that
// exits before it is ready is started again on another port (testserver.Start).
func run(em emulator, exe, dir string) (*Server, error) {
	s := &Server{}
	proc, err := testserver.Start(em.name, dir, 60*time.Second, func(dir string) (string, []string, func() error, error) {
		data := filepath.Join(dir, "data")
		if err := os.MkdirAll(data, 0o755); err != nil {
			return "", nil, nil, err
		}
		ports, err := testserver.FreePorts(1, 65535)
		if err != nil {
			return "", nil, nil, err
		}
		s.Endpoint = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
		em.setup(s, ports[0])
		ready := func() error { return s.CreateBucket(fmt.Sprintf("ready-%d", time.Now().UnixNano())) }
		return exe, em.args(ports[0], data), ready, nil
	})
	if err != nil {
		return nil, err
	}
	s.proc = proc
	return s, nil
}

// Env is the environment a client of this emulator needs.
func (s *Server) Env() []string { return append([]string(nil), s.env...) }

// Setenv sets Env in the test's own process for the rest of t.
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	for _, kv := range s.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// CreateBucket creates a bucket (an Azure container).
func (s *Server) CreateBucket(name string) error {
	if err := s.create(name); err != nil {
		return fmt.Errorf("creating %s://%s: %w", s.Scheme, name, err)
	}
	return nil
}

// Stop ends the emulator and waits for it.
func (s *Server) Stop() error { return s.proc.Stop() }
