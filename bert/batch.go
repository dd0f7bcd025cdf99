package bert

import "fmt"

// Batch is a batch of tokenized rows of any lengths; the model pads them itself.
type Batch struct {
	InputIDs [][]int32
	// TokenTypeIDs is optional (nil = all zeros); when given, one slice per row of the row's length.
	// Models without token types (Model.UsesTokenTypes false) ignore it.
	TokenTypeIDs [][]int32
	// AttentionMask is optional (nil = every token of a row is attended); when given, one slice
	// per row of the row's length, 1 = token, 0 = padding.
	AttentionMask [][]int32
}

// InputError is a row the model cannot take, naming the row (its index in the batch) and field.
type InputError struct {
	Row   int
	Field string
	Msg   string
}

func (e *InputError) Error() string { return fmt.Sprintf("row %d: %s: %s", e.Row, e.Field, e.Msg) }

// padded is a batch laid out as [rows, length] arrays, ready for the device.
type padded struct {
	rows, length int
	ids, types   []int32
	positions    []int32
	mask         []bool
	counts       []int // attended tokens per row
}

// pad validates a batch against the config and pads it to its longest row.
func (c *Config) pad(b *Batch) (*padded, error) {
	if len(b.InputIDs) == 0 {
		return nil, fmt.Errorf("empty batch")
	}
	if err := c.CheckBatch(b); err != nil {
		return nil, err
	}
	L := 0
	for _, row := range b.InputIDs {
		L = max(L, len(row))
	}
	p := &padded{rows: len(b.InputIDs), length: L, counts: make([]int, len(b.InputIDs))}
	n := p.rows * L
	p.ids, p.types, p.positions, p.mask = make([]int32, n), make([]int32, n), make([]int32, n), make([]bool, n)
	pad := int32(c.PadTokenID)
	types := c.UsesTokenTypes() && b.TokenTypeIDs != nil
	for i, row := range b.InputIDs {
		base := i * L
		c.rowPositions(row, p.positions[base:base+L])
		for j := 0; j < L; j++ {
			k := base + j
			p.ids[k] = pad
			if j >= len(row) {
				continue
			}
			p.ids[k] = row[j]
			if types {
				p.types[k] = b.TokenTypeIDs[i][j]
			}
			attend := b.AttentionMask == nil || b.AttentionMask[i][j] != 0
			p.mask[k] = attend
			if attend {
				p.counts[i]++
			}
		}
	}
	return p, nil
}

// CheckBatch validates every row of a batch as the engine does before running it: CheckRow, and a
// length the position table holds. The error is an *InputError naming the first bad row.
func (c *Config) CheckBatch(b *Batch) error {
	for i := range b.InputIDs {
		if err := c.checkRow(b, i); err != nil {
			return err
		}
	}
	return nil
}

// checkRow validates row i of a batch for the engine: CheckRow, and a length the position table holds.
func (c *Config) checkRow(b *Batch, i int) error {
	var mask, types []int32
	if b.AttentionMask != nil {
		if i >= len(b.AttentionMask) {
			return &InputError{Row: i, Field: "attention_mask", Msg: "no mask for this row"}
		}
		mask = b.AttentionMask[i]
	}
	if b.TokenTypeIDs != nil {
		if i >= len(b.TokenTypeIDs) {
			return &InputError{Row: i, Field: "token_type_ids", Msg: "no token types for this row"}
		}
		types = b.TokenTypeIDs[i]
	}
	if err := c.CheckRow(b.InputIDs[i], mask, types); err != nil {
		err.Row = i
		return err
	}
	if n := len(b.InputIDs[i]); n > c.MaxSequenceLength() {
		return &InputError{Row: i, Field: "input_ids", Msg: fmt.Sprintf("%d tokens, longer than the model's %d positions (max_position_embeddings)", n, c.MaxSequenceLength())}
	}
	return nil
}

// CheckRow is the one check of a row's model input, made by the engine on every batch and by the
// job's stages before batching (which name the file, row and column): ids present and inside the
// vocabulary, a mask (nil: every token attended) of 0s and 1s, as long as the ids, attending at
// least one token, and token types (nil: all 0) inside the model's types when the model has any.
// The row's length against the position table is not checked here: the stages truncate first.
// The error's Row is 0; Field is "input_ids", "attention_mask" or "token_type_ids".
func (c *Config) CheckRow(ids, mask, types []int32) *InputError {
	bad := func(field, msg string) *InputError { return &InputError{Field: field, Msg: msg} }
	if len(ids) == 0 {
		return bad("input_ids", "no token to embed")
	}
	if mask != nil {
		if len(mask) != len(ids) {
			return bad("attention_mask", fmt.Sprintf("has %d values but input_ids has %d tokens", len(mask), len(ids)))
		}
		attended := false
		for j, v := range mask {
			if v != 0 && v != 1 {
				return bad("attention_mask", fmt.Sprintf("token %d has mask %d (want 0 or 1)", j, v))
			}
			attended = attended || v == 1
		}
		if !attended {
			return bad("attention_mask", fmt.Sprintf("no token is attended (the mask's %d values are all 0)", len(mask)))
		}
	}
	for j, id := range ids {
		if id < 0 || int(id) >= c.VocabSize {
			return bad("input_ids", fmt.Sprintf("token %d is id %d, outside the model's vocabulary [0, %d)", j, id, c.VocabSize))
		}
	}
	if types == nil || !c.UsesTokenTypes() {
		return nil // a model without token types ignores them
	}
	if len(types) != len(ids) {
		return bad("token_type_ids", fmt.Sprintf("has %d values but input_ids has %d tokens", len(types), len(ids)))
	}
	for j, t := range types {
		if t < 0 || int(t) >= c.TypeVocabSize {
			return bad("token_type_ids", fmt.Sprintf("token %d has type %d, outside the model's [0, %d)", j, t, c.TypeVocabSize))
		}
	}
	return nil
}

// rowPositions writes the position ids of row, padded to len(out), into out. Under the RoBERTa
// rule (Config.PositionOffset > 0) tokens count from padding_idx+1 and every padding token, in
// the row or after it, has position padding_idx, as transformers' create_position_ids_from_input_ids;
// otherwise positions are the columns 0, 1, 2, ….
func (c *Config) rowPositions(row, out []int32) {
	next, pad := int32(c.PositionOffset()), int32(c.PadTokenID)
	for j := range out {
		switch {
		case next == 0:
			out[j] = int32(j)
		case j < len(row) && row[j] != pad:
			out[j] = next
			next++
		default:
			out[j] = pad
		}
	}
}

// padPosition is the position id of a padding token in column j: padding_idx under the RoBERTa
// rule, j otherwise.
func (c *Config) padPosition(j int) int32 {
	if c.PositionOffset() > 0 {
		return int32(c.PadTokenID)
	}
	return int32(j)
}
