package wordpiece

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// smallTokenizerJSON is a valid tokenizer.json with a tiny vocabulary; tests change one part.
func smallTokenizerJSON() map[string]any {
	return map[string]any{
		"version":    "1.0",
		"truncation": map[string]any{"max_length": 128, "strategy": "LongestFirst", "stride": 0},
		"padding":    nil,
		"added_tokens": []any{
			map[string]any{"id": 0, "content": "[PAD]", "special": true, "normalized": false},
			map[string]any{"id": 1, "content": "[UNK]", "special": true, "normalized": false},
			map[string]any{"id": 2, "content": "[CLS]", "special": true, "normalized": false},
			map[string]any{"id": 3, "content": "[SEP]", "special": true, "normalized": false},
		},
		"normalizer":     map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": nil, "lowercase": true},
		"pre_tokenizer":  map[string]any{"type": "BertPreTokenizer"},
		"post_processor": map[string]any{"type": "BertProcessing", "sep": []any{"[SEP]", 3}, "cls": []any{"[CLS]", 2}},
		"decoder":        nil,
		"model": map[string]any{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
			"max_input_chars_per_word": 100,
			"vocab":                    map[string]any{"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "world": 5, "##s": 6, "!": 7}},
	}
}

func writeDir(t *testing.T, files map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		var data []byte
		switch c := content.(type) {
		case string:
			data = []byte(c)
		default:
			var err error
			if data, err = json.Marshal(c); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadRefusesUnsupported(t *testing.T) {
	cases := []struct {
		name         string
		change       func(m map[string]any)
		field, value string
	}{
		{"BPE model", func(m map[string]any) {
			m["model"] = map[string]any{"type": "BPE", "vocab": map[string]any{}, "merges": []any{}}
		}, "model.type", "BPE"},
		{"Unigram model", func(m map[string]any) { m["model"] = map[string]any{"type": "Unigram", "vocab": []any{}} }, "model.type", "Unigram"},
		{"NFKC normalizer", func(m map[string]any) { m["normalizer"] = map[string]any{"type": "NFKC"} }, "normalizer.type", "NFKC"},
		{"normalizer inside a sequence", func(m map[string]any) {
			m["normalizer"] = map[string]any{"type": "Sequence", "normalizers": []any{map[string]any{"type": "Lowercase"}, map[string]any{"type": "NFD"}}}
		}, "normalizer.normalizers[1].type", "NFD"},
		{"Metaspace pre-tokenizer", func(m map[string]any) { m["pre_tokenizer"] = map[string]any{"type": "Metaspace"} }, "pre_tokenizer.type", "Metaspace"},
		{"no pre-tokenizer", func(m map[string]any) { m["pre_tokenizer"] = nil }, "pre_tokenizer", "null"},
		{"unknown post-processor", func(m map[string]any) { m["post_processor"] = map[string]any{"type": "Reversing"} }, "post_processor.type", "Reversing"},
		{"two post-processors adding tokens", func(m map[string]any) {
			bert := map[string]any{"type": "BertProcessing", "cls": []any{"[CLS]", 2}, "sep": []any{"[SEP]", 3}}
			m["post_processor"] = map[string]any{"type": "Sequence", "processors": []any{bert, bert}}
		}, "post_processor.processors[1]", "a second processor that adds tokens"},
		{"only_first truncation", func(m map[string]any) {
			m["truncation"] = map[string]any{"max_length": 8, "strategy": "OnlyFirst", "stride": 0}
		}, "truncation.strategy", "OnlyFirst"},
		{"future format", func(m map[string]any) { m["version"] = "2.0" }, "version", "2.0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := smallTokenizerJSON()
			c.change(m)
			_, err := Load(writeDir(t, map[string]any{"tokenizer.json": m}))
			var unsupported *UnsupportedError
			if !errors.As(err, &unsupported) {
				t.Fatalf("Load: %v, want an UnsupportedError", err)
			}
			if unsupported.Field != c.field || unsupported.Value != c.value || !strings.HasSuffix(unsupported.File, "tokenizer.json") {
				t.Errorf("got %+v, want field %q value %q", unsupported, c.field, c.value)
			}
			if !strings.Contains(err.Error(), c.value) || !strings.Contains(err.Error(), "not supported") {
				t.Errorf("message %q does not name %q", err, c.value)
			}
		})
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	cases := []struct {
		name  string
		files func() map[string]any
		want  string
	}{
		{"broken JSON", func() map[string]any {
			return map[string]any{"tokenizer.json": "{\n  \"version\": \"1.0\",\n  \"model\": {,}\n}"}
		}, "tokenizer.json: line 3 column"},
		{"unknown token missing", func() map[string]any {
			m := smallTokenizerJSON()
			m["model"].(map[string]any)["unk_token"] = "<unk>"
			return map[string]any{"tokenizer.json": m}
		}, `the unknown token "<unk>" is not in the vocabulary`},
		{"added token with a wrong id", func() map[string]any {
			m := smallTokenizerJSON()
			m["added_tokens"] = append(m["added_tokens"].([]any), map[string]any{"id": 40, "content": "<new>"})
			return map[string]any{"tokenizer.json": m}
		}, `added token "<new>" has id 40, but tokenizers would give it 8`},
		{"negative id", func() map[string]any {
			m := smallTokenizerJSON()
			m["model"].(map[string]any)["vocab"].(map[string]any)["x"] = -1
			return map[string]any{"tokenizer.json": m}
		}, `gives "x" the id -1`},
		{"single template using B", func() map[string]any {
			m := smallTokenizerJSON()
			m["post_processor"] = map[string]any{"type": "TemplateProcessing",
				"single":         []any{map[string]any{"Sequence": map[string]any{"id": "B", "type_id": 0}}},
				"pair":           []any{},
				"special_tokens": map[string]any{}}
			return map[string]any{"tokenizer.json": m}
		}, `post_processor.single[0] uses sequence "B"`},
		{"template token not listed", func() map[string]any {
			m := smallTokenizerJSON()
			m["post_processor"] = map[string]any{"type": "TemplateProcessing",
				"single":         []any{map[string]any{"SpecialToken": map[string]any{"id": "[CLS]", "type_id": 0}}},
				"pair":           []any{},
				"special_tokens": map[string]any{}}
			return map[string]any{"tokenizer.json": m}
		}, `names special token "[CLS]", which post_processor.special_tokens lacks`},
		{"vocab.txt without [SEP]", func() map[string]any {
			return map[string]any{"vocab.txt": "[PAD]\n[UNK]\n[CLS]\nhello\n"}
		}, `separator token "[SEP]" is not in the vocabulary`},
		{"bad tokenizer_config.json", func() map[string]any {
			return map[string]any{"vocab.txt": "[PAD]\n[UNK]\n[CLS]\n[SEP]\n", "tokenizer_config.json": `{"do_lower_case": "yes"}`}
		}, "tokenizer_config.json: line 1 column"},
		{"bad sentence_bert_config.json", func() map[string]any {
			return map[string]any{"tokenizer.json": smallTokenizerJSON(), "sentence_bert_config.json": `{"max_seq_length": "long"}`}
		}, "sentence_bert_config.json: line 1 column"},
		{"bad truncation side", func() map[string]any {
			return map[string]any{"tokenizer.json": smallTokenizerJSON(), "tokenizer_config.json": `{"truncation_side": "middle"}`}
		}, `truncation_side must be "left" or "right", not "middle"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeDir(t, c.files()))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load: %v, want an error containing %q", err, c.want)
			}
		})
	}
	t.Run("empty folder", func(t *testing.T) {
		_, err := Load(t.TempDir())
		if !errors.Is(err, ErrNoTokenizer) {
			t.Fatalf("Load: %v, want ErrNoTokenizer", err)
		}
	})
}

// TestMaxLengthSource checks which file sets the tokenizer's own limit: sentence-transformers'
// max_seq_length, then transformers' model_max_length, then tokenizer.json's truncation.
func TestMaxLengthSource(t *testing.T) {
	cases := []struct {
		name     string
		files    map[string]any
		want     int
		wantFrom string
		left     bool
	}{
		{"tokenizer.json only", map[string]any{}, 128, "tokenizer.json truncation.max_length", false},
		{"model_max_length", map[string]any{"tokenizer_config.json": `{"model_max_length": 512}`}, 512, "tokenizer_config.json model_max_length", false},
		{"model_max_length meaning none", map[string]any{"tokenizer_config.json": `{"model_max_length": 1000000000000000019884624838656}`}, 128, "tokenizer.json truncation.max_length", false},
		{"max_seq_length", map[string]any{"tokenizer_config.json": `{"model_max_length": 512, "truncation_side": "left"}`,
			"sentence_bert_config.json": `{"max_seq_length": 256, "do_lower_case": false}`}, 256, "sentence_bert_config.json max_seq_length", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.files["tokenizer.json"] = smallTokenizerJSON()
			tok, err := Load(writeDir(t, c.files))
			if err != nil {
				t.Fatal(err)
			}
			s := tok.Settings()
			if tok.MaxLength() != c.want || s.MaxLengthFrom != c.wantFrom || s.TruncateLeft != c.left {
				t.Errorf("MaxLength %d from %q left %v, want %d from %q left %v", tok.MaxLength(), s.MaxLengthFrom, s.TruncateLeft, c.want, c.wantFrom, c.left)
			}
		})
	}
	t.Run("no limit anywhere", func(t *testing.T) {
		m := smallTokenizerJSON()
		m["truncation"] = nil
		tok, err := Load(writeDir(t, map[string]any{"tokenizer.json": m}))
		if err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("hello ", 1000)
		if got := len(tok.Encode(Input{Text: long}, 0).InputIDs); tok.MaxLength() != 0 || got != 1002 {
			t.Errorf("MaxLength %d, %d ids; want no limit and 1002 ids", tok.MaxLength(), got)
		}
	})
}

// TestLimitBelowSpecialTokens covers limits too small for [CLS] and [SEP]: tokenizers skips
// truncation there (an unsigned underflow); Encode keeps only the special tokens, and
// CheckMaxLength refuses the limit.
func TestLimitBelowSpecialTokens(t *testing.T) {
	tok, err := Load(writeDir(t, map[string]any{"tokenizer.json": smallTokenizerJSON()}))
	if err != nil {
		t.Fatal(err)
	}
	pair := "hello world"
	cases := []struct {
		name      string
		in        Input
		maxLength int
		want      []int32
		wantErr   bool
	}{
		{"single at 1", Input{Text: "hello world"}, 1, []int32{2, 3}, true},
		{"single at 2", Input{Text: "hello world"}, 2, []int32{2, 3}, false},
		{"pair at 2", Input{Text: "hello", Pair: &pair}, 2, []int32{2, 3, 3}, true},
		{"pair at 3", Input{Text: "hello", Pair: &pair}, 3, []int32{2, 3, 3}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := tok.Encode(c.in, c.maxLength).InputIDs
			if !slices.Equal(got, c.want) {
				t.Errorf("Encode = %v, want %v", got, c.want)
			}
			if err := tok.CheckMaxLength(c.maxLength, c.in.Pair != nil); (err != nil) != c.wantErr {
				t.Errorf("CheckMaxLength: %v, want error %v", err, c.wantErr)
			}
		})
	}
}

// TestInvalidUTF8 checks that bytes that are not UTF-8 read as U+FFFD, one per byte, as Go's
// range loop reads them (clean_text is off, so U+FFFD reaches the vocabulary as [UNK]).
func TestInvalidUTF8(t *testing.T) {
	m := smallTokenizerJSON()
	m["normalizer"].(map[string]any)["clean_text"] = false
	tok, err := Load(writeDir(t, map[string]any{"tokenizer.json": m}))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"hello\xffworld", "\xc3", "hello \xed\xa0\x80 world", "\xf4\x90\x80\x80!", "[CLS]\xff[SEP]"} {
		valid := string([]rune(s))
		got, want := tok.Encode(Input{Text: s}, 0), tok.Encode(Input{Text: valid}, 0)
		if !slices.Equal(got.InputIDs, want.InputIDs) {
			t.Errorf("%q: got %v, want %v (as %q)", s, got.InputIDs, want.InputIDs, valid)
		}
		if !slices.Contains(got.InputIDs, 1) {
			t.Errorf("%q: got %v, want an [UNK] for the bad bytes", s, got.InputIDs)
		}
	}
}
