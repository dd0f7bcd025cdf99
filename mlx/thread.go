package mlx

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
)

// ErrGoexit is returned by OnThread when f ended by runtime.Goexit instead of returning, as
// testing's t.Fatal and t.SkipNow do when called on the worker thread.
var ErrGoexit = errors.New("mlx: the function run by OnThread called runtime.Goexit (t.Fatal, t.FailNow or t.SkipNow on the worker thread)")

// Panic is the value OnThread panics with on the caller's goroutine when f panicked on the worker
// thread: the original value and the worker's stack at the panic.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string {
	return fmt.Sprintf("mlx: panic on the worker thread: %v\n\n%s", p.Value, p.Stack)
}

// Unwrap returns the panic value when it is an error.
func (p *Panic) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// OnThread runs f on a new goroutine locked to its own OS thread, with a stream on device d made
// for that thread and closed after f returns, and waits for it: the way to run a piece of MLX
// work (loading weights, a one-off evaluation) outside a worker pool.
//
// OnThread returns however f ends. It returns f's error when f returns, and ErrGoexit when f
// calls runtime.Goexit. When f panics, the panic is re-raised on the caller's goroutine as a
// *Panic carrying the value and the worker's stack, so that it stays a panic (a bug, not an
// error to handle) and is reported where the caller can see it. The stream is closed in every case.
func OnThread(d DeviceType, f func(s *Stream) error) error {
	type result struct {
		err   error
		panic *Panic
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		s, err := NewStream(d)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer s.Close()
		returned := false
		defer func() {
			if returned {
				return
			}
			if v := recover(); v != nil {
				done <- result{panic: &Panic{Value: v, Stack: debug.Stack()}}
				return
			}
			done <- result{err: ErrGoexit} // neither returned nor panicked: runtime.Goexit
		}()
		err = f(s)
		returned = true
		done <- result{err: err}
	}()
	r := <-done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}
