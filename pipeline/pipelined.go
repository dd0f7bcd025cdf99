package pipeline

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// Pipelined is a worker pool for work done in two steps on an asynchronous device: Start hands an
// item to the device and returns at once, Finish waits for the device and returns the result.
// Each worker keeps up to Depth items started before it finishes the oldest, so that the host's
// share of item k+1 (building its graph) overlaps the device's work on item k. A worker finishes
// its items in the order it started them, on its own goroutine (its OS thread with LockOSThread).
//
// A worker never waits for input while it holds a started item: when no input is ready it
// finishes its oldest item first. Items are therefore never held back behind input that a Window
// withholds until they are released, and a started item's result leaves as soon as the input
// runs dry. With Depth 1 a worker finishes every item before it takes the next, as Pool does.
type Pipelined[S, In, P, Out any] struct {
	// Workers is the number of workers; at least one.
	Workers int
	// Depth is the most items a worker keeps started; at least one.
	Depth int
	// LockOSThread: as in Pool.
	LockOSThread bool
	// Open makes the state of worker (0 ≤ worker < Workers); nil gives the zero S.
	Open func(worker int) (S, error)
	// Start hands an item to the device. An error stops the whole group.
	Start func(ctx context.Context, state S, item In) (P, error)
	// Finish waits for a started item and returns its result. An error stops the whole group.
	Finish func(ctx context.Context, state S, started P) (Out, error)
	// Abandon releases a started item that will not be finished because the group stopped;
	// it runs on the worker's goroutine before Close. May be nil.
	Abandon func(state S, started P)
	// Close releases a state made by Open, once for every successful Open. May be nil.
	Close func(state S) error
}

// Run starts the workers on g and returns their results channel, with room for Workers results.
// The channel is closed once every worker has returned.
func (p Pipelined[S, In, P, Out]) Run(ctx context.Context, g *errgroup.Group, in <-chan In) <-chan Out {
	if p.Workers < 1 {
		return failed[Out](g, fmt.Errorf("pipeline.Pipelined: %d workers: need at least one", p.Workers))
	}
	if p.Depth < 1 {
		return failed[Out](g, fmt.Errorf("pipeline.Pipelined: depth %d: need at least one", p.Depth))
	}
	if p.Start == nil || p.Finish == nil {
		return failed[Out](g, errors.New("pipeline.Pipelined: Start or Finish is nil"))
	}
	out := make(chan Out, p.Workers)
	startWorkers(g, p.Workers, out, func(w int) error { return p.work(ctx, w, in, out) })
	return out
}

// work is the life of one worker: lock, open, start and finish until in is closed or ctx is
// done, abandon what is left, close, unlock.
func (p Pipelined[S, In, P, Out]) work(ctx context.Context, worker int, in <-chan In, out chan<- Out) error {
	return withState(worker, p.LockOSThread, p.Open, p.Close, func(state S) error {
		return p.loop(ctx, state, in, out)
	})
}

// loop starts and finishes items until in is closed or ctx is done, and abandons what is left.
func (p Pipelined[S, In, P, Out]) loop(ctx context.Context, state S, in <-chan In, out chan<- Out) error {
	q := &startedQueue[S, P]{abandon: p.Abandon, state: state}
	defer q.abandonAll()
	finishOldest := func() error {
		result, err := p.Finish(ctx, state, q.pop())
		if err != nil {
			return err
		}
		return Send(ctx, out, result)
	}
	for {
		item, ok, ready, err := p.next(ctx, in, q.len() > 0)
		if err != nil {
			return err
		}
		if !ready { // nothing to start now: finish the oldest instead of waiting with it held
			if err := finishOldest(); err != nil {
				return err
			}
			continue
		}
		if !ok {
			for q.len() > 0 {
				if err := finishOldest(); err != nil {
					return err
				}
			}
			return nil
		}
		started, err := p.Start(ctx, state, item)
		if err != nil {
			return err
		}
		q.push(started)
		if q.len() >= p.Depth {
			if err := finishOldest(); err != nil {
				return err
			}
		}
	}
}

// next receives the next item; with holding set it does not wait, and reports ready == false
// when no item (nor the channel's end) is there yet.
func (p Pipelined[S, In, P, Out]) next(ctx context.Context, in <-chan In, holding bool) (item In, ok, ready bool, err error) {
	if !holding {
		item, ok, err = Receive(ctx, in)
		return item, ok, true, err
	}
	select {
	case item, ok = <-in:
		return item, ok, true, nil
	case <-ctx.Done():
		return item, false, true, ctx.Err()
	default:
		return item, false, false, nil
	}
}

// startedQueue holds a worker's started items, oldest first.
type startedQueue[S, P any] struct {
	items   []P
	abandon func(S, P)
	state   S
}

func (q *startedQueue[S, P]) len() int { return len(q.items) }
func (q *startedQueue[S, P]) push(p P) { q.items = append(q.items, p) }

func (q *startedQueue[S, P]) pop() P {
	p := q.items[0]
	var zero P
	q.items[0] = zero
	q.items = q.items[1:]
	return p
}

// abandonAll releases the items left when the worker stops early.
func (q *startedQueue[S, P]) abandonAll() {
	for q.len() > 0 {
		p := q.pop()
		if q.abandon != nil {
			q.abandon(q.state, p)
		}
	}
}
