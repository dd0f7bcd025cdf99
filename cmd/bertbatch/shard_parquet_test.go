package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestParquetShardsMatchOneRun: Parquet input split into shards through the job's shard field
// (auto/N, the index from JOB_COMPLETION_INDEX as in a Kubernetes Indexed Job) gives, after commit,
// what one unsharded run gives. Where row groups line up with the blocks the part files are the
// same bit for bit; where they do not, pyarrow finds every row once with the same vector bytes.
func TestParquetShardsMatchOneRun(t *testing.T) {
	py := os.Getenv("BERTBATCH_PYTHON")
	if py == "" {
		t.Skip("BERTBATCH_PYTHON is not set: pyarrow writes the input (eval \"$(make -s env)\")")
	}
	tests := []struct {
		name      string
		rowGroups int  // rows per row group of the input files
		sameBytes bool // whether the parts must match file for file
	}{
		{"row groups on block bounds", 25, true},
		{"row groups across block bounds", 40, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTexts(t, dir, 3, 100)
			toParquet(t, py, filepath.Join(dir, "in"), tt.rowGroups)
			one := runJobFile(t, dir, "one.yaml", "")
			if code, _, stderr := cli("run", "--quiet", one); code != exitOK {
				t.Fatalf("unsharded run: exit %d: %s", code, stderr)
			}
			const n = 3
			job := writeFile(t, dir, "sharded.yaml",
				strings.Replace(readFile(t, one), "dir: out,", "dir: sharded,", 1)+"shard: auto/3\n")
			var children []*child
			for i := range n {
				c := startWithEnv(t, []string{"JOB_COMPLETION_INDEX=" + itoa(i)}, "run", "--quiet", job)
				children = append(children, c)
			}
			for i, c := range children {
				if code := c.exitCode(); code != exitOK {
					t.Fatalf("shard %d/%d: exit %d: %s", i, n, code, c.stderr.String())
				}
			}
			out := filepath.Join(dir, "sharded")
			if code, stdout, stderr := cli("commit", out, job); code != exitOK || !strings.Contains(stdout, "300 rows") {
				t.Fatalf("commit: exit %d, %s %s", code, stdout, stderr)
			}
			if tt.sameBytes {
				sameOutput(t, filepath.Join(dir, "out"), out)
			}
			sameRows(t, py, filepath.Join(dir, "out"), out, 300)
		})
	}
}

// toParquet rewrites every JSONL file of dir as a Parquet file with rowGroups rows per row group
// (pyarrow), removing the JSONL file.
func toParquet(t *testing.T, py, dir string, rowGroups int) {
	t.Helper()
	script := `
import sys, glob, os, pyarrow.json as pj, pyarrow.parquet as pq
d, rg = sys.argv[1], int(sys.argv[2])
for f in sorted(glob.glob(os.path.join(d, "*.jsonl"))):
    pq.write_table(pj.read_json(f), f[:-len(".jsonl")] + ".parquet", row_group_size=rg)
    os.remove(f)
`
	if out, err := exec.Command(py, "-c", script, dir, itoa(rowGroups)).CombinedOutput(); err != nil {
		t.Fatalf("writing Parquet input: %v\n%s", err, out)
	}
}

// sameRows reads the datasets a and b with pyarrow and checks that both hold want rows, each id
// once, with the same embedding bytes for each id.
func sameRows(t *testing.T, py, a, b string, want int) {
	t.Helper()
	script := `
import sys, pyarrow.dataset as ds
def rows(d):
    t = ds.dataset(d, format="parquet").to_table(columns=["id", "embedding"])
    ids, emb = t.column("id").to_pylist(), t.column("embedding").to_pylist()
    assert len(set(ids)) == len(ids), f"{d}: an id appears twice"
    return dict(zip(ids, emb))
a, b, want = rows(sys.argv[1]), rows(sys.argv[2]), int(sys.argv[3])
assert len(a) == want and len(b) == want, f"{len(a)} and {len(b)} rows, want {want}"
bad = [i for i in a if a[i] != b.get(i)]
assert not bad, f"{len(bad)} rows differ, first id {bad[0]}"
`
	if out, err := exec.Command(py, "-c", script, a, b, itoa(want)).CombinedOutput(); err != nil {
		t.Fatalf("comparing %s with %s: %v\n%s", a, b, err, out)
	}
}

func TestShardSpec(t *testing.T) {
	env := map[string]string{"JOB_COMPLETION_INDEX": "2"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		flag, field string
		want        string // the spec, or the error's text
		wantErr     bool
	}{
		{"", "", "0/0", false},
		{"1/4", "", "1/4", false},
		{"", "1/4", "1/4", false},
		{"", "auto/4", "2/4", false},
		{"3/4", "auto/4", "3/4", false},
		{"1/3", "auto/4", "the counts must agree", true},
		{"", "5/4", "the job's shard", true},
		{"auto/2", "", "--shard", true},
	}
	for _, tt := range tests {
		t.Run(tt.flag+" "+tt.field, func(t *testing.T) {
			spec, err := shardSpec(tt.flag, tt.field, getenv)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("shardSpec(%q, %q) = %v, %v; want an error with %q", tt.flag, tt.field, spec, err, tt.want)
				}
				return
			}
			if err != nil || spec.String() != tt.want {
				t.Fatalf("shardSpec(%q, %q) = %v, %v; want %s", tt.flag, tt.field, spec, err, tt.want)
			}
		})
	}
}
