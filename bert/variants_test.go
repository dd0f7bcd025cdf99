package bert

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/bert/internal/golden"
	"github.com/bertbatch/bertbatch/mlx"
)

// variantFormats is the checkpoint format the engine must report for each variant folder, and
// whether loading it must warn that safetensors is preferred.
var variantFormats = map[string]struct {
	format string
	warns  bool
}{
	"tiny-bert-bin":      {"pytorch-zip", true},
	"tiny-bert-legacy":   {"pytorch-legacy", true},
	"tiny-bert-sharded":  {"safetensors-sharded", false},
	"tiny-bert-f16":      {"safetensors", false},
	"tiny-bert-bf16":     {"safetensors", false},
	"tiny-bert-oldnames": {"safetensors", false},
	"tiny-bert-npz":      {"npz", false},
	"tiny-jina-modules":  {"safetensors", false},
}

// TestGoldenVariants loads tiny-bert's (and tiny-jina's) weights from every other checkpoint
// layout (testdata/golden/variants.json) and compares them, in float32, with the model's
// reference outputs within the tolerances the file lists.
func TestGoldenVariants(t *testing.T) {
	variants, err := golden.LoadVariants(golden.Path("variants.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(variants) != len(variantFormats) {
		t.Fatalf("variants.json lists %d variants, the test knows %d", len(variants), len(variantFormats))
	}
	for _, v := range variants {
		name := filepath.Base(v.ModelDir)
		t.Run(name, func(t *testing.T) {
			want, ok := variantFormats[name]
			if !ok {
				t.Fatalf("variant %s (%s) is unknown to the test", name, v.Format)
			}
			c := loadCase(t, filepath.Base(v.Golden))
			var warnings []string
			m := loadModel(t, v.ModelDir, Options{Warn: func(s string) { warnings = append(warnings, s) }})
			if m.Format != want.format {
				t.Errorf("format %q, want %q", m.Format, want.format)
			}
			warned := len(warnings) == 1 && strings.Contains(warnings[0], "safetensors is preferred")
			if warned != want.warns || (!want.warns && len(warnings) > 0) {
				t.Errorf("warnings %q; want a safetensors-is-preferred warning: %v", warnings, want.warns)
			}
			tol := tolerance{maxAbs: v.MaxAbsDiff, minCos: v.MinCosine}
			label := fmt.Sprintf("%s/%s", name, mlx.Float32)
			noST := c.Batch // the variants have no sentence-transformers files
			noST.SentenceEmbedding = nil
			checkOutputs(t, label, runPadded(t, m, &noST), &noST, tol)
			checkVariantEmbedding(t, label, m, c, tol)
		})
	}
}

// checkVariantEmbedding compares Embed with the case's pooling named explicitly, as a caller does
// for a folder without sentence-transformers files, with the reference sentence_embedding.
func checkVariantEmbedding(t *testing.T, label string, m *Model, c *golden.Case, tol tolerance) {
	var got [][]float32
	onWorkerOrStop(t, func(s *mlx.Stream) {
		sc := mlx.NewScope(s)
		defer sc.Close()
		var err error
		got, err = m.Embed(sc, paddedBatch(c.Inputs), EmbedOptions{Pooling: Pooling(c.PoolingMode), Normalize: &c.Normalize})
		if err != nil {
			t.Fatal(err)
		}
	})
	report(t, label, "Embed", vectorDiff(t, "sentence_embedding", got, c.SentenceEmbedding), tol)
}
