package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Pool runs a fixed number of workers that take items from one channel and
// send results to another. Each worker owns a state made by Open on the
// worker's own goroutine and released by Close on that same goroutine, so a
// state tied to an OS thread (for example a native library's per-thread
// stream) is only ever used from the thread that made it when LockOSThread is
// set. Results come out in completion order; carry a Seq in In and Out and
// use Reorder to restore input order.
type Pool[S, In, Out any] struct {
	// Workers is the number of workers; at least one.
	Workers int
	// LockOSThread makes each worker lock its goroutine to its OS thread
	// before Open and unlock it after Close, so Open, every Process call and
	// Close of one worker run on one thread, used by no other goroutine.
	LockOSThread bool
	// Open makes the state of worker (0 ≤ worker < Workers). A nil Open gives
	// every worker the zero S. An error stops the whole group.
	Open func(worker int) (S, error)
	// Process turns one item into one result. It must return promptly once
	// ctx is done. An error stops the whole group; it is returned unwrapped,
	// so it should name the item it failed on.
	Process func(ctx context.Context, state S, item In) (Out, error)
	// Close releases a state made by Open. It is called exactly once for
	// every successful Open, also when the group is cancelled. May be nil.
	Close func(state S) error
}

// Run starts the workers on g and returns their results channel, with room
// for Workers results. The channel is closed once every worker has returned.
func (p Pool[S, In, Out]) Run(ctx context.Context, g *errgroup.Group, in <-chan In) <-chan Out {
	if p.Workers < 1 {
		return failed[Out](g, fmt.Errorf("pipeline.Pool: %d workers: need at least one", p.Workers))
	}
	if p.Process == nil {
		return failed[Out](g, errors.New("pipeline.Pool: Process is nil"))
	}
	out := make(chan Out, p.Workers)
	startWorkers(g, p.Workers, out, func(w int) error { return p.work(ctx, w, in, out) })
	return out
}

// work is the life of one worker: lock, open, process until in is closed or
// ctx is done, close, unlock.
func (p Pool[S, In, Out]) work(ctx context.Context, worker int, in <-chan In, out chan<- Out) error {
	return withState(worker, p.LockOSThread, p.Open, p.Close, func(state S) error {
		return p.loop(ctx, state, in, out)
	})
}

// loop processes items until in is closed or ctx is done.
func (p Pool[S, In, Out]) loop(ctx context.Context, state S, in <-chan In, out chan<- Out) error {
	for {
		item, ok, err := Receive(ctx, in)
		if err != nil || !ok {
			return err
		}
		result, err := p.Process(ctx, state, item)
		if err != nil {
			return err
		}
		if err := Send(ctx, out, result); err != nil {
			return err
		}
	}
}

// Map applies fn to every item of in on workers goroutines and returns the
// results channel, with room for workers results. With more than one worker
// results come out in completion order, not input order.
func Map[In, Out any](ctx context.Context, g *errgroup.Group, in <-chan In, workers int,
	fn func(ctx context.Context, item In) (Out, error)) <-chan Out {
	if fn == nil {
		return failed[Out](g, errors.New("pipeline.Map: fn is nil"))
	}
	return Pool[struct{}, In, Out]{
		Workers: workers,
		Process: func(ctx context.Context, _ struct{}, item In) (Out, error) { return fn(ctx, item) },
	}.Run(ctx, g, in)
}

// startWorkers runs work for workers 0…n-1 on g and closes out once every one has returned.
func startWorkers[Out any](g *errgroup.Group, n int, out chan Out, work func(worker int) error) {
	var workers sync.WaitGroup
	for w := range n {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			return work(w)
		})
	}
	g.Go(func() error {
		workers.Wait()
		close(out)
		return nil
	})
}

// withState runs body on a worker's state: on a locked OS thread when lock is set, with the state
// from open (the zero S when open is nil) closed by close (when not nil) however body ends.
func withState[S any](worker int, lock bool, open func(worker int) (S, error), close func(S) error, body func(S) error) (err error) {
	if lock {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	var state S
	if open != nil {
		if state, err = open(worker); err != nil {
			return fmt.Errorf("pipeline worker %d: open: %w", worker, err)
		}
	}
	if close != nil {
		defer func() {
			if cerr := close(state); cerr != nil {
				err = errors.Join(err, fmt.Errorf("pipeline worker %d: close: %w", worker, cerr))
			}
		}()
	}
	return body(state)
}
