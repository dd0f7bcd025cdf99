package pipeline

import (
	"context"
	"fmt"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// Seq is an item with its sequence number: the position, counted from zero,
// at which Number saw it. Reorder uses N to restore that order.
type Seq[T any] struct {
	N     int64
	Value T
}

// Window bounds an ordered section of a pipeline: the stages between one
// Number and one Reorder. Number takes a slot before it emits an item and
// Reorder gives the slot back once it has emitted that item downstream, so at
// most Size items are ever between them — queued in channels, held by a
// batcher, processed by workers or waiting in the reorder buffer.
//
// Why a window and not just bounded channels: with bounded channels alone a
// single slow item lets every other worker keep finishing later items, which
// Reorder must hold until the slow one arrives; the buffer then grows without
// limit. The window stops Number instead, so the reorder buffer never holds
// more than Size items.
//
// A stage inside the section that waits for more input before it emits (a
// batcher filling a sort window of W items) needs Size ≥ W, or it would wait
// for items the window holds back; Batch checks this. A Window serves one
// Number and one Reorder, once.
type Window struct {
	size     int
	slots    chan struct{}
	numbered atomic.Int64 // items Number has emitted; the next sequence number
	released atomic.Int64 // items Reorder has emitted
	peakHeld atomic.Int64 // most items Reorder held at once
}

// NewWindow returns a window of size slots. A size below one makes Number
// and Reorder fail through their group.
func NewWindow(size int) *Window {
	return &Window{size: size, slots: make(chan struct{}, max(size, 0))}
}

// Size returns the most items allowed between Number and Reorder.
func (w *Window) Size() int { return w.size }

// WindowStats is a snapshot of a Window's counters.
type WindowStats struct {
	Numbered int64 // items Number has emitted
	Released int64 // items Reorder has emitted in order
	PeakHeld int64 // most items Reorder held at once, waiting for an earlier one
}

// Stats returns the window's counters; safe to call at any time.
func (w *Window) Stats() WindowStats {
	return WindowStats{Numbered: w.numbered.Load(), Released: w.released.Load(), PeakHeld: w.peakHeld.Load()}
}

func (w *Window) check(stage string) error {
	if w == nil || w.size < 1 {
		return fmt.Errorf("pipeline.%s: window must have at least one slot", stage)
	}
	return nil
}

// Number tags every item of in with its sequence number (0, 1, 2, …), taking
// a slot of w for each. Its output channel is unbuffered.
func Number[T any](ctx context.Context, g *errgroup.Group, in <-chan T, w *Window) <-chan Seq[T] {
	if err := w.check("Number"); err != nil {
		return failed[Seq[T]](g, err)
	}
	out := make(chan Seq[T])
	g.Go(func() error {
		defer close(out)
		for {
			v, ok, err := Receive(ctx, in)
			if err != nil || !ok {
				return err
			}
			if err := Send(ctx, w.slots, struct{}{}); err != nil {
				return err
			}
			n := w.numbered.Add(1) - 1
			if err := Send(ctx, out, Seq[T]{N: n, Value: v}); err != nil {
				return err
			}
		}
	})
	return out
}
