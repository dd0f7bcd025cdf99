package stages

import (
	"context"
	"errors"
	"fmt"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/mlx"
	"github.com/bertbatch/bertbatch/pipeline"
)

// inferer runs batches through the model on a worker's own stream.
type inferer struct {
	model    *bert.Model
	device   mlx.DeviceType
	embed    bert.EmbedOptions
	classify bool
	packs    bool // batches run packed (bert.Model.Packs)
	stats    *Stats
}

// open makes a worker's stream; it runs on the worker's locked OS thread.
func (f *inferer) open(int) (*mlx.Stream, error) { return mlx.NewStream(f.device) }

func (f *inferer) close(s *mlx.Stream) error {
	s.Close()
	return nil
}

// process runs one batch: rows get their vector or prediction, units pass through.
func (f *inferer) process(_ context.Context, s *mlx.Stream, b pipeline.Batch[item]) ([]pipeline.Seq[result], error) {
	out := make([]pipeline.Seq[result], len(b.Items))
	batch := &bert.Batch{}
	var rowAt []int // index in out of each model row
	hasTypes, hasMask := false, false
	for _, it := range b.Items {
		if it.Value.row != nil {
			hasTypes = hasTypes || it.Value.row.types != nil
			hasMask = hasMask || it.Value.row.mask != nil
		}
	}
	for i, it := range b.Items {
		out[i].N = it.N
		out[i].Value.unit = it.Value.unit
		if it.Value.row == nil {
			continue
		}
		out[i].Value.hasRow = true
		r := it.Value.row
		rowAt = append(rowAt, i)
		batch.InputIDs = append(batch.InputIDs, r.ids)
		if hasTypes {
			batch.TokenTypeIDs = append(batch.TokenTypeIDs, orZeros(r.types, len(r.ids), 0))
		}
		if hasMask {
			batch.AttentionMask = append(batch.AttentionMask, orZeros(r.mask, len(r.ids), 1))
		}
	}
	if len(rowAt) == 0 {
		return out, nil
	}
	sc := mlx.NewScope(s)
	defer sc.Close()
	defer f.count(batch)
	if f.classify {
		preds, err := f.model.Classify(sc, batch)
		if err != nil {
			return nil, fmt.Errorf("classifying a batch of %d rows: %w", len(rowAt), inputRow(err, b, rowAt))
		}
		for j, i := range rowAt {
			out[i].Value.pred = &preds[j]
		}
		return out, nil
	}
	vecs, err := f.model.Embed(sc, batch, f.embed)
	if err != nil {
		return nil, fmt.Errorf("embedding a batch of %d rows: %w", len(rowAt), inputRow(err, b, rowAt))
	}
	for j, i := range rowAt {
		out[i].Value.vector = vecs[j]
	}
	return out, nil
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
