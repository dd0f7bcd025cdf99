package stages

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/bertbatch/bertbatch/io/outdir"
	"github.com/bertbatch/bertbatch/jobs"
)

// resumeInput writes files input files of rows rows each (row groups of rowGroup rows) under
// dir/in and returns the ids of the good rows in input order. With badEvery > 0, every
// badEvery-th row holds a token id outside the vocabulary.
func resumeInput(t testing.TB, dir string, files, rows int, rowGroup int64, badEvery int) []int64 {
	t.Helper()
	var good []int64
	for f := range files {
		toks := tokenRows(uint64(40+f), rows, 4, 40)
		for i := range toks {
			if badEvery > 0 && i%badEvery == badEvery-1 {
				toks[i][1] = 9999
			} else {
				good = append(good, int64(10000*f+i))
			}
		}
		new(columns).int64s("id", ids(10000*f, rows)).lists("input_ids", arrow.PrimitiveTypes.Int32, toks).
			write(t, filepath.Join(dir, "in", fmt.Sprintf("f%d.parquet", f)), rowGroup)
	}
	return good
}

// jobParts are the settings a test changes in resumeJob's job.
type jobParts struct {
	input    string // extra input fields
	output   string // extra output fields
	batching string // the batching section's fields
	workers  int
	extra    string // extra top-level fields
	// rowsPerFile is output.rows_per_file (default 40).
	rowsPerFile int
}

// resumeJob writes the job of the resume tests as dir/name.yaml, writing to dir/name, and
// returns its path. Each row is a batch of its own, so that its embedding does not depend on
// which rows a run happened to batch it with, and can be compared bitwise.
func resumeJob(t testing.TB, dir, name string, p jobParts) string {
	t.Helper()
	if p.input != "" {
		p.input = ", " + p.input
	}
	p.output = strings.TrimPrefix(p.output+", ", ", ")
	p.batching = cmp.Or(p.batching, "max_batch_size: 1")
	p.workers = cmp.Or(p.workers, 2)
	p.rowsPerFile = cmp.Or(p.rowsPerFile, 40)
	path := filepath.Join(dir, name+".yaml")
	writeText(t, path, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in], passthrough: [id]%s}
output: {%sdir: %s, rows_per_file: %d}
batching: {%s}
workers: %d
%s
`, modelDir(t, "tiny-bert"), p.input, p.output, name, p.rowsPerFile, p.batching, p.workers, p.extra))
	return path
}

// records counts the manifest's records of a kind (0 when there is no manifest yet).
func records(out, kind string) int {
	data, err := os.ReadFile(filepath.Join(out, "_manifest.jsonl"))
	if err != nil {
		return 0
	}
	return strings.Count(string(data), `"kind":"`+kind+`"`)
}

// lastRecord returns the kind of the manifest's last complete record.
func lastRecord(out string) string {
	data, _ := os.ReadFile(filepath.Join(out, "_manifest.jsonl"))
	lines := strings.Split(string(data), "\n")
	if len(lines) < 2 {
		return ""
	}
	var rec struct{ Kind string }
	json.Unmarshal([]byte(lines[len(lines)-2]), &rec)
	return rec.Kind
}

// manifestRows sums the rows of the manifest's unit records.
func manifestRows(t testing.TB, out string) int64 {
	t.Helper()
	data, _ := os.ReadFile(filepath.Join(out, "_manifest.jsonl"))
	var n int64
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var rec struct {
			Kind string
			Rows int64
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Kind == "unit" {
			n += rec.Rows
		}
	}
	return n
}

// tempFiles reports whether out holds a file being written.
func tempFiles(out string) bool {
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), outdir.TempPrefix) {
			return true
		}
	}
	return false
}

// killPoint is a moment to stop a run at, tested on its output folder; units is how many unit
// records the folder held when the run started.
type killPoint struct {
	name string
	at   func(out string, units int, since time.Duration) bool
}

var killPoints = []killPoint{
	{"at once", func(string, int, time.Duration) bool { return true }},
	{"after 60ms", func(_ string, _ int, d time.Duration) bool { return d >= 60*time.Millisecond }},
	{"after one unit", func(out string, n int, _ time.Duration) bool { return records(out, "unit") >= n+1 }},
	{"while a part is written", func(out string, n int, _ time.Duration) bool { return records(out, "unit") > n && tempFiles(out) }},
	{"between begin and unit records", func(out string, n int, _ time.Duration) bool {
		return records(out, "unit") > n && lastRecord(out) == "begin"
	}},
	{"after four units", func(out string, n int, _ time.Duration) bool { return records(out, "unit") >= n+4 }},
	{"after 400ms", func(_ string, _ int, d time.Duration) bool { return d >= 400*time.Millisecond }},
	{"after two units", func(out string, n int, _ time.Duration) bool { return records(out, "unit") >= n+2 }},
}

// stopAt starts a run of the job file and sends it sig at the kill point. It returns the
// child's exit code and whether it ended on its own first.
func stopAt(t *testing.T, job, out string, k killPoint, sig syscall.Signal) (int, bool) {
	t.Helper()
	units := records(out, "unit")
	c := startChild(t, job)
	start := time.Now()
	for !c.exited() && !k.at(out, units, time.Since(start)) {
		time.Sleep(time.Millisecond)
	}
	finished := c.exited()
	c.cmd.Process.Signal(sig)
	return c.wait(), finished
}

// checkSameDataset checks that out holds exactly the files and rows of ref: the same part
// names, the rows in the same order and bitwise the same embeddings, each unit recorded once,
// and no temporary file.
func checkSameDataset(t *testing.T, out, ref string, wantIDs []int64) {
	t.Helper()
	got, want := readOutput(t, out), readOutput(t, ref)
	if g := got.int64s(t, "id"); !slices.Equal(g, wantIDs) {
		t.Errorf("ids of the resumed output are not the input's, once each, in order:\n%v", g)
	}
	equalVectors(t, "resumed vs uninterrupted", got.vectors(t, "embedding"), want.vectors(t, "embedding"))
	names := func(paths []string) []string {
		var out []string
		for _, p := range paths {
			out = append(out, filepath.Base(p))
		}
		return out
	}
	if g, w := names(got.parts), names(want.parts); !slices.Equal(g, w) {
		t.Errorf("part files\n%v\nwant those of the uninterrupted run\n%v", g, w)
	}
	if gr, wr := readRejects(t, out), readRejects(t, ref); (gr == nil) != (wr == nil) {
		t.Errorf("rejects files: %v, the uninterrupted run's %v", gr, wr)
	} else if gr != nil {
		if g, w := names(gr.parts), names(wr.parts); !slices.Equal(g, w) {
			t.Errorf("rejects files\n%v\nwant those of the uninterrupted run\n%v", g, w)
		}
		if g, w := gr.int64s(t, "id"), wr.int64s(t, "id"); !slices.Equal(g, w) {
			t.Errorf("rejected ids %v, the uninterrupted run's %v", g, w)
		}
	}
	for _, name := range folderNames(t, out) {
		if strings.HasPrefix(name, ".") && name != ".bertbatch.lock" {
			t.Errorf("temporary file %s left in the output", name)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "_manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var rec struct {
			Kind string
			Unit struct {
				Input      string
				Start, End int64
			}
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("manifest line %q: %v", line, err)
		}
		if rec.Kind == "unit" {
			key := fmt.Sprintf("%s[%d:%d]", rec.Unit.Input, rec.Unit.Start, rec.Unit.End)
			if seen[key] {
				t.Errorf("manifest records %s twice", key)
			}
			seen[key] = true
		}
	}
	if len(seen) != len(got.parts) {
		t.Errorf("manifest records %d units for %d part files", len(seen), len(got.parts))
	}
}

// TestKillAndResume kills runs with SIGKILL at many points — during start-up, after some units
// were committed, at moments in between — resuming each time in the same folder, and checks that
// the final folder holds exactly what one uninterrupted run writes: parts and rejects files.
func TestKillAndResume(t *testing.T) {
	dir := t.TempDir()
	wantIDs := resumeInput(t, dir, 4, 160, 20, 13)
	rejects := jobParts{extra: "bad_rows: reject"}
	mustRun(t, jobAt(t, resumeJob(t, dir, "ref", rejects)))
	job := resumeJob(t, dir, "out", rejects)
	out := filepath.Join(dir, "out")

	for _, k := range killPoints {
		before := records(out, "unit")
		code, finished := stopAt(t, job, out, k, syscall.SIGKILL)
		t.Logf("kill %s: %d units recorded before, %d after; exit %d, finished first %v", k.name, before, records(out, "unit"), code, finished)
		if finished {
			break
		}
	}
	done, doneRows := records(out, "unit"), manifestRows(t, out)
	if done == 0 || done >= 15 {
		t.Logf("the kills left %d of 15 units finished; the resume below covers less than intended", done)
	}
	s, err := runJob(t, jobAt(t, job), Options{})
	if err != nil {
		t.Fatalf("resuming: %v", err)
	}
	if s.Rows+s.SkippedRows != int64(len(wantIDs)) || s.SkippedRows != doneRows {
		t.Errorf("resume summary: %d rows written, %d skipped; want %d skipped, %d in all", s.Rows, s.SkippedRows, doneRows, len(wantIDs))
	}
	checkSameDataset(t, out, filepath.Join(dir, "ref"), wantIDs)

	// A run of the finished job writes nothing and changes nothing.
	s, err = runJob(t, jobAt(t, job), Options{})
	if err != nil || s.Rows != 0 || s.SkippedRows != int64(len(wantIDs)) {
		t.Errorf("rerun of a finished job: %v, %d rows written, %d skipped", err, s.Rows, s.SkippedRows)
	}
	checkSameDataset(t, out, filepath.Join(dir, "ref"), wantIDs)
}

// jobAt loads a job file.
func jobAt(t testing.TB, path string) *jobs.Job {
	t.Helper()
	job, err := jobs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// TestResumeWithOtherRowsPerFile: rows_per_file also sets the size of the units the input is read
// in, so a run resumed with another value reads units that straddle what the first run
// committed; it must still write each remaining row once, in order.
func TestResumeWithOtherRowsPerFile(t *testing.T) {
	dir := t.TempDir()
	wantIDs := resumeInput(t, dir, 2, 160, 80, 0)
	mustRun(t, jobAt(t, resumeJob(t, dir, "ref", jobParts{})))
	out := filepath.Join(dir, "out")
	code, finished := stopAt(t, resumeJob(t, dir, "out", jobParts{}), out, killPoints[5], syscall.SIGKILL)
	done := records(out, "unit")
	t.Logf("first run (rows_per_file 40) killed after %d units; exit %d, finished first %v", done, code, finished)
	for _, rpf := range []int{60, 25, 100} {
		s, err := runJob(t, jobAt(t, resumeJob(t, dir, "out", jobParts{rowsPerFile: rpf})), Options{})
		if err != nil {
			t.Fatalf("resume with rows_per_file %d: %v", rpf, err)
		}
		if s.Rows+s.SkippedRows != int64(len(wantIDs)) {
			t.Errorf("rows_per_file %d: %d rows written, %d skipped; want %d in all", rpf, s.Rows, s.SkippedRows, len(wantIDs))
		}
		got := readOutput(t, out)
		if g := got.int64s(t, "id"); !slices.Equal(g, wantIDs) {
			t.Fatalf("rows_per_file %d: ids are not the input's, once each, in order:\n%v", rpf, g)
		}
		equalVectors(t, "resumed vs uninterrupted", got.vectors(t, "embedding"), readOutput(t, filepath.Join(dir, "ref")).vectors(t, "embedding"))
		for _, p := range got.parts {
			if n := readParquets(t, []string{p}).rows; n > 60 {
				t.Errorf("%s holds %d rows, more than rows_per_file", p, n)
			}
		}
	}
}
