package pipeline_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/bertbatch/bertbatch/pipeline"
)

// TestPoolLockOSThread checks that with LockOSThread each worker's Open,
// every Process call and Close run on one OS thread, and that no two
// workers share a thread. Process yields between items so that an unlocked
// goroutine would be likely to move.
func TestPoolLockOSThread(t *testing.T) {
	checkNoLeak(t)
	type state struct{ worker, tid int }
	var wrongThread atomic.Int64
	tids := make([]int, 6)
	g, ctx := errgroup.WithContext(context.Background())
	items := pipeline.Generate(ctx, g, 0, func(ctx context.Context, emit func(int) error) error {
		for i := range 3000 {
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	})
	out := pipeline.Pool[*state, int, int]{
		Workers:      len(tids),
		LockOSThread: true,
		Open: func(w int) (*state, error) {
			tids[w] = syscall.Gettid()
			return &state{worker: w, tid: syscall.Gettid()}, nil
		},
		Process: func(_ context.Context, s *state, item int) (int, error) {
			if syscall.Gettid() != s.tid {
				wrongThread.Add(1)
			}
			return item, nil
		},
		Close: func(s *state) error {
			if syscall.Gettid() != s.tid {
				return fmt.Errorf("worker %d closed on thread %d, opened on %d", s.worker, syscall.Gettid(), s.tid)
			}
			return nil
		},
	}.Run(ctx, g, items)
	pipeline.Consume(ctx, g, out, func(context.Context, int) error { return nil })
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if n := wrongThread.Load(); n > 0 {
		t.Errorf("%d Process calls ran off their worker's thread", n)
	}
	seen := map[int]int{}
	for w, tid := range tids {
		if other, ok := seen[tid]; ok {
			t.Errorf("workers %d and %d share thread %d", other, w, tid)
		}
		seen[tid] = w
	}
}
