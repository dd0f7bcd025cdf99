package dataset

import (
	"reflect"
	"strings"
	"testing"
)

// TestSkipReproducesUnits reads each fixture twice: the second read skips
// every other unit of the first and must emit exactly the others, with the
// same identities and values.
func TestSkipReproducesUnits(t *testing.T) {
	for _, fixture := range []string{"tokens_i32.parquet", "tokens.arrow", "tokens.arrows", "tokens.csv", "tokens.jsonl"} {
		t.Run(fixture, func(t *testing.T) {
			d, err := openPaths(t, tokenSpec("id"), 7, testdata+"/"+fixture)
			if err != nil {
				t.Fatal(err)
			}
			all := readAll(t, d, nil)
			done := map[Unit]bool{}
			var rest []Chunk
			for i, c := range all {
				if i%2 == 0 {
					done[c.Unit] = true
				} else {
					rest = append(rest, c)
				}
			}
			got := readAll(t, d, func(u Unit) bool { return done[u] })
			if len(got) != len(rest) {
				t.Fatalf("second read emitted %d units, want %d", len(got), len(rest))
			}
			for i := range got {
				if got[i].Unit != rest[i].Unit {
					t.Fatalf("unit %d: got %v, want %v", i, got[i].Unit, rest[i].Unit)
				}
				for r := 0; r < int(got[i].Unit.Rows); r++ {
					for col := 0; col < int(got[i].Record.NumCols()); col++ {
						g, w := value(got[i].Record.Column(col), r), value(rest[i].Record.Column(col), r)
						if !reflect.DeepEqual(g, w) {
							t.Fatalf("unit %v row %d column %d: got %v, first read %v", got[i].Unit, r, col, g, w)
						}
					}
				}
			}
		})
	}
}

// TestSkipWholeFile checks that skipping every unit emits nothing.
func TestSkipWholeFile(t *testing.T) {
	d, err := openPaths(t, tokenSpec(), 7, testdata+"/tokens_i32.parquet", testdata+"/tokens.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, d, func(Unit) bool { return true }); len(got) != 0 {
		t.Fatalf("emitted %d chunks, want none", len(got))
	}
}

// TestSkipChangedStreamedFile checks that a CSV or JSON Lines file that
// became shorter than a unit recorded as done fails instead of losing rows.
func TestSkipChangedStreamedFile(t *testing.T) {
	for _, fixture := range []string{"tokens.csv", "tokens.jsonl"} {
		t.Run(fixture, func(t *testing.T) {
			d, err := openPaths(t, tokenSpec(), 7, testdata+"/"+fixture)
			if err != nil {
				t.Fatal(err)
			}
			last := readAll(t, d, nil)
			u := last[len(last)-1].Unit // a short last unit, as if recorded full by an earlier run
			full := u
			full.Rows = 7
			err = d.Read(t.Context(), func(x Unit) bool { return x == full }, func(c Chunk) error { c.Release(); return nil })
			if err == nil || !strings.Contains(err.Error(), "the file changed since that run") {
				t.Fatalf("error = %v, want one saying the file changed", err)
			}
		})
	}
}
