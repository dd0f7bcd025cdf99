package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestExamples checks that every example job in this folder is valid.
func TestExamples(t *testing.T) {
	t.Setenv("BERTBATCH_MODEL_DIR", "/opt/models/all-MiniLM-L6-v2")
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) < 2 {
		t.Fatalf("want the example jobs in jobs/, found %v (%v)", files, err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			j, err := Load(f)
			if err != nil {
				t.Fatalf("%v", err)
			}
			if j.Hash() == "" {
				t.Error("empty hash")
			}
		})
	}
}

// TestExampleKinds checks what the two reference examples ask for.
func TestExampleKinds(t *testing.T) {
	t.Setenv("BERTBATCH_MODEL_DIR", "/opt/models/all-MiniLM-L6-v2")
	embed, err := Load("embed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !embed.Model.IsLocal() || embed.Model.Ref != "/opt/models/all-MiniLM-L6-v2" || embed.Model.Head != HeadNone ||
		embed.Input.TextColumn == "" || embed.Output.EmbeddingColumn == "" {
		t.Errorf("embed.yaml: %+v", embed)
	}
	classify, err := Load("classify.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if classify.Model.IsLocal() || classify.Model.Head == HeadNone || classify.Output.EmbeddingColumn != "" {
		t.Errorf("classify.yaml: %+v", classify)
	}
}

// TestLoadErrors checks that Load tells an unreadable file from an invalid one.
func TestLoadErrors(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	var ps Problems
	if !errors.Is(err, os.ErrNotExist) || errors.As(err, &ps) {
		t.Errorf("missing file: got %v", err)
	}
	t.Setenv("BERTBATCH_MODEL_DIR", "")
	_, err = Load("embed.yaml")
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Path != "model.ref" {
		t.Errorf("embed.yaml with BERTBATCH_MODEL_DIR empty: got %v", err)
	}
}
