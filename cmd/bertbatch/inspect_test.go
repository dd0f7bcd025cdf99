package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/embed"
)

// TestInspectModelArchitecture checks that inspect names each committed model's architecture and
// how it treats its inputs.
func TestInspectModelArchitecture(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  []string
	}{
		{"tiny-bert", []string{"architecture: bert\n", "positions from 0", "2 token type(s)", "pooling: mean, normalized\n", "prompts: none\n"}},
		{"tiny-bert-prompts", []string{"pooling: mean, normalized, prompt tokens left out (include_prompt false)\n",
			"prompts (input.prompt_name; default query):\n  passage: \"passage: \"\n  plain: \"\"\n  query: \"query: \"\n"}},
		{"tiny-distilbert", []string{"architecture: distilbert\n", "no token types (token_type_ids are ignored)"}},
		{"tiny-roberta", []string{"architecture: roberta\n", "positions from padding_idx+1 = 2 (pad id 1), rows up to 128 tokens", "1 token type(s)",
			"prompts (input.prompt_name; no default):\n  document: \"\"\n  query: \"\"\n"}},
		{"tiny-xlm-roberta-cls", []string{"architecture: xlm-roberta\n", "labels: 0=anger, 1=joy, 2=sadness"}},
		{"tiny-mpnet", []string{"architecture: mpnet\n", "no token types", "relative position bias: 32 buckets, max distance 128"}},
		{"tiny-modernbert", []string{"architecture: modernbert\n", "no token types",
			"rotary positions (theta 160000 global, 10000 local); 1 of 3 layers global, the others within 8 tokens each side"}},
		{"tiny-jina", []string{"architecture: jina_embeddings_v3\n", "positions from 0, rows up to 1024 tokens", "1 token type(s)",
			"rotary positions (theta 20000) in every layer, no position table", "pooling: mean, normalized\n"}},
	} {
		t.Run(tc.model, func(t *testing.T) {
			dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "models", tc.model))
			if err != nil {
				t.Fatal(err)
			}
			var out, errs bytes.Buffer
			if err := inspectModel(context.Background(), dir, &out, &errs, embed.WithOffline(true)); err != nil {
				t.Fatalf("inspect: %v\n%s", err, errs.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("inspect output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

// TestDescribeTokenizer checks the tokenizer line of inspect for each kind of tokenizer.json.
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
