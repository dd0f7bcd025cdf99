package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRunJinaFromText runs `bertbatch run` from text on the tiny Jina v3 checkpoint: every row's
// token ids must be those of the model's tokenizer (truncated at its max_seq_length of 1024, so
// rows run past 512 tokens) and its embedding that of SentenceTransformer.encode, both stored in
// testdata/golden/tiny-jina.json by testdata/gen_models.py.
func TestRunJinaFromText(t *testing.T) {
	var g struct {
		FromText struct {
			Texts             []string    `json:"texts"`
			MaxSeqLength      int         `json:"max_seq_length"`
			InputIDs          [][]int32   `json:"input_ids"`
			SentenceEmbedding [][]float32 `json:"sentence_embedding"`
		} `json:"from_text"`
	}
	data, err := os.ReadFile("../../testdata/golden/tiny-jina.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	ft := g.FromText
	if len(ft.Texts) == 0 || len(ft.InputIDs) != len(ft.Texts) || len(ft.SentenceEmbedding) != len(ft.Texts) {
		t.Fatalf("tiny-jina.json from_text: %d texts, %d token rows, %d embeddings", len(ft.Texts), len(ft.InputIDs), len(ft.SentenceEmbedding))
	}
	longest := 0
	for _, ids := range ft.InputIDs {
		longest = max(longest, len(ids))
	}
	if longest != ft.MaxSeqLength || longest <= 512 {
		t.Fatalf("the longest reference row has %d tokens; want max_seq_length %d, over 512", longest, ft.MaxSeqLength)
	}
	model, err := filepath.Abs("../../testdata/models/tiny-jina")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var lines strings.Builder
	for i, text := range ft.Texts {
		line, err := json.Marshal(map[string]any{"id": i, "text": text})
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(append(line, '\n'))
	}
	in := writeFile(t, dir, "texts.jsonl", lines.String())
	job := writeFile(t, dir, "job.yaml", fmt.Sprintf(`
model: {ref: %q}
input: {paths: [%q], text_column: text, passthrough: [id]}
output: {dir: out, write_token_ids: true}
batching: {max_batch_size: 4}
workers: 2
`, model, in))
	if code, _, stderr := cli("run", "--quiet", job); code != exitOK {
		t.Fatalf("bertbatch run: exit %d: %s", code, stderr)
	}
	got := readRealOutput(t, filepath.Join(dir, "out"))
	if len(got.IDs) != len(ft.Texts) {
		t.Fatalf("%d rows written, want %d", len(got.IDs), len(ft.Texts))
	}
	worst, maxDiff := 1.0, 0.0
	for i, id := range got.IDs {
		if id != int64(i) {
			t.Fatalf("row %d has id %d: rows out of order", i, id)
		}
		if !slices.Equal(got.InputIDs[i], ft.InputIDs[i]) {
			t.Errorf("row %d: token ids %v, the tokenizer gives %v", i, got.InputIDs[i], ft.InputIDs[i])
		}
		c, d := cosine(got.Embedding[i], ft.SentenceEmbedding[i])
		worst, maxDiff = min(worst, c), max(maxDiff, d)
		if c < 0.99999 || d > 1e-4 {
			t.Errorf("row %d (%d tokens): cosine %.8f, max |Δ| %.3g with encode; want ≥ 0.99999 and ≤ 1e-4", i, len(ft.InputIDs[i]), c, d)
		}
	}
	t.Logf("%d rows (longest %d tokens): worst cosine %.9f, max |Δ| %.3g", len(got.IDs), longest, worst, maxDiff)
}
