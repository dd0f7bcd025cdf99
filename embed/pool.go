package embed

import (
	"context"
	"errors"
	"sort"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/mlx"
)

// work is what a worker does with one batch on its own scope, in two steps: it hands the batch to
// MLX and returns finish, which waits for the device and returns one result per row. A worker
// keeps up to its in-flight depth of batches started (WithInFlight); work done in one step
// returns a finish that only hands over its results (computed).
type work func(sc *mlx.Scope, b *bert.Batch) (finish func() ([]any, error), err error)

// computed is a finish for work done in one step.
func computed(rows []any, err error) (func() ([]any, error), error) {
	if err != nil {
		return nil, err
	}
	return func() ([]any, error) { return rows, nil }, nil
}

// task is one batch sent to the pool. done is buffered so a worker never waits for a caller that
// has gone away.
type task struct {
	ctx   context.Context
	batch *bert.Batch
	run   work
	done  chan taskResult
}

type taskResult struct {
	rows []any
	err  error
}

// start launches the worker pool once; the caller holds m.mu for writing.
func (m *Model) start() {
	if m.started {
		return
	}
	m.started = true
	m.tasks = make(chan *task, m.cfg.workers)
	for range m.cfg.workers {
		m.workers.Add(1)
		go func() {
			defer m.workers.Done()
			err := mlx.OnThread(m.cfg.device, m.serve)
			if err != nil { // the stream could not be made: fail every task this worker takes
				for t := range m.tasks {
					t.done <- taskResult{err: err}
				}
			}
		}()
	}
}

// serve runs tasks on this worker's thread and stream until the pool is closed. It starts up to
// the in-flight depth of tasks before it finishes the oldest, and never waits for a new task
// while it holds a started one: when none is queued, it finishes its oldest first.
func (m *Model) serve(s *mlx.Stream) error {
	var held []*running
	finishOldest := func() {
		r := held[0]
		held = held[1:]
		rows, err := r.finish()
		r.sc.Close()
		r.t.done <- taskResult{rows: rows, err: err}
	}
	for {
		var t *task
		ok := true
		if len(held) > 0 {
			select {
			case t, ok = <-m.tasks:
			default:
				finishOldest()
				continue
			}
		} else {
			t, ok = <-m.tasks
		}
		if !ok {
			for len(held) > 0 {
				finishOldest()
			}
			return nil
		}
		if err := t.ctx.Err(); err != nil {
			t.done <- taskResult{err: err}
			continue
		}
		sc := mlx.NewScope(s)
		finish, err := t.run(sc, t.batch)
		if err != nil {
			sc.Close()
			t.done <- taskResult{err: err}
			continue
		}
		held = append(held, &running{t: t, sc: sc, finish: finish})
		if len(held) >= m.cfg.inFlight {
			finishOldest()
		}
	}
}

// running is a task a worker has started: its scope stays open until finish has returned.
type running struct {
	t      *task
	sc     *mlx.Scope
	finish func() ([]any, error)
}

// submit hands a task to the pool, starting it on first use.
func (m *Model) submit(ctx context.Context, t *task) error {
	m.mu.RLock()
	if !m.started && !m.closed {
		m.mu.RUnlock()
		m.mu.Lock()
		if !m.closed {
			m.start()
		}
		m.mu.Unlock()
		m.mu.RLock()
	}
	defer m.mu.RUnlock()
	if m.closed {
		return ErrClosed
	}
	select {
	case m.tasks <- t:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runRows splits rows (given by their token counts) into batches under the token budget, runs
// them on the pool and returns one result per row, in input order. Rows are grouped by length so
// that a batch pads little.
func (m *Model) runRows(ctx context.Context, b *bert.Batch, run work) ([]any, error) {
	n := len(b.InputIDs)
	if n == 0 {
		return nil, nil
	}
	groups := groupRows(b.InputIDs, m.cfg.maxTokens)
	tasks := make([]*task, len(groups))
	for g, idx := range groups {
		tasks[g] = &task{ctx: ctx, batch: subBatch(b, idx), run: run, done: make(chan taskResult, 1)}
		if err := m.submit(ctx, tasks[g]); err != nil {
			return nil, err
		}
	}
	out := make([]any, n)
	for g, t := range tasks {
		select {
		case r := <-t.done:
			if r.err != nil {
				return nil, rowError(r.err, groups[g])
			}
			for j, i := range groups[g] {
				out[i] = r.rows[j]
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, nil
}

// groupRows splits rows into groups of row indices, longest rows first, each group's rows ×
// longest row within budget (a row longer than the budget is a group alone).
func groupRows(rows [][]int32, budget int) [][]int {
	n := len(rows)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, c int) bool { return len(rows[order[a]]) > len(rows[order[c]]) })
	var groups [][]int
	for start := 0; start < n; {
		longest := len(rows[order[start]])
		end := start + 1
		for end < n && (end-start+1)*longest <= budget {
			end++
		}
		groups = append(groups, order[start:end])
		start = end
	}
	return groups
}

// subBatch is the rows idx of b, in that order.
func subBatch(b *bert.Batch, idx []int) *bert.Batch {
	s := &bert.Batch{InputIDs: make([][]int32, len(idx))}
	if b.TokenTypeIDs != nil {
		s.TokenTypeIDs = make([][]int32, len(idx))
	}
	if b.AttentionMask != nil {
		s.AttentionMask = make([][]int32, len(idx))
	}
	for j, i := range idx {
		s.InputIDs[j] = b.InputIDs[i]
		if s.TokenTypeIDs != nil {
			s.TokenTypeIDs[j] = b.TokenTypeIDs[i]
		}
		if s.AttentionMask != nil {
			s.AttentionMask[j] = b.AttentionMask[i]
		}
	}
	return s
}

// rowError turns the engine's error about a row of a batch into a *RowError naming the row's
// index in the caller's input.
func rowError(err error, idx []int) error {
	var ie *bert.InputError
	if errors.As(err, &ie) && ie.Row >= 0 && ie.Row < len(idx) {
		return &RowError{Index: idx[ie.Row], Reason: ie.Field + ": " + ie.Msg}
	}
	return err
}
