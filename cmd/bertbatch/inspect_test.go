package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestDescribeTokenizer(t *testing.T) {
	cases := []struct {
		name, tokenizerJSON string // "" writes no tokenizer.json
		want                []string
	}{
		{"WordPiece", smallTokenizer, []string{"tokenizer: WordPiece, vocabulary 8, no limit", "pre_tokenizer: BertPreTokenizer"}},
		{"BPE", `{"version": "1.0", "added_tokens": [], "normalizer": null,
		  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false}, "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0]},
		  "model": {"type": "BPE", "vocab": {"<s>": 0, "<pad>": 1, "</s>": 2, "a": 3}, "merges": []}}`,
			[]string{"tokenizer: BPE, vocabulary 4, no limit", "pre_tokenizer: ByteLevel", "post_processor: RobertaProcessing"}},
		{"unsupported", `{"version": "1.0", "model": {"type": "WordLevel", "vocab": {}}}`, []string{`tokenizer: cannot be used:`, `model.type "WordLevel" is not supported`}},
		{"none", "", []string{"tokenizer: none (jobs must give token id columns)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.tokenizerJSON != "" {
				writeFile(t, dir, "tokenizer.json", c.tokenizerJSON)
			}
			var out bytes.Buffer
			describeTokenizer(&out, dir)
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output %q lacks %q", out.String(), w)
				}
			}
		})
	}
}
