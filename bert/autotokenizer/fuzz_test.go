package autotokenizer

import (
	"testing"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// FuzzEncode checks, for any text, pair and limit, on the small BPE and Unigram tokenizers of
// load_test.go: no panic, no id outside the vocabulary, one type id per id, no more ids than the
// limit.
//
//	go test -fuzz=FuzzEncode ./bert/autotokenizer
func FuzzEncode(f *testing.F) {
	var toks []tokenizer.Tokenizer
	for _, file := range []map[string]any{tinyBPE(), tinyUnigram()} {
		dir := f.TempDir()
		writeTokenizerFile(f, dir, file)
		tok, err := Load(dir)
		if err != nil {
			f.Fatal(err)
		}
		toks = append(toks, tok)
	}
	seeds := []string{"", "ab ab", "a\x00b\x85c\ufeffd", "\xff\xfe", "<s></s><pad>", "Ａ\u0301 ﬁ 👍🏽", "   a  "}
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)], i%2 == 0, i*3-4)
	}
	f.Fuzz(func(t *testing.T, text, pair string, hasPair bool, maxLength int) {
		in := tokenizer.Input{Text: text}
		if hasPair {
			in.Pair = &pair
		}
		maxLength %= 300
		for _, tok := range toks {
			enc := tok.Encode(in, maxLength)
			if len(enc.InputIDs) != len(enc.TokenTypeIDs) {
				t.Fatalf("%d ids but %d type ids", len(enc.InputIDs), len(enc.TokenTypeIDs))
			}
			for _, id := range enc.InputIDs {
				if id < 0 || int(id) >= tok.VocabSize() {
					t.Fatalf("id %d outside the vocabulary of %d", id, tok.VocabSize())
				}
			}
			if maxLength > 0 && tok.CheckMaxLength(maxLength, hasPair) == nil && len(enc.InputIDs) > maxLength {
				t.Fatalf("%d ids, above the limit %d", len(enc.InputIDs), maxLength)
			}
		}
	})
}
