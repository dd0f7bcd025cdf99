package dataset

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/bertbatch/bertbatch/io/parquetio"
)

// TestPassthroughRoundTrip reads fixtures, keeps every row but the multiples
// of 3, writes the passthrough columns and a 2-dimensional vector per row
// with parquetio, and checks with pyarrow that the passthrough values and
// types are those pyarrow read from the inputs.
func TestPassthroughRoundTrip(t *testing.T) {
	py := os.Getenv("BERTBATCH_PYTHON")
	if py == "" {
		t.Skip("BERTBATCH_PYTHON is not set; run through `make test` or eval \"$(make env)\" to check the output with pyarrow")
	}
	fixtures := []string{"tokens_i32.parquet", "tokens.arrows"}
	d, err := openPaths(t, tokenSpec("id", "text", "vec", "weight"), 7, testdata+"/"+fixtures[0], testdata+"/"+fixtures[1])
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.parquet")
	fields := append(d.PassthroughSchema().Fields(), arrow.Field{Name: "embedding", Type: parquetio.VectorType(2, false)})
	w, err := parquetio.Create(out, arrow.NewSchema(fields, nil), parquetio.WriterOptions{RowGroupRows: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var wantRows []map[string]any
	expected := [][]map[string]any{loadExpected(t, fixtures[0]).Rows, loadExpected(t, fixtures[1]).Rows}
	for _, c := range readAll(t, d, nil) {
		var keep []int
		for i := range int(c.Unit.Rows) {
			if c.Row(i)%3 != 0 {
				keep = append(keep, i)
				wantRows = append(wantRows, expected[fileIndex(d, c.Unit.File)][c.Row(i)])
			}
		}
		writeKept(t, w, d, c, keep)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(py, "../parquetio/testdata/read_output.py", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	var views []struct {
		Types   map[string]string
		Columns map[string][]any
	}
	if err := json.Unmarshal(got, &views); err != nil {
		t.Fatal(err)
	}
	v := views[0]
	if v.Types["vec"] != "fixed_size_list<element: float>[3]" || v.Types["id"] != "int64" || v.Types["text"] != "string" {
		t.Errorf("passthrough types read back: %v", v.Types)
	}
	for i, want := range wantRows {
		for _, col := range []string{"id", "text", "weight"} {
			if !reflect.DeepEqual(v.Columns[col][i], want[col]) {
				t.Fatalf("output row %d %s = %v, input had %v", i, col, v.Columns[col][i], want[col])
			}
		}
		if !reflect.DeepEqual(v.Columns["vec"][3*i:3*i+3], want["vec"]) {
			t.Fatalf("output row %d vec = %v, input had %v", i, v.Columns["vec"][3*i:3*i+3], want["vec"])
		}
	}
	if len(v.Columns["id"]) != len(wantRows) {
		t.Fatalf("%d output rows, want %d", len(v.Columns["id"]), len(wantRows))
	}
}

// writeKept writes the kept rows of c: its passthrough columns and a vector.
func writeKept(t *testing.T, w *parquetio.Writer, d *Dataset, c Chunk, keep []int) {
	t.Helper()
	pt, err := d.Passthrough(c)
	if err != nil {
		t.Fatal(err)
	}
	defer pt.Release()
	kept, err := SelectRows(nil, pt, keep)
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Release()
	vecs, err := parquetio.NewVectors(nil, make([]float32, 2*len(keep)), 2, false)
	if err != nil {
		t.Fatal(err)
	}
	defer vecs.Release()
	rec := arrowRecord(w.Schema(), append(kept.Columns(), vecs), int64(len(keep)))
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
}

func fileIndex(d *Dataset, path string) int {
	for i, f := range d.Files() {
		if f.Path == path {
			return i
		}
	}
	return -1
}
