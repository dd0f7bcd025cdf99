package bert

import (
	"fmt"
	"os"
	"testing"

	"github.com/bertbatch/bertbatch/bert/internal/golden"
)

// goldenModels are the golden files of committed models and the head each is loaded with.
var goldenModels = []struct {
	name string
	head HeadType
}{
	{"tiny-bert", HeadNone},
	{"tiny-distilbert", HeadNone},
	{"tiny-bert-cls", HeadMulticlass},
	{"tiny-bert-multilabel", HeadMultilabel},
	{"tiny-bert-regression", HeadRegression},
	{"tiny-bert-binary", HeadBinary},
	{"tiny-distilbert-cls", HeadMulticlass},
	{"tiny-roberta", HeadNone},
	{"tiny-mpnet", HeadNone},
	{"tiny-modernbert", HeadNone},
	{"tiny-jina", HeadNone},
	{"tiny-xlm-roberta-cls", HeadMulticlass},
	{"tiny-mpnet-cls", HeadMulticlass},
	{"tiny-modernbert-cls", HeadMulticlass},
	{"tiny-jina-cls", HeadMulticlass},
}

// TestGoldenPaddingInvariance runs each golden file's short row alone and padded beside a row of
// the model's full length: each run must match the reference, and the short row's outputs must
// match each other.
func TestGoldenPaddingInvariance(t *testing.T) {
	for _, gm := range goldenModels {
		c := loadCase(t, gm.name+".json")
		m := loadModel(t, c.ModelDir, Options{Head: gm.head})
		t.Run(gm.name, func(t *testing.T) { checkPaddingInvariance(t, m, c, layouts) })
	}
}

// checkPaddingInvariance compares, in float32, the alone run and the padded batch fed in each of
// the given layouts with the reference, and the short row of each padded run with the alone run.
func checkPaddingInvariance(t *testing.T, m *Model, c *golden.Case, feeds []layout) {
	pi := c.PaddingInvariance
	alone := runPadded(t, m, &pi.Alone)
	checkOutputs(t, c.Model+"/alone", alone, &pi.Alone, fp32Tol)
	// The padded batch has no last_hidden_state reference; compute it to compare with alone.
	need := pi.Padded
	need.LastHiddenState = [][][]float32{}
	for _, l := range feeds {
		label := fmt.Sprintf("%s/padded/%s", c.Model, l.name)
		padded := l.run(t, m, &need)
		checkOutputs(t, label, padded, &pi.Padded, fp32Tol)
		checkOutputs(t, label+"≡alone", padded.row(pi.Row), alone.asGolden(pi.Alone.Inputs), fp32Tol)
	}
}

// realModelDir is the folder of the real model a golden case names through its environment
// variable; the test is skipped when it is not set or the folder is absent.
func realModelDir(t *testing.T, c *golden.Case) string {
	t.Helper()
	dir := os.Getenv(c.ModelEnv)
	if dir == "" {
		t.Skipf("%s is not set: run the tests through `make test` or `eval \"$(make env)\"` (after `make model`) to compare with %s", c.ModelEnv, c.Model)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s=%s: %v; run `make model` to fetch %s", c.ModelEnv, dir, err, c.Model)
	}
	return dir
}
