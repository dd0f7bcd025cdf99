package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/bertbatch/bertbatch/pipeline"
)

// failAt says where TestCancellation injects its error.
type failAt struct {
	sourceItem   int // source fails before emitting this item
	openWorker   int // Open fails for this worker
	processItem  int // Process fails on the batch holding this item
	closeWorker  int // Close fails for this worker
	consumerItem int // consumer fails on this item
	cancelAtItem int // parent context is cancelled when the consumer sees this item
}

func noFailure() failAt { return failAt{-1, -1, -1, -1, -1, -1} }

// TestCancellation stops a full ordered pipeline at each place in turn and
// checks that Wait returns the injected error, that every opened worker
// state is closed exactly once, and that no goroutine is left behind.
func TestCancellation(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		set  func(*failAt)
		want error
	}{
		{"source", func(f *failAt) { f.sourceItem = 500 }, boom},
		{"worker open", func(f *failAt) { f.openWorker = 2 }, boom},
		{"worker process", func(f *failAt) { f.processItem = 700 }, boom},
		{"worker close", func(f *failAt) { f.closeWorker = 1 }, boom},
		{"consumer", func(f *failAt) { f.consumerItem = 300 }, boom},
		{"parent context", func(f *failAt) { f.cancelAtItem = 300 }, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkNoLeak(t)
			f := noFailure()
			tc.set(&f)
			var opens, closes atomic.Int64
			err := runFailing(f, boom, &opens, &closes)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Wait returned %v, want %v", err, tc.want)
			}
			if opens.Load() != closes.Load() {
				t.Errorf("%d states opened, %d closed", opens.Load(), closes.Load())
			}
		})
	}
	t.Run("no failure", func(t *testing.T) {
		checkNoLeak(t)
		var opens, closes atomic.Int64
		if err := runFailing(noFailure(), boom, &opens, &closes); err != nil {
			t.Fatal(err)
		}
		if opens.Load() != 4 || closes.Load() != 4 {
			t.Errorf("%d states opened, %d closed; want 4 each", opens.Load(), closes.Load())
		}
	})
}

// runFailing runs number → batch → pool of 4 → unbatch → reorder → consume
// over 100,000 items, failing as f says.
func runFailing(f failAt, boom error, opens, closes *atomic.Int64) error {
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	g, ctx := errgroup.WithContext(parent)
	window := pipeline.NewWindow(256)
	source := pipeline.Generate(ctx, g, 16, func(ctx context.Context, emit func(int) error) error {
		for i := range 100_000 {
			if i == f.sourceItem {
				return fmt.Errorf("source item %d: %w", i, boom)
			}
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	})
	batches := pipeline.Batcher[int]{
		MaxTokens: 64, MaxItems: 8, SortWindow: 32, InFlight: window,
		Length: func(i int) int { return 1 + i%7 },
	}.Run(ctx, g, pipeline.Number(ctx, g, source, window))
	results := pipeline.Pool[int, pipeline.Batch[int], []pipeline.Seq[int]]{
		Workers: 4,
		Open: func(w int) (int, error) {
			if w == f.openWorker {
				return 0, boom
			}
			opens.Add(1)
			return w, nil
		},
		Process: func(_ context.Context, _ int, b pipeline.Batch[int]) ([]pipeline.Seq[int], error) {
			for _, item := range b.Items {
				if item.Value == f.processItem {
					return nil, fmt.Errorf("batch with item %d: %w", item.Value, boom)
				}
			}
			return b.Items, nil
		},
		Close: func(w int) error {
			closes.Add(1)
			if w == f.closeWorker {
				return boom
			}
			return nil
		},
	}.Run(ctx, g, batches)
	ordered := pipeline.Reorder(ctx, g, pipeline.Unbatch(ctx, g, results), window)
	pipeline.Consume(ctx, g, ordered, func(_ context.Context, v int) error {
		switch v {
		case f.consumerItem:
			return boom
		case f.cancelAtItem:
			cancel()
		}
		return nil
	})
	return g.Wait()
}
