package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/bertbatch/bertbatch/pipeline"
)

// TestInvalidArguments checks that bad arguments come back through Wait as
// errors naming the problem, with every stage's channel closed.
func TestInvalidArguments(t *testing.T) {
	tests := []struct {
		name  string
		build func(ctx context.Context, g *errgroup.Group, in <-chan int) <-chan int
		want  []string
	}{
		{"pool without workers", func(ctx context.Context, g *errgroup.Group, in <-chan int) <-chan int {
			return pipeline.Map(ctx, g, in, 0, func(_ context.Context, i int) (int, error) { return i, nil })
		}, []string{"0 workers"}},
		{"map without fn", func(ctx context.Context, g *errgroup.Group, in <-chan int) <-chan int {
			return pipeline.Map[int, int](ctx, g, in, 2, nil)
		}, []string{"fn is nil"}},
		{"negative capacity", func(ctx context.Context, g *errgroup.Group, in <-chan int) <-chan int {
			return pipeline.Generate(ctx, g, -1, func(context.Context, func(int) error) error { return nil })
		}, []string{"capacity -1"}},
		{"empty window", func(ctx context.Context, g *errgroup.Group, in <-chan int) <-chan int {
			w := pipeline.NewWindow(0)
			return pipeline.Reorder(ctx, g, pipeline.Number(ctx, g, in, w), w)
		}, []string{"at least one slot"}},
		{"batcher budgets", func(ctx context.Context, g *errgroup.Group, in <-chan int) <-chan int {
			w := pipeline.NewWindow(4)
			b := pipeline.Batcher[int]{SortWindow: 8, InFlight: w}.Run(ctx, g, pipeline.Number(ctx, g, in, w))
			return pipeline.Map(ctx, g, b, 1, func(_ context.Context, b pipeline.Batch[int]) (int, error) { return 0, nil })
		}, []string{"MaxTokens is 0", "MaxItems is 0", "Length is nil", "window of 4 items is smaller than the sort window of 8"}},
		{"sort window below batch size", func(ctx context.Context, g *errgroup.Group, in <-chan int) <-chan int {
			w := pipeline.NewWindow(4)
			b := pipeline.Batcher[int]{MaxTokens: 100, MaxItems: 8, SortWindow: 4, Length: func(i int) int { return i }}.
				Run(ctx, g, pipeline.Number(ctx, g, in, w))
			return pipeline.Map(ctx, g, b, 1, func(_ context.Context, b pipeline.Batch[int]) (int, error) { return 0, nil })
		}, []string{"SortWindow is 4, need at least MaxItems (8)"}},
		{"negative length", func(ctx context.Context, g *errgroup.Group, in <-chan int) <-chan int {
			w := pipeline.NewWindow(4)
			b := pipeline.Batcher[int]{MaxTokens: 10, MaxItems: 2, SortWindow: 2, Length: func(int) int { return -3 }}.
				Run(ctx, g, pipeline.Number(ctx, g, in, w))
			return pipeline.Map(ctx, g, b, 1, func(_ context.Context, b pipeline.Batch[int]) (int, error) { return 0, nil })
		}, []string{"item 0 has negative length -3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkNoLeak(t)
			g, ctx := errgroup.WithContext(context.Background())
			out := tc.build(ctx, g, pipeline.FromSlice(ctx, g, []int{1, 2, 3}))
			pipeline.Consume(ctx, g, out, func(context.Context, int) error { return nil })
			err := g.Wait()
			if err == nil {
				t.Fatal("Wait returned nil")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestReorderRejectsBrokenSequences feeds Reorder numbers that a correct
// section never produces.
func TestReorderRejectsBrokenSequences(t *testing.T) {
	tests := []struct {
		name    string
		rewrite func([]pipeline.Seq[string]) []pipeline.Seq[string]
		want    string
	}{
		{"duplicate", func(s []pipeline.Seq[string]) []pipeline.Seq[string] { return append(s, s[1]) }, "item 1 arrived twice"},
		{"duplicate held", func(s []pipeline.Seq[string]) []pipeline.Seq[string] {
			return []pipeline.Seq[string]{s[2], s[2]}
		}, "item 2 arrived twice"},
		{"never numbered", func(s []pipeline.Seq[string]) []pipeline.Seq[string] {
			return append(s[:1], pipeline.Seq[string]{N: 99})
		}, "item 99 was never numbered"},
		{"lost in the middle", func(s []pipeline.Seq[string]) []pipeline.Seq[string] {
			return append(s[:1:1], s[2:]...)
		}, "item 1 of 4 never arrived (2 later items held)"},
		{"lost at the end", func(s []pipeline.Seq[string]) []pipeline.Seq[string] { return s[:3] }, "item 3 of 4 never arrived"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkNoLeak(t)
			g, ctx := errgroup.WithContext(context.Background())
			w := pipeline.NewWindow(8)
			numbered := pipeline.Number(ctx, g, pipeline.FromSlice(ctx, g, []string{"a", "b", "c", "d"}), w)
			var all []pipeline.Seq[string]
			for s := range numbered {
				all = append(all, s)
			}
			out := pipeline.Reorder(ctx, g, pipeline.FromSlice(ctx, g, tc.rewrite(all)), w)
			pipeline.Consume(ctx, g, out, func(context.Context, string) error { return nil })
			err := g.Wait()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Wait returned %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
