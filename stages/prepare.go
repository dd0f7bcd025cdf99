package stages

import (
	"cmp"
	"fmt"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/bert/tokenizer"
	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/dataset"
	"github.com/bertbatch/bertbatch/jobs"
)

// preparer turns dataset chunks into model rows, applying the job's length and bad-row policies.
type preparer struct {
	done      finished          // rows earlier runs committed
	texts     []tokenizer.Input // the current chunk's texts, with text input
	job       *jobs.Job
	ds        *dataset.Dataset
	tokenizer tokenizer.Tokenizer
	prompt    string       // prepended to every text (to the first of a pair), as sentence-transformers does
	model     *bert.Config // its CheckRow is the row check; a model without token types ignores them
	maxLength int
	keepIDs   bool
	fileIndex map[string]int
	stats     *Stats
}

// piece is a run of consecutive rows of one chunk that no earlier run committed: its unit state
// and the rows it sends to the model.
type piece struct {
	u    *unitState
	rows []row
}

// prepare decodes one chunk into pieces: the whole chunk, unless an earlier run (reading in
// other units) committed some of its rows, which are left out. Each piece holds the rows to run
// and the rows rejected; when the job's bad-row policy is fail, the first bad row is an error.
func (p *preparer) prepare(c chunk.Chunk) ([]*piece, error) {
	var rows []row
	var bad []*chunk.RowError
	var err error
	if p.job.Input.TextColumn != "" {
		rows, bad, err = p.fromText(c)
	} else {
		rows, bad, err = p.fromTokens(c)
	}
	if err != nil {
		return nil, err
	}
	problem := make([]*chunk.RowError, len(rows))
	for _, b := range bad {
		if b.Column == "" { // a problem of the whole row (a JSON Lines line that is no object)
			b.Column = p.inputColumn()
		}
		if i := b.Row - c.Unit.RowStart; problem[i] == nil {
			problem[i] = b
		}
	}
	var pieces []*piece
	var cur *piece
	for i := range rows {
		if p.done.has(c.Unit.File, c.Row(i)) {
			cur = nil
			continue
		}
		if cur == nil {
			u := &unitState{unit: chunk.Unit{File: c.Unit.File, Index: c.Unit.Index, RowStart: c.Row(i)},
				base: c.Unit.RowStart, fileIndex: p.fileIndex[c.Unit.File]}
			cur = &piece{u: u}
			pieces = append(pieces, cur)
		}
		cur.u.unit.Rows++
		b := problem[i]
		if b == nil {
			b = p.check(c, i, &rows[i], cur.u)
		}
		if b != nil {
			if p.job.BadRows == jobs.BadRowsFail {
				return nil, fmt.Errorf("bad row: %w (set bad_rows: reject to divert bad rows to a rejects file)", b)
			}
			cur.u.rejects = append(cur.u.rejects, b)
			p.stats.Bad.Add(1)
			continue
		}
		cur.u.good = append(cur.u.good, i)
		rows[i].file, rows[i].n = c.Unit.File, c.Row(i)
		cur.rows = append(cur.rows, rows[i])
	}
	if len(pieces) == 0 {
		return nil, nil
	}
	pass, err := p.ds.Passthrough(c)
	if err != nil {
		return nil, err
	}
	for i, pc := range pieces {
		if i > 0 {
			pass.Retain()
		}
		pc.u.passthrough = pass
		if p.keepIDs {
			pc.u.tokens = pc.rows
		}
	}
	return pieces, nil
}

func (p *preparer) fromTokens(c chunk.Chunk) ([]row, []*chunk.RowError, error) {
	in := p.job.Input
	t, err := dataset.DecodeTokens(c, dataset.TokenNames{IDs: in.InputIDsColumn, Mask: in.AttentionMaskColumn, Types: in.TokenTypeIDsColumn})
	if err != nil {
		return nil, nil, err
	}
	rows := make([]row, len(t.IDs))
	for i := range rows {
		if !t.OK(i) {
			continue
		}
		rows[i].ids = t.IDs[i]
		if t.Types != nil {
			rows[i].types = t.Types[i]
		}
		if t.Mask != nil {
			rows[i].mask = t.Mask[i]
		}
	}
	return rows, t.Bad, nil
}

func (p *preparer) fromText(c chunk.Chunk) ([]row, []*chunk.RowError, error) {
	texts, err := dataset.DecodeTexts(c, p.job.Input.TextColumn)
	if err != nil {
		return nil, nil, err
	}
	bad := texts.Bad
	var pairs *dataset.Texts
	if name := p.job.Input.TextPairColumn; name != "" {
		pt, err := dataset.DecodeTexts(c, name)
		if err != nil {
			return nil, nil, err
		}
		pairs = &pt
		bad = mergeRowErrors(bad, pt.Bad)
	}
	inputs := make([]tokenizer.Input, len(texts.Values))
	for i, text := range texts.Values {
		inputs[i].Text = p.prompt + text
		if pairs != nil {
			inputs[i].Pair = &pairs.Values[i]
		}
	}
	p.texts = inputs
	// One token over the limit tells a row that needs truncating; those rows are encoded again
	// at the limit, so that pairs are truncated longest-first exactly as the tokenizer does.
	enc := p.tokenizer.EncodeBatch(inputs, p.maxLength+1)
	rows := make([]row, len(enc))
	for i, e := range enc {
		rows[i] = row{ids: e.InputIDs, types: e.TokenTypeIDs}
		if !p.model.UsesTokenTypes() {
			rows[i].types = nil // a model without token types (DistilBERT) takes pairs without them, as transformers does
		}
	}
	return rows, bad, nil
}

// check applies the mask, length, vocabulary and type rules to one decoded row; it returns the
// row's problem, or nil after trimming and truncating it as the job says.
func (p *preparer) check(c chunk.Chunk, i int, r *row, u *unitState) *chunk.RowError {
	bad := func(column, reason string) *chunk.RowError {
		return &chunk.RowError{File: c.Unit.File, Row: c.Row(i), Column: column, Reason: reason}
	}
	idsColumn, typesColumn := p.inputColumn(), p.job.Input.TokenTypeIDsColumn
	if p.job.Input.TextColumn != "" {
		typesColumn = cmp.Or(p.job.Input.TextPairColumn, p.job.Input.TextColumn) // types above 0 mark the pair's tokens
	}
	if err := p.model.CheckRow(r.ids, r.mask, r.types); err != nil {
		column := map[string]string{"input_ids": idsColumn, "attention_mask": p.job.Input.AttentionMaskColumn,
			"token_type_ids": typesColumn}[err.Field]
		return bad(column, err.Msg)
	}
	r.trimPadding()
	if len(r.ids) > p.maxLength {
		if p.job.Batching.TooLong == jobs.TooLongReject {
			what := fmt.Sprintf("%d tokens", len(r.ids))
			if p.job.Input.TextColumn != "" {
				what = "more than " + fmt.Sprint(p.maxLength) + " tokens"
			}
			return bad(idsColumn, fmt.Sprintf("%s, longer than max_length %d (too_long: reject)", what, p.maxLength))
		}
		p.truncate(i, r)
		u.truncated++
	}
	return nil
}

// inputColumn is the column a row's model input comes from: the text column, or the token ids.
func (p *preparer) inputColumn() string {
	return cmp.Or(p.job.Input.TextColumn, p.job.Input.InputIDsColumn)
}

// trimPadding drops the trailing tokens the mask leaves out (a dataset padded to a fixed
// length): no attended token sees them and pooling skips them, so the results are those of the
// unpadded row, and only real tokens count towards max_length. A mask left all ones is dropped.
func (r *row) trimPadding() {
	if r.mask == nil {
		return
	}
	n := len(r.mask)
	for n > 0 && r.mask[n-1] == 0 {
		n--
	}
	r.ids, r.mask = r.ids[:n], r.mask[:n]
	if r.types != nil {
		r.types = r.types[:n]
	}
	for _, m := range r.mask {
		if m == 0 {
			return
		}
	}
	r.mask = nil
}

// truncate shortens a row to maxLength. Text is encoded again by the tokenizer (longest-first
// for pairs); token ids keep their first maxLength-1 ids and their last one, so that a closing
// special token such as [SEP] stays in place.
func (p *preparer) truncate(i int, r *row) {
	if p.tokenizer != nil {
		e := p.tokenizer.Encode(p.texts[i], p.maxLength)
		r.ids, r.types = e.InputIDs, e.TokenTypeIDs
		if !p.model.UsesTokenTypes() {
			r.types = nil
		}
		return
	}
	cut := func(v []int32) []int32 {
		if v == nil {
			return nil
		}
		out := append(append([]int32(nil), v[:p.maxLength-1]...), v[len(v)-1])
		return out
	}
	r.ids, r.types, r.mask = cut(r.ids), cut(r.types), cut(r.mask)
}
