package pipeline_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bertbatch/bertbatch/pipeline"
)

// started is an item handed to the stand-in device: its batch and when it is done.
type started struct {
	batch pipeline.Batch[row]
	done  chan struct{}
}

// TestPipelinedOrderAndDepth runs the ordered shape with a pipelined pool whose device finishes
// items after a random delay, and checks that every row comes out once, in input order, that no
// worker ever holds more than Depth started items, and that a worker finishes items in the order
// it started them.
func TestPipelinedOrderAndDepth(t *testing.T) {
	for _, tc := range []struct {
		name           string
		workers, depth int
		sortWindow     int
	}{
		{"1 worker depth 1", 1, 1, 64},
		{"1 worker depth 2", 1, 2, 64},
		{"2 workers depth 3", 2, 3, 64},
		{"4 workers depth 2 window of one batch", 4, 2, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkNoLeak(t)
			rows := makeRows(3000, uint64(tc.depth))
			g, ctx := errgroup.WithContext(context.Background())
			batcher := pipeline.Batcher[row]{MaxTokens: 1024, MaxItems: 16, SortWindow: tc.sortWindow,
				Length: func(r row) int { return r.length }}
			window := pipeline.NewWindow(batcher.WindowFor(tc.workers))
			batcher.InFlight = window
			var held, peak atomic.Int64
			type state struct {
				r    *rand.Rand
				fifo []int64 // first item number of each started batch, in start order
			}
			results := pipeline.Pipelined[*state, pipeline.Batch[row], *started, []pipeline.Seq[row]]{
				Workers: tc.workers, Depth: tc.depth,
				Open: func(w int) (*state, error) { return &state{r: rand.New(rand.NewPCG(uint64(w), 9))}, nil },
				Start: func(_ context.Context, s *state, b pipeline.Batch[row]) (*started, error) {
					if n := held.Add(1); n > peak.Load() {
						peak.Store(n)
					}
					p := &started{batch: b, done: make(chan struct{})}
					s.fifo = append(s.fifo, b.Items[0].N)
					delay := time.Duration(s.r.IntN(200)) * time.Microsecond
					go func() { time.Sleep(delay); close(p.done) }()
					return p, nil
				},
				Finish: func(_ context.Context, s *state, p *started) ([]pipeline.Seq[row], error) {
					<-p.done
					held.Add(-1)
					if s.fifo[0] != p.batch.Items[0].N {
						return nil, errors.New("a worker finished its items out of start order")
					}
					s.fifo = s.fifo[1:]
					return p.batch.Items, nil
				},
			}.Run(ctx, g, batcher.Run(ctx, g, pipeline.Number(ctx, g, pipeline.FromSlice(ctx, g, rows), window)))
			var got []int
			pipeline.Consume(ctx, g, pipeline.Reorder(ctx, g, pipeline.Unbatch(ctx, g, results), window),
				func(_ context.Context, r row) error { got = append(got, r.id); return nil })
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(rows) {
				t.Fatalf("got %d rows, want %d", len(got), len(rows))
			}
			for i, id := range got {
				if id != i {
					t.Fatalf("row %d came out at position %d", id, i)
				}
			}
			if max := int64(tc.workers * tc.depth); peak.Load() > max {
				t.Errorf("%d items started at once, want at most workers × depth = %d", peak.Load(), max)
			}
		})
	}
}

// TestPipelinedFinishesWhenInputWaits checks that a worker holding a started item does not wait
// for input: with an input that sends one item and then blocks until that item's result is
// read, the result must still come out.
func TestPipelinedFinishesWhenInputWaits(t *testing.T) {
	checkNoLeak(t)
	g, ctx := errgroup.WithContext(context.Background())
	in := make(chan int)
	read := make(chan struct{})
	g.Go(func() error {
		defer close(in)
		if err := pipeline.Send(ctx, in, 1); err != nil {
			return err
		}
		<-read // the second item waits until the first result is read, as a full Window would
		return pipeline.Send(ctx, in, 2)
	})
	out := pipeline.Pipelined[struct{}, int, int, int]{Workers: 1, Depth: 4,
		Start:  func(_ context.Context, _ struct{}, v int) (int, error) { return v, nil },
		Finish: func(_ context.Context, _ struct{}, v int) (int, error) { return 10 * v, nil },
	}.Run(ctx, g, in)
	var got []int
	pipeline.Consume(ctx, g, out, func(_ context.Context, v int) error {
		if v == 10 {
			close(read)
		}
		got = append(got, v)
		return nil
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != 10 || got[1] != 20 {
		t.Fatalf("got %v, want [10 20]", got)
	}
}

// TestPipelinedAbandon checks that when Finish fails, every other started item is abandoned
// exactly once and the state closed, and Wait returns the error.
func TestPipelinedAbandon(t *testing.T) {
	checkNoLeak(t)
	boom := errors.New("boom")
	g, ctx := errgroup.WithContext(context.Background())
	var startedN, finished, abandoned, closed atomic.Int64
	in := make(chan int, 8)
	for i := range 8 {
		in <- i
	}
	close(in)
	out := pipeline.Pipelined[struct{}, int, int, int]{Workers: 1, Depth: 3,
		Start: func(_ context.Context, _ struct{}, v int) (int, error) { startedN.Add(1); return v, nil },
		Finish: func(_ context.Context, _ struct{}, v int) (int, error) {
			if v == 2 {
				return 0, boom
			}
			finished.Add(1)
			return v, nil
		},
		Abandon: func(struct{}, int) { abandoned.Add(1) },
		Close:   func(struct{}) error { closed.Add(1); return nil },
	}.Run(ctx, g, in)
	pipeline.Consume(ctx, g, out, func(context.Context, int) error { return nil })
	if err := g.Wait(); !errors.Is(err, boom) {
		t.Fatalf("Wait: %v, want boom", err)
	}
	if closed.Load() != 1 {
		t.Errorf("closed %d times, want once", closed.Load())
	}
	// Item 2 failed; every other started item was finished or abandoned.
	if got := finished.Load() + abandoned.Load() + 1; got != startedN.Load() {
		t.Errorf("%d started, %d finished, %d abandoned: some started item was lost", startedN.Load(), finished.Load(), abandoned.Load())
	}
	if abandoned.Load() == 0 {
		t.Errorf("nothing abandoned, want the items started after item 2")
	}
}

// TestPipelinedInvalid checks the arguments Run refuses.
func TestPipelinedInvalid(t *testing.T) {
	noop := func(_ context.Context, _ struct{}, v int) (int, error) { return v, nil }
	for _, tc := range []struct {
		name string
		p    pipeline.Pipelined[struct{}, int, int, int]
	}{
		{"no workers", pipeline.Pipelined[struct{}, int, int, int]{Depth: 1, Start: noop, Finish: noop}},
		{"depth 0", pipeline.Pipelined[struct{}, int, int, int]{Workers: 1, Start: noop, Finish: noop}},
		{"no finish", pipeline.Pipelined[struct{}, int, int, int]{Workers: 1, Depth: 1, Start: noop}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, ctx := errgroup.WithContext(context.Background())
			for range tc.p.Run(ctx, g, make(chan int)) {
			}
			if err := g.Wait(); err == nil {
				t.Fatal("Run accepted invalid arguments")
			}
		})
	}
}
