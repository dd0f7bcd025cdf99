package outdir

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func openTemp(t *testing.T) (*Dir, string) {
	t.Helper()
	dir := t.TempDir()
	d, err := Open(dir, testID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, dir
}

func TestCreateRejectsBadNames(t *testing.T) {
	tests := []struct{ name, want string }{
		{"", "is not a file name"},
		{"..", "is not a file name"},
		{"sub/part.parquet", "path separator"},
		{`sub\part.parquet`, "path separator"},
		{".hidden", "must not start with a dot"},
		{ManifestName, "is the manifest's"},
	}
	d, _ := openTemp(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := d.Create(tc.name); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Create(%q): %v, want an error saying %q", tc.name, err, tc.want)
			}
		})
	}
}

func TestCommitRejectsMisuse(t *testing.T) {
	d, dir := openTemp(t)
	other, _ := openTemp(t)
	foreign, err := other.Create("part-foreign")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		unit  Unit
		rows  int64
		files func() []*PendingFile
		want  string
	}{
		{"file of another folder", Unit{Input: "a", End: 1}, 1, func() []*PendingFile { return []*PendingFile{foreign} },
			"was not created by this folder"},
		{"same name twice", Unit{Input: "a", End: 1}, 1, func() []*PendingFile {
			f1, _ := d.Create("part-a")
			f2, _ := d.Create("part-a")
			return []*PendingFile{f1, f2}
		}, "is given twice"},
		{"unit without input", Unit{End: 1}, 1, func() []*PendingFile { return nil }, "need an input name"},
		{"end before start", Unit{Input: "a", Start: 5, End: 4}, 1, func() []*PendingFile { return nil }, "0 ≤ start ≤ end"},
		{"negative rows", Unit{Input: "a", End: 1}, -1, func() []*PendingFile { return nil }, "negative row count"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := d.CommitUnit(tc.unit, tc.rows, tc.files()...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CommitUnit: %v, want an error saying %q", err, tc.want)
			}
		})
	}
	if names := listNames(t, dir); slices.ContainsFunc(names, isTemp) {
		t.Errorf("temporary files left after refused commits: %v", names)
	}
	if d.Done(Unit{Input: "a", End: 1}) {
		t.Error("a refused unit is done")
	}
}

func TestCloseAbortsPendingFiles(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir, testID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := d.Create("part-1")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half"))
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if got := listNames(t, dir); !slices.Equal(got, []string{ManifestName}) {
		t.Errorf("after Close the folder holds %v", got)
	}
	if _, err := f.Write([]byte("more")); err == nil {
		t.Error("Write after Close succeeded")
	}
	if _, err := d.Create("part-2"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Create after Close: %v", err)
	}
}

func TestCommitFileReplaces(t *testing.T) {
	d, dir := openTemp(t)
	for _, text := range []string{"first", "second, longer"} {
		f, err := d.Create("_summary.json")
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(text))
		if err := d.CommitFile(f); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "_summary.json")); string(got) != text {
			t.Errorf("summary holds %q, want %q", got, text)
		}
		if err := f.Abort(); err != nil {
			t.Errorf("Abort after commit: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "_summary.json")); err != nil {
		t.Errorf("Abort after commit removed the file: %v", err)
	}
}

func TestOpenNeedsIdentity(t *testing.T) {
	if _, err := Open(t.TempDir(), Identity{JobHash: "x"}, Options{}); err == nil || !strings.Contains(err.Error(), "model commit") {
		t.Errorf("Open without a model commit: %v", err)
	}
}
