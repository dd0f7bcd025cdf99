package pipeline_test

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/bertbatch/bertbatch/pipeline"
)

// The ordered shape: number the items, batch them by length under a token
// budget, process the batches on a pool of workers, and put the results back
// in input order.
func Example() {
	words := strings.Fields("the quick brown fox jumps over the lazy dog again and again")
	g, ctx := errgroup.WithContext(context.Background())
	batcher := pipeline.Batcher[string]{
		MaxTokens: 12, MaxItems: 4, SortWindow: 8,
		Length: func(w string) int { return len(w) },
	}
	window := pipeline.NewWindow(batcher.WindowFor(3))
	batcher.InFlight = window
	batches := batcher.Run(ctx, g, pipeline.Number(ctx, g, pipeline.FromSlice(ctx, g, words), window))
	upper := pipeline.Pool[struct{}, pipeline.Batch[string], []pipeline.Seq[string]]{
		Workers: 3,
		Process: func(_ context.Context, _ struct{}, b pipeline.Batch[string]) ([]pipeline.Seq[string], error) {
			out := make([]pipeline.Seq[string], len(b.Items))
			for i, item := range b.Items {
				out[i] = pipeline.Seq[string]{N: item.N, Value: strings.ToUpper(item.Value)}
			}
			return out, nil
		},
	}.Run(ctx, g, batches)
	var result []string
	pipeline.Consume(ctx, g, pipeline.Reorder(ctx, g, pipeline.Unbatch(ctx, g, upper), window),
		func(_ context.Context, w string) error {
			result = append(result, w)
			return nil
		})
	if err := g.Wait(); err != nil {
		fmt.Println(err)
	}
	fmt.Println(strings.Join(result, " "))
	// Output: THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG AGAIN AND AGAIN
}
