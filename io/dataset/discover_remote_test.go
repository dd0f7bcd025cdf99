package dataset

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"gocloud.dev/blob/memblob"

	"github.com/bertbatch/bertbatch/io/inputfile"
	"github.com/bertbatch/bertbatch/io/objstore"
	"github.com/bertbatch/bertbatch/io/shard"
)

// memBucket registers an in-memory bucket named name for the test and
// uploads the files under dir into it, below prefix.
func memBucket(t *testing.T, name, dir, prefix string) {
	t.Helper()
	ctx := context.Background()
	s := objstore.NewStore(objstore.Location{Scheme: objstore.S3, Bucket: name}, memblob.OpenBucket(nil))
	t.Cleanup(inputfile.Register(s))
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		return s.Put(ctx, prefix+"/"+filepath.ToSlash(rel), data)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// discoveryTree writes a folder of input files, junk and partitions, the
// Hive fixture's Parquet files among them, and returns its path.
func discoveryTree(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "data")
	put := func(rel, content string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := filepath.WalkDir(filepath.Join(testdata, "hive"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(testdata, "hive"), p)
		put("hive/"+filepath.ToSlash(rel), string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{
		"a.csv", "b.jsonl", "c.TSV", "notes.txt", ".hidden.csv", "_SUCCESS",
		"sub/.git/x.csv", "sub/_tmp/y.jsonl", "sub/z.arrows",
		"k=a%2Fb/v.csv", "k=__HIVE_DEFAULT_PARTITION__/w.csv", "x=1/y=2/deep.ndjson", "junk/_SUCCESS", "junk/readme.txt", "junk/.x.csv",
	} {
		put(rel, "col\n"+rel+"\n")
	}
	return root
}

// found is what a test compares of a discovered file: its path relative to
// the input root, format, partitions and size.
type found struct {
	rel        string
	format     Format
	partitions string
	size       int64
}

func describeFiles(files []File, root string) []found {
	out := make([]found, len(files))
	for i, f := range files {
		var parts []string
		for _, p := range f.Partitions {
			parts = append(parts, p.Key+"="+p.Value+map[bool]string{true: "(null)"}[p.Null])
		}
		out[i] = found{shard.Relative(f.Path, []string{root}), f.Format, strings.Join(parts, ","), f.Size}
	}
	return out
}

// TestDiscoverObjectsAsFiles discovers the same tree on disk and in a
// bucket: every input form finds the same files, in the same order, with
// the same relative paths, formats, partitions and sizes.
func TestDiscoverObjectsAsFiles(t *testing.T) {
	local := discoveryTree(t)
	memBucket(t, "mem", local, "in/data")
	tests := []struct {
		name    string
		path    string // relative to the tree's root
		format  Format
		wantN   int
		wantErr string
	}{
		{name: "folder", path: ".", wantN: 11},
		{name: "hive folder", path: "hive", wantN: 4},
		{name: "partition folder", path: "hive/lang=fr", wantN: 2},
		{name: "glob", path: "hive/*/split=test/*.parquet", wantN: 2},
		{name: "glob of folders", path: "*/*.csv", wantN: 2},
		{name: "named file", path: "a.csv", wantN: 1},
		{name: "escaped partition folder", path: "k=a%2Fb", wantN: 1},
		{name: "escaped partition file", path: "k=a%2Fb/v.csv", wantN: 1},
		{name: "named hidden file", path: ".hidden.csv", wantN: 1},
		{name: "forced format", path: "sub", format: FormatJSONL, wantN: 1},
		{name: "named unknown extension", path: "notes.txt", wantErr: "cannot tell the format"},
		{name: "nothing there", path: "missing", wantErr: "matched no data files"},
		{name: "only junk", path: "junk", wantErr: "matched no data files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format := tt.format
			if format == "" {
				format = FormatAuto
			}
			remote := "s3://mem/in/data/" + tt.path
			if tt.path == "." {
				remote = "s3://mem/in/data"
			}
			rfiles, rerr := Discover([]string{remote}, format)
			if tt.wantErr != "" {
				if rerr == nil || !strings.Contains(rerr.Error(), tt.wantErr) {
					t.Fatalf("Discover(%s) = %v, want an error with %q", remote, rerr, tt.wantErr)
				}
				if !strings.Contains(rerr.Error(), "s3://mem/in/data") {
					t.Errorf("error %q does not name the location", rerr)
				}
				return
			}
			if rerr != nil {
				t.Fatal(rerr)
			}
			localPath := filepath.Join(local, filepath.FromSlash(tt.path))
			lfiles, err := Discover([]string{localPath}, format)
			if err != nil {
				t.Fatal(err)
			}
			got, want := describeFiles(rfiles, remote), describeFiles(lfiles, localPath)
			if !slices.Equal(got, want) || len(got) != tt.wantN {
				t.Errorf("objects:\n%v\nfiles on disk (want %d):\n%v", got, tt.wantN, want)
			}
		})
	}
}

// TestDiscoverObjectErrors: a bucket that is not registered cannot be
// reached, and the error names the location.
func TestDiscoverObjectErrors(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "y")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	_, err := Discover([]string{"s3://nowhere-bucket/data"}, FormatAuto)
	if err == nil || !strings.Contains(err.Error(), "s3://nowhere-bucket/data") || !strings.Contains(err.Error(), "cannot be reached") {
		t.Fatalf("Discover = %v, want an unreachable error naming the location", err)
	}
}

// TestReadObjectsAsFiles reads the Hive fixture from a bucket and from disk:
// the same units, by relative path, with the same rows, and the same
// fingerprints.
func TestReadObjectsAsFiles(t *testing.T) {
	memBucket(t, "mem", filepath.Join(testdata, "hive"), "hive")
	spec := tokenSpec("lang", "id", "split")
	local, err := openPaths(t, spec, 4, testdata+"/hive")
	if err != nil {
		t.Fatal(err)
	}
	remote, err := openPaths(t, spec, 4, "s3://mem/hive")
	if err != nil {
		t.Fatal(err)
	}
	lc, rc := readAll(t, local, nil), readAll(t, remote, nil)
	if len(lc) != len(rc) || len(lc) == 0 {
		t.Fatalf("%d chunks from disk, %d from the bucket", len(lc), len(rc))
	}
	lp, rp := local.Fingerprints(), remote.Fingerprints()
	defer lp.Close()
	defer rp.Close()
	for i := range lc {
		lu, ru := lc[i].Unit, rc[i].Unit
		if shard.Relative(lu.File, []string{testdata + "/hive"}) != shard.Relative(ru.File, []string{"s3://mem/hive"}) ||
			lu.Index != ru.Index || lu.RowStart != ru.RowStart || lu.Rows != ru.Rows {
			t.Fatalf("unit %d: %v from disk, %v from the bucket", i, lu, ru)
		}
		if !array.RecordEqual(lc[i].Record, rc[i].Record) {
			t.Fatalf("unit %v: rows differ", ru)
		}
		lf, err := lp.Of(lu.File, lu.RowStart, lu.RowStart+lu.Rows)
		if err != nil {
			t.Fatal(err)
		}
		rf, err := rp.Of(ru.File, ru.RowStart, ru.RowStart+ru.Rows)
		if err != nil {
			t.Fatal(err)
		}
		if lf.Method != rf.Method || lf.Digest != rf.Digest || lf.Size != rf.Size {
			t.Fatalf("unit %v: fingerprint %+v from disk, %+v from the bucket", ru, lf, rf)
		}
	}
}

// TestReadEveryFormatFromObjects reads each format's fixture from a bucket
// and from disk: the same units, rows and fingerprints. CSV, TSV, JSON
// Lines and Arrow streams are streamed, Parquet and Arrow files read by
// ranges.
func TestReadEveryFormatFromObjects(t *testing.T) {
	dir := t.TempDir()
	names := []string{"tokens.csv", "tokens.tsv", "tokens.jsonl", "tokens.arrow", "tokens.arrows", "tokens_i64.parquet"}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(testdata, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	memBucket(t, "formats", dir, "in")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			local, err := openPaths(t, tokenSpec(), 3, filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			remote, err := openPaths(t, tokenSpec(), 3, "s3://formats/in/"+name)
			if err != nil {
				t.Fatal(err)
			}
			lc, rc := readAll(t, local, nil), readAll(t, remote, nil)
			if len(lc) != len(rc) || len(lc) == 0 {
				t.Fatalf("%d chunks from disk, %d from the bucket", len(lc), len(rc))
			}
			lp, rp := local.Fingerprints(), remote.Fingerprints()
			defer lp.Close()
			defer rp.Close()
			for i := range lc {
				lu, ru := lc[i].Unit, rc[i].Unit
				if lu.Index != ru.Index || lu.RowStart != ru.RowStart || lu.Rows != ru.Rows || ru.File != "s3://formats/in/"+name {
					t.Fatalf("unit %d: %v from disk, %v from the bucket", i, lu, ru)
				}
				if !array.RecordEqual(lc[i].Record, rc[i].Record) || len(lc[i].Problems) != len(rc[i].Problems) {
					t.Fatalf("unit %v: rows differ", ru)
				}
				lf, err := lp.Of(lu.File, lu.RowStart, lu.RowStart+lu.Rows)
				if err != nil {
					t.Fatal(err)
				}
				rf, err := rp.Of(ru.File, ru.RowStart, ru.RowStart+ru.Rows)
				if err != nil {
					t.Fatal(err)
				}
				if lf.Method != rf.Method || lf.Digest != rf.Digest {
					t.Fatalf("unit %v: fingerprint %+v from disk, %+v from the bucket", ru, lf, rf)
				}
			}
		})
	}
}
