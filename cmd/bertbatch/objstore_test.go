package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bertbatch/bertbatch/io/objstore/s3test"
	"github.com/bertbatch/bertbatch/io/outdir"
)

// The bucket and prefix the object-store tests write.
const (
	testBucket = "bertbatch-out"
	testPrefix = "run"
)

// listKeys lists the keys under prefix in the test bucket.
func listKeys(t *testing.T, srv *s3test.Server, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(srv.Client(), &s3.ListObjectsV2Input{Bucket: aws.String(testBucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list s3://%s/%s: %v", testBucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// getObject reads one object of the test bucket.
func getObject(t *testing.T, srv *s3test.Server, key string) []byte {
	t.Helper()
	out, err := srv.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get s3://%s/%s: %v", testBucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestObjectStoreOutput runs bertbatch against one real S3 server (SeaweedFS on loopback): the
// refusals, then 4 shards writing to it.
func TestObjectStoreOutput(t *testing.T) {
	srv := s3test.Require(t)
	if err := srv.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	t.Run("refused", func(t *testing.T) { objectStoreRefused(t, srv) })
	t.Run("shards", func(t *testing.T) { shardsOnObjectStore(t, srv) })
}

// mapKeys gives m's keys as the keys of a map keysSorted takes.
func mapKeys(m map[string]string) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k := range m {
		out[k] = nil
	}
	return out
}

// leaseTTL is the lease duration of the shard runs: short, so that the killed shard's replacement
// waits little, yet long enough for renewals on 2 busy cores (a run stops when its lease was not
// renewed for three quarters of it).
const leaseTTL = 8 * time.Second

// shardsOnObjectStore: a job over a multi-file Parquet dataset in the bucket runs as 4 shard
// processes writing to s3://bertbatch-out/run; one is killed with SIGKILL mid-write, its
// replacement is kept out while the dead run's lease lives and then resumes; `bertbatch commit`
// merges the shards; the objects are, byte for byte, the parts of an unsharded run over the same
// files on disk, and pyarrow and DuckDB, reading the bucket, find every input row once with that
// run's vectors.
func shardsOnObjectStore(t *testing.T, srv *s3test.Server) {
	env := append(srv.Env(), outdir.LeaseTTLEnv+"="+leaseTTL.String())
	dir := t.TempDir()
	const files, rows = 3, 400
	writeTexts(t, dir, files, rows)
	// The input: Parquet files in the bucket when pyarrow is there to write them (as under make
	// test), else the JSON Lines files on disk.
	input := "in"
	if py := os.Getenv("BERTBATCH_PYTHON"); py != "" {
		toParquet(t, py, filepath.Join(dir, "in"), 25)
		upload(t, srv, filepath.Join(dir, "in"), testBucket, "input")
		input = `"s3://` + testBucket + `/input"`
	} else {
		t.Log("BERTBATCH_PYTHON is not set; the input is read from disk, as JSON Lines (eval \"$(make -s env)\")")
	}
	one := runJobFile(t, dir, "one.yaml", "")
	if code, _, stderr := cli("run", "--quiet", one); code != exitOK {
		t.Fatalf("unsharded local run: exit %d: %s", code, stderr)
	}
	out := "s3://" + testBucket + "/" + testPrefix
	remoteJob := strings.Replace(readFile(t, one), "dir: out,", `dir: "`+out+`",`, 1)
	remoteJob = strings.Replace(remoteJob, "paths: [in]", "paths: ["+input+"]", 1)
	if !strings.Contains(remoteJob, "paths: ["+input+"]") || !strings.Contains(remoteJob, out) {
		t.Fatalf("the remote job names the wrong locations:\n%s", remoteJob)
	}
	job := writeFile(t, dir, "remote.yaml", remoteJob)

	shards := make([]*child, 4)
	for i := range shards {
		shards[i] = startWithEnv(t, env, "run", "--quiet", "--shard", itoa(i)+"/4", job)
	}
	records := testPrefix + "/_manifest-00000-of-00004/"
	if !shards[0].until(func() bool { return len(listKeys(t, srv, records)) >= 3 }) {
		t.Fatalf("shard 0/4 ended before its first unit was recorded: exit %d, %s", shards[0].exitCode(), shards[0].stderr.String())
	}
	shards[0].cmd.Process.Kill()
	shards[0].exitCode()
	for i, c := range shards[1:] {
		if code := c.exitCode(); code != exitOK {
			t.Fatalf("shard %d/4: exit %d: %s", i+1, code, c.stderr.String())
		}
	}
	if slices.Contains(listKeys(t, srv, testPrefix+"/"), testPrefix+"/_SUCCESS-00000-of-00004") {
		t.Fatal("shard 0/4 finished before the kill; the test needs it killed mid-write")
	}
	code, stdout, _ := runWithEnv(t, env, "status", out)
	if code != exitFailed || !strings.Contains(stdout, "shard 0/4:") || !strings.Contains(stdout, "running (pid ") ||
		!strings.Contains(stdout, "3 of 4 shards finished") {
		t.Errorf("status with the dead shard's lease live: exit %d, %s", code, stdout)
	}
	if code, _, stderr := runWithEnv(t, env, "run", "--quiet", "--shard", "0/4", job); code != exitFailed || !strings.Contains(stderr, "in use by another run (pid ") {
		t.Errorf("rerun while the killed run's lease lives: exit %d, %s; want exit 1 naming the holder", code, stderr)
	}
	if code, _, stderr := runWithEnv(t, env, "commit", out, job); code != exitFailed || !strings.Contains(stderr, "shard 0/4") {
		t.Errorf("commit with shard 0 unfinished: exit %d, %s", code, stderr)
	}
	// The replacement retries until the dead run's lease has expired, as a retried pod would.
	deadline := time.Now().Add(2 * leaseTTL)
	for {
		code, stdout, stderr := runWithEnv(t, env, "run", "--quiet", "--shard", "0/4", job)
		if code == exitFailed && strings.Contains(stderr, "in use by another run") && time.Now().Before(deadline) {
			time.Sleep(leaseTTL / 10)
			continue
		}
		if code != exitOK || strings.Contains(stdout, " 0 skipped") {
			t.Fatalf("rerun of shard 0/4 after the lease expired: exit %d, %s %s; want it to skip what it committed before the kill", code, stdout, stderr)
		}
		break
	}
	if code, stdout, stderr := runWithEnv(t, env, "commit", out, job); code != exitOK || !strings.Contains(stdout, "1200 rows") {
		t.Fatalf("commit: exit %d, %s %s", code, stdout, stderr)
	}
	if code, stdout, _ := runWithEnv(t, env, "verify", out); code != exitOK || !strings.Contains(stdout, "sound and complete") {
		t.Errorf("verify: exit %d, %s", code, stdout)
	}

	// Parts are compared by place (input file and first row): their names end in a digest of the
	// input's location, which differs between the bucket and the folder on disk.
	local := partsByPlace(t, filepath.Join(dir, "out"))
	remote := map[string]string{}
	for _, key := range listKeys(t, srv, testPrefix+"/") {
		name := strings.TrimPrefix(key, testPrefix+"/")
		if !strings.HasPrefix(name, "_") && !strings.HasPrefix(name, ".") {
			remote[name[:strings.LastIndex(name, "-")]] = key
		}
	}
	if got, want := keysSorted(mapKeys(remote)), keysSorted(local); !slices.Equal(got, want) {
		t.Fatalf("objects a reader sees: %v\nparts of the local run: %v", got, want)
	}
	for place, key := range remote {
		if !bytes.Equal(getObject(t, srv, key), local[place]) {
			t.Errorf("%s differs from the local run's part", key)
		}
	}
	readBackWithPyarrow(t, srv, filepath.Join(dir, "out"), files, rows)
}

// readBackWithPyarrow reads the committed prefix from the server with pyarrow's S3FileSystem and
// the local run's folder, and checks that each input row is there once, with the same vector bits;
// DuckDB, scanning the same pyarrow dataset, finds each id once too (its own S3 reader, the httpfs
// extension, is not on the package registries for DuckDB 2.0).
// It skips without BERTBATCH_PYTHON.
func readBackWithPyarrow(t *testing.T, srv *s3test.Server, local string, files, rows int) {
	t.Helper()
	py := os.Getenv("BERTBATCH_PYTHON")
	if py == "" {
		t.Log("BERTBATCH_PYTHON is not set; the pyarrow read is left out (eval \"$(make -s env)\")")
		return
	}
	script := `
import sys, numpy as np, pyarrow.dataset as ds, pyarrow.fs as pafs
endpoint, key, secret, region, where, local, files, rows = sys.argv[1:]
scheme, host = endpoint.split("://")
s3 = pafs.S3FileSystem(endpoint_override=host, scheme=scheme, access_key=key, secret_key=secret, region=region)
def read(path, fs=None):
    t = ds.dataset(path, filesystem=fs, format="parquet").to_table(columns=["id", "embedding"])
    ids = t.column("id").to_pylist()
    vecs = np.asarray(t.column("embedding").combine_chunks().values).reshape(len(ids), -1).view(np.uint32)
    return ids, vecs
ids, vecs = read(where, s3)
want = sorted(f * 10000 + r for f in range(int(files)) for r in range(int(rows)))
assert sorted(ids) == want, f"the bucket: {len(ids)} ids, {len(set(ids))} distinct; want {len(want)}"
lids, lvecs = read(local)
ref = {i: lvecs[k] for k, i in enumerate(lids)}
bad = [i for k, i in enumerate(ids) if not np.array_equal(vecs[k], ref[i])]
assert not bad, f"{len(bad)} rows differ from the local run, such as id {bad[:3]}"
import duckdb
dataset = ds.dataset(where, filesystem=s3, format="parquet")
got = sorted(r[0] for r in duckdb.sql("select id from dataset").fetchall())
assert got == want, f"DuckDB: {len(got)} ids, {len(set(got))} distinct; want {len(want)}"
print(len(ids), "rows")
`
	args := []string{"-c", script, srv.Endpoint, s3test.AccessKey, s3test.SecretKey, s3test.Region,
		testBucket + "/" + testPrefix, local, itoa(files), itoa(rows)}
	out, err := exec.Command(py, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("reading the bucket with pyarrow: %v\n%s", err, out)
	}
}

// objectStoreRefused: a bucket that does not exist, missing credentials and an endpoint that does
// not answer each stop the run with exit 1 and a message saying which, and leave nothing in the
// bucket. The commands that only read are checked on the missing bucket (an unreachable endpoint
// costs each command the S3 client's retries).
func objectStoreRefused(t *testing.T, srv *s3test.Server) {
	dir := t.TempDir()
	writeTexts(t, dir, 1, 10)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	noCreds := []string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=",
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"), "AWS_CONFIG_FILE=" + filepath.Join(dir, "none")}
	tests := []struct {
		name    string
		dir     string
		env     []string
		stderr  string
		readers bool // check verify, status and commit too
	}{
		// A model that is not in the cache of an offline run: the output is checked before the model.
		{"missing bucket", "s3://no-such-bucket/run", append(srv.Env(), "HF_HUB_OFFLINE=1", "HF_HOME="+filepath.Join(dir, "hf")), "the bucket does not exist", true},
		{"no credentials", "s3://" + testBucket + "/nocreds", append(srv.Env(), noCreds...), "no usable credentials", false},
		{"unreachable endpoint", "s3://" + testBucket + "/unreachable", append(srv.Env(), "AWS_ENDPOINT_URL="+closed), "the endpoint cannot be reached", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(readFile(t, runJobFile(t, dir, "job.yaml", "")), "dir: out,", `dir: "`+tc.dir+`",`, 1)
			if tc.readers {
				src = strings.Replace(src, "ref: "+tinyBert(t), "ref: bertbatch-test/not-cached", 1)
			}
			job := writeFile(t, dir, "job.yaml", src)
			commands := [][]string{{"run", "--quiet", job}}
			if tc.readers {
				commands = append(commands, []string{"verify", tc.dir}, []string{"status", tc.dir}, []string{"commit", tc.dir, job})
			}
			for _, args := range commands {
				code, _, stderr := runWithEnv(t, tc.env, args...)
				if code != exitFailed || !strings.Contains(stderr, tc.stderr) {
					t.Errorf("%s: exit %d, stderr %q; want exit 1 and %q", args[0], code, stderr, tc.stderr)
				}
			}
			if keys := listKeys(t, srv, ""); len(keys) != 0 {
				t.Errorf("objects written: %v", keys)
			}
		})
	}
}
