package jobs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestObjectStoragePaths: s3://, gs:// and azblob:// locations in input.paths and model.ref are kept as
// written, checked, and never made relative to the job file.
func TestObjectStoragePaths(t *testing.T) {
	tests := []struct {
		name  string
		ref   string
		paths string
		out   string
		want  string // in the problem; "" when the job is valid
	}{
		{"prefix and model", "s3://models/minilm", "[s3://data/reviews]", "o", ""},
		{"glob and query", "org/name", "[s3://data/reviews/lang=*/*.parquet, gs://b/x]", "o", ""},
		{"azure", "azblob://c/m", "[azblob://c/in]", "o", ""},
		{"no bucket", "org/name", "[s3:///x]", "o", "no bucket"},
		{"dot segments", "org/name", "[s3://b/../x]", "o", "not allowed"},
		{"double star", "org/name", "[s3://b/x/**]", "o", "** is not supported"},
		{"model glob", "s3://b/m*", "[d]", "o", "not a glob"},
		{"model revision", "s3://b/m\", revision: \"v1", "[d]", "o", "applies to Hub models only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "job.yaml")
			src := "model: {ref: \"" + tc.ref + "\"}\ninput: {paths: " + tc.paths + "}\noutput: {dir: \"" + tc.out + "\"}\n"
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			job, err := Load(path)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Load = %v, want a problem with %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if job.Model.Ref != tc.ref || job.Model.IsLocal() {
				t.Errorf("model.ref = %q (local %v), want %q as written", job.Model.Ref, job.Model.IsLocal(), tc.ref)
			}
			for _, p := range job.Input.Paths {
				if strings.Contains(p, string(filepath.Separator)+"s3:") || strings.HasPrefix(p, "/") && !strings.HasSuffix(p, "/d") {
					t.Errorf("input path %q was made local", p)
				}
			}
		})
	}
}

// TestOverlapsObjectStorage: a local folder never overlaps a location; two locations overlap when one's
// static prefix holds the other, in the same bucket.
func TestOverlapsObjectStorage(t *testing.T) {
	tests := []struct {
		in, out string
		want    bool
	}{
		{"s3://b/data", "/tmp/out", false},
		{"/data", "s3://b/data", false},
		{"s3://b/data", "s3://b/data/out", true},
		{"s3://b/data/in", "s3://b/data", true},
		{"s3://b/data", "s3://b/database", false},
		{"s3://b/data", "s3://other/data", false},
		{"s3://b/data", "gs://b/data", false},
		{"s3://b/data/*/x.parquet", "s3://b/data/out", true},
		{"s3://b", "s3://b/out", true},
	}
	for _, tc := range tests {
		t.Run(tc.in+" "+tc.out, func(t *testing.T) {
			if got := overlaps(tc.in, tc.out); got != tc.want {
				t.Errorf("overlaps(%q, %q) = %v, want %v", tc.in, tc.out, got, tc.want)
			}
		})
	}
}
