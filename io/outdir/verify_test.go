package outdir

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerify(t *testing.T) {
	part := unitFiles(1)[0]
	tests := []struct {
		name     string
		change   func(t *testing.T, dir string)
		complete bool
		want     []string // each problem must contain one of these, in order
	}{
		{"sound and complete", func(t *testing.T, dir string) {}, true, nil},
		{"user's hidden files", func(t *testing.T, dir string) {
			writeFile(t, dir, ".mydata.tmp-123", "mine")
			writeFile(t, dir, "_README", "mine")
		}, true, nil},
		{"no completion marker", func(t *testing.T, dir string) {
			d, err := Open(dir, testID, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Create("part-00009.parquet"); err != nil { // a new run starts writing: the marker goes
				t.Fatal(err)
			}
			d.Close()
		}, false, nil},
		{"part changed in place", func(t *testing.T, dir string) {
			flipByte(t, filepath.Join(dir, part), 7)
		}, true, []string{part + " of unit in/input-0.parquet[100:200] has SHA-256"}},
		{"part missing", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, part))
		}, true, []string{part + " of unit in/input-0.parquet[100:200] is missing"}},
		{"summary changed", func(t *testing.T, dir string) {
			writeFile(t, dir, "_summary.json", `{"units":7}`)
		}, true, []string{"_summary.json has SHA-256"}},
		{"marker changed", func(t *testing.T, dir string) {
			writeFile(t, dir, SuccessName, "x")
		}, true, []string{"_SUCCESS has 1 bytes, recorded 0"}},
		{"unattributed visible file", func(t *testing.T, dir string) {
			writeFile(t, dir, "data.csv", "a\n")
		}, true, []string{"data.csv is not named by the manifest"}},
		{"temporary file left", func(t *testing.T, dir string) {
			writeFile(t, dir, TempPrefix+"00ff-part-00009.parquet", "partial")
		}, true, []string{"temporary file " + TempPrefix + "00ff-part-00009.parquet is left"}},
		{"file of an unfinished commit", func(t *testing.T, dir string) {
			writeFile(t, dir, "part-00009.parquet", "partial")
			appendLine(t, dir, `{"kind":"begin","files":[{"name":"part-00009.parquet","bytes":7,"sha256":""}],"time":"2026-01-01T00:00:00Z"}`)
		}, true, []string{"part-00009.parquet is left by a commit that did not finish"}},
		{"torn last record", func(t *testing.T, dir string) {
			f, _ := os.OpenFile(filepath.Join(dir, ManifestName), os.O_WRONLY|os.O_APPEND, 0)
			f.WriteString(`{"kind":"unit"`)
			f.Close()
		}, false, []string{"ends with a record cut short"}},
		{"manifest missing", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, ManifestName))
		}, false, []string{ManifestName + " is missing"}},
		{"manifest of version 1", func(t *testing.T, dir string) {
			m := readManifestFile(t, dir)
			os.WriteFile(filepath.Join(dir, ManifestName), bytes.Replace(m, []byte(`"version":2`), []byte(`"version":1`), 1), 0o644)
		}, false, []string{"is version 1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := finishedFolder(t)
			tc.change(t, dir)
			before := snapshot(t, dir)
			r, err := Verify(dir)
			if err != nil {
				t.Fatal(err)
			}
			if r.Complete != tc.complete {
				t.Errorf("Complete = %v, want %v", r.Complete, tc.complete)
			}
			if len(r.Problems) != len(tc.want) {
				t.Fatalf("problems %q, want %d like %q", r.Problems, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(r.Problems[i], w) {
					t.Errorf("problem %q does not say %q", r.Problems[i], w)
				}
			}
			if r.OK() != (tc.complete && len(tc.want) == 0) {
				t.Errorf("OK() = %v", r.OK())
			}
			if tc.name == "sound and complete" && (r.Units != testUnits || r.Files != 2*testUnits+2) {
				t.Errorf("%d units and %d files checked, want %d and %d", r.Units, r.Files, testUnits, 2*testUnits+2)
			}
			if after := snapshot(t, dir); after != before {
				t.Errorf("Verify changed the folder:\n%s\nthen\n%s", before, after)
			}
		})
	}
}

func TestVerifyLockedFolder(t *testing.T) {
	dir := finishedFolder(t)
	d, err := Open(dir, testID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r, err := Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "a run is writing the folder") {
		t.Errorf("problems %q, want one saying a run is writing the folder", r.Problems)
	}
}

// snapshot renders every entry of dir (the lock file left out) with its content.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, name := range listNames(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(name + "=" + string(data) + "\n")
	}
	return b.String()
}

// appendLine appends one record to dir's manifest.
func appendLine(t *testing.T, dir, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, ManifestName), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text + "\n"); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkVerify checks a folder of 64 parts of 4 MiB: what a resume and bertbatch verify read.
func BenchmarkVerify(b *testing.B) {
	dir := b.TempDir()
	d, err := Open(dir, testID, Options{})
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 4<<20/16)
	for i := range 64 {
		f, err := d.Create(fmt.Sprintf("part-%05d.parquet", i))
		if err != nil {
			b.Fatal(err)
		}
		f.Write(data)
		if err := d.CommitUnit(Unit{Input: "in.parquet", Start: int64(i) * 10, End: int64(i+1) * 10}, 10, f); err != nil {
			b.Fatal(err)
		}
	}
	if err := d.MarkComplete(); err != nil {
		b.Fatal(err)
	}
	d.Close()
	b.SetBytes(64 * int64(len(data)))
	for b.Loop() {
		if r, err := Verify(dir); err != nil || !r.OK() {
			b.Fatalf("%v %+v", err, r)
		}
	}
}
