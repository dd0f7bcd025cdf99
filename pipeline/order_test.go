package pipeline_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bertbatch/bertbatch/pipeline"
)

// row stands for an input row: its position in the input and a length.
type row struct {
	id     int
	length int
}

func makeRows(n int, seed uint64) []row {
	r := rand.New(rand.NewPCG(seed, 0))
	rows := make([]row, n)
	for i := range rows {
		rows[i] = row{id: i, length: 1 + r.IntN(128)}
	}
	return rows
}

// jitter sleeps a random time below 200µs, so that workers finish out of order.
func jitter(r *rand.Rand) { time.Sleep(time.Duration(r.IntN(200)) * time.Microsecond) }

// TestBatchedOrderPreserved runs the whole ordered shape — number, batch,
// process on a pool with random delays, unbatch, reorder — and checks that
// every row comes out exactly once, in input order.
func TestBatchedOrderPreserved(t *testing.T) {
	for _, tc := range []struct {
		name       string
		workers    int
		sortWindow int
		lock       bool
	}{
		{"1 worker", 1, 64, false},
		{"2 workers", 2, 64, false},
		{"8 workers", 8, 64, false},
		{"8 workers locked threads", 8, 64, true},
		{"8 workers window of one batch", 8, 16, false},
		{"2 workers window larger than input", 2, 5000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkNoLeak(t)
			rows := makeRows(3000, uint64(tc.workers))
			g, ctx := errgroup.WithContext(context.Background())
			batcher := pipeline.Batcher[row]{
				MaxTokens: 1024, MaxItems: 16, SortWindow: tc.sortWindow,
				Length: func(r row) int { return r.length },
			}
			window := pipeline.NewWindow(batcher.WindowFor(tc.workers))
			batcher.InFlight = window
			numbered := pipeline.Number(ctx, g, pipeline.FromSlice(ctx, g, rows), window)
			batches := batcher.Run(ctx, g, numbered)
			results := pipeline.Pool[*rand.Rand, pipeline.Batch[row], []pipeline.Seq[int]]{
				Workers:      tc.workers,
				LockOSThread: tc.lock,
				Open:         func(w int) (*rand.Rand, error) { return rand.New(rand.NewPCG(uint64(w), 1)), nil },
				Process: func(_ context.Context, r *rand.Rand, b pipeline.Batch[row]) ([]pipeline.Seq[int], error) {
					jitter(r)
					out := make([]pipeline.Seq[int], len(b.Items))
					for i, item := range b.Items {
						out[i] = pipeline.Seq[int]{N: item.N, Value: item.Value.id}
					}
					return out, nil
				},
			}.Run(ctx, g, batches)
			ordered := pipeline.Reorder(ctx, g, pipeline.Unbatch(ctx, g, results), window)
			var got []int
			pipeline.Consume(ctx, g, ordered, func(_ context.Context, id int) error {
				got = append(got, id)
				return nil
			})
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			want := make([]int, len(rows))
			for i := range want {
				want[i] = i
			}
			if !slices.Equal(got, want) {
				t.Fatalf("got %d ids, first differences: %v", len(got), firstDiff(got, want))
			}
			if s := window.Stats(); s.PeakHeld > int64(window.Size()) {
				t.Errorf("reorder held %d items, window is %d", s.PeakHeld, window.Size())
			}
		})
	}
}

// TestMapOrderPreserved checks Number → Map → Reorder with random delays.
func TestMapOrderPreserved(t *testing.T) {
	for _, workers := range []int{1, 2, 8} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			checkNoLeak(t)
			in := make([]int, 400)
			for i := range in {
				in[i] = i
			}
			g, ctx := errgroup.WithContext(context.Background())
			window := pipeline.NewWindow(4 * workers)
			r := rand.New(rand.NewPCG(7, uint64(workers)))
			delays := make([]time.Duration, len(in))
			for i := range delays {
				delays[i] = time.Duration(r.IntN(200)) * time.Microsecond
			}
			squares := pipeline.Map(ctx, g, pipeline.Number(ctx, g, pipeline.FromSlice(ctx, g, in), window), workers,
				func(_ context.Context, s pipeline.Seq[int]) (pipeline.Seq[int], error) {
					time.Sleep(delays[s.N])
					return pipeline.Seq[int]{N: s.N, Value: s.Value * s.Value}, nil
				})
			var got []int
			pipeline.Consume(ctx, g, pipeline.Reorder(ctx, g, squares, window), func(_ context.Context, v int) error {
				got = append(got, v)
				return nil
			})
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			for i, v := range got {
				if v != i*i {
					t.Fatalf("item %d: got %d, want %d", i, v, i*i)
				}
			}
			if len(got) != len(in) {
				t.Fatalf("got %d items, want %d", len(got), len(in))
			}
		})
	}
}

func firstDiff(got, want []int) []int {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return got[i:min(i+5, len(got))]
		}
	}
	return nil
}
