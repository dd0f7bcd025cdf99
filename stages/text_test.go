package stages

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/bert"
)

// TestEmbedText runs text inputs end to end: the token ids must be those of Hugging Face
// tokenizers (truncated longest-first at max_length), and the embeddings those the engine gives
// for those ids.
func TestEmbedText(t *testing.T) {
	const n = 30
	long := strings.Repeat("water people first ", 12) // far over 20 tokens
	tests := []struct {
		name   string
		pair   bool
		maxLen int
	}{
		{name: "single texts, some truncated", maxLen: 20},
		{name: "text pairs, truncated longest first", pair: true, maxLen: 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			first, second := texts(3, n, 14), texts(4, n, 9)
			first[5], first[17] = long, long+"and more"
			second[8] = long
			cols := new(columns).strs("key", texts(5, n, 1)).strs("q", first)
			input := "text_column: q"
			var pairs []string
			if tt.pair {
				cols.strs("p", second)
				input += ", text_pair_column: p"
				pairs = second
			}
			in := filepath.Join(dir, "in.parquet")
			cols.write(t, in, 8)
			job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in.parquet], %s, passthrough: [key]}
output: {dir: out, write_token_ids: true}
batching: {max_length: %d, max_batch_size: 4, sort_window: 8}
workers: 3
`, modelDir(t, "tiny-bert"), input, tt.maxLen))
			sum := mustRun(t, job)
			out := filepath.Join(dir, "out")
			keep := make([]int, n)
			for i := range keep {
				keep[i] = i
			}
			py := readback(t, pyRequest{Out: out, Inputs: []string{in}, Passthrough: []string{"key"}, Keep: keep,
				Tokenize: &pyTokenize{Model: modelDir(t, "tiny-bert"), Texts: first, Pairs: pairs, MaxLength: tt.maxLen}})
			got := readOutput(t, out)
			ids, types, masks := got.lists(t, "input_ids"), got.lists(t, "token_type_ids"), got.lists(t, "attention_mask")
			var truncated int64
			rows := make([]row, n)
			for i := range n {
				if !slices.Equal(ids[i], py.TokenIDs[i]) || !slices.Equal(types[i], py.TokenTypeIDs[i]) {
					t.Errorf("row %d: ids %v types %v; tokenizers gives %v %v", i, ids[i], types[i], py.TokenIDs[i], py.TokenTypeIDs[i])
				}
				if len(masks[i]) != len(ids[i]) || slices.Contains(masks[i], 0) {
					t.Errorf("row %d: attention_mask %v, want all ones over %d ids", i, masks[i], len(ids[i]))
				}
				if py.UntruncatedLengths[i] > tt.maxLen {
					truncated++
				}
				rows[i] = row{ids: py.TokenIDs[i], types: py.TokenTypeIDs[i]}
			}
			if truncated < 2 {
				t.Fatalf("only %d rows are longer than max_length; the test needs some", truncated)
			}
			want, _ := direct(t, modelDir(t, "tiny-bert"), bert.HeadNone, rows, bert.EmbedOptions{})
			closeVectors(t, "embedding", got.vectors(t, "embedding"), want, 1e-5)
			equalVectors(t, "embedding read by pyarrow", pyVectors(t, py, "embedding"), got.vectors(t, "embedding"))
			if !*py.PassthroughEqual || !*py.PassthroughTypesSame {
				t.Errorf("pyarrow: passthrough column key differs from the input")
			}
			for _, c := range []string{"input_ids", "attention_mask", "token_type_ids"} {
				if py.Types[c] != "list<element: int32>" {
					t.Errorf("pyarrow reads %s as %s, want list<element: int32>", c, py.Types[c])
				}
			}
			checkSummary(t, out, sum, wantSummary{rows: n, truncated: truncated, files: 1, tokens: tokenCount(py.TokenIDs)})
		})
	}
}

// TestTextPairsWithoutTokenTypes: a model without token types (DistilBERT) embeds text pairs as
// transformers does, without token type ids, instead of refusing every pair row.
func TestTextPairsWithoutTokenTypes(t *testing.T) {
	const n = 20
	dir := t.TempDir()
	new(columns).strs("q", texts(1, n, 5)).strs("p", texts(2, n, 5)).write(t, filepath.Join(dir, "in.parquet"), 10)
	job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in.parquet], text_column: q, text_pair_column: p}
output: {dir: out, write_token_ids: true}
batching: {max_batch_size: 4}
`, modelDir(t, "tiny-distilbert")))
	sum := mustRun(t, job)
	got := readOutput(t, filepath.Join(dir, "out"))
	ids, types := got.lists(t, "input_ids"), got.lists(t, "token_type_ids")
	if sum.Rows != n || len(ids) != n {
		t.Fatalf("%d rows written (%d read back), want %d", sum.Rows, len(ids), n)
	}
	rows := make([]row, n)
	for i := range ids {
		if slices.ContainsFunc(types[i], func(v int32) bool { return v != 0 }) {
			t.Errorf("row %d: token types %v, want none (zeros)", i, types[i])
		}
		rows[i] = row{ids: ids[i]}
	}
	want, _ := direct(t, modelDir(t, "tiny-distilbert"), bert.HeadNone, rows, bert.EmbedOptions{})
	closeVectors(t, "embedding", got.vectors(t, "embedding"), want, 1e-5)
}
