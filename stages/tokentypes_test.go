package stages

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bertbatch/bertbatch/bert"
)

// TestTokenTypesIgnoredOnce runs text pairs through DistilBERT, which has no token type
// embedding: the types the tokenizer gives the second text are dropped as transformers does, said
// once in the log, and every row gets the embedding of its ids alone.
func TestTokenTypesIgnoredOnce(t *testing.T) {
	const n = 12
	dir := t.TempDir()
	first, second := texts(3, n, 10), texts(4, n, 6)
	in := filepath.Join(dir, "in.parquet")
	new(columns).strs("q", first).strs("p", second).write(t, in, 6)
	model := modelDir(t, "tiny-distilbert")
	job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in.parquet], text_column: q, text_pair_column: p}
output: {dir: out, write_token_ids: true}
batching: {max_batch_size: 4}
`, model))
	var mu sync.Mutex
	var logs []string
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logs = append(logs, fmt.Sprintf(format, args...))
	}
	if _, err := Run(context.Background(), job, Options{Logf: logf}); err != nil {
		t.Fatalf("run: %v", err)
	}
	got := readOutput(t, filepath.Join(dir, "out"))
	ids := got.lists(t, "input_ids")
	rows := make([]row, n)
	for i := range n {
		rows[i] = row{ids: ids[i]} // no types: what transformers' DistilBERT takes
	}
	want, _ := direct(t, model, bert.HeadNone, rows, bert.EmbedOptions{})
	closeVectors(t, "embedding", got.vectors(t, "embedding"), want, 1e-5)
	said := 0
	for _, l := range logs {
		if strings.Contains(l, "token_type_ids are ignored") {
			said++
		}
	}
	if said != 1 {
		t.Errorf("the log says %d times that token types are ignored, want once:\n%s", said, strings.Join(logs, "\n"))
	}
}
