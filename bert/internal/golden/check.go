package golden

import (
	"errors"
	"fmt"
	"path/filepath"
)

// check proves the shape invariants stated in the package doc.
func (c *Case) check() error {
	if c.Model == "" {
		return errors.New(`"model" is missing`)
	}
	if err := c.Batch.check("", c.LastHiddenStateRows); err != nil {
		return err
	}
	pi := c.PaddingInvariance
	if err := pi.Alone.check("padding_invariance.alone.", 0); err != nil {
		return err
	}
	if err := pi.Padded.check("padding_invariance.padded.", 0); err != nil {
		return err
	}
	if len(pi.Alone.Inputs) != 1 || pi.Row < 0 || pi.Row >= len(pi.Padded.Inputs) {
		return fmt.Errorf("padding_invariance: want 1 alone row and row < %d padded rows, got %d and row %d",
			len(pi.Padded.Inputs), len(pi.Alone.Inputs), pi.Row)
	}
	if ft := c.FromText; ft != nil && (len(ft.Texts) == 0 || len(ft.InputIDs) != len(ft.Texts) || len(ft.SentenceEmbedding) != len(ft.Texts)) {
		return fmt.Errorf("from_text: %d texts, %d token rows, %d embeddings; want as many of each", len(ft.Texts), len(ft.InputIDs), len(ft.SentenceEmbedding))
	}
	return nil
}

// check proves that b's inputs are rectangular and each output has one entry per row. lhsRows, when
// not 0, is how many leading rows last_hidden_state covers.
func (b *Batch) check(prefix string, lhsRows int) error {
	if len(b.Inputs) == 0 {
		return fmt.Errorf("%sinputs: no rows", prefix)
	}
	width := len(b.Inputs[0].InputIDs)
	for i, r := range b.Inputs {
		if len(r.InputIDs) != width || len(r.AttentionMask) != width || len(r.TokenTypeIDs) != width {
			return fmt.Errorf("%sinputs[%d]: input_ids, attention_mask, token_type_ids have %d, %d, %d positions; want %d",
				prefix, i, len(r.InputIDs), len(r.AttentionMask), len(r.TokenTypeIDs), width)
		}
	}
	rows := len(b.Inputs)
	if lhsRows == 0 {
		lhsRows = rows
	}
	if b.LastHiddenState != nil {
		if len(b.LastHiddenState) != lhsRows {
			return fmt.Errorf("%slast_hidden_state: %d rows, want %d", prefix, len(b.LastHiddenState), lhsRows)
		}
		for i, r := range b.LastHiddenState {
			if len(r) < b.Inputs[i].Len() || len(r) > width {
				return fmt.Errorf("%slast_hidden_state[%d]: %d positions for a row of %d tokens padded to %d",
					prefix, i, len(r), b.Inputs[i].Len(), width)
			}
		}
	}
	vectors := map[string][][]float32{
		"pooler_output": b.PoolerOutput, "sentence_embedding": b.SentenceEmbedding,
		"logits": b.Logits, "probabilities": b.Probabilities,
	}
	for mode, v := range b.Pooled {
		vectors["pooled."+mode] = v
	}
	for name, v := range vectors {
		if v != nil && len(v) != rows {
			return fmt.Errorf("%s%s: %d rows, want %d", prefix, name, len(v), rows)
		}
	}
	if b.Labels != nil && len(b.Labels) != rows {
		return fmt.Errorf("%slabels: %d rows, want %d", prefix, len(b.Labels), rows)
	}
	return nil
}

// Variant is tiny-bert's weights in another checkpoint layout; its expected outputs are those of
// Golden, within the tolerances given.
type Variant struct {
	// ModelDir is the model folder; LoadVariants makes it absolute.
	ModelDir string `json:"model_dir"`
	// Golden is the golden file path; LoadVariants makes it absolute.
	Golden string `json:"golden"`
	// Format says which checkpoint layout the folder holds.
	Format string `json:"format"`
	// MaxAbsDiff bounds |Δ| on last_hidden_state; 0 means compare by MinCosine only.
	MaxAbsDiff float64 `json:"max_abs_diff"`
	// MinCosine bounds the cosine similarity of pooled outputs from below.
	MinCosine float64 `json:"min_cosine"`
}

// LoadVariants reads testdata/golden/variants.json (or the file at path).
func LoadVariants(path string) ([]Variant, error) {
	var file struct {
		Variants []Variant `json:"variants"`
	}
	if err := decodeFile(path, &file); err != nil {
		return nil, err
	}
	root := filepath.Dir(filepath.Dir(path))
	for i := range file.Variants {
		v := &file.Variants[i]
		if v.ModelDir == "" || v.Golden == "" || v.MinCosine <= 0 {
			return nil, fmt.Errorf("golden file %s: variants[%d]: model_dir, golden and min_cosine are required", path, i)
		}
		v.ModelDir = filepath.Join(root, v.ModelDir)
		v.Golden = filepath.Join(filepath.Dir(path), v.Golden)
	}
	return file.Variants, nil
}
