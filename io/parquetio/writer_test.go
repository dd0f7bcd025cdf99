package parquetio

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const dim = 8

// outputBatch builds n output rows starting at row start: passthrough id and
// text, an embedding in float32 and float16, head outputs and token ids.
func outputBatch(t *testing.T, mem memory.Allocator, start, n int) (arrow.RecordBatch, []float32) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(start), 1))
	flat := make([]float32, n*dim)
	for i := range flat {
		flat[i] = float32(r.NormFloat64())
	}
	logits := make([]float32, n*3)
	for i := range logits {
		logits[i] = float32(r.NormFloat64())
	}
	ids, text, label := array.NewInt64Builder(mem), array.NewStringBuilder(mem), array.NewStringBuilder(mem)
	score := array.NewFloat32Builder(mem)
	tokens := make([][]int32, n)
	for i := range n {
		ids.Append(int64(start + i))
		text.Append(fmt.Sprintf("text %d", start+i))
		label.Append([]string{"neg", "pos"}[i%2])
		score.Append(float32(i) / 10)
		tokens[i] = []int32{101, int32(start + i), 102}
	}
	emb, err := NewVectors(mem, flat, dim, false)
	if err != nil {
		t.Fatal(err)
	}
	emb16, _ := NewVectors(mem, flat, dim, true)
	lg, _ := NewVectors(mem, logits, 3, false)
	cols := []arrow.Array{ids.NewArray(), text.NewArray(), emb, emb16, lg, label.NewArray(), score.NewArray(), NewTokenLists(mem, tokens)}
	for _, b := range []array.Builder{ids, text, label, score} {
		b.Release()
	}
	rec := array.NewRecordBatch(outputSchema(), cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec, flat
}

func outputSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "embedding", Type: VectorType(dim, false)},
		{Name: "embedding_f16", Type: VectorType(dim, true)},
		{Name: "logits", Type: VectorType(3, false)},
		{Name: "label", Type: arrow.BinaryTypes.String},
		{Name: "score", Type: arrow.PrimitiveTypes.Float32},
		{Name: "input_ids", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
	}, nil)
}

var testMetadata = map[string]string{
	"bertbatch.model": "sentence-transformers/all-MiniLM-L6-v2", "bertbatch.commit": "c9745ed1d9f207416be6d2e6f8de32d1f16199bf",
	"bertbatch.pooling": "mean", "bertbatch.normalize": "true", "bertbatch.dtype": "float32",
	"bertbatch.max_length": "256", "bertbatch.version": "v0.1.0", "bertbatch.job_hash": "sha256:ab12",
}

// TestWriteReadBack writes 37 rows with each codec and checks with pyarrow
// (and DuckDB when installed) the column types, values, metadata, codec and
// row groups.
func TestWriteReadBack(t *testing.T) {
	codecs := []struct{ name, pyName string }{
		{"", "ZSTD"}, {"snappy", "SNAPPY"}, {"gzip", "GZIP"}, {"lz4", "LZ4"}, {"none", "UNCOMPRESSED"},
	}
	var paths []string
	var flat []float32
	for _, c := range codecs {
		path := filepath.Join(t.TempDir(), c.pyName+".parquet")
		flat = writeOutput(t, path, c.name)
		paths = append(paths, path)
	}
	views := readWithPython(t, paths...)
	for i, c := range codecs {
		t.Run(c.pyName, func(t *testing.T) { checkReadBack(t, views[i], flat, c.pyName) })
	}
}

// writeOutput writes 37 rows to path: a 5-row record, then a 32-row one as
// two slices, as row selections and IPC batches arrive (slices start at an
// offset). It returns the embedding values written.
func writeOutput(t *testing.T, path, codec string) []float32 {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w, err := Create(path, outputSchema(), WriterOptions{Compression: codec, Metadata: testMetadata, RowGroupRows: 10, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	first, flat := outputBatch(t, mem, 0, 5)
	rest, f := outputBatch(t, mem, 5, 32)
	defer rest.Release()
	for _, rec := range []arrow.RecordBatch{first, rest.NewSlice(0, 20), rest.NewSlice(20, 32)} {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Rows() != 37 {
		t.Fatalf("Rows() = %d", w.Rows())
	}
	return append(flat, f...)
}

func checkReadBack(t *testing.T, v pyView, flat []float32, codec string) {
	t.Helper()
	if v.Rows != 37 || v.RowGroups != 4 || !slices.Equal(v.Codecs, []string{codec}) {
		t.Errorf("rows %d, row groups %d, codecs %v; want 37, 4, [%s]", v.Rows, v.RowGroups, v.Codecs, codec)
	}
	for name, want := range map[string]string{"embedding": "float", "embedding_f16": "halffloat", "logits": "float"} {
		fs := v.FixedSize[name]
		size := map[bool]int{true: 3, false: dim}[name == "logits"]
		if fs.ListSize != size || fs.ValueType != want || !fs.EqualsPaList {
			t.Errorf("%s read as %s, want pa.list_(%s, %d)", name, v.Types[name], want, size)
		}
	}
	if m := v.FixedSize["embedding_f16"].MatchesNumpyF16; m == nil || !*m {
		t.Errorf("embedding_f16 values differ from numpy's float16 rounding of the embedding")
	}
	got := v.Columns["embedding"]
	for i, f := range flat {
		if got[i] != float64(f) {
			t.Fatalf("embedding value %d = %v, wrote %v", i, got[i], f)
		}
	}
	for i := range 37 {
		if v.Columns["id"][i] != float64(i) || v.Columns["text"][i] != fmt.Sprintf("text %d", i) ||
			!reflect.DeepEqual(v.Columns["input_ids"][i], []any{101.0, float64(i), 102.0}) {
			t.Fatalf("row %d: id %v text %v input_ids %v", i, v.Columns["id"][i], v.Columns["text"][i], v.Columns["input_ids"][i])
		}
	}
	if v.Types["input_ids"] != "list<element: int32>" || v.Types["score"] != "float" || v.Types["label"] != "string" {
		t.Errorf("types %v", v.Types)
	}
	if !maps.Equal(v.KVMetadata, testMetadata) || !maps.Equal(v.SchemaMetadata, testMetadata) {
		t.Errorf("metadata: file %v, schema %v; want %v", v.KVMetadata, v.SchemaMetadata, testMetadata)
	}
	if v.DuckDB == nil {
		t.Log("duckdb is not installed in $BERTBATCH_PYTHON; DuckDB checks skipped")
		return
	}
	if d := v.DuckDB; d.Types["embedding"] != "FLOAT[]" || !maps.Equal(d.KV, testMetadata) ||
		!reflect.DeepEqual(d.ArrayCasts["embedding"], []any{"FLOAT[8]", 8.0, 8.0}) ||
		!reflect.DeepEqual(d.ArrayCasts["logits"], []any{"FLOAT[3]", 3.0, 3.0}) {
		t.Errorf("DuckDB saw types %v, kv %v, casts %v", d.Types, d.KV, d.ArrayCasts)
	}
}

func TestWriterErrors(t *testing.T) {
	dir := t.TempDir()
	dup := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "a", Type: arrow.BinaryTypes.String}}, nil)
	tests := []struct {
		name   string
		path   string
		schema *arrow.Schema
		opts   WriterOptions
		want   string
	}{
		{name: "bad codec", schema: outputSchema(), opts: WriterOptions{Compression: "brotli9"}, want: `unknown Parquet compression "brotli9"; use one of zstd`},
		{name: "duplicate column", schema: dup, want: `output column "a" appears twice`},
		{name: "unwritable folder", path: filepath.Join(dir, "missing", "x.parquet"), schema: outputSchema(), want: "no such file or directory"},
		{name: "negative row groups", schema: outputSchema(), opts: WriterOptions{RowGroupRows: -1}, want: "must be positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = filepath.Join(dir, tc.name+".parquet")
			}
			_, err := Create(path, tc.schema, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Create error = %v, want %q", err, tc.want)
			}
			if matches, _ := filepath.Glob(filepath.Join(dir, "*")); len(matches) != 0 {
				t.Fatalf("a failed Create left %v", matches)
			}
		})
	}
}

func TestWriteWrongSchemaAndAbort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.parquet")
	w, err := Create(path, outputSchema(), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other := arrow.NewSchema(outputSchema().Fields()[:2], nil)
	rec := array.NewRecordBatch(other, nil, 0)
	b := array.NewRecordBuilder(memory.DefaultAllocator, other)
	rec = b.NewRecordBatch()
	if err := w.Write(rec); err == nil || !strings.Contains(err.Error(), "record has 2 columns, the output file 8") {
		t.Fatalf("Write of another schema: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if matches, _ := filepath.Glob(path); len(matches) != 0 {
		t.Fatalf("Abort left %v", matches)
	}
}
