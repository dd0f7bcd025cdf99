package autotokenizer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// tinyBPE is a byte-level BPE tokenizer.json with a five-merge vocabulary.
func tinyBPE() map[string]any {
	return map[string]any{
		"version": "1.0",
		"added_tokens": []any{
			map[string]any{"id": 0, "content": "<s>", "special": true, "normalized": false},
			map[string]any{"id": 1, "content": "<pad>", "special": true, "normalized": false},
			map[string]any{"id": 2, "content": "</s>", "special": true, "normalized": false},
		},
		"normalizer":     nil,
		"pre_tokenizer":  map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
		"post_processor": map[string]any{"type": "RobertaProcessing", "sep": []any{"</s>", 2}, "cls": []any{"<s>", 0}},
		"model": map[string]any{
			"type": "BPE", "dropout": nil, "unk_token": nil,
			"vocab":  map[string]any{"<s>": 0, "<pad>": 1, "</s>": 2, "a": 3, "b": 4, "Ġ": 5, "ab": 6, "Ġab": 7},
			"merges": []any{"a b", []any{"Ġ", "ab"}},
		},
	}
}

// tinyUnigram is a Unigram tokenizer.json with a Metaspace pre-tokenizer.
func tinyUnigram() map[string]any {
	return map[string]any{
		"version": "1.0",
		"added_tokens": []any{
			map[string]any{"id": 0, "content": "<pad>", "special": true, "normalized": false},
			map[string]any{"id": 1, "content": "<unk>", "special": true, "normalized": false},
		},
		"normalizer":     map[string]any{"type": "NFKC"},
		"pre_tokenizer":  map[string]any{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
		"post_processor": nil,
		"model": map[string]any{"type": "Unigram", "unk_id": 1, "byte_fallback": false,
			"vocab": []any{[]any{"<pad>", 0.0}, []any{"<unk>", 0.0}, []any{"▁", -1.0}, []any{"a", -2.0}, []any{"▁a", -1.5}}},
	}
}

func writeTokenizer(t *testing.T, m map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	writeTokenizerFile(t, dir, m)
	return dir
}

func writeTokenizerFile(t testing.TB, dir string, m map[string]any) {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadKinds(t *testing.T) {
	cases := []struct {
		name string
		file map[string]any
		kind string
	}{
		{"BPE", tinyBPE(), "BPE"},
		{"Unigram", tinyUnigram(), "Unigram"},
		{"BPE without a type", func() map[string]any {
			m := tinyBPE()
			delete(m["model"].(map[string]any), "type")
			return m
		}(), "BPE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok, err := Load(writeTokenizer(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Info().Kind; got != c.kind {
				t.Errorf("Kind = %q, want %q", got, c.kind)
			}
		})
	}
}

func TestLoadRefuses(t *testing.T) {
	cases := []struct {
		name         string
		file         map[string]any
		change       func(m map[string]any)
		field, value string // of the UnsupportedError; field "" for a plain error holding value
	}{
		{"WordLevel model", tinyBPE(), func(m map[string]any) { m["model"] = map[string]any{"type": "WordLevel", "vocab": map[string]any{}} },
			"model.type", "WordLevel"},
		{"BPE dropout", tinyBPE(), func(m map[string]any) { m["model"].(map[string]any)["dropout"] = 0.1 }, "model.dropout", "0.1"},
		{"unknown pre-tokenizer", tinyBPE(), func(m map[string]any) {
			m["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{map[string]any{"type": "UnicodeScripts"}}}
		}, "pre_tokenizer.pretokenizers[0].type", "UnicodeScripts"},
		{"unknown normalizer", tinyUnigram(), func(m map[string]any) { m["normalizer"] = map[string]any{"type": "StripAccents"} },
			"normalizer.type", "StripAccents"},
		{"look-ahead pattern", tinyUnigram(), func(m map[string]any) {
			m["normalizer"] = map[string]any{"type": "Replace", "pattern": map[string]any{"Regex": `\s+(?!\S)`}, "content": " "}
		}, "normalizer.pattern.Regex", `\s+(?!\S)`},
		{"unknown split behavior", tinyBPE(), func(m map[string]any) {
			m["pre_tokenizer"] = map[string]any{"type": "Punctuation", "behavior": "Sideways"}
		}, "pre_tokenizer.behavior", "Sideways"},
		{"Metaspace prepend scheme", tinyUnigram(), func(m map[string]any) {
			m["pre_tokenizer"].(map[string]any)["prepend_scheme"] = "sometimes"
		}, "pre_tokenizer.prepend_scheme", "sometimes"},
		{"merge of unknown tokens", tinyBPE(), func(m map[string]any) { m["model"].(map[string]any)["merges"] = []any{"x y"} },
			"", `model.merges[0] merges "x" and "y"`},
		{"merge with three parts", tinyBPE(), func(m map[string]any) { m["model"].(map[string]any)["merges"] = []any{"a b c"} },
			"", `model.merges[0]: "a b c" is not two tokens`},
		{"Unigram without unk_id", tinyUnigram(), func(m map[string]any) { m["model"].(map[string]any)["unk_id"] = nil },
			"", "model.unk_id is null"},
		{"Unigram vocab entry", tinyUnigram(), func(m map[string]any) { m["model"].(map[string]any)["vocab"] = []any{"a"} },
			"", "model.vocab[0] must be [piece, score]"},
		{"charsmap", tinyUnigram(), func(m map[string]any) {
			m["normalizer"] = map[string]any{"type": "Precompiled", "precompiled_charsmap": "AAAA"}
		}, "", "normalizer.precompiled_charsmap"},
		{"no padding token", tinyBPE(), func(m map[string]any) {
			m["added_tokens"] = m["added_tokens"].([]any)[:1]
			delete(m["model"].(map[string]any)["vocab"].(map[string]any), "<pad>")
		}, "", "no padding token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.change(c.file)
			tok, err := Load(writeTokenizer(t, c.file))
			if err == nil || tok != nil {
				t.Fatalf("Load = %v, %v; want an error", tok, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "tokenizer.json") || !(strings.Contains(msg, c.value) || strings.Contains(msg, strconv.Quote(c.value))) {
				t.Errorf("error %q does not name the file and %q", err, c.value)
			}
			var unsupported *tokenizer.UnsupportedError
			if c.field == "" {
				return
			}
			if !errors.As(err, &unsupported) {
				t.Fatalf("error %v is not an UnsupportedError", err)
			}
			if unsupported.Field != c.field || unsupported.Value != c.value {
				t.Errorf("got field %q value %q, want %q %q", unsupported.Field, unsupported.Value, c.field, c.value)
			}
		})
	}
}

func TestLoadNoTokenizer(t *testing.T) {
	tok, err := Load(t.TempDir())
	if !errors.Is(err, tokenizer.ErrNoTokenizer) || tok != nil {
		t.Fatalf("Load = %v, %v; want ErrNoTokenizer", tok, err)
	}
}

// TestEncodeContract checks the contract's invariants on inputs no reference is needed for:
// ids inside the vocabulary, one type id per id, limits kept.
func TestEncodeContract(t *testing.T) {
	for name, file := range map[string]map[string]any{"BPE": tinyBPE(), "Unigram": tinyUnigram()} {
		t.Run(name, func(t *testing.T) {
			tok, err := Load(writeTokenizer(t, file))
			if err != nil {
				t.Fatal(err)
			}
			pair := "ab ab\xff"
			for _, in := range []tokenizer.Input{{Text: ""}, {Text: "ab ab ab"}, {Text: "\xff\xfe zz", Pair: &pair}, {Text: strings.Repeat("a ", 500)}} {
				for _, limit := range []int{0, 4, 7, 100} {
					enc := tok.Encode(in, limit)
					if len(enc.InputIDs) != len(enc.TokenTypeIDs) {
						t.Fatalf("%q@%d: %d ids, %d type ids", in.Text, limit, len(enc.InputIDs), len(enc.TokenTypeIDs))
					}
					if limit > 0 && len(enc.InputIDs) > limit {
						t.Errorf("%q@%d: %d ids", in.Text, limit, len(enc.InputIDs))
					}
					for _, id := range enc.InputIDs {
						if id < 0 || int(id) >= tok.VocabSize() {
							t.Errorf("%q@%d: id %d outside [0, %d)", in.Text, limit, id, tok.VocabSize())
						}
					}
				}
			}
		})
	}
}
