package pipeline_test

import (
	"context"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/bertbatch/bertbatch/pipeline"
)

// BenchmarkOrderedShape measures the pipeline's own cost per item: number,
// batch (64 items), a pool of 4 workers doing no work, unbatch, reorder.
func BenchmarkOrderedShape(b *testing.B) {
	b.ReportAllocs()
	g, ctx := errgroup.WithContext(context.Background())
	batcher := pipeline.Batcher[int]{MaxTokens: 64 * 128, MaxItems: 64, SortWindow: 1024,
		Length: func(i int) int { return 1 + i%128 }}
	window := pipeline.NewWindow(batcher.WindowFor(4))
	batcher.InFlight = window
	source := pipeline.Generate(ctx, g, 64, func(ctx context.Context, emit func(int) error) error {
		for i := range b.N {
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	})
	results := pipeline.Map(ctx, g, batcher.Run(ctx, g, pipeline.Number(ctx, g, source, window)), 4,
		func(_ context.Context, batch pipeline.Batch[int]) ([]pipeline.Seq[int], error) {
			return batch.Items, nil
		})
	pipeline.Consume(ctx, g, pipeline.Reorder(ctx, g, pipeline.Unbatch(ctx, g, results), window),
		func(context.Context, int) error { return nil })
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
}
