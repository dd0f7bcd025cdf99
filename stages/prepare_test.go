package stages

import (
	"errors"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/jobs"
)

// TestCheckNamesColumns: every problem check finds in a row names the column the value comes
// from: with text input, the text column (or the pair column for token types), never "".
func TestCheckNamesColumns(t *testing.T) {
	text := jobs.Input{TextColumn: "q"}
	pair := jobs.Input{TextColumn: "q", TextPairColumn: "p"}
	tokens := jobs.Input{InputIDsColumn: "ids", AttentionMaskColumn: "mask", TokenTypeIDsColumn: "types"}
	tests := []struct {
		name   string
		input  jobs.Input
		row    row
		column string
		reason string
	}{
		{"text: id outside the vocabulary", text, row{ids: []int32{2, 700, 3}}, "q", "outside the model's vocabulary"},
		{"text: too long", text, row{ids: []int32{2, 5, 6, 7, 8, 9, 3}}, "q", "longer than max_length 6"},
		{"pair: token type outside the model's", pair, row{ids: []int32{2, 5, 3, 6, 3}, types: []int32{0, 0, 0, 2, 2}}, "p", "type 2"},
		{"text: token type outside the model's", text, row{ids: []int32{2, 5, 3}, types: []int32{0, 2, 0}}, "q", "type 2"},
		{"tokens: mask of zeros", tokens, row{ids: []int32{2, 5, 3}, mask: []int32{0, 0, 0}}, "mask", "no token is attended"},
		{"tokens: token type", tokens, row{ids: []int32{2, 5, 3}, types: []int32{0, 2, 0}}, "types", "type 2"},
		{"tokens: id", tokens, row{ids: []int32{2, -1, 3}}, "ids", "id -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			job := &jobs.Job{Input: tc.input, Batching: jobs.Batching{TooLong: jobs.TooLongReject}}
			p := &preparer{job: job, model: &bert.Config{VocabSize: 512, TypeVocabSize: 2}, maxLength: 6}
			c := chunk.Chunk{Unit: chunk.Unit{File: "in/a.parquet", RowStart: 40, Rows: 1}}
			r := tc.row
			got := p.check(c, 0, &r, &unitState{})
			if got == nil {
				t.Fatal("the row passed")
			}
			if got.File != "in/a.parquet" || got.Row != 40 || got.Column != tc.column || !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("problem %v; want in/a.parquet row 40, column %q, a reason with %q", got, tc.column, tc.reason)
			}
		})
	}
}

// TestCheckAgreesWithTheEngine: a bad row gets the same reason from the job's check, made before
// batching, as from the engine's, made on every batch (there is one row check, bert.Config.CheckRow).
func TestCheckAgreesWithTheEngine(t *testing.T) {
	cfg := &bert.Config{VocabSize: 512, TypeVocabSize: 2, MaxPositionEmbeddings: 64}
	tokens := jobs.Input{InputIDsColumn: "ids", AttentionMaskColumn: "mask", TokenTypeIDsColumn: "types"}
	tests := []struct {
		name string
		row  row
	}{
		{"id outside the vocabulary", row{ids: []int32{2, 700, 3}}},
		{"negative id", row{ids: []int32{2, -1, 3}}},
		{"mask of zeros", row{ids: []int32{2, 5, 3}, mask: []int32{0, 0, 0}}},
		{"mask value", row{ids: []int32{2, 5, 3}, mask: []int32{1, 2, 1}}},
		{"token type", row{ids: []int32{2, 5, 3}, types: []int32{0, 2, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &preparer{job: &jobs.Job{Input: tokens}, model: cfg, maxLength: 64}
			r := tc.row
			got := p.check(chunk.Chunk{Unit: chunk.Unit{File: "a.parquet", Rows: 1}}, 0, &r, &unitState{})
			b := &bert.Batch{InputIDs: [][]int32{tc.row.ids}}
			if tc.row.mask != nil {
				b.AttentionMask = [][]int32{tc.row.mask}
			}
			if tc.row.types != nil {
				b.TokenTypeIDs = [][]int32{tc.row.types}
			}
			engine := cfg.CheckBatch(b)
			var ie *bert.InputError
			if got == nil || !errors.As(engine, &ie) {
				t.Fatalf("job check %v, engine check %v: want both to refuse the row", got, engine)
			}
			if got.Reason != ie.Msg {
				t.Errorf("job check says %q, the engine %q", got.Reason, ie.Msg)
			}
		})
	}
}
