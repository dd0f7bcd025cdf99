package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tree creates the given files (contents irrelevant) under a temp folder.
func tree(t *testing.T, files ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestDiscover(t *testing.T) {
	root := tree(t,
		"b.parquet", "a.parquet", "c.csv", "notes.txt", "_SUCCESS", ".a.parquet.crc",
		"sub/z.jsonl", "sub/x.arrow", "sub/.hidden/h.parquet", "_temporary/0/t.parquet",
		"deep/k=1/m.parquet", "deep/k=2/n.PARQUET", "noext",
	)
	tests := []struct {
		name    string
		paths   []string
		format  Format
		want    []string // relative to root
		formats []Format
		wantErr string
	}{
		{name: "folder", paths: []string{"."}, want: []string{"a.parquet", "b.parquet", "c.csv", "deep/k=1/m.parquet", "deep/k=2/n.PARQUET", "sub/x.arrow", "sub/z.jsonl"},
			formats: []Format{FormatParquet, FormatParquet, FormatCSV, FormatParquet, FormatParquet, FormatArrow, FormatJSONL}},
		{name: "glob", paths: []string{"*.parquet"}, want: []string{"a.parquet", "b.parquet"}},
		{name: "doublestar", paths: []string{"**/*.parquet"}, want: []string{"a.parquet", "b.parquet", "deep/k=1/m.parquet"}},
		{name: "doublestar middle", paths: []string{"deep/**/m.parquet"}, want: []string{"deep/k=1/m.parquet"}},
		{name: "glob folder segment", paths: []string{"deep/k=*/*"}, want: []string{"deep/k=1/m.parquet", "deep/k=2/n.PARQUET"}},
		{name: "argument order kept, duplicates dropped", paths: []string{"b.parquet", "*.parquet", "c.csv"}, want: []string{"b.parquet", "a.parquet", "c.csv"}},
		{name: "hidden file named explicitly", paths: []string{"_SUCCESS"}, format: FormatCSV, want: []string{"_SUCCESS"}},
		{name: "explicit format reads every file", paths: []string{"sub"}, format: FormatJSONL, want: []string{"sub/x.arrow", "sub/z.jsonl"},
			formats: []Format{FormatJSONL, FormatJSONL}},
		{name: "unknown extension named", paths: []string{"notes.txt"}, wantErr: `notes.txt: cannot tell the format from the extension ".txt"; name the format`},
		{name: "no extension named", paths: []string{"noext"}, wantErr: "cannot tell the format"},
		{name: "missing path", paths: []string{"nope.parquet"}, wantErr: "no such file"},
		{name: "glob matching nothing", paths: []string{"*.feather"}, wantErr: `input path "*.feather" matched no data files`},
		{name: "bad glob", paths: []string{"[.parquet"}, wantErr: "bad glob segment"},
		{name: "no paths", wantErr: "no input paths"},
	}
	t.Chdir(root)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			format := tc.format
			if format == "" {
				format = FormatAuto
			}
			files, err := Discover(tc.paths, format)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			var formats []Format
			for _, f := range files {
				if f.Size != 1 || f.ModTime.IsZero() {
					t.Errorf("%s: size %d, modified %v; want 1 byte and a time", f.Path, f.Size, f.ModTime)
				}
				got = append(got, filepath.ToSlash(f.Path))
				formats = append(formats, f.Format)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("files = %q, want %q", got, tc.want)
			}
			if tc.formats != nil && !slices.Equal(formats, tc.formats) {
				t.Fatalf("formats = %q, want %q", formats, tc.formats)
			}
		})
	}
}

func TestDiscoverPartitionsFromGlobRoot(t *testing.T) {
	root := tree(t, "data/year=2024/part.parquet")
	files, err := Discover([]string{filepath.Join(root, "data", "*", "*.parquet")}, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || !slices.Equal(files[0].Partitions, []Partition{{Key: "year", Value: "2024"}}) {
		t.Fatalf("files = %+v, want one with partition year=2024", files)
	}
	files, err = Discover([]string{filepath.Join(root, "data", "year=2024", "part.parquet")}, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if len(files[0].Partitions) != 0 {
		t.Fatalf("an explicitly named file has partitions %+v; want none", files[0].Partitions)
	}
}
