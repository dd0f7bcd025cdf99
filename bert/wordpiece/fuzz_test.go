package wordpiece

import (
	"path/filepath"
	"slices"
	"testing"
)

// FuzzEncode checks, for any text, pair and limit, on two committed tokenizers (the small
// "tiny" one with clean_text off, and "extras": the real vocabulary with added tokens of every
// kind and left truncation): no panic, no id outside the vocabulary, one type id per id, no
// more ids than the limit, and the same result from Encode and EncodeBatch.
//
//	go test -fuzz=FuzzEncode ./bert/wordpiece
func FuzzEncode(f *testing.F) {
	var toks []*Tokenizer
	for _, name := range []string{"tiny", "extras"} {
		dir := f.TempDir()
		copyVariant(f, filepath.Join("testdata/variants", name), dir)
		tok, err := Load(dir)
		if err != nil {
			f.Fatal(err)
		}
		toks = append(toks, tok)
	}
	seeds := []string{"", "Hello, world!", "Héllo [SEP] wörld <ent> New York", "野口里佳\u200b\u00a0👍🏽",
		"a\x00b\x85c\ufeffd", "unbelievably unbelievable", "\xff\xfe", "İΣσς ǅ", "[CLS][SEP][MASK]"}
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)], i%2 == 0, i*7-10)
	}
	f.Fuzz(func(t *testing.T, text, pair string, hasPair bool, maxLength int) {
		in := Input{Text: text}
		if hasPair {
			in.Pair = &pair
		}
		maxLength %= 600
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
			limit := maxLength
			if limit <= 0 {
				limit = tok.MaxLength()
			}
			if limit > 0 && tok.CheckMaxLength(limit, hasPair) == nil && len(enc.InputIDs) > limit {
				t.Fatalf("%d ids, above the limit %d", len(enc.InputIDs), limit)
			}
			batch := tok.EncodeBatch([]Input{in}, maxLength)
			if !slices.Equal(batch[0].InputIDs, enc.InputIDs) || !slices.Equal(batch[0].TokenTypeIDs, enc.TokenTypeIDs) {
				t.Fatalf("EncodeBatch gave %v, Encode %v", batch[0], enc)
			}
		}
	})
}
