package pipeline_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/bertbatch/bertbatch/pipeline"
)

func numbers(b pipeline.Batch[int]) []int64 {
	ns := make([]int64, len(b.Items))
	for i, item := range b.Items {
		ns[i] = item.N
	}
	return ns
}

// TestBatcherCutsByHand checks batches worked out by hand from the rule:
// sort each window by (length, number), then cut greedily.
func TestBatcherCutsByHand(t *testing.T) {
	tests := []struct {
		name      string
		lengths   []int
		b         pipeline.Batcher[int]
		want      [][]int64
		wantPad   []int
		oversized int64
	}{
		{"one window", []int{5, 1, 3, 8, 2, 2, 7}, pipeline.Batcher[int]{MaxTokens: 12, MaxItems: 3, SortWindow: 7},
			[][]int64{{1, 4, 5}, {2, 0}, {6}, {3}}, []int{2, 5, 7, 8}, 0},
		{"windows of three", []int{5, 1, 3, 8, 2, 2, 7}, pipeline.Batcher[int]{MaxTokens: 12, MaxItems: 3, SortWindow: 3},
			[][]int64{{1, 2}, {0}, {4, 5}, {3}, {6}}, []int{3, 5, 2, 8, 7}, 0},
		{"window as small as a batch", []int{5, 1, 3, 8}, pipeline.Batcher[int]{MaxTokens: 100, MaxItems: 2, SortWindow: 2},
			[][]int64{{1, 0}, {2, 3}}, []int{5, 8}, 0},
		{"oversized item alone", []int{2, 9, 2, 3}, pipeline.Batcher[int]{MaxTokens: 4, MaxItems: 4, SortWindow: 4},
			[][]int64{{0, 2}, {3}, {1}}, []int{2, 3, 9}, 1},
		{"ties keep input order", []int{4, 4, 4, 4, 4}, pipeline.Batcher[int]{MaxTokens: 8, MaxItems: 5, SortWindow: 5},
			[][]int64{{0, 1}, {2, 3}, {4}}, []int{4, 4, 4}, 0},
		{"empty items bounded by count", []int{0, 0, 0}, pipeline.Batcher[int]{MaxTokens: 1, MaxItems: 2, SortWindow: 3},
			[][]int64{{0, 1}, {2}}, []int{0, 0}, 0},
		{"no items", nil, pipeline.Batcher[int]{MaxTokens: 1, MaxItems: 2, SortWindow: 3}, nil, nil, 0},
		{"packed cost is the sum of lengths", []int{3, 5, 2, 4}, pipeline.Batcher[int]{MaxTokens: 9, MaxItems: 4, SortWindow: 4, Packed: true},
			[][]int64{{2, 0, 3}, {1}}, []int{4, 5}, 0},
		{"padded cost of the same rows", []int{3, 5, 2, 4}, pipeline.Batcher[int]{MaxTokens: 9, MaxItems: 4, SortWindow: 4},
			[][]int64{{2, 0}, {3}, {1}}, []int{3, 4, 5}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkNoLeak(t)
			var stats pipeline.BatchStats
			tc.b.Stats = &stats
			batches := runBatcher(t, tc.lengths, tc.b)
			var got [][]int64
			var pads []int
			for _, b := range batches {
				got = append(got, numbers(b))
				pads = append(pads, b.PaddedLen)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || !slices.Equal(pads, tc.wantPad) {
				t.Errorf("got batches %v padded to %v, want %v padded to %v", got, pads, tc.want, tc.wantPad)
			}
			if stats.Oversized.Load() != tc.oversized {
				t.Errorf("oversized %d, want %d", stats.Oversized.Load(), tc.oversized)
			}
			if len(batches) > 0 && stats.BusyNanos.Load() <= 0 {
				t.Errorf("busy %d ns after %d batches, want > 0", stats.BusyNanos.Load(), len(batches))
			}
		})
	}
}

// TestBatcherBudgets checks the invariants on random inputs: every item
// exactly once, no batch over either budget unless it is a single oversized
// item, batches within one sort window, and stats that add up.
func TestBatcherBudgets(t *testing.T) {
	for _, tc := range []struct{ maxTokens, maxItems, sortWindow int }{
		{512, 32, 256}, {512, 32, 32}, {100, 64, 64}, {4096, 4, 1000}, {64, 8, 333},
	} {
		t.Run(fmt.Sprintf("tokens %d items %d window %d", tc.maxTokens, tc.maxItems, tc.sortWindow), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.maxTokens), uint64(tc.sortWindow)))
			lengths := make([]int, 1000)
			for i := range lengths {
				lengths[i] = r.IntN(140) // some exceed the smaller budgets
			}
			var stats pipeline.BatchStats
			b := pipeline.Batcher[int]{MaxTokens: tc.maxTokens, MaxItems: tc.maxItems, SortWindow: tc.sortWindow, Stats: &stats}
			batches := runBatcher(t, lengths, b)
			seen := make([]int, len(lengths))
			var tokens, padded, oversized int64
			for _, batch := range batches {
				longest, sum := 0, 0
				for _, item := range batch.Items {
					seen[item.N]++
					longest = max(longest, lengths[item.N])
					sum += lengths[item.N]
					if item.N/int64(tc.sortWindow) != batch.Items[0].N/int64(tc.sortWindow) {
						t.Fatalf("batch %v mixes sort windows", numbers(batch))
					}
				}
				if batch.PaddedLen != longest || batch.Tokens != sum {
					t.Fatalf("batch %v: padded %d tokens %d, want %d and %d", numbers(batch), batch.PaddedLen, batch.Tokens, longest, sum)
				}
				if len(batch.Items) > tc.maxItems {
					t.Fatalf("batch %v has %d items, max %d", numbers(batch), len(batch.Items), tc.maxItems)
				}
				if cost := len(batch.Items) * longest; cost > tc.maxTokens {
					if len(batch.Items) != 1 {
						t.Fatalf("batch %v costs %d tokens, max %d", numbers(batch), cost, tc.maxTokens)
					}
					oversized++
				}
				tokens += int64(sum)
				padded += int64(len(batch.Items) * longest)
			}
			for n, count := range seen {
				if count != 1 {
					t.Fatalf("item %d appears %d times", n, count)
				}
			}
			if stats.Items.Load() != int64(len(lengths)) || stats.Batches.Load() != int64(len(batches)) ||
				stats.Tokens.Load() != tokens || stats.PaddedTokens.Load() != padded || stats.Oversized.Load() != oversized {
				t.Errorf("stats %d items %d batches %d tokens %d padded %d oversized; counted %d %d %d %d %d",
					stats.Items.Load(), stats.Batches.Load(), stats.Tokens.Load(), stats.PaddedTokens.Load(), stats.Oversized.Load(),
					len(lengths), len(batches), tokens, padded, oversized)
			}
			if want := float64(padded-tokens) / float64(padded); stats.PaddingRatio() != want {
				t.Errorf("padding ratio %v, want %v", stats.PaddingRatio(), want)
			}
		})
	}
}

// TestSortingCutsPadding checks that a sort window lowers the padding ratio
// on inputs of mixed lengths.
func TestSortingCutsPadding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	lengths := make([]int, 2000)
	for i := range lengths {
		lengths[i] = 1 + r.IntN(256)
	}
	ratio := func(window int) float64 {
		var stats pipeline.BatchStats
		runBatcher(t, lengths, pipeline.Batcher[int]{MaxTokens: 4096, MaxItems: 32, SortWindow: window, Stats: &stats})
		return stats.PaddingRatio()
	}
	small, large := ratio(32), ratio(1000)
	if !(large < small/4) {
		t.Errorf("padding ratio %.3f with a sort window of 1000, %.3f with one of 32: want at least 4× less", large, small)
	}
}

// runBatcher batches items whose values are their lengths, in a window as
// large as the input (there is no Reorder to give slots back), and returns
// the batches in emission order.
func runBatcher(t *testing.T, lengths []int, b pipeline.Batcher[int]) []pipeline.Batch[int] {
	t.Helper()
	g, ctx := errgroup.WithContext(context.Background())
	w := pipeline.NewWindow(max(len(lengths), b.SortWindow))
	b.Length = func(n int) int { return n }
	b.InFlight = w
	numbered := pipeline.Number(ctx, g, pipeline.FromSlice(ctx, g, lengths), w)
	var batches []pipeline.Batch[int]
	pipeline.Consume(ctx, g, b.Run(ctx, g, numbered), func(_ context.Context, batch pipeline.Batch[int]) error {
		batches = append(batches, batch)
		return nil
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	return batches
}

// grouped is a test item: a length, and whether it opens a group.
type grouped struct {
	length int
	starts bool
}

// TestBatcherGroups checks that batches never span groups and that a group is
// batched the same way whether the input starts with it or earlier groups
// came first (the sort window restarts at each group).
func TestBatcherGroups(t *testing.T) {
	// Three groups of 7, 5 and 9 items, lengths chosen so that a window
	// running across group starts would batch differently.
	var items []grouped
	r := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{7, 5, 9} {
		for i := range size {
			items = append(items, grouped{length: 1 + r.IntN(20), starts: i == 0})
		}
	}
	tests := []struct {
		name string
		b    pipeline.Batcher[grouped]
	}{
		{"window larger than a group", pipeline.Batcher[grouped]{MaxTokens: 40, MaxItems: 3, SortWindow: 8}},
		{"window smaller than a group", pipeline.Batcher[grouped]{MaxTokens: 1000, MaxItems: 2, SortWindow: 4}},
		{"packed", pipeline.Batcher[grouped]{MaxTokens: 30, MaxItems: 6, SortWindow: 6, Packed: true}},
	}
	groupOf := func(n int64) int {
		g := -1
		for i := range int(n) + 1 {
			if items[i].starts {
				g++
			}
		}
		return g
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.b.Length = func(g grouped) int { return g.length }
			tc.b.Starts = func(g grouped) bool { return g.starts }
			whole := batchNumbers(t, items, tc.b)
			for _, b := range whole {
				for _, n := range b {
					if groupOf(n) != groupOf(b[0]) {
						t.Fatalf("batch %v spans two groups", b)
					}
				}
			}
			// Start the input at the second group, then at the third: their
			// batches, renumbered, are those of the whole input.
			for _, from := range []int{7, 12} {
				var want [][]int64
				for _, b := range whole {
					if b[0] >= int64(from) {
						shifted := make([]int64, len(b))
						for i, n := range b {
							shifted[i] = n - int64(from)
						}
						want = append(want, shifted)
					}
				}
				if got := batchNumbers(t, items[from:], tc.b); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("input from item %d: batches %v, want those of the whole input %v", from, got, want)
				}
			}
			// Without Starts the same budgets batch across group starts, so
			// the check above would fail: the test can tell.
			tc.b.Starts = nil
			if fmt.Sprint(batchNumbers(t, items, tc.b)) == fmt.Sprint(whole) {
				t.Errorf("the batches without groups are the same as with them; the input does not exercise groups")
			}
		})
	}
}

// batchNumbers batches items and returns each batch's item numbers.
func batchNumbers(t *testing.T, items []grouped, b pipeline.Batcher[grouped]) [][]int64 {
	t.Helper()
	g, ctx := errgroup.WithContext(context.Background())
	w := pipeline.NewWindow(max(len(items), b.SortWindow))
	b.InFlight = w
	numbered := pipeline.Number(ctx, g, pipeline.FromSlice(ctx, g, items), w)
	var out [][]int64
	pipeline.Consume(ctx, g, b.Run(ctx, g, numbered), func(_ context.Context, batch pipeline.Batch[grouped]) error {
		ns := make([]int64, len(batch.Items))
		for i, item := range batch.Items {
			ns[i] = item.N
		}
		out = append(out, ns)
		return nil
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	return out
}
