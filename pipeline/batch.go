package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
)

// Batch is a group of items processed together, every item padded to the
// longest one.
type Batch[T any] struct {
	// Items are the batch's items with their sequence numbers, shortest
	// first; results carrying the same numbers go back in input order
	// through Reorder.
	Items []Seq[T]
	// PaddedLen is the length every item is padded to: the longest item's.
	PaddedLen int
	// Tokens is the sum of the items' own lengths.
	Tokens int
}

// PaddedTokens is the batch's size when every item is padded: items × padded length.
func (b Batch[T]) PaddedTokens() int { return len(b.Items) * b.PaddedLen }

// Batcher groups numbered items into batches under a cost budget. It reads
// SortWindow items at a time (fewer at the end of the input), sorts them by
// length (ties by number) so that items of similar length share a batch and
// little padding is needed, then cuts the sorted run into batches greedily.
//
// Budget rule: every batch has at most MaxItems items and costs at most
// MaxTokens tokens, except that an item whose length alone exceeds MaxTokens
// forms a batch of its own (counted in BatchStats.Oversized) — the batcher
// never drops or splits an item; keep items at most MaxTokens long upstream
// (truncate or reject) to hold the budget strictly. A batch's cost is its
// padded size (items × longest item's length), or with Packed the sum of its
// items' lengths. Batches never mix items of two sort windows.
//
// Groups: with Starts set, the input is a sequence of groups, each opened by
// an item Starts reports. The batcher flushes its sort window before such an
// item, so a batch never mixes two groups and every group is windowed, sorted
// and cut the same way whatever came before it in the input: a group's
// batches depend only on its own items and the budgets.
type Batcher[T any] struct {
	// MaxTokens is the most padded tokens per batch; at least one.
	MaxTokens int
	// MaxItems is the most items per batch; at least one.
	MaxItems int
	// SortWindow is how many items are sorted together; at least MaxItems,
	// since batches never span two sort windows. Several times MaxItems
	// keeps padding low and the last, partly filled batch of each window
	// rare.
	SortWindow int
	// Length returns an item's length in tokens; a negative length fails.
	Length func(T) int
	// Starts, if not nil, reports whether an item opens a new group (see
	// Groups above).
	Starts func(T) bool
	// Packed makes a batch's cost the sum of its items' lengths, for a
	// consumer that lays items end to end instead of padding them.
	Packed bool
	// InFlight is the window of the ordered section the batcher runs in, if
	// any; Run fails when it is smaller than SortWindow, which would stall.
	InFlight *Window
	// Stats, if not nil, receives the batcher's counts.
	Stats *BatchStats
}

// WindowFor returns an in-flight window size that keeps workers busy: room
// for one sort window being filled, one being drained into batches, and two
// batches per worker (one processing, one queued behind it).
func (b Batcher[T]) WindowFor(workers int) int {
	return 2*b.SortWindow + 2*workers*b.MaxItems
}

// Run starts the batcher on g and returns its batches on an unbuffered
// channel, closed when in is closed and every item was batched.
func (b Batcher[T]) Run(ctx context.Context, g *errgroup.Group, in <-chan Seq[T]) <-chan Batch[T] {
	if err := b.check(); err != nil {
		return failed[Batch[T]](g, err)
	}
	out := make(chan Batch[T])
	g.Go(func() error {
		defer close(out)
		window := make([]Seq[T], 0, b.SortWindow)
		for {
			item, ok, err := Receive(ctx, in)
			if err != nil {
				return err
			}
			if ok && len(window) > 0 && b.Starts != nil && b.Starts(item.Value) {
				if err := b.emit(ctx, window, out); err != nil { // the group before item ends
					return err
				}
				window = window[:0] // emit copied the items out
			}
			if ok {
				window = append(window, item)
			}
			if len(window) == b.SortWindow || (!ok && len(window) > 0) {
				if err := b.emit(ctx, window, out); err != nil {
					return err
				}
				window = window[:0]
			}
			if !ok {
				return nil
			}
		}
	})
	return out
}

func (b Batcher[T]) check() error {
	var errs []error
	if b.MaxTokens < 1 {
		errs = append(errs, fmt.Errorf("MaxTokens is %d, need at least 1", b.MaxTokens))
	}
	if b.MaxItems < 1 {
		errs = append(errs, fmt.Errorf("MaxItems is %d, need at least 1", b.MaxItems))
	}
	if b.SortWindow < max(b.MaxItems, 1) {
		errs = append(errs, fmt.Errorf("SortWindow is %d, need at least MaxItems (%d): batches never span sort windows", b.SortWindow, b.MaxItems))
	}
	if b.Length == nil {
		errs = append(errs, errors.New("Length is nil"))
	}
	if b.InFlight != nil && b.InFlight.Size() < b.SortWindow {
		errs = append(errs, fmt.Errorf("in-flight window of %d items is smaller than the sort window of %d: the batcher would wait for items the window holds back",
			b.InFlight.Size(), b.SortWindow))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pipeline.Batcher: %w", err)
	}
	return nil
}

// emit sorts one sort window by length and sends it as batches.
func (b Batcher[T]) emit(ctx context.Context, window []Seq[T], out chan<- Batch[T]) error {
	began := time.Now()
	sorted := make([]measured[T], len(window))
	for i, item := range window {
		n := b.Length(item.Value)
		if n < 0 {
			return fmt.Errorf("pipeline.Batcher: item %d has negative length %d", item.N, n)
		}
		sorted[i] = measured[T]{item, n}
	}
	slices.SortFunc(sorted, func(x, y measured[T]) int {
		return cmp.Or(cmp.Compare(x.length, y.length), cmp.Compare(x.item.N, y.item.N))
	})
	batches := b.cut(sorted)
	if b.Stats != nil {
		b.Stats.BusyNanos.Add(int64(time.Since(began)))
	}
	for _, batch := range batches {
		recordBatch(b.Stats, batch, b.MaxTokens)
		if err := Send(ctx, out, batch); err != nil {
			return err
		}
	}
	return nil
}

// measured is an item with its length.
type measured[T any] struct {
	item   Seq[T]
	length int
}

// cut splits items, sorted by ascending length, into batches greedily: an
// item joins the current batch unless that would break a budget.
func (b Batcher[T]) cut(sorted []measured[T]) []Batch[T] {
	var batches []Batch[T]
	var current Batch[T]
	for _, m := range sorted {
		count := len(current.Items) + 1 // m.length is the longest so far
		cost := count * m.length
		if b.Packed {
			cost = current.Tokens + m.length
		}
		if count > 1 && (count > b.MaxItems || cost > b.MaxTokens) {
			batches = append(batches, current)
			current = Batch[T]{}
		}
		current.Items = append(current.Items, m.item)
		current.PaddedLen = m.length
		current.Tokens += m.length
	}
	if len(current.Items) > 0 {
		batches = append(batches, current)
	}
	return batches
}
