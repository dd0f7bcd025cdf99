package stages

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bertbatch/bertbatch/io/outdir"
)

// TestChangedJobRefused: a job that writes different rows may not add them to a folder holding
// another job's results, unless told to overwrite; settings that only change speed or packing
// may change between a run and its resumption.
func TestChangedJobRefused(t *testing.T) {
	dir := t.TempDir()
	wantIDs := resumeInput(t, dir, 2, 60, 20, 0)
	out := filepath.Join(dir, "out")
	mustRun(t, jobAt(t, resumeJob(t, dir, "out", jobParts{})))
	before := readOutput(t, out)

	tests := []struct {
		name    string
		job     jobParts
		refused bool
	}{
		{"other pooling", jobParts{output: "pooling: cls"}, true},
		{"other max_length", jobParts{batching: "max_batch_size: 1, max_length: 64"}, true},
		{"other bad_rows", jobParts{extra: "bad_rows: reject"}, true},
		{"other workers and batch sizes", jobParts{batching: "max_batch_size: 7, max_tokens: 200, sort_window: 30", workers: 1}, false},
		{"other compression", jobParts{output: "compression: snappy"}, false},
		{"other rows_per_file", jobParts{rowsPerFile: 7}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := runJob(t, jobAt(t, resumeJob(t, dir, "out", tt.job)), Options{})
			if !tt.refused {
				if err != nil || s.Rows != 0 || s.SkippedRows != int64(len(wantIDs)) {
					t.Fatalf("resume with %s: %v (%+v); want every row skipped", tt.name, err, s)
				}
				return
			}
			if !errors.Is(err, outdir.ErrMismatch) || !strings.Contains(err.Error(), "--overwrite") {
				t.Fatalf("run with %s on another job's folder: %v; want a mismatch error that mentions --overwrite", tt.name, err)
			}
			after := readOutput(t, out)
			if !slices.Equal(after.parts, before.parts) {
				t.Errorf("refused run changed the folder: parts %v, were %v", after.parts, before.parts)
			}
			equalVectors(t, "after a refused run", after.vectors(t, "embedding"), before.vectors(t, "embedding"))
		})
	}

	t.Run("overwrite", func(t *testing.T) {
		s, err := runJob(t, jobAt(t, resumeJob(t, dir, "out", jobParts{output: "pooling: cls"})), Options{Overwrite: true})
		if err != nil || s.Rows != int64(len(wantIDs)) || s.SkippedRows != 0 {
			t.Fatalf("--overwrite: %v (%+v); want every row written afresh", err, s)
		}
		after := readOutput(t, out)
		if after.kv["bertbatch.pooling"] != "cls" || !slices.Equal(after.int64s(t, "id"), wantIDs) {
			t.Errorf("after --overwrite: pooling %q, ids %v", after.kv["bertbatch.pooling"], after.int64s(t, "id"))
		}
		// mode: overwrite in the job file does the same, back to the first job.
		if s, err := runJob(t, jobAt(t, resumeJob(t, dir, "out", jobParts{extra: "mode: overwrite"})), Options{}); err != nil || s.Rows != int64(len(wantIDs)) {
			t.Fatalf("mode: overwrite: %v", err)
		}
		equalVectors(t, "overwritten back", readOutput(t, out).vectors(t, "embedding"), before.vectors(t, "embedding"))
	})
}

// TestLockedFolder: a second run on a folder another run is writing stops at once with the lock
// error, and leaves the first run's work alone.
func TestLockedFolder(t *testing.T) {
	dir := t.TempDir()
	wantIDs := resumeInput(t, dir, 4, 160, 20, 0)
	job := resumeJob(t, dir, "out", jobParts{})
	out := filepath.Join(dir, "out")
	c := startChild(t, job)
	for records(out, "job") == 0 && !c.exited() {
		time.Sleep(time.Millisecond)
	}
	if c.exited() {
		t.Fatalf("the first run ended before the test could start a second: %s", c.stderr.String())
	}
	_, err := runJob(t, jobAt(t, job), Options{})
	var locked *outdir.LockedError
	if !errors.As(err, &locked) || !strings.Contains(err.Error(), "in use by another run") {
		t.Fatalf("second run on a locked folder: %v; want the lock error", err)
	}
	if !strings.Contains(locked.Holder, "pid "+strconv.Itoa(c.cmd.Process.Pid)) {
		t.Errorf("lock error names holder %q, want the first run's pid %d", locked.Holder, c.cmd.Process.Pid)
	}
	if code := c.wait(); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, c.stderr.String())
	}
	if got := readOutput(t, out).int64s(t, "id"); !slices.Equal(got, wantIDs) {
		t.Errorf("first run's output: %d ids, want %d in order", len(got), len(wantIDs))
	}
}

func readText(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
