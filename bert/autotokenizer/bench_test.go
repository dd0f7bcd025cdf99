package autotokenizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// BenchmarkEncodeBatch tokenizes the fortunes of the parity corpus (12 languages) with the
// Unigram tokenizer of multilingual-e5-small and the byte-level BPE tokenizer of the parity
// tests at a limit of 256, as bench/tokenizer_peer.py does with HF tokenizers' encode_batch.
// tokens/s counts every id produced, special tokens included.
//
//	go test -run '^$' -bench EncodeBatch -cpu 2 ./bert/autotokenizer
func BenchmarkEncodeBatch(b *testing.B) {
	root := os.Getenv("BERTBATCH_TOKENIZERS_DIR")
	if root == "" {
		b.Skip("BERTBATCH_TOKENIZERS_DIR is not set (run `make tokenizers`, then eval \"$(make -s env)\")")
	}
	var in []tokenizer.Input
	for _, r := range readRows(b) {
		if r.TextPair == nil && strings.HasPrefix(r.Source, "fortunes") {
			in = append(in, tokenizer.Input{Text: r.Text})
		}
	}
	for _, name := range []string{"e5", "bpe-roberta"} {
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			copyFile(b, filepath.Join(root, name, "tokenizer.json"), filepath.Join(dir, "tokenizer.json"))
			tok, err := Load(dir)
			if err != nil {
				b.Fatal(err)
			}
			tokens, bytes := 0, 0
			for _, enc := range tok.EncodeBatch(in, 256) {
				tokens += len(enc.InputIDs)
			}
			for _, x := range in {
				bytes += len(x.Text)
			}
			b.SetBytes(int64(bytes))
			b.ResetTimer()
			for b.Loop() {
				tok.EncodeBatch(in, 256)
			}
			b.ReportMetric(float64(tokens)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
			b.ReportMetric(float64(len(in))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
