package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// startShard starts the test binary as `bertbatch run --quiet --shard spec job`.
func startShard(t *testing.T, job, spec string) *child {
	t.Helper()
	return startWithEnv(t, nil, "run", "--quiet", "--shard", spec, job)
}

// visibleFiles maps each file dataset readers see in dir to its bytes.
func visibleFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, name := range entries(t, dir) {
		if !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_") {
			files[name] = []byte(readFile(t, filepath.Join(dir, name)))
		}
	}
	return files
}

// sameOutput fails unless dirs a and b hold the same visible files, byte for byte (the part
// files' ids and vectors among them).
func sameOutput(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := visibleFiles(t, a), visibleFiles(t, b)
	na, nb := keysSorted(fa), keysSorted(fb)
	if len(na) == 0 || !slices.Equal(na, nb) {
		t.Fatalf("files differ:\n%s: %v\n%s: %v", a, na, b, nb)
	}
	for _, name := range na {
		if !bytes.Equal(fa[name], fb[name]) {
			t.Errorf("%s differs between %s and %s", name, a, b)
		}
	}
}

func keysSorted(m map[string][]byte) []string {
	var k []string
	for name := range m {
		k = append(k, name)
	}
	slices.Sort(k)
	return k
}

// cli runs a bertbatch command in-process and returns its exit code, stdout and stderr.
func cli(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := dispatch(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestShardsMatchOneRun: N shards run as parallel processes, then committed, give the files of
// one unsharded run bit for bit; status, commit and verify agree; a whole-job resume of the
// committed folder skips everything.
func TestShardsMatchOneRun(t *testing.T) {
	dir := t.TempDir()
	writeTexts(t, dir, 3, 100)
	one := runJobFile(t, dir, "one.yaml", "")
	if code, _, stderr := cli("run", "--quiet", one); code != exitOK {
		t.Fatalf("unsharded run: exit %d: %s", code, stderr)
	}
	for _, n := range []int{2, 3} {
		t.Run(itoa(n)+" shards", func(t *testing.T) { shardAndCommit(t, dir, one, n) })
	}
}

// shardAndCommit runs the job one as n parallel shard processes into another folder, commits
// them and compares the result with one's output.
func shardAndCommit(t *testing.T, dir, one string, n int) {
	name := "sharded-" + itoa(n)
	job := writeFile(t, dir, name+".yaml", strings.Replace(readFile(t, one), "dir: out,", "dir: "+name+",", 1))
	out := filepath.Join(dir, name)
	var children []*child
	for i := range n {
		children = append(children, startShard(t, job, itoa(i)+"/"+itoa(n)))
	}
	for i, c := range children {
		if code := c.exitCode(); code != exitOK {
			t.Fatalf("shard %d/%d: exit %d: %s", i, n, code, c.stderr.String())
		}
	}
	code, stdout, _ := cli("status", out)
	if code != exitOK || !strings.Contains(stdout, itoa(n)+" of "+itoa(n)+" shards finished") {
		t.Errorf("status: exit %d, %s", code, stdout)
	}
	if code, stdout, stderr := cli("commit", out, job); code != exitOK || !strings.Contains(stdout, "300 rows") {
		t.Fatalf("commit: exit %d, %s %s", code, stdout, stderr)
	}
	if code, stdout, _ := cli("verify", out); code != exitOK {
		t.Errorf("verify after commit: exit %d, %s", code, stdout)
	}
	sameOutput(t, filepath.Join(dir, "out"), out)
	readersSeeEachRowOnce(t, out, 3, 100)
	if code, stdout, stderr := cli("run", "--quiet", job); code != exitOK || !strings.Contains(stdout, "rows 0 written, 0 rejected, 0 truncated, 300 skipped") {
		t.Errorf("whole-job resume of the committed folder: exit %d, %s %s", code, stdout, stderr)
	}
	if code, _, stderr := cli("run", "--quiet", "--shard", "0/"+itoa(n), job); code != exitFailed || !strings.Contains(stderr, "a shard run cannot add to it") {
		t.Errorf("shard run on the committed folder: exit %d, %s", code, stderr)
	}
}

// readersSeeEachRowOnce reads dir as a dataset with pyarrow and DuckDB and checks that the ids
// are those writeTexts wrote for files × rows, each once. It skips without BERTBATCH_PYTHON.
func readersSeeEachRowOnce(t *testing.T, dir string, files, rows int) {
	t.Helper()
	py := os.Getenv("BERTBATCH_PYTHON")
	if py == "" {
		t.Log("BERTBATCH_PYTHON is not set; the pyarrow and DuckDB reads are left out (eval \"$(make -s env)\")")
		return
	}
	script := `
import sys, pyarrow.dataset as ds, duckdb
d, files, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
want = sorted(f * 10000 + r for f in range(files) for r in range(rows))
got = sorted(ds.dataset(d, format="parquet").to_table(columns=["id"]).column("id").to_pylist())
assert got == want, f"pyarrow: {len(got)} ids, want {len(want)}"
got = sorted(r[0] for r in duckdb.sql(f"select id from read_parquet('{d}/*.parquet')").fetchall())
assert got == want, f"duckdb: {len(got)} ids, want {len(want)}"
`
	out, err := exec.Command(py, "-c", script, dir, itoa(files), itoa(rows)).CombinedOutput()
	if err != nil {
		t.Fatalf("reading %s with pyarrow and DuckDB: %v\n%s", dir, err, out)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestShardKilledAndRerun: a shard killed with SIGKILL mid-write leaves its share unfinished;
// commit refuses; the rerun of that shard resumes, and the committed folder equals one run's.
func TestShardKilledAndRerun(t *testing.T) {
	dir := t.TempDir()
	writeTexts(t, dir, 3, 100)
	one := runJobFile(t, dir, "one.yaml", "")
	if code, _, stderr := cli("run", "--quiet", one); code != exitOK {
		t.Fatalf("unsharded run: exit %d: %s", code, stderr)
	}
	job := writeFile(t, dir, "sharded.yaml", strings.Replace(readFile(t, one), "dir: out,", "dir: sharded,", 1))
	out := filepath.Join(dir, "sharded")
	manifest := filepath.Join(out, "_manifest-00000-of-00002.jsonl")
	c := startShard(t, job, "0/2")
	if !c.until(func() bool { return strings.Count(readIfAny(manifest), `"kind":"unit"`) >= 1 }) {
		t.Fatalf("shard 0/2 ended before the kill: exit %d, %s", c.exitCode(), c.stderr.String())
	}
	c.cmd.Process.Kill()
	c.exitCode()
	if code, _, stderr := cli("run", "--quiet", "--shard", "1/2", job); code != exitOK {
		t.Fatalf("shard 1/2: exit %d: %s", code, stderr)
	}
	if code, _, stderr := cli("commit", out, job); code != exitFailed || !strings.Contains(stderr, "shard 0/2 has not finished") {
		t.Skipf("commit after the kill: exit %d, %s (shard 0 may have finished before the kill)", code, stderr)
	}
	if code, stdout, stderr := cli("run", "--quiet", "--shard", "0/2", job); code != exitOK || strings.Contains(stdout, " 0 skipped") {
		t.Fatalf("rerun of shard 0/2: exit %d, %s %s; want it to skip what it committed before the kill", code, stdout, stderr)
	}
	if code, stdout, stderr := cli("commit", out, job); code != exitOK {
		t.Fatalf("commit: exit %d, %s %s", code, stdout, stderr)
	}
	sameOutput(t, filepath.Join(dir, "out"), out)
}

func readIfAny(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

// TestShardRefusals: bad --shard values are usage errors; a folder of another shard count,
// another job or a whole-job run is refused with a message naming the difference.
func TestShardRefusals(t *testing.T) {
	dir := t.TempDir()
	writeTexts(t, dir, 1, 60)
	job := runJobFile(t, dir, "job.yaml", "")
	t.Setenv("JOB_COMPLETION_INDEX", "")
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	if code, _, stderr := cli("run", "--quiet", "--shard", "1/3", job); code != exitOK {
		t.Fatalf("shard 1/3: exit %d: %s", code, stderr)
	}
	changed := writeFile(t, dir, "changed.yaml", strings.Replace(readFile(t, job), "max_batch_size: 1}", "max_batch_size: 1, max_length: 64}", 1))
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"index past count", []string{"--shard", "3/2", job}, exitUsage, "index 3 is out of range for 2 shards"},
		{"not I/N", []string{"--shard", "2", job}, exitUsage, "expected I/N or auto/N"},
		{"auto without index", []string{"--shard", "auto/2", job}, exitUsage, "neither is set"},
		{"another count", []string{"--shard", "0/2", job}, exitFailed, "_manifest-00001-of-00003.jsonl, of a run split into 3 shards; this run is split into 2"},
		{"another job", []string{"--shard", "1/3", changed}, exitFailed, "batching.max_length: 0 → 64"},
		{"whole job on shards", []string{job}, exitFailed, "split into 3 shards"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := cli(append([]string{"run", "--quiet"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
	if code, stdout, _ := cli("status", filepath.Join(dir, "out")); code != exitFailed || !strings.Contains(stdout, "shard 0/3: not started") {
		t.Errorf("status with shards missing: exit %d, %s", code, stdout)
	}
	if code, _, stderr := cli("commit", filepath.Join(dir, "out"), job); code != exitFailed || !strings.Contains(stderr, "shard 0 of 3 never ran") {
		t.Errorf("commit with shards missing: exit %d, %s", code, stderr)
	}
}
