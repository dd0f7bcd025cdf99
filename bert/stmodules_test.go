package bert

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/bert/internal/golden"
)

// stModulesCase is one record of testdata/stmodules.json (written by testdata/gen_stmodules.py):
// files written over a copy of a sentence-transformers folder and what sentence-transformers
// made of them.
type stModulesCase struct {
	Name         string                     `json:"name"`
	Files        map[string]json.RawMessage `json:"files"` // null deletes the file
	Error        string                     `json:"error"`
	PoolingModes []string                   `json:"pooling_modes"`
	Normalize    bool                       `json:"normalize"`
	MaxSeqLength int                        `json:"max_seq_length"`
}

// stModulesRefused are the cases sentence-transformers loads and the engine refuses on purpose,
// with what its error must say.
var stModulesRefused = map[string]string{
	"legacy none enabled": "no pooling mode is enabled",
	"weightedmean":        "pooling mode weightedmean is not supported",
	"legacy lasttoken":    "pooling mode lasttoken is not supported",
}

// TestSentenceTransformersModules reads module files in both sentence-transformers layouts and
// compares the pooling modes, normalisation and max length with what sentence-transformers 6
// read from the same files.
func TestSentenceTransformersModules(t *testing.T) {
	var file struct {
		Reference string          `json:"reference"`
		Base      string          `json:"base"`
		Cases     []stModulesCase `json:"cases"`
	}
	data, err := os.ReadFile(filepath.Join("testdata", "stmodules.json"))
	if err != nil {
		t.Fatalf("%v (written by bert/testdata/gen_stmodules.py)", err)
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(golden.Dir(), filepath.FromSlash(file.Base))
	for _, tc := range file.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			dir := copyModel(t, base)
			writeCaseFiles(t, dir, tc.Files)
			m, err := LoadDir(dir, Options{})
			refused, deliberate := stModulesRefused[tc.Name]
			switch {
			case tc.Error != "" || deliberate:
				if err == nil {
					m.Close()
					t.Fatalf("loaded; want an error (sentence-transformers: %q)", tc.Error)
				}
				if !strings.Contains(err.Error(), refused) || !strings.Contains(err.Error(), "1_Pooling") {
					t.Fatalf("err = %v; want it to name 1_Pooling/config.json and say %q", err, refused)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			defer m.Close()
			var want []Pooling
			for _, name := range tc.PoolingModes {
				want = append(want, stModeNames[name])
			}
			if !slices.Equal(m.Pooling.Modes, want) || m.Pooling.Normalize != tc.Normalize {
				t.Errorf("pooling %v normalize %v; sentence-transformers: %v normalize %v", m.Pooling.Modes, m.Pooling.Normalize, tc.PoolingModes, tc.Normalize)
			}
			if want := min(tc.MaxSeqLength, m.Config.MaxSequenceLength()); m.MaxLength != want {
				t.Errorf("max length %d; sentence-transformers: %d (capped at the %d positions: %d)",
					m.MaxLength, tc.MaxSeqLength, m.Config.MaxSequenceLength(), want)
			}
		})
	}
}

// writeCaseFiles writes (or, for null, deletes) files relative to dir.
func writeCaseFiles(t *testing.T, dir string, files map[string]json.RawMessage) {
	t.Helper()
	for rel, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if string(content) == "null" {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
