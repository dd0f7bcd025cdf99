package stages

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/bertbatch/bertbatch/io/outdir"
)

// TestInputChangedAfterCommit finishes a job, changes its input, and reruns it: a changed input
// under finished parts stops the run naming the file, the rows and what differs, and leaves the
// folder as it was; the same bytes with a new modification time are fine.
func TestInputChangedAfterCommit(t *testing.T) {
	parquetRows := func(seed uint64, n int) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			new(columns).int64s("id", ids(0, n)).lists("input_ids", arrow.PrimitiveTypes.Int32, tokenRows(seed, n, 4, 40)).
				write(t, path, 20)
		}
	}
	jsonlRows := func(n int) func(t *testing.T, path string) {
		return func(t *testing.T, path string) { writeTokenJSONL(t, path, n) }
	}
	tests := []struct {
		name   string
		file   string
		write  func(t *testing.T, path string) // the input of the first run
		change func(t *testing.T, path string)
		want   []string // what the error says; nil: the rerun succeeds
		rows   int64    // rows the successful rerun writes
	}{
		{"parquet replaced by other rows", "f.parquet", parquetRows(1, 80), parquetRows(2, 80),
			[]string{"f.parquet rows 0 to 40", "f.parquet rows 40 to 80", "row groups", "restore the input", "on_input_change: redo", "--overwrite"}, 0},
		{"parquet shrunk", "f.parquet", parquetRows(1, 80), parquetRows(1, 20),
			[]string{"f.parquet rows 0 to 40: the file now holds 20 rows"}, 0},
		{"parquet rows appended", "f.parquet", parquetRows(1, 80), parquetRows(1, 100), nil, 20},
		{"parquet copied", "f.parquet", parquetRows(1, 80), touch, nil, 0},
		{"jsonl cut inside a finished part", "f.jsonl", jsonlRows(80), func(t *testing.T, path string) {
			data, _ := os.ReadFile(path)
			lines := strings.SplitAfter(string(data), "\n")
			os.WriteFile(path, []byte(strings.Join(lines[:60], "")), 0o644)
			touch(t, path)
		}, []string{"f.jsonl rows 40 to 80: the file now holds 60 rows"}, 0},
		{"jsonl row edited", "f.jsonl", jsonlRows(80), func(t *testing.T, path string) {
			data, _ := os.ReadFile(path)
			os.WriteFile(path, []byte(strings.Replace(string(data), `"id":7,`, `"id":8,`, 1)), 0o644)
			touch(t, path)
		}, []string{"f.jsonl rows 0 to 40: the bytes of these rows differ (modified"}, 0},
		{"jsonl copied", "f.jsonl", jsonlRows(80), touch, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "in", tc.file)
			tc.write(t, path)
			job := jobAt(t, resumeJob(t, dir, "out", jobParts{batching: "max_batch_size: 8"}))
			mustRun(t, job)
			out := filepath.Join(dir, "out")
			before := folderState(t, out)
			tc.change(t, path)
			s, err := runJob(t, job, Options{})
			if tc.want == nil {
				if err != nil || s.Rows != tc.rows {
					t.Fatalf("rerun after %s: %v, %d rows written, want %d", tc.name, err, s.Rows, tc.rows)
				}
				return
			}
			if !errors.Is(err, outdir.ErrInputChanged) {
				t.Fatalf("rerun: %v, want ErrInputChanged", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if after := folderState(t, out); !slices.Equal(before, after) {
				t.Errorf("the refused run changed the output folder:\n%v\nthen\n%v", before, after)
			}
		})
	}
}

// TestInputChangedRedo: with resume.on_input_change: redo, the parts of a changed input are
// removed and done again, and the folder ends as a fresh run over the new input writes it.
func TestInputChangedRedo(t *testing.T) {
	dir := t.TempDir()
	write := func(seed uint64) {
		for f := range 2 {
			new(columns).int64s("id", ids(100*f, 80)).lists("input_ids", arrow.PrimitiveTypes.Int32, tokenRows(seed+uint64(f), 80, 4, 40)).
				write(t, filepath.Join(dir, "in", fmt.Sprintf("f%d.parquet", f)), 20)
		}
	}
	write(1)
	redo := jobParts{batching: "max_batch_size: 1", extra: "resume: {on_input_change: redo}"}
	job := jobAt(t, resumeJob(t, dir, "out", redo))
	mustRun(t, job)
	// f1 changes; f0 is written again with the same rows.
	new(columns).int64s("id", ids(100, 60)).lists("input_ids", arrow.PrimitiveTypes.Int32, tokenRows(7, 60, 4, 40)).
		write(t, filepath.Join(dir, "in", "f1.parquet"), 20)
	touch(t, filepath.Join(dir, "in", "f0.parquet"))
	s, err := runJob(t, job, Options{})
	if err != nil {
		t.Fatalf("rerun with redo: %v", err)
	}
	if s.Rows != 60 || s.SkippedRows != 80 {
		t.Errorf("redo wrote %d rows and skipped %d; want 60 written (f1 again), 80 skipped (f0)", s.Rows, s.SkippedRows)
	}
	ref := resumeJob(t, dir, "ref", redo)
	mustRun(t, jobAt(t, ref))
	got, want := readOutput(t, filepath.Join(dir, "out")), readOutput(t, filepath.Join(dir, "ref"))
	if g, w := got.int64s(t, "id"), want.int64s(t, "id"); !slices.Equal(g, w) {
		t.Errorf("ids after redo %v, a fresh run's %v", g, w)
	}
	equalVectors(t, "redone vs fresh", got.vectors(t, "embedding"), want.vectors(t, "embedding"))
	if r, err := outdir.Verify(filepath.Join(dir, "out")); err != nil || !r.OK() {
		t.Errorf("verify after redo: %v %+v", err, r)
	}
}

// TestCompletionMarker: _SUCCESS is there after a run that finished, not after one that failed,
// and Verify agrees.
func TestCompletionMarker(t *testing.T) {
	dir := t.TempDir()
	new(columns).int64s("id", ids(0, 30)).lists("input_ids", arrow.PrimitiveTypes.Int32, tokenRows(3, 30, 4, 40)).
		write(t, filepath.Join(dir, "in", "f.parquet"), 20)
	out := filepath.Join(dir, "out")
	job := jobAt(t, resumeJob(t, dir, "out", jobParts{batching: "max_batch_size: 8"}))
	mustRun(t, job)
	if r, err := outdir.Verify(out); err != nil || !r.OK() || r.Rows != 30 {
		t.Fatalf("verify a finished run: %v %+v", err, r)
	}
	// A second input with a row the model cannot take (bad_rows: fail) makes the rerun fail.
	bad := tokenRows(4, 5, 4, 40)
	bad[2][1] = 9999
	new(columns).int64s("id", ids(50, 5)).lists("input_ids", arrow.PrimitiveTypes.Int32, bad).
		write(t, filepath.Join(dir, "in", "g.parquet"), 20)
	if _, err := runJob(t, job, Options{}); err == nil {
		t.Fatal("a run over a bad row succeeded")
	}
	if _, err := os.Stat(filepath.Join(out, outdir.SuccessName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("_SUCCESS after a failed run: %v", err)
	}
	if r, err := outdir.Verify(out); err != nil || r.Complete || len(r.Problems) != 0 {
		t.Errorf("verify after a failed run: %v %+v; want sound but not complete", err, r)
	}
}

// writeTokenJSONL writes n rows of ids and token ids as JSON Lines.
func writeTokenJSONL(t *testing.T, path string, n int) {
	rows := make([]map[string]any, n)
	for i, toks := range tokenRows(5, n, 4, 40) {
		rows[i] = map[string]any{"id": i, "input_ids": toks}
	}
	writeJSONL(t, path, rows)
}

// touch gives a file a later modification time, as a copy of it would have.
func touch(t *testing.T, path string) {
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}

// folderState lists an output folder's files with their sizes and modification times.
func folderState(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() == outdir.LockName {
			continue // rewritten by every run that takes the lock
		}
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %d %s", e.Name(), info.Size(), info.ModTime()))
	}
	return out
}
