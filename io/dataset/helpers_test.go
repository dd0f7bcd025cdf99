package dataset

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// testdata is the folder of the io/ fixtures (written by gen_fixtures.py).
const testdata = "../testdata"

// expected is what pyarrow read from a fixture (testdata/expected/*.json).
type expected struct {
	Types     map[string]string
	Rows      []map[string]any
	RowGroups []int64 `json:"row_groups"`
	Batches   []int64
}

func loadExpected(t *testing.T, fixture string) expected {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, "expected", fixture+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// tokenSpec is the column spec most tests read with.
func tokenSpec(passthrough ...string) Spec {
	return Spec{
		Columns: []Column{
			{Name: "input_ids", Kind: KindTokens, Required: true},
			{Name: "attention_mask", Kind: KindTokens},
			{Name: "token_type_ids", Kind: KindTokens},
			{Name: "text", Kind: KindText},
		},
		Passthrough: passthrough,
	}
}

// openPaths discovers and opens paths with a checked allocator that the
// test verifies is empty at the end.
func openPaths(t *testing.T, spec Spec, unitRows int64, paths ...string) (*Dataset, error) {
	t.Helper()
	return openWith(t, Options{Spec: spec, UnitRows: unitRows}, paths...)
}

// openWith is openPaths with all options.
func openWith(t *testing.T, opts Options, paths ...string) (*Dataset, error) {
	t.Helper()
	files, err := Discover(paths, FormatAuto)
	if err != nil {
		return nil, err
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	opts.Allocator = mem
	return Open(files, opts)
}

// readAll reads every chunk not skipped; the test releases them at cleanup.
func readAll(t *testing.T, d *Dataset, skip Skip) []Chunk {
	t.Helper()
	var chunks []Chunk
	err := d.Read(context.Background(), skip, func(c Chunk) error {
		chunks = append(chunks, c)
		return nil
	})
	t.Cleanup(func() {
		for _, c := range chunks {
			c.Release()
		}
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return chunks
}

// value returns row i of arr as the Go value encoding/json would decode
// (numbers as float64, lists as []any, nulls as nil).
func value(arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		out := []any{}
		for j := start; j < end; j++ {
			out = append(out, value(a.ListValues(), int(j)))
		}
		return out
	case array.StringLike:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	}
	var f float64
	if err := json.Unmarshal([]byte(arr.ValueStr(i)), &f); err != nil {
		panic(err)
	}
	return f
}

// copyAs copies src into a temp folder under the name name.
func copyAs(t *testing.T, src, name string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// arrowRecord makes a record of cols with the fields of schema (without its
// metadata).
func arrowRecord(schema *arrow.Schema, cols []arrow.Array, n int64) arrow.RecordBatch {
	return array.NewRecordBatch(arrow.NewSchema(schema.Fields(), nil), cols, n)
}
