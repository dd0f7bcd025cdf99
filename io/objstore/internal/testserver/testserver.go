// Package testserver runs the object-store servers of the tests (SeaweedFS, Azurite,
// fake-gcs-server) as child processes on loopback: started on ports free a moment before, started
// again when one exits before it is ready, stopped after.
package testserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Proc is a running server process.
type Proc struct {
	cmd  *exec.Cmd
	log  *os.File
	done chan error
}

// ErrExited is wrapped by Start's error when a server exited before it was ready.
var ErrExited = errors.New("exited before it was ready")

// Try is one start of a server with its files under dir: it returns the command line, and ready,
// which returns nil once the server serves. Ports are to be picked in Try (FreePorts), so that
// each try has its own.
type Try func(dir string) (exe string, args []string, ready func() error, err error)

// Start starts the server named name with its files under dir/0, dir/1, …, writing its output
// to a log there, and waits up to limit for it to be ready. Its ports are picked free just before
// it starts, so another process (a test package running in parallel) may take one in between: a
// server that exits before it is ready is started again, up to three times in all.
func Start(name, dir string, limit time.Duration, try Try) (*Proc, error) {
	var errs []error
	for n := range 3 {
		p, err := start(name, filepath.Join(dir, strconv.Itoa(n)), limit, try)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
		if !errors.Is(err, ErrExited) {
			break
		}
	}
	return nil, errors.Join(errs...)
}

func start(name, dir string, limit time.Duration, try Try) (*Proc, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	exe, args, ready, err := try(dir)
	if err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("starting %s: %w", exe, err)
	}
	p := &Proc{cmd: cmd, log: log, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	if err := p.waitReady(name, limit, ready); err != nil {
		_ = p.Stop()
		return nil, err
	}
	return p, nil
}

// waitReady calls ready until it returns nil, the process ends or limit passes.
func (p *Proc) waitReady(name string, limit time.Duration, ready func() error) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("%s %w (%v); its log is %s", name, ErrExited, err, p.log.Name())
		default:
		}
		if last = ready(); last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %v (last: %v); its log is %s", name, limit, last, p.log.Name())
}

// Stop interrupts the server, kills it if it has not ended 10 s later, and waits for it.
func (p *Proc) Stop() error {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(os.Interrupt)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	return p.log.Close()
}

// FreePorts returns n distinct loopback ports free a moment ago, each at most below.
func FreePorts(n, below int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		if port := l.Addr().(*net.TCPAddr).Port; port <= below {
			ports = append(ports, port)
		}
	}
	return ports, nil
}
