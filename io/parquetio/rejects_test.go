package parquetio

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// TestRejectsReadBack writes bad rows with passthrough columns and checks
// them with pyarrow.
func TestRejectsReadBack(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pass := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "vec", Type: VectorType(2, false), Nullable: true},
	}, nil)
	path := filepath.Join(t.TempDir(), "rejects.parquet")
	w, err := CreateRejects(path, pass, WriterOptions{Allocator: mem, Metadata: map[string]string{"bertbatch.job_hash": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	batches := []struct {
		errs []*chunk.RowError
		ids  []int64
		vecs []float32
	}{
		{errs: []*chunk.RowError{{File: "a.parquet", Row: 3, Column: "input_ids", Reason: "token id list is null"}},
			ids: []int64{30}, vecs: []float32{1, 2}},
		{errs: []*chunk.RowError{{File: "b.jsonl", Row: 0, Reason: "line 1: not JSON"}, {File: "b.jsonl", Row: 7, Column: "text", Reason: "text is empty"}},
			ids: []int64{0, 70}, vecs: []float32{3, 4, 5, 6}},
	}
	for _, b := range batches {
		ids := array.NewInt64Builder(mem)
		ids.AppendValues(b.ids, nil)
		idArr := ids.NewArray()
		vecArr, _ := NewVectors(mem, b.vecs, 2, false)
		rec := array.NewRecordBatch(pass, []arrow.Array{idArr, vecArr}, int64(len(b.ids)))
		if err := w.WriteRejects(b.errs, rec); err != nil {
			t.Fatal(err)
		}
		for _, r := range []interface{ Release() }{rec, idArr, vecArr, ids} {
			r.Release()
		}
	}
	if err := w.WriteRejects(batches[0].errs, nil); err == nil || !strings.Contains(err.Error(), "1 bad rows need 1 passthrough rows") {
		t.Fatalf("WriteRejects without passthrough rows: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	v := readWithPython(t, path)[0]
	want := map[string][]any{
		"source_file":   {"a.parquet", "b.jsonl", "b.jsonl"},
		"source_row":    {3.0, 0.0, 7.0},
		"source_column": {"input_ids", "", "text"},
		"reason":        {"token id list is null", "line 1: not JSON", "text is empty"},
		"id":            {30.0, 0.0, 70.0},
		"vec":           {1.0, 2.0, 3.0, 4.0, 5.0, 6.0},
	}
	for col, w := range want {
		if !reflect.DeepEqual(v.Columns[col], w) {
			t.Errorf("column %s = %v, want %v", col, v.Columns[col], w)
		}
	}
	if v.Types["source_row"] != "int64" || v.Types["vec"] != "fixed_size_list<element: float>[2]" {
		t.Errorf("types %v", v.Types)
	}
}

func TestRejectsNameClash(t *testing.T) {
	pass := arrow.NewSchema([]arrow.Field{{Name: "reason", Type: arrow.BinaryTypes.String}}, nil)
	_, err := CreateRejects(filepath.Join(t.TempDir(), "r.parquet"), pass, WriterOptions{})
	if err == nil || !strings.Contains(err.Error(), `passthrough column "reason" has the name of a rejects column`) {
		t.Fatalf("error = %v", err)
	}
}
