package embed

import (
	"context"
	"fmt"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/bert/tokenizer"
	"github.com/bertbatch/bertbatch/mlx"
)

// Prediction is a classification head's output for one row: logits, probabilities (softmax or
// sigmoid as the head says), the top label from id2label and its score.
type Prediction = bert.Prediction

// Encode returns one sentence vector per text, in input order.
func (m *Model) Encode(ctx context.Context, texts []string) ([][]float32, error) {
	b, err := m.tokenize(texts, nil)
	if err != nil {
		return nil, err
	}
	return m.encodeBatch(ctx, b)
}

// EncodePairs returns one vector per (first, second) pair, tokenized as a pair ([CLS] a [SEP] b [SEP]).
func (m *Model) EncodePairs(ctx context.Context, first, second []string) ([][]float32, error) {
	if len(first) != len(second) {
		return nil, fmt.Errorf("%d first texts but %d second texts", len(first), len(second))
	}
	b, err := m.tokenize(first, second)
	if err != nil {
		return nil, err
	}
	return m.encodeBatch(ctx, b)
}

// EncodeTokens returns one vector per row of token ids. mask and types are optional (nil: every
// token attended, all type 0); when given they have one row per id row, of the same length.
func (m *Model) EncodeTokens(ctx context.Context, ids, mask, types [][]int32) ([][]float32, error) {
	b, err := tokenBatch(ids, mask, types)
	if err != nil {
		return nil, err
	}
	return m.encodeBatch(ctx, b)
}

// Forward returns the last hidden state of each row, [row][token][hidden] in float32, over the
// row's own tokens (no padding): the seed's model(input_ids, attention_mask).last_hidden_state.
func (m *Model) Forward(ctx context.Context, ids, mask, types [][]int32) ([][][]float32, error) {
	b, err := tokenBatch(ids, mask, types)
	if err != nil {
		return nil, err
	}
	rows, err := m.runRows(ctx, b, m.forwardWork)
	if err != nil {
		return nil, err
	}
	out := make([][][]float32, len(rows))
	for i, r := range rows {
		out[i] = r.([][]float32)
	}
	return out, nil
}

// Classify runs the head (WithHead) on each text and returns its prediction, in input order.
func (m *Model) Classify(ctx context.Context, texts []string) ([]Prediction, error) {
	if m.eng.Head == NoHead {
		return nil, ErrNoHead
	}
	b, err := m.tokenize(texts, nil)
	if err != nil {
		return nil, err
	}
	return m.classifyBatch(ctx, b)
}

// ClassifyTokens runs the head on rows of token ids (mask and types as in EncodeTokens).
func (m *Model) ClassifyTokens(ctx context.Context, ids, mask, types [][]int32) ([]Prediction, error) {
	if m.eng.Head == NoHead {
		return nil, ErrNoHead
	}
	b, err := tokenBatch(ids, mask, types)
	if err != nil {
		return nil, err
	}
	return m.classifyBatch(ctx, b)
}

func (m *Model) encodeBatch(ctx context.Context, b *bert.Batch) ([][]float32, error) {
	o := m.embedOptions()
	if _, err := m.eng.EmbeddingDim(o); err != nil {
		return nil, err
	}
	rows, err := m.runRows(ctx, b, func(sc *mlx.Scope, b *bert.Batch) (func() ([]any, error), error) {
		p, err := m.eng.StartEmbed(sc, b, o)
		if err != nil {
			return nil, err
		}
		return func() ([]any, error) {
			v, err := p.Wait()
			return anys(v), err
		}, nil
	})
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(rows))
	for i, r := range rows {
		out[i] = r.([]float32)
	}
	return out, nil
}

func (m *Model) classifyBatch(ctx context.Context, b *bert.Batch) ([]Prediction, error) {
	rows, err := m.runRows(ctx, b, func(sc *mlx.Scope, b *bert.Batch) (func() ([]any, error), error) {
		p, err := m.eng.Classify(sc, b)
		return computed(anys(p), err)
	})
	if err != nil {
		return nil, err
	}
	out := make([]Prediction, len(rows))
	for i, r := range rows {
		out[i] = r.(Prediction)
	}
	return out, nil
}

// forwardWork evaluates a batch's last hidden state and cuts each row to its own tokens, in one step.
func (m *Model) forwardWork(sc *mlx.Scope, b *bert.Batch) (func() ([]any, error), error) {
	return computed(m.hiddenStates(sc, b))
}

// hiddenStates evaluates a batch's last hidden state and cuts each row to its own tokens.
func (m *Model) hiddenStates(sc *mlx.Scope, b *bert.Batch) ([]any, error) {
	e, err := m.eng.Forward(sc, b)
	if err != nil {
		return nil, err
	}
	shape, err := e.LastHidden.Shape()
	if err != nil {
		return nil, err
	}
	flat, err := sc.AsType(e.LastHidden, mlx.Float32).Float32s(sc.Stream())
	if err != nil {
		return nil, err
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	L, H := shape[1], shape[2]
	out := make([]any, len(b.InputIDs))
	for i, row := range b.InputIDs {
		tokens := make([][]float32, len(row))
		for j := range tokens {
			at := (i*L + j) * H
			tokens[j] = flat[at : at+H : at+H]
		}
		out[i] = tokens
	}
	return out, nil
}

// tokenize encodes texts (and second texts of pairs when given) with the model's tokenizer.
func (m *Model) tokenize(texts, pairs []string) (*bert.Batch, error) {
	tok, err := m.Tokenizer()
	if err != nil {
		return nil, err
	}
	limit, err := m.MaxLength()
	if err != nil {
		return nil, err
	}
	if err := tok.CheckMaxLength(limit, pairs != nil); err != nil {
		return nil, err
	}
	in := make([]tokenizer.Input, len(texts))
	for i, t := range texts {
		in[i] = tokenizer.Input{Text: t}
		if pairs != nil {
			in[i].Pair = &pairs[i]
		}
	}
	enc := tok.EncodeBatch(in, limit)
	b := &bert.Batch{InputIDs: make([][]int32, len(enc)), TokenTypeIDs: make([][]int32, len(enc))}
	for i, e := range enc {
		b.InputIDs[i], b.TokenTypeIDs[i] = e.InputIDs, e.TokenTypeIDs
		if len(e.TokenTypeIDs) != len(e.InputIDs) {
			b.TokenTypeIDs[i] = make([]int32, len(e.InputIDs))
		}
	}
	return b, nil
}

// tokenBatch checks that mask and types, when given, match ids row for row.
func tokenBatch(ids, mask, types [][]int32) (*bert.Batch, error) {
	for _, f := range []struct {
		name string
		rows [][]int32
	}{{"attention_mask", mask}, {"token_type_ids", types}} {
		name, rows := f.name, f.rows
		if rows == nil {
			continue
		}
		if len(rows) != len(ids) {
			return nil, fmt.Errorf("%s has %d rows, input_ids %d", name, len(rows), len(ids))
		}
		for i := range rows {
			if len(rows[i]) != len(ids[i]) {
				return nil, &RowError{Index: i, Reason: fmt.Sprintf("%s has %d tokens, input_ids %d", name, len(rows[i]), len(ids[i]))}
			}
		}
	}
	return &bert.Batch{InputIDs: ids, AttentionMask: mask, TokenTypeIDs: types}, nil
}

func anys[T any](v []T) []any {
	out := make([]any, len(v))
	for i := range v {
		out[i] = v[i]
	}
	return out
}
