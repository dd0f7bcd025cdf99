package stages

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/mlx"
	"github.com/bertbatch/bertbatch/pipeline"
)

// inferer runs batches through the model on a worker's own stream, in two steps (see
// pipeline.Pipelined): start builds a batch's graph and hands it to MLX, finish waits for it. A
// worker keeps up to the run's in-flight depth of batches started, on its one stream.
type inferer struct {
	model    *bert.Model
	device   mlx.DeviceType
	embed    bert.EmbedOptions
	classify bool
	packs    bool // batches run packed (bert.Model.Packs)
	warmup   bool // run each worker's first batch once before it counts (kernels, allocations)
	stats    *Stats
	clock    *timeline
}

// worker is an inference worker's state: its stream, and whether it has warmed up.
type worker struct {
	stream *mlx.Stream
	warm   bool
}

// started is a batch handed to MLX: its results to fill, the rows it sends to the model, and the
// scope holding its graph until it is finished.
type started struct {
	b       pipeline.Batch[item]
	out     []pipeline.Seq[result]
	rowAt   []int // index in out of each model row
	batch   *bert.Batch
	sc      *mlx.Scope
	pending *bert.PendingEmbed
}

// open makes a worker's stream; it runs on the worker's locked OS thread.
func (f *inferer) open(int) (*worker, error) {
	s, err := mlx.NewStream(f.device)
	if err != nil {
		return nil, err
	}
	return &worker{stream: s}, nil
}

func (f *inferer) close(w *worker) error {
	w.stream.Close()
	return nil
}

// start builds one batch's inputs and graph and hands it to MLX without waiting. A classifying
// batch is computed here whole (heads have no two-step path; its time counts as host time).
func (f *inferer) start(_ context.Context, w *worker, b pipeline.Batch[item]) (*started, error) {
	began := time.Now()
	defer func() { f.clock.inferHost.Add(int64(f.clock.add(stageInfer, began))) }()
	st := f.modelRows(b)
	if len(st.rowAt) == 0 {
		return st, nil
	}
	if f.warmup && !w.warm {
		if err := f.warmUp(w, st); err != nil {
			return nil, err
		}
	}
	st.sc = mlx.NewScope(w.stream)
	if f.classify {
		preds, err := f.model.Classify(st.sc, st.batch)
		if err != nil {
			st.release()
			return nil, fmt.Errorf("classifying a batch of %d rows: %w", len(st.rowAt), inputRow(err, b, st.rowAt))
		}
		for j, i := range st.rowAt {
			st.out[i].Value.pred = &preds[j]
		}
		return st, nil
	}
	p, err := f.model.StartEmbed(st.sc, st.batch, f.embed)
	if err != nil {
		st.release()
		return nil, fmt.Errorf("embedding a batch of %d rows: %w", len(st.rowAt), inputRow(err, b, st.rowAt))
	}
	st.pending = p
	return st, nil
}

// warmUp runs the worker's first batch once and drops the result, so that the kernels it needs
// are compiled and its buffer sizes allocated before batches are kept in flight.
func (f *inferer) warmUp(w *worker, st *started) error {
	began := time.Now()
	defer func() { f.clock.warmup.Add(int64(time.Since(began))) }()
	w.warm = true
	sc := mlx.NewScope(w.stream)
	defer sc.Close()
	var err error
	if f.classify {
		_, err = f.model.Classify(sc, st.batch)
	} else {
		_, err = f.model.Embed(sc, st.batch, f.embed)
	}
	if err != nil {
		return fmt.Errorf("warm-up on a batch of %d rows: %w", len(st.rowAt), inputRow(err, st.b, st.rowAt))
	}
	return nil
}

// finish waits for a started batch and returns its results: rows get their vector or
// prediction, units pass through.
func (f *inferer) finish(_ context.Context, _ *worker, st *started) ([]pipeline.Seq[result], error) {
	if len(st.rowAt) == 0 {
		return st.out, nil
	}
	began := time.Now()
	defer st.release()
	if st.pending != nil {
		vecs, err := st.pending.Wait()
		if err != nil {
			return nil, fmt.Errorf("embedding a batch of %d rows: %w", len(st.rowAt), inputRow(err, st.b, st.rowAt))
		}
		for j, i := range st.rowAt {
			st.out[i].Value.vector = vecs[j]
		}
	}
	f.clock.inferWait.Add(int64(f.clock.add(stageInfer, began)))
	f.count(st.batch)
	f.clock.batchDone()
	return st.out, nil
}

// abandon releases a started batch of a run that is stopping: MLX finishes its work first.
func (f *inferer) abandon(_ *worker, st *started) {
	if st.pending != nil {
		_, _ = st.pending.Wait() // the run already failed; this batch's own error adds nothing
	}
	st.release()
}

// release closes the batch's scope.
func (st *started) release() {
	if st.sc != nil {
		st.sc.Close()
		st.sc = nil
	}
}

// modelRows lays out a batch: its results, one per item, and the rows that go to the model.
func (f *inferer) modelRows(b pipeline.Batch[item]) *started {
	st := &started{b: b, out: make([]pipeline.Seq[result], len(b.Items)), batch: &bert.Batch{}}
	hasTypes, hasMask := false, false
	for _, it := range b.Items {
		if it.Value.row != nil {
			hasTypes = hasTypes || it.Value.row.types != nil
			hasMask = hasMask || it.Value.row.mask != nil
		}
	}
	for i, it := range b.Items {
		st.out[i].N = it.N
		st.out[i].Value.unit = it.Value.unit
		if it.Value.row == nil {
			continue
		}
		st.out[i].Value.hasRow = true
		r := it.Value.row
		st.rowAt = append(st.rowAt, i)
		st.batch.InputIDs = append(st.batch.InputIDs, r.ids)
		if hasTypes {
			st.batch.TokenTypeIDs = append(st.batch.TokenTypeIDs, orZeros(r.types, len(r.ids), 0))
		}
		if hasMask {
			st.batch.AttentionMask = append(st.batch.AttentionMask, orZeros(r.mask, len(r.ids), 1))
		}
	}
	return st
}

// inputRow names the input file and row of a row the model refused (its error counts rows in
// the batch); prepare checks rows before they are batched, so this is a safety net.
func inputRow(err error, b pipeline.Batch[item], rowAt []int) error {
	var ie *bert.InputError
	if !errors.As(err, &ie) || ie.Row < 0 || ie.Row >= len(rowAt) {
		return err
	}
	r := b.Items[rowAt[ie.Row]].Value.row
	return fmt.Errorf("%s: row %d (batch %w)", r.file, r.n, err)
}

// orZeros returns v, or n copies of fill when v is nil.
func orZeros(v []int32, n int, fill int32) []int32 {
	if v != nil {
		return v
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = fill
	}
	return out
}

// count adds a finished batch's rows, tokens and computed size to the run's counts: rows × longest
// row when padded, the tokens (and a GPU's filler rows) when packed. A batch with an attention
// mask is counted as padded.
func (f *inferer) count(b *bert.Batch) {
	tokens, longest := 0, 0
	for _, ids := range b.InputIDs {
		tokens += len(ids)
		longest = max(longest, len(ids))
	}
	computed := longest * len(b.InputIDs)
	if f.packs && b.AttentionMask == nil {
		computed = bert.PackedRows(f.device, tokens)
	}
	f.stats.Inferred.Add(int64(len(b.InputIDs)))
	f.stats.InferredTokens.Add(int64(tokens))
	f.stats.PaddedTokens.Add(int64(computed))
}
