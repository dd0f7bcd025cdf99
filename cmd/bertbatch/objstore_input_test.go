package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bertbatch/bertbatch/io/objstore/s3test"
)

// writeHiveTexts writes a Hive-partitioned Parquet dataset under dir: lang=en and lang=fr folders
// of files with an id and a text column, in row groups of 40 rows, and a _SUCCESS marker.
func writeHiveTexts(t *testing.T, dir string) {
	t.Helper()
	words := strings.Fields("the water people first day night house small great world city school team")
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "text", Type: arrow.BinaryTypes.String},
	}, nil)
	for f, rel := range []string{"lang=en/part-0.parquet", "lang=en/part-1.parquet", "lang=fr/part-0.parquet"} {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for r := range 90 {
			var text []string
			for w := range 2 + (r*7+f)%23 {
				text = append(text, words[(r*3+w*5+f)%len(words)])
			}
			b.Field(0).(*array.Int64Builder).Append(int64(f*10000 + r))
			b.Field(1).(*array.StringBuilder).Append(strings.Join(text, " "))
		}
		rec := b.NewRecordBatch()
		var buf bytes.Buffer
		w, err := pqarrow.NewFileWriter(schema, &buf, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(40)), pqarrow.DefaultWriterProps())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		b.Release()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, rel, buf.String())
	}
	writeFile(t, dir, "_SUCCESS", "")
}

// upload copies the files under dir into bucket below prefix.
func upload(t *testing.T, srv *s3test.Server, dir, bucket, prefix string) {
	t.Helper()
	if err := srv.Upload(dir, bucket, prefix); err != nil {
		t.Fatal(err)
	}
}

// objectJob writes a job reading paths with model into out.
func objectJob(t *testing.T, dir, name, model, paths, out string) string {
	t.Helper()
	return writeFile(t, dir, name, fmt.Sprintf(`
model: {ref: %q}
input: {paths: [%q], text_column: text, passthrough: [id, lang]}
output: {dir: %s, rows_per_file: 25}
batching: {max_batch_size: 1}
workers: 2
`, model, paths, out))
}

// runChild runs the test binary as bertbatch with args and the extra environment, and returns its
// exit code and stderr.
func runChild(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	code, _, stderr := runWithEnv(t, env, args...)
	return code, stderr
}

// partsByPlace maps each output part to its bytes, by its place (input file's index and first row):
// the name without the digest of the input's location, which differs between a folder on disk and a
// bucket.
func partsByPlace(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, data := range visibleFiles(t, dir) {
		if i := strings.LastIndex(name, "-"); i > 0 && strings.HasSuffix(name, ".parquet") {
			out[name[:i]] = data
		}
	}
	return out
}

// sameParts fails unless the parts of dirs a and b are the same, byte for byte, place by place.
func sameParts(t *testing.T, a, b string) {
	t.Helper()
	pa, pb := partsByPlace(t, a), partsByPlace(t, b)
	na, nb := keysSorted(pa), keysSorted(pb)
	if len(na) == 0 || !slices.Equal(na, nb) {
		t.Fatalf("parts differ:\n%s: %v\n%s: %v", a, na, b, nb)
	}
	for _, name := range na {
		if !bytes.Equal(pa[name], pb[name]) {
			t.Errorf("part %s differs between %s and %s", name, a, b)
		}
	}
}

// TestRunFromObjectStorage reads a Hive-partitioned Parquet dataset from a real S3 server: the
// parts are those of the same run over the same files on disk, bit for bit, also shard by shard
// when both run as two shards, and after a run killed with SIGKILL is resumed; a model in the bucket is copied into the cache once; and a
// missing bucket, missing credentials, an unreachable endpoint or an empty prefix each stop the
// run with exit 1, an error naming the location, and no output folder.
func TestRunFromObjectStorage(t *testing.T) {
	srv := s3test.Require(t)
	for _, b := range []string{"data", "models"} {
		if err := srv.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	local := filepath.Join(dir, "in")
	writeHiveTexts(t, local)
	upload(t, srv, local, "data", "reviews")
	upload(t, srv, tinyBert(t), "models", "tiny-bert")
	env := append(srv.Env(), "HF_HUB_CACHE="+filepath.Join(dir, "cache"))

	if code, stderr := runChild(t, nil, "run", "--quiet", objectJob(t, dir, "local.yaml", tinyBert(t), local, "out-local")); code != exitOK {
		t.Fatalf("run on disk: exit %d: %s", code, stderr)
	}

	t.Run("same parts", func(t *testing.T) {
		job := objectJob(t, dir, "s3.yaml", tinyBert(t), "s3://data/reviews", "out-s3")
		if code, stderr := runChild(t, env, "run", "--quiet", job); code != exitOK {
			t.Fatalf("run from s3: exit %d: %s", code, stderr)
		}
		sameParts(t, filepath.Join(dir, "out-local"), filepath.Join(dir, "out-s3"))
	})

	t.Run("shards", func(t *testing.T) {
		// Blocks keep their shards: each shard reading from the bucket writes the parts that shard
		// writes reading from disk, and the committed folders are the same. (Row groups of 40 rows
		// against parts of 25 let a part end elsewhere than in an unsharded run, on disk as in a
		// bucket: see docs/scale-out.md.)
		for i, spec := range []string{"0/2", "1/2"} {
			for _, in := range []struct{ name, paths string }{{"shards-local", local}, {"shards-s3", "s3://data/reviews"}} {
				job := objectJob(t, dir, in.name+".yaml", tinyBert(t), in.paths, fmt.Sprintf("out-%s-%d", in.name, i))
				if code, _, stderr := runWithEnv(t, env, "run", "--quiet", "--shard", spec, job); code != exitOK {
					t.Fatalf("%s, shard %s: exit %d: %s", in.name, spec, code, stderr)
				}
			}
			sameParts(t, filepath.Join(dir, fmt.Sprintf("out-shards-local-%d", i)), filepath.Join(dir, fmt.Sprintf("out-shards-s3-%d", i)))
			if n, all := len(partsByPlace(t, filepath.Join(dir, fmt.Sprintf("out-shards-s3-%d", i)))), len(partsByPlace(t, filepath.Join(dir, "out-local"))); n >= all {
				t.Errorf("shard %s wrote %d parts of %d; want a share", spec, n, all)
			}
		}
	})

	t.Run("killed and resumed", func(t *testing.T) {
		job := objectJob(t, dir, "kill.yaml", tinyBert(t), "s3://data/reviews", "out-kill")
		out := filepath.Join(dir, "out-kill")
		c := &child{cmd: exec.Command(os.Args[0], "run", "--quiet", job), done: make(chan struct{})}
		c.cmd.Env = append(append(os.Environ(), mainEnv+"=1"), env...)
		c.cmd.Stderr = &c.stderr
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { c.cmd.Wait(); close(c.done) }()
		t.Cleanup(func() { c.cmd.Process.Kill(); <-c.done })
		if !c.until(func() bool { u, _ := manifestRows(t, out); return u >= 2 }) {
			t.Fatalf("the run ended before the kill: exit %d, %s", c.exitCode(), c.stderr.String())
		}
		c.cmd.Process.Kill()
		<-c.done
		code, stdout, stderr := runWithEnv(t, env, "run", "--quiet", job)
		if code != exitOK {
			t.Fatalf("resumed run: exit %d: %s", code, stderr)
		}
		var written, rejected, truncated, skipped int
		if _, err := fmt.Sscanf(stdout, "rows %d written, %d rejected, %d truncated, %d skipped", &written, &rejected, &truncated, &skipped); err != nil {
			t.Fatalf("resumed run's summary %q: %v", stdout, err)
		}
		if written == 0 {
			t.Skipf("the run finished before the kill; nothing to resume")
		}
		if skipped == 0 || written+skipped != 270 {
			t.Errorf("resumed run: %d rows written, %d skipped; want some of each, 270 in all", written, skipped)
		}
		sameParts(t, filepath.Join(dir, "out-local"), out)
	})

	t.Run("model from s3", func(t *testing.T) {
		job := objectJob(t, dir, "model.yaml", "s3://models/tiny-bert", "s3://data/reviews", "out-model")
		code, stderr := runChild(t, env, "run", job)
		if code != exitOK || !strings.Contains(stderr, "copied") {
			t.Fatalf("first run: exit %d, stderr %s; want the model copied", code, stderr)
		}
		snaps, err := filepath.Glob(filepath.Join(dir, "cache", "objects--s3--models--*", "snapshots", "*", "config.json"))
		if err != nil || len(snaps) != 1 {
			t.Fatalf("cached snapshots: %v, %v; want one", snaps, err)
		}
		before, err := os.Stat(snaps[0])
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
		code, stderr = runChild(t, env, "run", "--overwrite", job)
		if code != exitOK || strings.Contains(stderr, "copied") {
			t.Fatalf("second run: exit %d, stderr %s; want no copy", code, stderr)
		}
		after, err := os.Stat(snaps[0])
		if err != nil || !after.ModTime().Equal(before.ModTime()) {
			t.Errorf("the cached config.json was written again (%v, %v)", after, err)
		}
		if units, rows := manifestRows(t, filepath.Join(dir, "out-model")); units == 0 || rows != 270 {
			t.Errorf("output of the model from s3: %d units, %d rows; want 270 rows", units, rows)
		}
		code, stdout, stderr := runWithEnv(t, env, "pull", "s3://no-such-bucket/tiny-bert")
		if want := "bertbatch pull: model s3://no-such-bucket/tiny-bert: hub: s3://no-such-bucket/tiny-bert: the bucket does not exist\n"; code != exitFailed || stderr != want {
			t.Errorf("pull from a missing bucket: exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
		}
		code, stdout, stderr = runWithEnv(t, env, "pull", "s3://models/tiny-bert")
		if code != exitOK || !strings.Contains(stdout, filepath.Dir(snaps[0])) || strings.Contains(stderr, "copied") {
			t.Errorf("pull: exit %d, stdout %q, stderr %q; want the cached folder, nothing copied", code, stdout, stderr)
		}
	})

	t.Run("inspect", func(t *testing.T) {
		code, stdout, stderr := runWithEnv(t, env, "inspect", "s3://data/reviews")
		if code != exitOK || !strings.Contains(stdout, "files: 3") {
			t.Errorf("inspect of the dataset: exit %d, stdout %q, stderr %q; want 3 files", code, stdout, stderr)
		}
		code, stdout, stderr = runWithEnv(t, env, "inspect", "s3://models/tiny-bert")
		if code != exitOK || !strings.Contains(stdout, "bert") {
			t.Errorf("inspect of the model: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})

	t.Run("changed object", func(t *testing.T) {
		// Replace one object with another file's bytes: resuming the finished output refuses it.
		data, err := os.ReadFile(filepath.Join(local, "lang=en", "part-0.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("data"),
			Key: aws.String("reviews/lang=fr/part-0.parquet"), Body: bytes.NewReader(data)}); err != nil {
			t.Fatal(err)
		}
		job := filepath.Join(dir, "s3.yaml")
		code, stderr := runChild(t, env, "run", "--quiet", job)
		if code != exitFailed || !strings.Contains(stderr, "input changed since its results were committed") ||
			!strings.Contains(stderr, "s3://data/reviews/lang=fr/part-0.parquet rows 0 to") {
			t.Fatalf("rerun after the change: exit %d, stderr %q; want exit 1 naming the changed object", code, stderr)
		}
	})

	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name  string
			paths string
			env   []string
			want  string
		}{
			{"no bucket", "s3://no-such-bucket/reviews", nil, "s3://no-such-bucket/reviews: the bucket does not exist"},
			{"no credentials", "s3://data/reviews", []string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=",
				"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}, "s3://data/reviews: no usable credentials"},
			{"unreachable", "s3://data/reviews", []string{"AWS_ENDPOINT_URL=http://127.0.0.1:1", "AWS_MAX_ATTEMPTS=1"},
				"s3://data/reviews: the endpoint cannot be reached"},
			{"no input files", "s3://data/nothing-here", nil, `"s3://data/nothing-here" matched no data files`},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				out := fmt.Sprintf("out-err-%d", i)
				job := objectJob(t, dir, out+".yaml", tinyBert(t), tc.paths, out)
				code, stderr := runChild(t, append(slices.Clone(env), tc.env...), "run", "--quiet", job)
				t.Logf("exit %d: %s", code, stderr)
				if code != exitFailed || !strings.Contains(stderr, tc.want) {
					t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tc.want)
				}
				if _, err := os.Stat(filepath.Join(dir, out)); !os.IsNotExist(err) {
					t.Errorf("output folder %s: %v; want none", out, err)
				}
			})
		}
	})
}
