package stages

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestResumeIsBitwise resumes a job from folders holding only its first units (the state a run
// stopped after those units leaves) and checks that every file of the output, results and
// rejects, is byte for byte the file of an uninterrupted run: batches of many rows of mixed
// lengths, sort windows that do not divide the units, and a resume that starts inside a file.
func TestResumeIsBitwise(t *testing.T) {
	tests := []struct {
		name  string
		input func(t *testing.T, dir string) // writes dir/in
		parts jobParts
	}{
		{"token ids with bad rows rejected", func(t *testing.T, dir string) {
			resumeInput(t, dir, 2, 160, 20, 13)
		}, jobParts{batching: "max_batch_size: 8, sort_window: 16", extra: "bad_rows: reject"}},
		{"text, batches of a small budget", func(t *testing.T, dir string) {
			for f := range 2 {
				new(columns).int64s("id", ids(1000*f, 150)).strs("text", texts(uint64(60+f), 150, 30)).
					write(t, filepath.Join(dir, "in", fmt.Sprintf("f%d.parquet", f)), 50)
			}
		}, jobParts{input: "text_column: text", batching: "max_batch_size: 16, sort_window: 24, max_tokens: 160", rowsPerFile: 30}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.input(t, dir)
			ref := filepath.Join(dir, "ref")
			mustRun(t, jobAt(t, resumeJob(t, dir, "ref", tc.parts)))
			units := unitLines(t, ref)
			for _, done := range []int{1, 3, len(units) / 2, len(units) - 1} {
				name := fmt.Sprintf("out%d", done)
				out := filepath.Join(dir, name)
				stoppedAfter(t, ref, out, done)
				s := mustRun(t, jobAt(t, resumeJob(t, dir, name, tc.parts)))
				if s.SkippedRows == 0 || s.Rows == 0 {
					t.Fatalf("resume after %d units: %d rows written, %d skipped; want some of each", done, s.Rows, s.SkippedRows)
				}
				sameFiles(t, out, ref)
			}
		})
	}
}

// unitLines returns the manifest lines of a folder's unit records, in order.
func unitLines(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "_manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var units []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.Contains(line, `"kind":"unit"`) {
			units = append(units, line)
		}
	}
	if len(units) < 4 {
		t.Fatalf("%s holds %d units; the test needs at least 4", dir, len(units))
	}
	return units
}

// stoppedAfter makes out the folder a run of ref's job leaves when it stops right after
// committing its first n units: ref's manifest up to the n-th unit record and those units' files.
func stoppedAfter(t *testing.T, ref, out string, n int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ref, "_manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	var kept bytes.Buffer
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if n == 0 {
			break
		}
		kept.WriteString(line)
		if !strings.Contains(line, `"kind":"unit"`) {
			continue
		}
		n--
		var rec struct{ Files []struct{ Name string } }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("manifest line %q: %v", line, err)
		}
		for _, f := range rec.Files {
			body, err := os.ReadFile(filepath.Join(ref, f.Name))
			if err != nil {
				t.Fatal(err)
			}
			writeText(t, filepath.Join(out, f.Name), string(body))
		}
	}
	writeText(t, filepath.Join(out, "_manifest.jsonl"), kept.String())
}

// sameFiles checks that out holds the result and rejects files of ref, each byte for byte.
func sameFiles(t *testing.T, out, ref string) {
	t.Helper()
	parquets := func(dir string) []string {
		var names []string
		for _, n := range folderNames(t, dir) {
			if strings.HasSuffix(n, ".parquet") {
				names = append(names, n)
			}
		}
		return names
	}
	got, want := parquets(out), parquets(ref)
	if !slices.Equal(got, want) {
		t.Fatalf("%s holds\n%v\nwant the files of the uninterrupted run\n%v", out, got, want)
	}
	for _, name := range want {
		g, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		w, err := os.ReadFile(filepath.Join(ref, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s of the resumed run differs from the uninterrupted run's", name)
		}
	}
}
