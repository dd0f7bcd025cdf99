package wordpiece

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestParityFortunesFull compares every fortune of Debian's fortunes packages (about 100,000
// texts in 12 languages, plus pairs of them) with HF tokenizers run live. It is opt-in: fetch the
// packages with testdata/fetch_fortunes.sh DIR and set BERTBATCH_FORTUNES_DIR=DIR.
func TestParityFortunesFull(t *testing.T) {
	fortunes, python, modelDir := os.Getenv("BERTBATCH_FORTUNES_DIR"), os.Getenv("BERTBATCH_PYTHON"), os.Getenv("BERTBATCH_MODEL_DIR")
	if fortunes == "" || python == "" || modelDir == "" || testing.Short() {
		t.Skip("opt-in: needs BERTBATCH_FORTUNES_DIR (testdata/fetch_fortunes.sh), BERTBATCH_PYTHON and BERTBATCH_MODEL_DIR, and no -short")
	}
	out := runPython(t, python, nil, "corpus", "--fortunes", fortunes)
	var singles, pairs []corpusRow
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var r corpusRow
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		singles = append(singles, r)
	}
	for i := 0; i+1 < len(singles); i += 2 {
		pair := singles[i+1].Text
		pairs = append(pairs, corpusRow{Text: singles[i].Text, TextPair: &pair, Source: singles[i].Source + " + " + singles[i+1].Source})
	}
	t.Logf("%d fortunes, %d pairs", len(singles), len(pairs))
	casedDir := t.TempDir()
	copyVariant(t, "testdata/variants/cased", casedDir)
	cases := []struct {
		name      string
		tokenizer string
		rows      []corpusRow
		maxLength int
	}{
		{"uncased@512", filepath.Join(modelDir, "tokenizer.json"), singles, 512},
		{"cased@512", filepath.Join(casedDir, "tokenizer.json"), singles, 512},
		{"uncased-pairs@64", filepath.Join(modelDir, "tokenizer.json"), pairs, 64},
		{"cased-pairs@200", filepath.Join(casedDir, "tokenizer.json"), pairs, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var in bytes.Buffer
			inputs := make([]Input, len(c.rows))
			for i, r := range c.rows {
				line, _ := json.Marshal(r)
				in.Write(append(line, '\n'))
				inputs[i] = Input{Text: r.Text, Pair: r.TextPair}
			}
			dir := t.TempDir() // the tokenizer.json alone: no configs that change the limit
			data, err := os.ReadFile(c.tokenizer)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			tok, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			got := tok.EncodeBatch(inputs, c.maxLength)
			ref := runPython(t, python, &in, "encode", "--tokenizer", c.tokenizer, "--max-length", itoa(c.maxLength))
			sc := bufio.NewScanner(bytes.NewReader(ref))
			sc.Buffer(nil, 1<<24)
			bad, i := 0, 0
			for ; sc.Scan(); i++ {
				var e expectedRow
				if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
					t.Fatal(err)
				}
				if slices.Equal(got[i].InputIDs, e.InputIDs) && slices.Equal(got[i].TokenTypeIDs, e.TokenTypeIDs) {
					continue
				}
				if bad++; bad <= 8 {
					t.Errorf("row %d (%s) %q:\n%s", i, c.rows[i].Source, clip(c.rows[i].Text, 80), diffIDs(got[i], e))
				}
			}
			if i != len(c.rows) {
				t.Fatalf("tokenizers gave %d rows for %d inputs", i, len(c.rows))
			}
			if bad > 0 {
				t.Errorf("%d of %d rows differ", bad, len(c.rows))
			}
		})
	}
}

func runPython(t *testing.T, python string, stdin *bytes.Buffer, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(python, append([]string{"testdata/gen_parity.py"}, args...)...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", python, args, err, stderr.String())
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
