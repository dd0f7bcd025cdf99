package bert

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/bert/internal/golden"
	"github.com/bertbatch/bertbatch/mlx"
)

// TestGoldenHeads runs every sequence-classification checkpoint with its head in float32, padded
// and unpadded, against transformers' logits, the probabilities its problem type implies and the
// labels from id2label.
func TestGoldenHeads(t *testing.T) {
	heads := []struct {
		name string
		head HeadType
	}{
		{"tiny-bert-binary", HeadMulticlass}, // two labels: a softmax either way
	}
	for _, gm := range goldenModels {
		if gm.head != HeadNone {
			heads = append(heads, gm)
		}
	}
	for _, h := range heads {
		c := loadCase(t, h.name+".json")
		m := loadModel(t, c.ModelDir, Options{Head: h.head})
		checkHeadModel(t, m, c)
		for _, l := range layouts {
			label := fmt.Sprintf("%s/%s/%s/%s", h.name, h.head, mlx.Float32, l.name)
			t.Run(label, func(t *testing.T) { checkOutputs(t, label, l.run(t, m, &c.Batch), &c.Batch, fp32Tol) })
		}
	}
}

// checkHeadModel compares the loaded head's size and labels with the reference.
func checkHeadModel(t *testing.T, m *Model, c *golden.Case) {
	t.Helper()
	if m.NumLabels() != len(c.Logits[0]) {
		t.Errorf("%s: %d head outputs, want %d", c.Model, m.NumLabels(), len(c.Logits[0]))
	}
	for k, v := range c.ID2Label {
		if got := m.Config.ID2Label[atoi(t, k)]; got != v {
			t.Errorf("%s: id2label[%s] = %q, want %q", c.Model, k, got, v)
		}
	}
}

func atoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("label id %q: %v", s, err)
	}
	return n
}

// TestHeadContradictingCheckpoint asks for heads the checkpoint cannot be: each is an error that
// names the file and field (or the missing tensors) and says what to do.
func TestHeadContradictingCheckpoint(t *testing.T) {
	models := filepath.Join(golden.Dir(), "models")
	noProblemType := withoutProblemType(t, filepath.Join(models, "tiny-bert-regression"))
	for _, tc := range []struct {
		dir  string
		head HeadType
		want []string
	}{
		{"tiny-bert-cls", HeadMultilabel, []string{"tiny-bert-cls/config.json", `"problem_type"`, `"single_label_classification"`, `contradicts head "multilabel"`}},
		{"tiny-bert-cls", HeadRegression, []string{`"problem_type"`, `contradicts head "regression"`}},
		{"tiny-bert-cls", HeadBinary, []string{`"id2label"`, "3 labels, but head binary wants 1 or 2"}},
		{"tiny-bert-multilabel", HeadMulticlass, []string{`"multi_label_classification"`, `contradicts head "multiclass"`}},
		{"tiny-bert-multilabel", HeadRegression, []string{`contradicts head "regression"`}},
		{"tiny-bert-regression", HeadMulticlass, []string{`"regression"`, `contradicts head "multiclass"`}},
		{"tiny-bert-regression", HeadBinary, []string{`"regression"`, `contradicts head "binary"`}},
		{"tiny-distilbert-cls", HeadRegression, []string{"tiny-distilbert-cls/config.json", `contradicts head "regression"`}},
		{noProblemType, HeadMulticlass, []string{`"id2label"`, "1 label", "use head regression or binary"}},
		{"tiny-bert", HeadMulticlass, []string{"tiny-bert:", "no sequence-classification head", "load it without a head"}},
		{"tiny-distilbert", HeadBinary, []string{"no sequence-classification head"}},
	} {
		name := filepath.Base(tc.dir)
		if tc.dir == noProblemType {
			name = "tiny-bert-regression-without-problem_type"
		}
		t.Run(name+"/"+string(tc.head), func(t *testing.T) {
			dir := tc.dir
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(models, dir)
			}
			m, err := LoadDir(dir, Options{Head: tc.head})
			if err == nil {
				m.Close()
				t.Fatalf("loading %s with head %s succeeded; want an error", tc.dir, tc.head)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

// withoutProblemType copies a model folder with problem_type removed from config.json.
func withoutProblemType(t *testing.T, src string) string {
	t.Helper()
	dir := copyModel(t, src)
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.Contains(l, `"problem_type"`) {
			kept = append(kept, l)
		}
	}
	if len(kept) == len(lines) {
		t.Fatalf("%s has no problem_type line", path)
	}
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyModel copies a model folder, subfolders included, into a temporary folder.
func copyModel(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
	return dst
}
