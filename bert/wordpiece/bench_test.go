package wordpiece

import (
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkEncodeBatch tokenizes the fortunes of the parity corpus (12 languages) with the real
// all-MiniLM-L6-v2 tokenizer at its own limit (256), as bench/tokenizer_peer.py does with HF
// tokenizers' encode_batch. tokens/s counts every id produced, special tokens included.
//
//	go test -run '^$' -bench EncodeBatch -cpu 2 ./bert/wordpiece
func BenchmarkEncodeBatch(b *testing.B) {
	dir := os.Getenv("BERTBATCH_MODEL_DIR")
	if dir == "" {
		b.Skip("BERTBATCH_MODEL_DIR is not set (run `make model`, then eval \"$(make -s env)\")")
	}
	tok, err := Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	in := benchInputs(b)
	tokens, bytes := 0, 0
	for _, enc := range tok.EncodeBatch(in, 0) {
		tokens += len(enc.InputIDs)
	}
	for _, x := range in {
		bytes += len(x.Text)
	}
	b.SetBytes(int64(bytes))
	b.ResetTimer()
	for b.Loop() {
		tok.EncodeBatch(in, 0)
	}
	b.ReportMetric(float64(tokens)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
	b.ReportMetric(float64(len(in))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// benchInputs are the single-text fortune rows of testdata/corpus.jsonl.gz.
func benchInputs(b *testing.B) []Input {
	var m parityManifest
	readJSONFile(b, "testdata/parity.json", &m)
	var rows []corpusRow
	readJSONLines(b, "testdata/corpus.jsonl.gz", func(dec *json.Decoder) error {
		var r corpusRow
		err := dec.Decode(&r)
		rows = append(rows, r)
		return err
	})
	var in []Input
	for _, i := range m.Groups["fortunes"] {
		in = append(in, Input{Text: rows[i].Text})
	}
	return in
}
