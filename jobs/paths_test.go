package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefNamingAFolder: a model.ref written without ./ is a Hub id; when it also names a folder,
// beside the job file or in the folder the job runs from, the job is refused with the path to
// write, so that a job never means a folder in one working folder and a Hub model in another.
func TestRefNamingAFolder(t *testing.T) {
	tests := []struct {
		name    string
		folders []string // made under the job's folder ("job/…") or the working folder ("cwd/…")
		files   []string // files made the same way
		ref     string
		want    string // in the problem; "" when the job is valid
		local   bool   // the valid job's ref is a local folder
	}{
		{"folder beside the job file", []string{"job/models/x"}, nil, "models/x", `write ./models/x`, false},
		{"folder in the working folder", []string{"cwd/models/x"}, nil, "models/x", `write ../cwd/models/x`, false},
		{"single name naming a folder", []string{"job/minilm"}, nil, "minilm", `write ./minilm`, false},
		{"no such folder: a Hub id", nil, nil, "models/x", "", false},
		{"Hub id beside other folders", []string{"job/models/y"}, nil, "org/name", "", false},
		{"written as a folder", []string{"job/models/x"}, nil, "./models/x", "", true},
		{"a file is not a folder", nil, []string{"job/models/x"}, "models/x", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, d := range []string{"job", "cwd"} {
				if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range tc.folders {
				if err := os.MkdirAll(filepath.Join(root, f), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range tc.files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(root, f)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, f), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(filepath.Join(root, "cwd"))
			path := filepath.Join(root, "job", "job.yaml")
			src := "model: {ref: " + tc.ref + "}\ninput: {paths: [d]}\noutput: {dir: o}\n"
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			job, err := Load(path)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if job.Model.IsLocal() != tc.local {
					t.Errorf("ref %q read as local %v, want %v", job.Model.Ref, job.Model.IsLocal(), tc.local)
				}
				return
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != 1 {
				t.Fatalf("want one problem, got %v", err)
			}
			if p := ps[0]; p.Path != "model.ref" || p.Line != 1 || !strings.Contains(p.Message, tc.want) || !strings.Contains(p.Message, "Hub id") {
				t.Errorf("problem %s; want one at model.ref, line 1, saying it is read as a Hub id and %q", p, tc.want)
			}
		})
	}
}

// TestOutputDirOnObjectStore: output.dir may be an object-store prefix, kept as written (environment
// references expanded); a malformed one is a problem at output.dir; model.cache_dir stays a local folder.
func TestOutputDirOnObjectStore(t *testing.T) {
	tests := []struct {
		name, dir string
		want      string // the parsed output.dir; "" when the job is refused
		problem   string // in the problem's message when refused
	}{
		{"s3 prefix", "s3://bucket/embeddings/run-1", "s3://bucket/embeddings/run-1", ""},
		{"gs bucket", "gs://bucket", "gs://bucket", ""},
		{"azure container", "azblob://container/out", "azblob://container/out", ""},
		{"query kept", "s3://bucket/out?region=eu-west-1", "s3://bucket/out?region=eu-west-1", ""},
		{"no bucket", "s3:///out", "", "no bucket"},
		{"dot-dot in the prefix", "s3://bucket/a/../b", "", `".." is not allowed`},
		{"local folder", "out", filepath.Join(filepath.Dir(testFile), "out"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "model: {ref: org/model}\ninput: {paths: [data]}\noutput: {dir: \"" + tc.dir + "\"}\n"
			if tc.want == "" {
				ps := parseProblems(t, src)
				if len(ps) != 1 || ps[0].Path != "output.dir" || !strings.Contains(ps[0].Message, tc.problem) {
					t.Fatalf("problems %v, want one at output.dir saying %q", ps, tc.problem)
				}
				return
			}
			if got := mustParse(t, src).Output.Dir; got != tc.want {
				t.Errorf("output.dir = %q, want %q", got, tc.want)
			}
		})
	}
}
