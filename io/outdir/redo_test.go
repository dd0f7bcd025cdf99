package outdir

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRedo(t *testing.T) {
	tests := []struct {
		name  string
		crash bool // stop after the drop records, before the files are removed
		kill  bool // a child redoes units 1 and 4 and is killed after the first drop record
	}{
		{"whole", false, false},
		{"stopped after the drop records", true, false},
		{"killed after the first drop record", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := finishedFolder(t)
			redone := []Unit{testUnit(1), testUnit(4)}
			if tc.kill {
				cmd, _ := startChild(t, "redo-crash", dir)
				requireKilled(t, cmd.Wait())
				finished := checkConsistent(t, dir)
				if finished[1] || !finished[4] || len(finished) != testUnits-1 {
					t.Fatalf("finished units after a kill during redo: %v, want all but 1", finished)
				}
				d, err := Open(dir, testID, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := d.Redo(redone[1:]); err != nil {
					t.Fatal(err)
				}
				d.Close()
			} else if tc.crash {
				for _, i := range []int{1, 4} {
					appendLine(t, dir, `{"kind":"drop","unit":{"input":"`+testUnit(i).Input+`","start":100,"end":200},"time":"2026-01-01T00:00:00Z"}`)
				}
			} else {
				d, err := Open(dir, testID, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := d.Redo(redone); err != nil {
					t.Fatal(err)
				}
				if err := d.Redo(redone[:1]); err == nil || !strings.Contains(err.Error(), "not finished") {
					t.Errorf("redoing a unit twice: %v, want an error saying it is not finished", err)
				}
				d.Close()
			}
			finished := checkConsistent(t, dir)
			if finished[1] || finished[4] || len(finished) != testUnits-2 {
				t.Errorf("finished units after redo: %v, want all but 1 and 4", finished)
			}
			for _, i := range []int{1, 4} {
				for _, name := range unitFiles(i) {
					if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
						t.Errorf("%s of a redone unit is still there (%v)", name, err)
					}
				}
			}
			if err := commitUnits(dir, testUnits, nil); err != nil {
				t.Fatalf("commit the redone units: %v", err)
			}
			if r, err := Verify(dir); err != nil || !r.OK() {
				t.Errorf("Verify after redoing: %v %+v", err, r)
			}
			if got := checkConsistent(t, dir); len(got) != testUnits {
				t.Errorf("after redoing, %d of %d units finished", len(got), testUnits)
			}
		})
	}
}

func TestJobSettingsNamed(t *testing.T) {
	const v1 = "bertbatch-job v1\n"
	tests := []struct {
		name      string
		have      string
		want      string
		message   []string
		unchanged []string
	}{
		{"one setting", v1 + "output.pooling=\"mean\"\nbatching.max_length=128\n", v1 + "output.pooling=\"cls\"\nbatching.max_length=128\n",
			[]string{`job settings changed: output.pooling: "mean" → "cls"`}, []string{"max_length", "job hash"}},
		{"added and removed", v1 + "a.x=1\nb.y=2\n", v1 + "a.x=1\nc.z=3\n",
			[]string{`c.z: (absent) → 3`, `b.y: 2 → (absent)`}, []string{"a.x"}},
		{"hash rules", v1 + "a.x=1\n", "bertbatch-job v2\na.x=1\n",
			[]string{`job hash rules: bertbatch-job v1 → bertbatch-job v2`}, []string{"a.x"}},
		{"no recorded text", "", v1 + "a.x=1\n", []string{`its job hash is "job-1", this run's is "job-2"`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d, err := Open(dir, Identity{JobHash: "job-1", ModelCommit: "c", JobText: tc.have}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			d.Close()
			_, err = Open(dir, Identity{JobHash: "job-2", ModelCommit: "c", JobText: tc.want}, Options{})
			if !errors.Is(err, ErrMismatch) {
				t.Fatalf("Open: %v, want ErrMismatch", err)
			}
			for _, w := range append(tc.message, "--overwrite") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			for _, w := range tc.unchanged {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q names %q, which did not change", err, w)
				}
			}
		})
	}
}

func TestVersion1Refused(t *testing.T) {
	dir := finishedFolder(t)
	m := readManifestFile(t, dir)
	writeFile(t, dir, ManifestName, string(bytes.Replace(m, []byte(`"version":2`), []byte(`"version":1`), 1)))
	_, err := Open(dir, testID, Options{})
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), `manifest version is "1", this run's is "2"`) ||
		!strings.Contains(err.Error(), "--overwrite") {
		t.Fatalf("Open: %v, want ErrMismatch naming the manifest version and --overwrite", err)
	}
	d, err := Open(dir, testID, Options{Overwrite: true})
	if err != nil {
		t.Fatalf("overwrite a version-1 folder: %v", err)
	}
	d.Close()
}

// TestUserTempNamesKept: hidden files named like another tool's temporary
// files survive a resume and an overwrite; only bertbatch's own are removed.
func TestUserTempNamesKept(t *testing.T) {
	mine := []string{".mydata.tmp-123", ".part-00001.parquet.tmp-0123456789abcdef", ".bertbatch-tmp"}
	for _, opts := range []Options{{}, {Overwrite: true}} {
		dir := finishedFolder(t)
		for _, name := range mine {
			writeFile(t, dir, name, "mine")
		}
		ours := TempPrefix + "0123456789abcdef-part-00001.parquet"
		writeFile(t, dir, ours, "partial")
		d, err := Open(dir, testID, opts)
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		names := listNames(t, dir)
		for _, name := range mine {
			if !slices.Contains(names, name) {
				t.Errorf("overwrite %v: %s was removed", opts.Overwrite, name)
			}
		}
		if slices.Contains(names, ours) {
			t.Errorf("overwrite %v: the leftover temporary file %s stays", opts.Overwrite, ours)
		}
	}
}
