package stages

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// promptGolden is stages/testdata/prompts.json, written by testdata/gen_prompts.py from
// SentenceTransformer.encode.
type promptGolden struct {
	MinCosine float64 `json:"min_cosine"`
	Texts     []string
	Models    map[string][]struct {
		Name       string
		Job        map[string]string
		Embeddings [][]float32
	}
}

// TestPromptsMatchSentenceTransformers runs text jobs on models with prompts and include_prompt
// false, choosing the prompt by name, by text, by the model's default or not at all, and compares
// every embedding with sentence-transformers'.
func TestPromptsMatchSentenceTransformers(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "prompts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g promptGolden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	for model, cases := range g.Models {
		for _, c := range cases {
			t.Run(model+"/"+c.Name, func(t *testing.T) {
				dir := t.TempDir()
				new(columns).strs("t", g.Texts).write(t, filepath.Join(dir, "in.parquet"), 4)
				var input, output []string
				for k, v := range c.Job {
					field := fmt.Sprintf("%s: %q", k, v)
					if k == "pooling" {
						output = append(output, field)
					} else {
						input = append(input, field)
					}
				}
				job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in.parquet], text_column: t%s}
output: {dir: out%s}
batching: {max_batch_size: 2, sort_window: 4}
workers: 2
`, modelDir(t, model), fields(input), fields(output)))
				mustRun(t, job)
				got := readOutput(t, filepath.Join(dir, "out")).vectors(t, "embedding")
				if len(got) != len(c.Embeddings) {
					t.Fatalf("%d rows, want %d", len(got), len(c.Embeddings))
				}
				for i := range got {
					if cos := cosine(got[i], c.Embeddings[i]); !(cos >= g.MinCosine) {
						t.Errorf("row %d (%.30q): cosine %.7f with sentence-transformers, want ≥ %g", i, g.Texts[i], cos, g.MinCosine)
					}
				}
			})
		}
	}
}

// fields writes job fields after a leading comma, for a flow mapping.
func fields(f []string) string {
	if len(f) == 0 {
		return ""
	}
	return ", " + strings.Join(f, ", ")
}

func cosine(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.NaN()
	}
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// TestPromptNameUnknown checks that a prompt name the model lacks stops the job before anything
// is written, with the model's prompt names in the message.
func TestPromptNameUnknown(t *testing.T) {
	tests := []struct {
		name, model, want string
	}{
		{"model with prompts", "tiny-bert-prompts", `prompt "passge": the model has no prompt of that name (it has "passage", "plain", "query")`},
		{"model without prompts", "tiny-bert", `prompt "passge": the model has no prompts`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			new(columns).strs("t", []string{"water"}).write(t, filepath.Join(dir, "in.parquet"), 4)
			job := loadJob(t, dir, fmt.Sprintf("model: {ref: %s}\ninput: {paths: [in.parquet], text_column: t, prompt_name: passge}\noutput: {dir: out}\n",
				modelDir(t, tt.model)))
			_, err := runJob(t, job, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "input.prompt_name") {
				t.Fatalf("error %v, want one naming input.prompt_name and containing %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
				t.Errorf("the output folder was created (stat: %v)", err)
			}
		})
	}
}

// TestPromptTokens checks the token ids a prompted job feeds the model against Hugging Face
// tokenizers given the prompt written in front of the text: of the first text only for pairs, as
// sentence-transformers prepends it, with the prompt counted towards max_length.
func TestPromptTokens(t *testing.T) {
	const n = 12
	tests := []struct {
		name, input, prompt string
		pair                bool
	}{
		{name: "default prompt", prompt: "query: "},
		{name: "named prompt, pairs", input: ", text_pair_column: p, prompt_name: passage", prompt: "passage: ", pair: true},
		{name: "literal prompt", input: `, prompt: "water people: "`, prompt: "water people: "},
		{name: "default turned off", input: `, prompt: ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			first, second := texts(7, n, 14), texts(8, n, 6)
			first[3] = strings.Repeat("water people first ", 12)
			cols := new(columns).strs("q", first)
			var pairs []string
			if tt.pair {
				cols.strs("p", second)
				pairs = second
			}
			in := filepath.Join(dir, "in.parquet")
			cols.write(t, in, 6)
			model := modelDir(t, "tiny-bert-prompts")
			job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in.parquet], text_column: q%s}
output: {dir: out, write_token_ids: true}
batching: {max_length: 24, max_batch_size: 4}
`, model, tt.input))
			mustRun(t, job)
			prompted := make([]string, n)
			for i, text := range first {
				prompted[i] = tt.prompt + text
			}
			py := readback(t, pyRequest{Out: filepath.Join(dir, "out"),
				Tokenize: &pyTokenize{Model: model, Texts: prompted, Pairs: pairs, MaxLength: 24}})
			got := readOutput(t, filepath.Join(dir, "out"))
			if p, ok := got.kv["bertbatch.prompt"]; p != tt.prompt || ok != (tt.prompt != "") {
				t.Errorf("metadata bertbatch.prompt = %q (present %v), want %q", p, ok, tt.prompt)
			}
			ids := got.lists(t, "input_ids")
			for i := range n {
				if !slices.Equal(ids[i], py.TokenIDs[i]) {
					t.Errorf("row %d: ids %v; tokenizers gives %v for %q", i, ids[i], py.TokenIDs[i], prompted[i])
				}
			}
		})
	}
}
