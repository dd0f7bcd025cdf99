package outdir

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFile writes name into dir, failing the test on error.
func writeFile(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// listNames lists dir's entries, the lock file left out.
func listNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != LockName {
			names = append(names, e.Name())
		}
	}
	return names
}

// finishedFolder returns a folder in which commitUnits has run to the end.
func finishedFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := commitUnits(dir, testUnits, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestResumeSkipsFinishedUnits(t *testing.T) {
	dir := finishedFolder(t)
	d, err := Open(dir, testID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i := range testUnits {
		if !d.Done(testUnit(i)) {
			t.Errorf("unit %d is not done after reopening", i)
		}
	}
	if d.Done(Unit{Input: "in/input-9.parquet", End: 100}) {
		t.Error("an unknown unit is done")
	}
	records := d.Records()
	if len(records) != testUnits || records[0].Unit != testUnit(0) || records[0].JobHash != testID.JobHash ||
		records[0].ModelCommit != testID.ModelCommit || records[0].Finished.IsZero() {
		t.Errorf("records %+v", records)
	}
	f, err := d.Create("part-again.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CommitUnit(testUnit(0), 1, f); err == nil || !strings.Contains(err.Error(), "already finished") {
		t.Errorf("committing a finished unit again: %v, want an error", err)
	}
	if _, err := d.Create(unitFiles(1)[0]); err == nil || !strings.Contains(err.Error(), "already holds the results of unit") {
		t.Errorf("creating a finished unit's file: %v, want an error", err)
	}
	if names := listNames(t, dir); slices.ContainsFunc(names, isTemp) {
		t.Errorf("temporary file left after a refused commit: %v", names)
	}
}

func TestMismatch(t *testing.T) {
	tests := []struct {
		name string
		id   Identity
		want []string
	}{
		{"job hash", Identity{JobHash: "job-2", ModelCommit: testID.ModelCommit}, []string{`job hash is "job-1", this run's is "job-2"`}},
		{"model commit", Identity{JobHash: testID.JobHash, ModelCommit: "commit-2"}, []string{`model commit is "commit-1", this run's is "commit-2"`}},
		{"both", Identity{JobHash: "job-2", ModelCommit: "commit-2"}, []string{"job hash", "model commit"}},
	}
	dir := finishedFolder(t)
	before := listNames(t, dir)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(dir, tc.id, Options{})
			var mismatch *MismatchError
			if !errors.As(err, &mismatch) || !errors.Is(err, ErrMismatch) {
				t.Fatalf("Open: %v, want a *MismatchError", err)
			}
			for _, w := range append(tc.want, "--overwrite") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if after := listNames(t, dir); !slices.Equal(before, after) {
				t.Errorf("a refused Open changed the folder: %v, then %v", before, after)
			}
		})
	}
}

func TestOverwrite(t *testing.T) {
	dir := finishedFolder(t)
	writeFile(t, dir, TempPrefix+"0123456789abcdef-part-00009.parquet", "partial")
	writeFile(t, dir, ".DS_Store", "kept")
	writeFile(t, dir, ".mydata.tmp-123", "kept")
	writeFile(t, dir, "_README", "kept")
	other := Identity{JobHash: "job-2", ModelCommit: "commit-2"}
	d, err := Open(dir, other, Options{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Records()) != 0 {
		t.Errorf("%d records after overwrite", len(d.Records()))
	}
	d.Close()
	if got, want := listNames(t, dir), []string{".DS_Store", ".mydata.tmp-123", "_README", ManifestName}; !slices.Equal(got, want) {
		t.Errorf("after overwrite the folder holds %v, want %v", got, want)
	}
	if d, err = Open(dir, other, Options{}); err != nil {
		t.Fatalf("reopen for the new job: %v", err)
	}
	d.Close()
}

func TestUnknownFilesRefused(t *testing.T) {
	tests := []struct {
		name     string
		finished bool
		opts     Options
	}{
		{"new folder", false, Options{}},
		{"resume", true, Options{}},
		{"overwrite", true, Options{Overwrite: true}},
	}
	for _, tc := range tests {
		for _, name := range []string{"data.csv", SuccessName} {
			if tc.finished && name == SuccessName {
				continue // a finished folder holds bertbatch's own marker
			}
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				dir := t.TempDir()
				if tc.finished {
					dir = finishedFolder(t)
				}
				writeFile(t, dir, name, "a,b\n")
				before := listNames(t, dir)
				_, err := Open(dir, testID, tc.opts)
				if !errors.Is(err, ErrUnknownFiles) || !strings.Contains(err.Error(), name) {
					t.Fatalf("Open: %v, want ErrUnknownFiles naming %s", err, name)
				}
				if after := listNames(t, dir); !slices.Equal(before, after) {
					t.Errorf("a refused Open changed the folder: %v, then %v", before, after)
				}
			})
		}
	}
	t.Run("hidden files are fine", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, ".DS_Store", "")
		writeFile(t, dir, "_README", "")
		d, err := Open(dir, testID, Options{})
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
	})
}
