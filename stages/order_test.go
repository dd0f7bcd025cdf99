package stages

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestOrderWithWorkers runs the same input with one worker and with several, with batches small
// enough that there are many of them, sorted by length inside each sort window: every run must
// write the rows in input order, and the same batches give bitwise the same embeddings whatever
// the number of workers. Other batch shapes pad rows differently, so they agree to rounding.
func TestOrderWithWorkers(t *testing.T) {
	dir := t.TempDir()
	var want []int64
	for f, n := range []int{170, 1, 90, 140} {
		toks := tokenRows(uint64(20+f), n, 2, 48)
		first := 1000 * f
		new(columns).int64s("id", ids(first, n)).lists("input_ids", arrow.PrimitiveTypes.Int32, toks).
			write(t, filepath.Join(dir, "in", fmt.Sprintf("f%d.parquet", f)), 33)
		want = append(want, ids(first, n)...)
	}
	run := func(name string, workers int, batching string) *output {
		t.Helper()
		job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in], passthrough: [id]}
output: {dir: %s, rows_per_file: 50}
batching: {%s}
workers: %d
`, modelDir(t, "tiny-bert"), name, batching, workers))
		sum := mustRun(t, job)
		if sum.Rows != int64(len(want)) {
			t.Errorf("%s: %d rows written, want %d", name, sum.Rows, len(want))
		}
		got := readOutput(t, filepath.Join(dir, name))
		if g := got.int64s(t, "id"); !slices.Equal(g, want) {
			t.Errorf("%s: ids in output order are not the input order:\n%v", name, g)
		}
		return got
	}
	const small = "max_batch_size: 3, max_tokens: 96, sort_window: 9, max_length: 48"
	one := run("one", 1, small)
	three := run("three", 3, small)
	equalVectors(t, "3 workers vs 1", three.vectors(t, "embedding"), one.vectors(t, "embedding"))
	other := run("other", 4, "max_batch_size: 32, sort_window: 1")
	closeVectors(t, "other batches vs 1 worker", other.vectors(t, "embedding"), one.vectors(t, "embedding"), 1e-5)
}
