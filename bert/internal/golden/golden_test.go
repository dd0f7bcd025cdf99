package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadCommittedFiles(t *testing.T) {
	names, err := filepath.Glob(Path("*.json"))
	if err != nil || len(names) < 9 {
		t.Fatalf("want at least 9 golden files in %s, got %d (err %v)", Path(""), len(names), err)
	}
	for _, path := range names {
		if filepath.Base(path) == "variants.json" {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			c, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if c.ModelDir == "" && c.ModelEnv == "" {
				t.Fatal("neither model_dir nor model_env is set")
			}
			if c.ModelDir != "" {
				if _, err := os.Stat(filepath.Join(c.ModelDir, "config.json")); err != nil {
					t.Fatalf("model folder: %v", err)
				}
			}
			if c.Versions["transformers"] == "" || c.Versions["torch"] == "" {
				t.Fatalf("versions %v lack transformers or torch", c.Versions)
			}
			if c.SentenceEmbedding == nil && c.Logits == nil {
				t.Fatal("neither sentence_embedding nor logits")
			}
		})
	}
}

func TestLoadVariants(t *testing.T) {
	vs, err := LoadVariants(Path("variants.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 8 {
		t.Fatalf("want 8 variants (7 of tiny-bert, 1 of tiny-jina), got %d", len(vs))
	}
	for _, v := range vs {
		t.Run(filepath.Base(v.ModelDir), func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(v.ModelDir, "config.json")); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(v.Golden); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       []string
		err        bool
	}{
		{"single", `"positive"`, []string{"positive"}, false},
		{"multi", `["a","b"]`, []string{"a", "b"}, false},
		{"none", `[]`, []string{}, false},
		{"number", `3`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l Labels
			err := l.UnmarshalJSON([]byte(tc.json))
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if !tc.err && strings.Join(l, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %q, want %q", l, tc.want)
			}
		})
	}
}

func TestLoadRejects(t *testing.T) {
	row := `{"input_ids":[2,3],"attention_mask":[1,1],"token_type_ids":[0,0]}`
	short := `{"input_ids":[2],"attention_mask":[1],"token_type_ids":[0]}`
	pi := `"padding_invariance":{"row":0,"alone":{"inputs":[` + row + `]},"padded":{"inputs":[` + row + `]}}`
	for _, tc := range []struct{ name, body, want string }{
		{"unknown key", `{"model":"m","surprise":1,"inputs":[` + row + `],` + pi + `}`, "surprise"},
		{"ragged inputs", `{"model":"m","inputs":[` + row + `,` + short + `],` + pi + `}`, "inputs[1]"},
		{"rows", `{"model":"m","inputs":[` + row + `],"logits":[[1],[2]],` + pi + `}`, "logits: 2 rows"},
		{"positions", `{"model":"m","inputs":[` + row + `],"last_hidden_state":[[[1]]],` + pi + `}`, "last_hidden_state[0]"},
		{"pi row", `{"model":"m","inputs":[` + row + `],"padding_invariance":{"row":3,"alone":{"inputs":[` + row +
			`]},"padded":{"inputs":[` + row + `]}}}`, "row 3"},
		{"no model", `{"inputs":[` + row + `],` + pi + `}`, `"model"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.json")
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
