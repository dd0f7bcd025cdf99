package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunGPUsScript runs scripts/run-gpus.sh, the one-process-per-GPU recipe of docs/gpu.md, with
// this test binary as bertbatch and explicit device ids (on the CPU the ids are only passed on):
// its shards, committed by the script, give the files of one unsharded run bit for bit. A shard
// that fails makes the script exit 1, name the shard and commit nothing.
func TestRunGPUsScript(t *testing.T) {
	dir := t.TempDir()
	writeTexts(t, dir, 3, 100)
	one := runJobFile(t, dir, "one.yaml", "")
	if code, _, stderr := cli("run", "--quiet", one); code != exitOK {
		t.Fatalf("unsharded run: exit %d: %s", code, stderr)
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "run-gpus.sh"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(name string) (string, error) {
		job := writeFile(t, dir, name+".yaml", strings.Replace(readFile(t, one), "dir: out,", "dir: "+name+",", 1))
		cmd := exec.Command("bash", script, job, "2")
		cmd.Env = append(os.Environ(), mainEnv+"=1", "BERTBATCH="+os.Args[0], "GPU_IDS=5 7",
			"OUTPUT_LOGS="+filepath.Join(dir, name+"-logs"))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("gpus")
	if err != nil {
		t.Fatalf("run-gpus.sh: %v\n%s", err, out)
	}
	if !strings.Contains(out, "300 rows") {
		t.Errorf("run-gpus.sh printed %q, want the commit's row count", out)
	}
	sameOutput(t, filepath.Join(dir, "out"), filepath.Join(dir, "gpus"))

	// A model folder that is not there fails both shards.
	bad := writeFile(t, dir, "broken.yaml", strings.Replace(readFile(t, one), tinyBert(t), filepath.Join(dir, "nomodel"), 1))
	cmd := exec.Command("bash", script, bad, "2")
	cmd.Env = append(os.Environ(), mainEnv+"=1", "BERTBATCH="+os.Args[0], "GPU_IDS=0 1", "OUTPUT_LOGS="+filepath.Join(dir, "broken-logs"))
	msg, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 || !strings.Contains(string(msg), "shard 0/2 (GPU 0) failed") ||
		!strings.Contains(string(msg), "not committed") {
		t.Errorf("run-gpus.sh with a missing model: exit %d, %s", code, msg)
	}
}
