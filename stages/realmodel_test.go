package stages

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// miniLMGolden is the part of testdata/golden/all-MiniLM-L6-v2.json these tests read: the texts,
// their token ids as transformers' tokenizer gave them (padded to a common length), and
// sentence-transformers' embeddings.
type miniLMGolden struct {
	Texts  []string
	Inputs []struct {
		InputIDs      []int32 `json:"input_ids"`
		AttentionMask []int32 `json:"attention_mask"`
		TokenTypeIDs  []int32 `json:"token_type_ids"`
	}
	SentenceEmbedding [][]float32 `json:"sentence_embedding"`
}

// realModel returns the real model's folder, or skips the test.
func realModel(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("BERTBATCH_MODEL_DIR")
	if dir == "" {
		t.Skip("BERTBATCH_MODEL_DIR is not set; run `make model` and eval \"$(make -s env)\" to test with all-MiniLM-L6-v2")
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err != nil {
		t.Skipf("BERTBATCH_MODEL_DIR %s holds no model (%v); run `make model`", dir, err)
	}
	return dir
}

// TestRealModel runs all-MiniLM-L6-v2 through whole jobs — on the texts, and on the token ids as
// a padded tokenized dataset stores them — and compares the embeddings with sentence-transformers'.
func TestRealModel(t *testing.T) {
	model := realModel(t)
	data, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "all-MiniLM-L6-v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g miniLMGolden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	n := len(g.Texts)
	var ids, masks, types, unpadded [][]int32
	for _, in := range g.Inputs {
		ids, masks, types = append(ids, in.InputIDs), append(masks, in.AttentionMask), append(types, in.TokenTypeIDs)
		real := 0
		for _, m := range in.AttentionMask {
			real += int(m)
		}
		unpadded = append(unpadded, in.InputIDs[:real])
	}
	tests := []struct {
		name  string
		input func(t *testing.T, path string) string // writes the input, returns the job's input section
		// rejected rows: an empty text is a bad row to bertbatch, while its token ids ([CLS] [SEP]) are not
		rejected []int
		// truncated rows: the last text (2,061 characters) is cut at max_seq_length 256; its stored
		// token ids are already 256 long
		truncated int64
	}{
		{"text", func(t *testing.T, dir string) string {
			var rows []map[string]any
			for i, text := range g.Texts {
				rows = append(rows, map[string]any{"id": i, "text": text})
			}
			writeJSONL(t, filepath.Join(dir, "in", "texts.jsonl"), rows)
			return "{paths: [in], text_column: text, passthrough: [id]}\noutput: {dir: out, write_token_ids: true}\nbad_rows: reject"
		}, emptyTexts(g.Texts), 1},
		{"padded token ids", func(t *testing.T, dir string) string {
			new(columns).int64s("id", ids64(n)).lists("input_ids", arrow.PrimitiveTypes.Int64, ids).
				lists("attention_mask", arrow.PrimitiveTypes.Int8, masks).lists("token_type_ids", arrow.PrimitiveTypes.Int64, types).
				write(t, filepath.Join(dir, "in", "tokens.parquet"), 10)
			return "{paths: [in], passthrough: [id]}\noutput: {dir: out}"
		}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			input := tt.input(t, dir)
			sum := mustRun(t, loadJob(t, dir, fmt.Sprintf("model: {ref: %s}\ninput: %s\nbatching: {max_batch_size: 8}\nworkers: 2\n", model, input)))
			var wantIDs []int64
			var wantVecs [][]float32
			var wantTokens [][]int32
			for i := range n {
				if !slices.Contains(tt.rejected, i) {
					wantIDs, wantVecs, wantTokens = append(wantIDs, int64(i)), append(wantVecs, g.SentenceEmbedding[i]), append(wantTokens, unpadded[i])
				}
			}
			got := readOutput(t, filepath.Join(dir, "out"))
			if !slices.Equal(got.int64s(t, "id"), wantIDs) {
				t.Errorf("ids %v, want %v", got.int64s(t, "id"), wantIDs)
			}
			closeVectors(t, "embedding vs sentence-transformers", got.vectors(t, "embedding"), wantVecs, 1e-4)
			if tt.name == "text" {
				for i, row := range got.lists(t, "input_ids") {
					if !slices.Equal(row, wantTokens[i]) {
						t.Errorf("row %d: token ids %v, transformers' tokenizer gives %v", wantIDs[i], row, wantTokens[i])
					}
				}
			}
			files := int64(1)
			if len(tt.rejected) > 0 {
				files = 2
			}
			checkSummary(t, filepath.Join(dir, "out"), sum, wantSummary{rows: int64(len(wantIDs)), rejected: int64(len(tt.rejected)),
				truncated: tt.truncated, files: files, tokens: tokenCount(wantTokens)})
		})
	}
}

// emptyTexts lists the indices of the empty texts.
func emptyTexts(texts []string) []int {
	var out []int
	for i, s := range texts {
		if s == "" {
			out = append(out, i)
		}
	}
	return out
}

func ids64(n int) []int64 { return ids(0, n) }
