package wordpiece

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The parity goldens are written by testdata/gen_parity.py with HF tokenizers; see its doc.

type parityManifest struct {
	Tokenizers  string            `json:"tokenizers"`
	ModelSHA256 map[string]string `json:"model_sha256"`
	Groups      map[string][]int  `json:"groups"`
	Variants    map[string]struct {
		ModelFiles []string `json:"model_files"`
		FilesFrom  *string  `json:"files_from"`
		Modes      []struct {
			Groups             []string `json:"groups"`
			MaxLength          int      `json:"max_length"`
			ReferenceMaxLength int      `json:"reference_max_length"`
		} `json:"modes"`
	} `json:"variants"`
}

// corpusRow is a row of testdata/corpus.jsonl.gz, in the JSON Lines shape `bertbatch tokenize` reads.
type corpusRow struct {
	Text     string  `json:"text"`
	TextPair *string `json:"text_pair,omitempty"`
	Source   string  `json:"source"`
}

type expectedRow struct {
	Row          int     `json:"row"`
	MaxLength    int     `json:"max_length"`
	InputIDs     []int32 `json:"input_ids"`
	TokenTypeIDs []int32 `json:"token_type_ids"`
}

func TestParity(t *testing.T) {
	var m parityManifest
	readJSONFile(t, "testdata/parity.json", &m)
	var rows []corpusRow
	readJSONLines(t, "testdata/corpus.jsonl.gz", func(dec *json.Decoder) error {
		var r corpusRow
		err := dec.Decode(&r)
		rows = append(rows, r)
		return err
	})
	names := make([]string, 0, len(m.Variants))
	for name := range m.Variants {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v := m.Variants[name]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if v.FilesFrom != nil {
				copyVariant(t, filepath.Join("testdata/variants", *v.FilesFrom), dir)
			}
			copyVariant(t, filepath.Join("testdata/variants", name), dir)
			copyModelFiles(t, m, v.ModelFiles, dir)
			tok, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			want := map[[2]int]expectedRow{}
			readJSONLines(t, filepath.Join("testdata/expected", name+".jsonl.gz"), func(dec *json.Decoder) error {
				var e expectedRow
				err := dec.Decode(&e)
				want[[2]int{e.Row, e.MaxLength}] = e
				return err
			})
			for _, mode := range v.Modes {
				t.Run(fmt.Sprintf("%s@%d", strings.Join(mode.Groups, "+"), mode.MaxLength), func(t *testing.T) {
					if mode.MaxLength == 0 && tok.MaxLength() != mode.ReferenceMaxLength {
						t.Errorf("MaxLength() = %d (from %s), want %d", tok.MaxLength(), tok.Settings().MaxLengthFrom, mode.ReferenceMaxLength)
					}
					var idx []int
					for _, g := range mode.Groups {
						idx = append(idx, m.Groups[g]...)
					}
					in := make([]Input, len(idx))
					for i, r := range idx {
						in[i] = Input{Text: rows[r].Text, Pair: rows[r].TextPair}
					}
					got := tok.EncodeBatch(in, mode.MaxLength)
					bad := 0
					for i, r := range idx {
						e, ok := want[[2]int{r, mode.MaxLength}]
						if !ok {
							t.Fatalf("no expected ids for row %d", r)
						}
						if slices.Equal(got[i].InputIDs, e.InputIDs) && slices.Equal(got[i].TokenTypeIDs, e.TokenTypeIDs) {
							continue
						}
						if bad++; bad <= 8 {
							t.Errorf("row %d (%s) %q:\n%s", r, rows[r].Source, clip(rows[r].Text, 80), diffIDs(got[i], e))
						}
					}
					if bad > 0 {
						t.Errorf("%d of %d rows differ from tokenizers %s", bad, len(idx), m.Tokenizers)
					}
				})
			}
		})
	}
}

func diffIDs(got Encoding, want expectedRow) string {
	at := 0
	for at < len(got.InputIDs) && at < len(want.InputIDs) && got.InputIDs[at] == want.InputIDs[at] {
		at++
	}
	from := max(at-3, 0)
	return fmt.Sprintf("  first difference at %d: got ids ...%v (len %d) types %v\n  want ...%v (len %d) types %v",
		at, got.InputIDs[from:min(at+5, len(got.InputIDs))], len(got.InputIDs), clipIDs(got.TokenTypeIDs),
		want.InputIDs[from:min(at+5, len(want.InputIDs))], len(want.InputIDs), clipIDs(want.TokenTypeIDs))
}

func clipIDs(ids []int32) []int32 { return ids[:min(len(ids), 40)] }

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// copyVariant copies a variant's committed files into dir, unzipping *.gz.
// copyVariant copies a variant's own files (gunzipped) into dir. A variant made only of the real
// model's files has no folder of its own (git keeps no empty folder).
func copyVariant(t testing.TB, src, dir string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		name := e.Name()
		if strings.HasSuffix(name, ".gz") {
			data, name = gunzip(t, data), strings.TrimSuffix(name, ".gz")
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// copyModelFiles copies files of the real all-MiniLM-L6-v2 folder ($BERTBATCH_MODEL_DIR) after
// checking they are the ones the goldens were made from.
func copyModelFiles(t *testing.T, m parityManifest, files []string, dir string) {
	t.Helper()
	if len(files) == 0 {
		return
	}
	modelDir := os.Getenv("BERTBATCH_MODEL_DIR")
	if modelDir == "" {
		t.Skip("BERTBATCH_MODEL_DIR is not set (make test sets it after `make model`); this variant reads the real model's tokenizer files")
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(modelDir, f))
		if err != nil {
			t.Fatalf("%v (run `make model`)", err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != m.ModelSHA256[f] {
			t.Fatalf("%s/%s has sha256 %s, but the goldens were made from %s; rerun testdata/gen_parity.py", modelDir, f, got, m.ModelSHA256[f])
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func gunzip(t testing.TB, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readJSONFile(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// readJSONLines calls decode until the gzipped JSON Lines file at path is exhausted.
func readJSONLines(t testing.TB, path string, decode func(*json.Decoder) error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bufio.NewReader(zr))
	for dec.More() {
		if err := decode(dec); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}
