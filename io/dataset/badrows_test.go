package dataset

import (
	"fmt"
	"strings"
	"testing"
)

// badRow is an expected bad row: its file-global row, column and a part of
// the reason.
type badRow struct {
	row    int64
	column string
	reason string
}

// decodeAll decodes the tokens (and, when text is set, the texts) of every
// chunk of fixture, returning the bad rows in order.
func decodeAll(t *testing.T, fixture string, opts Options, text string) []*RowError {
	t.Helper()
	opts.UnitRows = 5
	d, err := openWith(t, opts, testdata+"/bad/"+fixture)
	if err != nil {
		t.Fatal(err)
	}
	var bad []*RowError
	for _, c := range readAll(t, d, nil) {
		tok, err := DecodeTokens(c, TokenNames{IDs: "input_ids", Mask: "attention_mask", Types: "token_type_ids"})
		if err != nil {
			t.Fatal(err)
		}
		bad = append(bad, tok.Bad...)
		for i := range tok.IDs {
			if tok.OK(i) == (tok.IDs[i] == nil) {
				t.Fatalf("%s row %d: OK=%v but ids %v", c.Unit, i, tok.OK(i), tok.IDs[i])
			}
		}
		if text != "" {
			txt, err := DecodeTexts(c, text)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range txt.Bad {
				bad = append(bad, &RowError{File: b.File, Row: b.Row, Column: b.Column, Reason: "text: " + b.Reason})
			}
		}
	}
	return bad
}

func TestBadRows(t *testing.T) {
	tests := []struct {
		fixture     string
		text        string
		passthrough []string
		inferRows   int
		want        []badRow
	}{
		{fixture: "null_tokens.parquet", text: "text", want: []badRow{
			{3, "input_ids", "token id list is null"},
			{2, "text", "text: text is null"},
			{4, "text", "text: text is empty"},
			{5, "input_ids", "token 1 is null"},
			{7, "input_ids", "token id list is empty"},
			{9, "attention_mask", "has 2 values but input_ids has 3 tokens"},
			{10, "attention_mask", "is null but input_ids has 3 tokens"},
		}},
		{fixture: "out_of_int32.parquet", want: []badRow{{0, "input_ids", "token 1 has value 1099511627776, outside int32"}}},
		{fixture: "bad_tokens.csv", want: []badRow{
			{2, "input_ids", `token list "[101, x]": "x" is not an integer (line 4)`},
			{3, "input_ids", `token list "101 102" must be written in brackets, like [101, 2023, 102] (line 5)`},
			{4, "input_ids", "token id list is null"},
		}},
		{fixture: "bad_types.jsonl", passthrough: []string{"id"}, inferRows: 2, want: []badRow{
			{2, "id", "value 2.5 does not fit the column's type int64, inferred from the first rows"},
			{3, "input_ids", `token list "oops" must be written in brackets`},
			{4, "input_ids", "item 1 (1.5) is not an integer (line 5)"},
			{5, "", "line 6: not JSON"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			opts := Options{Spec: tokenSpec(tc.passthrough...), InferRows: tc.inferRows}
			got := decodeAll(t, tc.fixture, opts, tc.text)
			if len(got) != len(tc.want) {
				t.Fatalf("bad rows:\n%s\nwant %d", show(got), len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Row != w.row || g.Column != w.column || !strings.Contains(g.Reason, w.reason) || !strings.HasSuffix(g.File, tc.fixture) {
					t.Errorf("bad row %d = %v, want row %d column %q reason containing %q", i, g, w.row, w.column, w.reason)
				}
			}
		})
	}
}

func show(errs []*RowError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintln(&b, e)
	}
	return b.String()
}

func TestTokensErr(t *testing.T) {
	got := decodeAll(t, "null_tokens.parquet", Options{Spec: tokenSpec()}, "")
	want := `../testdata/bad/null_tokens.parquet: row 3, column "input_ids": token id list is null`
	if got[0].Error() != want {
		t.Fatalf("first bad row error = %q, want %q", got[0], want)
	}
}
