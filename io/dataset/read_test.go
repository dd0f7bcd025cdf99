package dataset

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestReadFixtures reads each good fixture in units of 7 rows and compares
// every value with what pyarrow read from the same file.
func TestReadFixtures(t *testing.T) {
	tests := []struct {
		fixture     string
		passthrough []string
		// asText lists columns the reader keeps as their written text (CSV).
		asText bool
	}{
		{fixture: "tokens_i32.parquet", passthrough: []string{"id", "weight", "vec"}},
		{fixture: "tokens_i64.parquet", passthrough: []string{"id", "weight"}},
		{fixture: "tokens_large.parquet", passthrough: []string{"id", "weight"}},
		{fixture: "zero_rows.parquet", passthrough: []string{"id", "weight"}},
		{fixture: "tokens.arrow", passthrough: []string{"id", "weight", "vec"}},
		{fixture: "tokens.arrows", passthrough: []string{"id", "weight", "vec"}},
		{fixture: "tokens.csv", passthrough: []string{"id", "weight"}, asText: true},
		{fixture: "tokens.tsv", passthrough: []string{"id", "weight"}, asText: true},
		{fixture: "tokens.jsonl", passthrough: []string{"id", "weight", "flag", "meta"}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			want := loadExpected(t, tc.fixture)
			d, err := openPaths(t, tokenSpec(tc.passthrough...), 7, testdata+"/"+tc.fixture)
			if err != nil {
				t.Fatal(err)
			}
			chunks := readAll(t, d, nil)
			checkUnits(t, chunks, want)
			var row int
			for _, c := range chunks {
				for i := 0; i < int(c.Unit.Rows); i++ {
					for j, f := range c.Record.Schema().Fields() {
						got, exp := value(c.Record.Column(j), i), want.Rows[row][f.Name]
						if !sameValue(got, exp, tc.asText) {
							t.Fatalf("row %d column %q: got %#v, pyarrow read %#v", row, f.Name, got, exp)
						}
					}
					row++
				}
			}
			t.Logf("%d rows in %d units", row, len(chunks))
			if row != len(want.Rows) {
				t.Fatalf("read %d rows, pyarrow read %d", row, len(want.Rows))
			}
			n, known := d.Rows()
			if parquet := strings.HasSuffix(tc.fixture, ".parquet"); known != parquet || known && n != int64(row) {
				t.Fatalf("Rows() = %d, %v; want %d, %v", n, known, row, parquet)
			}
		})
	}
}

// checkUnits checks that units are numbered in order, cover the file without
// gaps, hold at most 7 rows, and never span a Parquet row group or IPC batch.
func checkUnits(t *testing.T, chunks []Chunk, want expected) {
	t.Helper()
	bounds := map[int64]bool{}
	var pos int64
	for _, n := range append(want.RowGroups, want.Batches...) {
		bounds[pos] = true
		pos += n
	}
	var next int64
	for k, c := range chunks {
		u := c.Unit
		if u.Index != k || u.RowStart != next || u.Rows < 1 || u.Rows > 7 || c.Record.NumRows() != u.Rows {
			t.Fatalf("chunk %d has unit %+v with %d rows; want index %d, start %d, 1..7 rows", k, u, c.Record.NumRows(), k, next)
		}
		for r := u.RowStart + 1; r < u.RowStart+u.Rows; r++ {
			if bounds[r] {
				t.Fatalf("unit %v spans the row group or batch boundary at row %d", u, r)
			}
		}
		next += u.Rows
	}
}

// sameValue compares a value read by Go with pyarrow's. With asText (CSV),
// Go keeps passthrough values as written and pyarrow parsed them, and
// pyarrow left token lists as the "[1, 2]" text Go parsed.
func sameValue(got, want any, asText bool) bool {
	if s, ok := want.(string); ok && asText {
		if _, isList := got.([]any); isList {
			var parsed []any
			if json.Unmarshal([]byte(s), &parsed) == nil {
				want = parsed
			}
		}
	}
	if s, ok := got.(string); ok && asText {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			if w, ok := want.(float64); ok {
				return f == w
			}
		}
	}
	if s, ok := got.(string); ok {
		if m, isMap := want.(map[string]any); isMap {
			var parsed map[string]any
			return json.Unmarshal([]byte(s), &parsed) == nil && reflect.DeepEqual(parsed, m)
		}
	}
	return reflect.DeepEqual(got, want)
}
