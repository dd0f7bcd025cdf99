package stages

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"testing"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/mlx"
)

// onWorker runs f on a locked OS thread with its own CPU stream, as a pipeline worker does.
func onWorker(t testing.TB, f func(s *mlx.Stream)) {
	t.Helper()
	if err := mlx.OnThread(mlx.CPU, func(s *mlx.Stream) error { f(s); return nil }); err != nil {
		t.Fatalf("stream: %v", err)
	}
}

// direct runs rows through the engine without the pipeline: the model loaded with bert.LoadDir,
// every row in a batch of its own. It returns embeddings, or predictions when head is set.
func direct(t testing.TB, dir string, head bert.HeadType, rows []row, eo bert.EmbedOptions) ([][]float32, []bert.Prediction) {
	t.Helper()
	m, err := bert.LoadDir(dir, bert.Options{Head: head})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var vecs [][]float32
	var preds []bert.Prediction
	onWorker(t, func(s *mlx.Stream) {
		for _, r := range rows {
			b := &bert.Batch{InputIDs: [][]int32{r.ids}}
			if r.types != nil {
				b.TokenTypeIDs = [][]int32{r.types}
			}
			if r.mask != nil {
				b.AttentionMask = [][]int32{r.mask}
			}
			sc := mlx.NewScope(s)
			if head != bert.HeadNone {
				p, err := m.Classify(sc, b)
				if err != nil {
					t.Errorf("Classify: %v", err)
				} else {
					preds = append(preds, p...)
				}
			} else {
				v, err := m.Embed(sc, b, eo)
				if err != nil {
					t.Errorf("Embed: %v", err)
				} else {
					vecs = append(vecs, v...)
				}
			}
			sc.Close()
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	return vecs, preds
}

// closeVectors checks got against want row by row within tol (absolute, per element).
func closeVectors(t testing.TB, what string, got, want [][]float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s: row %d has %d values, want %d", what, i, len(got[i]), len(want[i]))
		}
		for j := range got[i] {
			if d := math.Abs(float64(got[i][j]) - float64(want[i][j])); !(d <= tol) {
				if bad++; bad <= 5 {
					t.Errorf("%s: row %d [%d] = %g, want %g (diff %g > %g)", what, i, j, got[i][j], want[i][j], d, tol)
				}
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d values differ in all", what, bad)
	}
}

// pyView is what testdata/readback.py printed.
type pyView struct {
	Parts                []string
	Types                map[string]string
	Nullable             map[string]bool
	KVMetadata           map[string]string `json:"kv_metadata"`
	SchemaMetadata       map[string]string `json:"schema_metadata"`
	Rows                 int
	Columns              map[string][]any
	FixedSize            map[string]int `json:"fixed_size"`
	PassthroughEqual     *bool          `json:"passthrough_equal"`
	PassthroughTypesSame *bool          `json:"passthrough_types_equal"`
	TokenIDs             [][]int32      `json:"token_ids"`
	TokenTypeIDs         [][]int32      `json:"token_type_ids"`
	UntruncatedLengths   []int          `json:"untruncated_lengths"`
}

// pyRequest is readback.py's input.
type pyRequest struct {
	Out         string      `json:"out"`
	Inputs      []string    `json:"inputs,omitempty"`
	Passthrough []string    `json:"passthrough,omitempty"`
	Keep        []int       `json:"keep,omitempty"`
	Tokenize    *pyTokenize `json:"tokenize,omitempty"`
}

// pyTokenize asks readback.py to tokenize texts with Hugging Face tokenizers.
type pyTokenize struct {
	Model     string   `json:"model"`
	Texts     []string `json:"texts"`
	Pairs     []string `json:"pairs,omitempty"`
	MaxLength int      `json:"max_length"`
}

// python returns $BERTBATCH_PYTHON or skips the test.
func python(t testing.TB) string {
	t.Helper()
	py := os.Getenv("BERTBATCH_PYTHON")
	if py == "" {
		t.Skip("BERTBATCH_PYTHON is not set; run through `make test` or eval \"$(make -s env)\" to check against pyarrow and tokenizers")
	}
	return py
}

// readback runs testdata/readback.py.
func readback(t testing.TB, req pyRequest) *pyView {
	t.Helper()
	py := python(t)
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/readback.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("readback.py: %v\n%s", err, stderr.String())
	}
	var v pyView
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("decoding readback.py's output: %v\n%s", err, out)
	}
	return &v
}

// pyVectors converts a fixed-size list column as readback.py printed it.
func pyVectors(t testing.TB, v *pyView, name string) [][]float32 {
	t.Helper()
	col, ok := v.Columns[name]
	if !ok {
		t.Fatalf("pyarrow sees no column %q (types %v)", name, v.Types)
	}
	out := make([][]float32, len(col))
	for i, r := range col {
		vals := r.([]any)
		out[i] = make([]float32, len(vals))
		for j, x := range vals {
			out[i][j] = float32(x.(float64))
		}
	}
	return out
}

// equalVectors checks that two vector lists are bitwise equal.
func equalVectors(t testing.TB, what string, got, want [][]float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		for j := range max(len(got[i]), len(want[i])) {
			if j >= len(got[i]) || j >= len(want[i]) || math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
				if bad++; bad <= 5 {
					t.Errorf("%s: row %d differs at [%d]: %v, want %v", what, i, j, got[i], want[i])
				}
				break
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d rows differ in all", what, bad)
	}
}
