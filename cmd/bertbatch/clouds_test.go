package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/io/objstore"
	"github.com/bertbatch/bertbatch/io/objstore/cloudtest"
)

// TestRunOnEmulators runs bertbatch with its output in Google Cloud Storage and Azure Blob
// Storage, as fake-gcs-server and Azurite serve them on loopback: a local input written to
// gs://out/run (azblob://out/run) gives the parts of the same run into a folder, byte for byte;
// `bertbatch verify` finds the prefix sound and complete; a rerun skips every row; a missing
// bucket, and for Azure a wrong key, stop the run with exit 1 and nothing written. Two shards
// running at once, then committed, give the same parts; so does a run reading its input from the
// bucket.
func TestRunOnEmulators(t *testing.T) {
	dir := t.TempDir()
	const files, rows = 2, 120
	writeTexts(t, dir, files, rows)
	one := runJobFile(t, dir, "one.yaml", "")
	if code, _, stderr := cli("run", "--quiet", one); code != exitOK {
		t.Fatalf("local run: exit %d: %s", code, stderr)
	}
	local := partsByPlace(t, filepath.Join(dir, "out"))
	for _, scheme := range cloudtest.Schemes {
		t.Run(string(scheme), func(t *testing.T) {
			srv := cloudtest.Require(t, scheme)
			if err := srv.CreateBucket("out"); err != nil {
				t.Fatal(err)
			}
			out := string(scheme) + "://out/run"
			job := remoteOutputJob(t, dir, one, string(scheme)+".yaml", out)
			env := srv.Env()
			if code, _, stderr := runWithEnv(t, env, "run", "--quiet", job); code != exitOK {
				t.Fatalf("run into %s: exit %d: %s", out, code, stderr)
			}
			if code, stdout, stderr := runWithEnv(t, env, "verify", out); code != exitOK || !strings.Contains(stdout, "sound and complete") {
				t.Errorf("verify %s: exit %d, %s %s", out, code, stdout, stderr)
			}
			code, stdout, stderr := runWithEnv(t, env, "run", "--quiet", job)
			var written, rejected, truncated, skipped int
			if _, err := fmt.Sscanf(stdout, "rows %d written, %d rejected, %d truncated, %d skipped", &written, &rejected, &truncated, &skipped); code != exitOK || err != nil {
				t.Fatalf("rerun: exit %d, summary %q (%v): %s", code, stdout, err, stderr)
			}
			if written != 0 || skipped != files*rows {
				t.Errorf("rerun wrote %d rows and skipped %d; want 0 and %d", written, skipped, files*rows)
			}

			srv.Setenv(t)
			remote := objectsByPlace(t, out)
			if got, want := keysSorted(remote), keysSorted(local); len(want) == 0 || !slices.Equal(got, want) {
				t.Fatalf("parts in %s: %v\nparts of the local run: %v", out, got, want)
			}
			t.Logf("%d parts in %s, each compared with the local run's", len(remote), out)
			for place, data := range remote {
				if !bytes.Equal(data, local[place]) {
					t.Errorf("%s: the part at %s differs from the local run's", out, place)
				}
			}
			t.Run("two shards", func(t *testing.T) { shardsOnEmulator(t, srv, dir, one, local) })
			t.Run("input from the bucket", func(t *testing.T) { inputFromEmulator(t, srv, dir, one) })
			refusedOnEmulator(t, srv, dir, one)
		})
	}
}

// shardsOnEmulator runs the job one as 2 shard processes at once into <scheme>://out/sharded (each
// takes its shard's lease by a conditional create), commits them, and finds the local run's parts.
func shardsOnEmulator(t *testing.T, srv *cloudtest.Server, dir, one string, local map[string][]byte) {
	out := string(srv.Scheme) + "://out/sharded"
	job := remoteOutputJob(t, dir, one, string(srv.Scheme)+"-sharded.yaml", out)
	shards := []*child{
		startWithEnv(t, srv.Env(), "run", "--quiet", "--shard", "0/2", job),
		startWithEnv(t, srv.Env(), "run", "--quiet", "--shard", "1/2", job),
	}
	for i, c := range shards {
		if code := c.exitCode(); code != exitOK {
			t.Fatalf("shard %d/2: exit %d: %s", i, code, c.stderr.String())
		}
	}
	if code, stdout, stderr := runWithEnv(t, srv.Env(), "commit", out, job); code != exitOK {
		t.Fatalf("commit %s: exit %d: %s %s", out, code, stdout, stderr)
	}
	if code, stdout, stderr := runWithEnv(t, srv.Env(), "verify", out); code != exitOK || !strings.Contains(stdout, "sound and complete") {
		t.Errorf("verify %s: exit %d, %s %s", out, code, stdout, stderr)
	}
	remote := objectsByPlace(t, out)
	if got, want := keysSorted(remote), keysSorted(local); !slices.Equal(got, want) {
		t.Fatalf("parts in %s: %v\nparts of the local run: %v", out, got, want)
	}
	for place, data := range remote {
		if !bytes.Equal(data, local[place]) {
			t.Errorf("%s: the part at %s differs from the local run's", out, place)
		}
	}
}

// inputFromEmulator copies the input files into <scheme>://out/input and runs the job one reading
// them from there into a folder: the parts are those of the run that read them from disk.
func inputFromEmulator(t *testing.T, srv *cloudtest.Server, dir, one string) {
	ctx := context.Background()
	in := string(srv.Scheme) + "://out/input"
	loc, err := objstore.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	s, err := objstore.Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	for name, data := range visibleFiles(t, filepath.Join(dir, "in")) {
		if err := s.Put(ctx, name, data); err != nil {
			t.Fatal(err)
		}
	}
	outName := "out-from-" + string(srv.Scheme)
	src := strings.Replace(readFile(t, one), "paths: [in]", `paths: ["`+in+`"]`, 1)
	src = strings.Replace(src, "dir: out,", "dir: "+outName+",", 1)
	if !strings.Contains(src, in) || !strings.Contains(src, outName) {
		t.Fatalf("the job does not name %s and %s:\n%s", in, outName, src)
	}
	job := writeFile(t, dir, string(srv.Scheme)+"-input.yaml", src)
	if code, _, stderr := runWithEnv(t, srv.Env(), "run", "--quiet", job); code != exitOK {
		t.Fatalf("run from %s: exit %d: %s", in, code, stderr)
	}
	sameParts(t, filepath.Join(dir, "out"), filepath.Join(dir, outName))
}

// remoteOutputJob writes a copy of the job one with its output in out.
func remoteOutputJob(t *testing.T, dir, one, name, out string) string {
	t.Helper()
	src := strings.Replace(readFile(t, one), "dir: out,", `dir: "`+out+`",`, 1)
	if !strings.Contains(src, out) {
		t.Fatalf("the job does not name %s:\n%s", out, src)
	}
	return writeFile(t, dir, name, src)
}

// objectsByPlace reads the visible parts under the object-storage location out, by place (see
// partsByPlace), through objstore with the environment of the test process.
func objectsByPlace(t *testing.T, out string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	loc, err := objstore.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	s, err := objstore.Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	objs, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, o := range objs {
		i := strings.LastIndex(o.Name, "-")
		if strings.HasPrefix(o.Name, "_") || strings.HasPrefix(o.Name, ".") || i <= 0 || !strings.HasSuffix(o.Name, ".parquet") {
			continue
		}
		data, err := s.Read(ctx, o.Name)
		if err != nil {
			t.Fatal(err)
		}
		parts[o.Name[:i]] = data
	}
	return parts
}

// refusedOnEmulator: a bucket that does not exist, and on Azurite (which checks signatures) a wrong
// key, stop the run with exit 1 and the cause, leaving nothing under the prefix. fake-gcs-server
// checks no credentials, so refused credentials cannot be shown for gs://.
func refusedOnEmulator(t *testing.T, srv *cloudtest.Server, dir, one string) {
	scheme := string(srv.Scheme)
	tests := []struct {
		name, out string
		env       []string
		stderr    string
	}{
		{"missing bucket", scheme + "://no-such-bucket/run", srv.Env(), "the bucket does not exist"},
	}
	if srv.Scheme == objstore.Azure {
		tests = append(tests, struct {
			name, out string
			env       []string
			stderr    string
		}{"wrong key", scheme + "://out/wrongkey", append(srv.Env(), "AZURE_STORAGE_KEY=d3Jvbmcga2V5IGZvciB0aGUgZGV2ZWxvcG1lbnQgYWNjb3VudA=="), "no usable credentials (for Azure:"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			job := remoteOutputJob(t, dir, one, scheme+"-refused.yaml", tc.out)
			if code, _, stderr := runWithEnv(t, tc.env, "run", "--quiet", job); code != exitFailed || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("run: exit %d, stderr %q; want exit 1 and %q", code, stderr, tc.stderr)
			}
		})
	}
	if srv.Scheme != objstore.Azure {
		return
	}
	loc, err := objstore.Parse(scheme + "://out/wrongkey")
	if err != nil {
		t.Fatal(err)
	}
	s, err := objstore.Open(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if objs, err := s.List(context.Background(), ""); err != nil || len(objs) != 0 {
		t.Errorf("objects under %s after the refused runs: %v, %v", loc, objs, err)
	}
}
