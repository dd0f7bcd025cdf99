package jsonlio

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// TestValuesAfterInference: values after the inference window that do not fit the inferred
// column make their row a problem naming the column and the line; a column of JSON text takes
// any value as its text.
func TestValuesAfterInference(t *testing.T) {
	// Two rows are scanned for inference; the rest come after.
	lines := []string{
		`{"text": "a", "mixed": 1, "n": 1}`,
		`{"text": "b", "mixed": "x", "n": 2}`,
		`{"text": 42, "mixed": 3, "n": 3}`,
		`{"text": {"k": 1}, "mixed": {"k": 1}, "n": 4.5}`,
		`{"text": true, "mixed": true, "n": 5}`,
		`{"text": "c", "mixed": null, "n": 6}`,
	}
	tests := []struct {
		column   string
		want     []string // each row's value, or its problem's reason
		problems []int64
	}{
		{"text", []string{"a", "b", `value 42 does not fit the column's type string`, `value {"k": 1} does not fit`,
			`value true does not fit`, "c"}, []int64{2, 3, 4}},
		{"mixed", []string{"1", "x", "3", `{"k": 1}`, "true", "(null)"}, nil},
		{"n", []string{"1", "2", "3", `value 4.5 does not fit the column's type int64`, "5", "6"}, []int64{3}},
	}
	path := filepath.Join(t.TempDir(), "x.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{InferRows: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.column, func(t *testing.T) {
			var c chunk.Chunk
			err := r.Read(context.Background(), []string{tc.column}, 100, nil, func(got chunk.Chunk) error {
				c = got
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Release()
			var rows []int64
			problem := map[int64]*chunk.RowError{}
			for _, p := range c.Problems {
				rows = append(rows, p.Row)
				problem[p.Row] = p
				if p.Column != tc.column || !strings.Contains(p.Reason, fmt.Sprintf("(line %d)", p.Row+1)) {
					t.Errorf("problem %v: want column %q and line %d", p, tc.column, p.Row+1)
				}
			}
			if fmt.Sprint(rows) != fmt.Sprint(tc.problems) {
				t.Errorf("problem rows %v, want %v", rows, tc.problems)
			}
			col := c.Record.Column(0)
			for i, want := range tc.want {
				got := col.ValueStr(i)
				if p := problem[int64(i)]; p != nil {
					got = p.Reason
				} else if col.IsNull(i) {
					got = array.NullValueStr
				}
				if !strings.Contains(got, want) {
					t.Errorf("row %d: %q, want %q", i, got, want)
				}
			}
		})
	}
}
