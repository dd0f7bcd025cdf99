package cloudtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// Server is a running emulator of one object store.
type Server struct {
	// Scheme is the scheme of the paths the emulator serves.
	Scheme objstore.Scheme
	// Endpoint is the emulator's base URL, http://127.0.0.1:PORT.
	Endpoint string
	env      []string
	create   func(name string) error
	cmd      *exec.Cmd
	log      *os.File
	done     chan error
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

// errExited is wrapped by start's error when the emulator exited before it was ready.
var errExited = errors.New("the emulator exited before it was ready")

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

// run starts em; the port is picked free just before the emulator starts, so
// another process may take it in between: an emulator that exits before it is
// ready is started again on another port, up to three times.
func run(em emulator, exe, dir string) (*Server, error) {
	var errs []error
	for try := range 3 {
		s, err := start(em, exe, filepath.Join(dir, strconv.Itoa(try)))
		if err == nil {
			return s, nil
		}
		errs = append(errs, err)
		if !errors.Is(err, errExited) {
			break
		}
	}
	return nil, errors.Join(errs...)
}

func start(em emulator, exe, dir string) (*Server, error) {
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, em.name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, em.args(port, data)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("starting %s: %w", exe, err)
	}
	s := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: log, done: make(chan error, 1)}
	em.setup(s, port)
	go func() { s.done <- cmd.Wait() }()
	if err := s.waitReady(em.name, 60*time.Second); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady waits until a bucket can be created.
func (s *Server) waitReady(name string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("%s: %w (%v); its log is %s", name, errExited, err, s.log.Name())
		default:
		}
		if last = s.CreateBucket(fmt.Sprintf("ready-%d", time.Now().UnixNano())); last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %v (last: %v); its log is %s", name, limit, last, s.log.Name())
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
func (s *Server) Stop() error {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return s.log.Close()
}

// freePort is a loopback port free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}
