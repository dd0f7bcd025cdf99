package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// crashRowsPerFile is output.rows_per_file of the harness's jobs: the size of its units, smaller than
// the inputs' Parquet row groups (1,300 and 1,700 rows) and no divisor of them.
const crashRowsPerFile = 500

// crashDataset is one input dataset of the harness and the job that reads it.
type crashDataset struct {
	name string // "text" or "tokens"
	dir  string // holds in/ (the inputs), the job files and the output folders
	// input is the job's input section without its paths.
	input string
}

// crashDatasets writes the harness's inputs under dir with testdata/crash/gen_inputs.py and checks
// that their Parquet files have the shape that makes a resume hard.
func crashDatasets(t *testing.T, py, dir string) []crashDataset {
	t.Helper()
	cmd := exec.Command(py, "testdata/crash/gen_inputs.py", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen_inputs.py: %v\n%s", err, out)
	}
	sets := []crashDataset{
		{name: "text", dir: filepath.Join(dir, "text"), input: "text_column: text, passthrough: [id]"},
		{name: "tokens", dir: filepath.Join(dir, "tokens"), input: "passthrough: [id]"},
	}
	for _, s := range sets {
		paths, err := filepath.Glob(filepath.Join(s.dir, "in", "*.parquet"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("%s: no Parquet input written (%v)", s.dir, err)
		}
		for _, p := range paths {
			if err := checkPagedRowGroups(p, crashRowsPerFile); err != nil {
				t.Fatal(err)
			}
		}
	}
	return sets
}

// checkPagedRowGroups reports an error unless every row group of the Parquet file at path holds more
// than unitRows rows and every column chunk in it more than one data page.
func checkPagedRowGroups(path string, unitRows int64) error {
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer r.Close()
	if r.NumRowGroups() < 2 {
		return fmt.Errorf("%s: %d row group; the harness needs several", path, r.NumRowGroups())
	}
	for g := range r.NumRowGroups() {
		rg := r.RowGroup(g)
		if rg.NumRows() <= unitRows {
			return fmt.Errorf("%s: row group %d holds %d rows, not more than a unit's %d", path, g, rg.NumRows(), unitRows)
		}
		for c := range rg.NumColumns() {
			pages, err := dataPages(rg, c)
			if err != nil {
				return fmt.Errorf("%s: row group %d, column %d: %w", path, g, c, err)
			}
			if pages < 2 {
				return fmt.Errorf("%s: row group %d, column %d: %d data page; the harness needs several", path, g, c, pages)
			}
		}
	}
	return nil
}

// dataPages counts the data pages of column c of a row group.
func dataPages(rg *file.RowGroupReader, c int) (int, error) {
	pr, err := rg.GetColumnPageReader(c)
	if err != nil {
		return 0, err
	}
	defer pr.Close()
	n := 0
	for pr.Next() {
		if t := pr.Page().Type(); t == file.PageTypeDataPage || t == file.PageTypeDataPageV2 {
			n++
		}
	}
	return n, pr.Err()
}

// jobFile writes a job that reads the dataset into the output folder out (a name under the
// dataset's folder) and returns its path.
func (s crashDataset) jobFile(t *testing.T, out string) string {
	t.Helper()
	return writeFile(t, s.dir, out+".yaml", fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in], %s}
output: {dir: %s, rows_per_file: %d}
workers: 2
`, tinyBert(t), s.input, out, crashRowsPerFile))
}

// comparison is what testdata/crash/compare_outputs.py prints.
type comparison struct {
	Same      bool
	Files     int
	Rows      int
	Identical int `json:"byte_identical_files"`
	Problems  []string
}

// compareOutputs compares the output folder got with want through pyarrow, bitwise.
func compareOutputs(t *testing.T, py, want, got string) comparison {
	t.Helper()
	out, err := exec.Command(py, "testdata/crash/compare_outputs.py", want, got).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("compare_outputs.py %s %s: %v\n%s", want, got, err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var c comparison
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatalf("decoding compare_outputs.py's output: %v\n%s", err, out)
	}
	return c
}

// manifestLines counts the complete lines of the output folder's manifest (0 when there is none).
func manifestLines(out string) int {
	data, err := os.ReadFile(filepath.Join(out, "_manifest.jsonl"))
	if err != nil {
		return 0
	}
	return strings.Count(string(data), "\n")
}

// checkComparison makes sure compare_outputs.py can fail: a copy of the reference with one bit of
// one vector flipped must differ in exactly that row, and a copy missing a part file must differ too.
func checkComparison(t *testing.T, py string, ref crashReference) {
	t.Helper()
	parts, err := filepath.Glob(filepath.Join(ref.out, "part-*.parquet"))
	if err != nil || len(parts) < 2 {
		t.Fatalf("reference %s: %d part files (%v); want several", ref.out, len(parts), err)
	}
	tampered := filepath.Join(ref.set.dir, "tampered")
	if err := os.MkdirAll(tampered, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tampered)
	for _, p := range parts {
		data, err := os.ReadFile(p)
		if err == nil {
			err = os.WriteFile(filepath.Join(tampered, filepath.Base(p)), data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	flipped := filepath.Join(tampered, filepath.Base(parts[0]))
	if out, err := exec.Command(py, "testdata/crash/flip_bit.py", flipped, "7").CombinedOutput(); err != nil {
		t.Fatalf("flip_bit.py: %v\n%s", err, out)
	}
	c := compareOutputs(t, py, ref.out, tampered)
	if c.Same || len(c.Problems) != 1 || !strings.Contains(c.Problems[0], filepath.Base(parts[0])+`: column "embedding": 1 of `) ||
		!strings.Contains(c.Problems[0], "first row 7 ") {
		t.Fatalf("one flipped bit in row 7 of %s: the comparison says %+v", filepath.Base(parts[0]), c)
	}
	if err := os.Remove(filepath.Join(tampered, filepath.Base(parts[1]))); err != nil {
		t.Fatal(err)
	}
	if c := compareOutputs(t, py, ref.out, tampered); c.Same || !strings.Contains(strings.Join(c.Problems, "\n"), "missing file "+filepath.Base(parts[1])) {
		t.Fatalf("%s removed: the comparison says %+v", filepath.Base(parts[1]), c)
	}
	fmt.Println("crash harness: the comparison catches one flipped bit and a missing part file")
}
