package bert

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestLoadPrompts reads config_sentence_transformers.json as sentence-transformers 6's
// _validate_prompts does: a null prompt text is "", and a default naming no prompt is an error.
func TestLoadPrompts(t *testing.T) {
	tests := []struct {
		name    string
		file    string // "" writes no file
		want    Prompts
		wantErr string
	}{
		{name: "no file", want: Prompts{}},
		{name: "no prompts", file: `{"similarity_fn_name": "cosine"}`, want: Prompts{Texts: map[string]string{}}},
		{name: "prompts and default", file: `{"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": "query"}`,
			want: Prompts{Texts: map[string]string{"query": "query: ", "passage": "passage: "}, Default: "query"}},
		{name: "null text and null default", file: `{"prompts": {"query": null, "document": ""}, "default_prompt_name": null}`,
			want: Prompts{Texts: map[string]string{"query": "", "document": ""}}},
		{name: "default names no prompt", file: `{"prompts": {"query": "q: "}, "default_prompt_name": "passage"}`,
			wantErr: `field "default_prompt_name": "passage" names no prompt of field "prompts" (query)`},
		{name: "prompt not a string", file: `{"prompts": {"query": 3}}`, wantErr: "config_sentence_transformers.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.file != "" {
				if err := os.WriteFile(filepath.Join(dir, stConfigName), []byte(tt.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := LoadPrompts(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestReadIncludePrompt reads the pooling module's include_prompt (true when absent).
func TestReadIncludePrompt(t *testing.T) {
	tests := []struct {
		name, file string
		want       bool
		wantErr    string
	}{
		{"absent", `{"pooling_mode": "mean"}`, true, ""},
		{"false", `{"pooling_mode": "mean", "include_prompt": false}`, false, ""},
		{"legacy keys, true", `{"pooling_mode_mean_tokens": true, "include_prompt": true}`, true, ""},
		{"not a boolean", `{"pooling_mode": "mean", "include_prompt": "no"}`, false, `field "include_prompt": want true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			_, got, err := readPoolingModes(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("include_prompt = %v (err %v), want %v", got, err, tt.want)
			}
		})
	}
}

// TestPromptsText names the model's prompts when asked for one it lacks.
func TestPromptsText(t *testing.T) {
	p := Prompts{Texts: map[string]string{"query": "q: ", "passage": ""}, Default: "query"}
	if text, err := p.Text("passage"); err != nil || text != "" {
		t.Errorf(`Text("passage") = %q, %v; want "", nil`, text, err)
	}
	if _, err := p.Text("doc"); err == nil || !strings.Contains(err.Error(), `(it has "passage", "query")`) {
		t.Errorf(`Text("doc") error %v, want the names listed`, err)
	}
	if got := p.DefaultText(); got != "q: " {
		t.Errorf("DefaultText() = %q", got)
	}
}
