package pipeline_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bertbatch/bertbatch/pipeline"
)

// TestWindowBoundsReorderBuffer holds item 0 in a worker while the other
// workers race ahead. Without the window they would push every later item
// into the reorder buffer; with it, the source stops once the window is full.
func TestWindowBoundsReorderBuffer(t *testing.T) {
	for _, size := range []int{1, 4, 16} {
		t.Run(fmt.Sprintf("window %d", size), func(t *testing.T) {
			checkNoLeak(t)
			const items = 2000
			g, ctx := errgroup.WithContext(context.Background())
			window := pipeline.NewWindow(size)
			var othersDone, aheadOfWindow atomic.Int64
			source := pipeline.Generate(ctx, g, 8, func(ctx context.Context, emit func(int) error) error {
				for i := range items {
					if err := emit(i); err != nil {
						return err
					}
				}
				return nil
			})
			processed := pipeline.Map(ctx, g, pipeline.Number(ctx, g, source, window), 4,
				func(ctx context.Context, s pipeline.Seq[int]) (pipeline.Seq[int], error) {
					if s.N >= window.Stats().Released+int64(size) {
						aheadOfWindow.Add(1)
					}
					if s.N != 0 {
						othersDone.Add(1)
						return s, nil
					}
					// Item 0 waits until every item the window admits has been
					// processed, then a little longer, to give a broken bound
					// the chance to show itself.
					for othersDone.Load() < int64(size-1) {
						time.Sleep(time.Millisecond)
					}
					time.Sleep(20 * time.Millisecond)
					return s, nil
				})
			count := 0
			pipeline.Consume(ctx, g, pipeline.Reorder(ctx, g, processed, window), func(context.Context, int) error {
				count++
				return nil
			})
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			s := window.Stats()
			if count != items || s.Numbered != items || s.Released != items {
				t.Fatalf("emitted %d, numbered %d, released %d; want %d each", count, s.Numbered, s.Released, items)
			}
			if s.PeakHeld > int64(size) {
				t.Errorf("reorder buffer peaked at %d items, window is %d", s.PeakHeld, size)
			}
			if n := aheadOfWindow.Load(); n > 0 {
				t.Errorf("%d items were processed more than %d ahead of the last released one", n, size)
			}
		})
	}
}
