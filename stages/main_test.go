package stages

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"

	"github.com/bertbatch/bertbatch/jobs"
	"github.com/bertbatch/bertbatch/mlx"
)

// childJobEnv makes the test binary run the job file it names (stages.Run, stopped by SIGINT or
// SIGTERM) instead of the tests: the kill tests need a run in a process of its own.
const childJobEnv = "STAGES_TEST_CHILD_JOB"

func TestMain(m *testing.M) {
	// As bertbatch does: float32 stays float32 on CUDA.
	if _, err := mlx.SetTF32Default(false); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if path := os.Getenv(childJobEnv); path != "" {
		os.Exit(runChild(path))
	}
	os.Exit(m.Run())
}

func runChild(path string) int {
	job, err := jobs.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := Run(ctx, job, Options{TuneCPU: true}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// child is a run of a job file in a child process.
type child struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

// startChild starts the test binary running the job file at path.
func startChild(t testing.TB, path string) *child {
	t.Helper()
	c := &child{done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), childJobEnv+"="+path)
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.done
	})
	return c
}

// exited reports whether the child has ended.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// wait waits for the child and returns its exit code (-1 when killed by a signal).
func (c *child) wait() int {
	<-c.done
	return c.cmd.ProcessState.ExitCode()
}
