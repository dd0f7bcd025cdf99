package pipeline

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// Reorder receives items numbered by Number (through w) in any order and
// emits their values in number order on an unbuffered channel, giving each
// item's window slot back once it is emitted. It holds early arrivals until
// the items before them come; since at most w.Size() items are between
// Number and Reorder, it never holds more than that.
//
// Every number must arrive exactly once. Reorder fails when an item arrives
// twice, carries a number Number never gave, or — once in is closed without
// the context being cancelled — when any numbered item never arrived.
func Reorder[T any](ctx context.Context, g *errgroup.Group, in <-chan Seq[T], w *Window) <-chan T {
	if err := w.check("Reorder"); err != nil {
		return failed[T](g, err)
	}
	out := make(chan T)
	g.Go(func() error {
		defer close(out)
		r := reorderer[T]{w: w, out: out, held: make(map[int64]T)}
		for {
			item, ok, err := Receive(ctx, in)
			if err != nil {
				return err
			}
			if !ok {
				return r.finish(ctx)
			}
			if err := r.accept(ctx, item); err != nil {
				return err
			}
		}
	})
	return out
}

// reorderer is the state of one Reorder goroutine.
type reorderer[T any] struct {
	w    *Window
	out  chan<- T
	next int64       // number of the next item to emit
	held map[int64]T // early arrivals by number
}

// accept takes one arrival and emits every item that is now in order.
func (r *reorderer[T]) accept(ctx context.Context, item Seq[T]) error {
	if _, dup := r.held[item.N]; dup || item.N < r.next {
		return fmt.Errorf("pipeline.Reorder: item %d arrived twice", item.N)
	}
	if item.N >= r.w.numbered.Load() || item.N < 0 {
		return fmt.Errorf("pipeline.Reorder: item %d was never numbered by this window", item.N)
	}
	r.held[item.N] = item.Value
	if n := int64(len(r.held)); n > r.w.peakHeld.Load() {
		r.w.peakHeld.Store(n)
	}
	for {
		v, ok := r.held[r.next]
		if !ok {
			return nil
		}
		delete(r.held, r.next)
		if err := Send(ctx, r.out, v); err != nil {
			return err
		}
		r.next++
		r.w.released.Add(1)
		<-r.w.slots
	}
}

// finish checks, once the input is closed, that nothing was lost.
func (r *reorderer[T]) finish(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err // an upstream stage stopped early because of the cancellation
	}
	if numbered := r.w.numbered.Load(); r.next != numbered {
		return fmt.Errorf("pipeline.Reorder: item %d of %d never arrived (%d later items held): a stage between Number and Reorder dropped it",
			r.next, numbered, len(r.held))
	}
	return nil
}

// Unbatch emits the elements of every slice from in, in order, on an
// unbuffered channel: the step from per-batch results back to per-item ones.
func Unbatch[T any](ctx context.Context, g *errgroup.Group, in <-chan []T) <-chan T {
	out := make(chan T)
	g.Go(func() error {
		defer close(out)
		for {
			batch, ok, err := Receive(ctx, in)
			if err != nil || !ok {
				return err
			}
			for _, v := range batch {
				if err := Send(ctx, out, v); err != nil {
					return err
				}
			}
		}
	})
	return out
}
