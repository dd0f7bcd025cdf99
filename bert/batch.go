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
	L := 0
	for i, row := range b.InputIDs {
		if err := c.checkRow(b, i); err != nil {
			return nil, err
		}
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

func (c *Config) checkRow(b *Batch, i int) error {
	row := b.InputIDs[i]
	if len(row) == 0 {
		return &InputError{Row: i, Field: "input_ids", Msg: "empty token list"}
	}
	if len(row) > c.MaxSequenceLength() {
		return &InputError{Row: i, Field: "input_ids", Msg: fmt.Sprintf("%d tokens, longer than the model's %d positions (max_position_embeddings)", len(row), c.MaxSequenceLength())}
	}
	for j, id := range row {
		if id < 0 || int(id) >= c.VocabSize {
			return &InputError{Row: i, Field: "input_ids", Msg: fmt.Sprintf("token %d is id %d, outside the vocabulary [0, %d)", j, id, c.VocabSize)}
		}
	}
	if b.TokenTypeIDs != nil && c.UsesTokenTypes() {
		if i >= len(b.TokenTypeIDs) || len(b.TokenTypeIDs[i]) != len(row) {
			return &InputError{Row: i, Field: "token_type_ids", Msg: "length differs from input_ids"}
		}
		for j, t := range b.TokenTypeIDs[i] {
			if t < 0 || int(t) >= c.TypeVocabSize {
				return &InputError{Row: i, Field: "token_type_ids", Msg: fmt.Sprintf("token %d has type %d, outside [0, %d)", j, t, c.TypeVocabSize)}
			}
		}
	}
	if b.AttentionMask != nil {
		if i >= len(b.AttentionMask) || len(b.AttentionMask[i]) != len(row) {
			return &InputError{Row: i, Field: "attention_mask", Msg: "length differs from input_ids"}
		}
		any := false
		for j, v := range b.AttentionMask[i] {
			if v != 0 && v != 1 {
				return &InputError{Row: i, Field: "attention_mask", Msg: fmt.Sprintf("token %d has mask %d (want 0 or 1)", j, v)}
			}
			any = any || v == 1
		}
		if !any {
			return &InputError{Row: i, Field: "attention_mask", Msg: "no token is attended"}
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
