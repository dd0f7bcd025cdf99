package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mainEnv makes the test binary run main with its arguments instead of the tests, so that the
// signal tests can stop a real bertbatch process.
const mainEnv = "BERTBATCH_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) != "" {
		main()
	}
	os.Exit(m.Run())
}

// tinyBert is the tiny test model with a tokenizer.
func tinyBert(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../testdata/models/tiny-bert")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeTexts writes files JSON Lines files of rows rows each under dir/in; each row has an id
// (file*10000 + row) and a text.
func writeTexts(t *testing.T, dir string, files, rows int) {
	t.Helper()
	words := strings.Fields("the water people first day night house small great world city school team")
	if err := os.MkdirAll(filepath.Join(dir, "in"), 0o755); err != nil {
		t.Fatal(err)
	}
	for f := range files {
		var b strings.Builder
		for r := range rows {
			var text []string
			for w := range 2 + (r*7+f)%23 {
				text = append(text, words[(r*3+w*5+f)%len(words)])
			}
			fmt.Fprintf(&b, "{\"id\": %d, \"text\": %q}\n", f*10000+r, strings.Join(text, " "))
		}
		writeFile(t, filepath.Join(dir, "in"), fmt.Sprintf("f%d.jsonl", f), b.String())
	}
}

// runJobFile writes a job into dir and returns its path; extra holds more top-level YAML.
func runJobFile(t *testing.T, dir, name, extra string) string {
	t.Helper()
	return writeFile(t, dir, name, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in], text_column: text, passthrough: [id]}
output: {dir: out, rows_per_file: 25}
batching: {max_batch_size: 1}
workers: 2
%s`, tinyBert(t), extra))
}

// manifestRows counts the unit records of the output's manifest and the rows they hold.
func manifestRows(t *testing.T, out string) (units int, rows int64) {
	t.Helper()
	data, _ := os.ReadFile(filepath.Join(out, "_manifest.jsonl"))
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var rec struct {
			Kind string
			Rows int64
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Kind == "unit" {
			units++
			rows += rec.Rows
		}
	}
	return units, rows
}

// TestRunExitCodes runs jobs through the command and checks exit codes and messages.
func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	writeTexts(t, dir, 2, 30)
	good := runJobFile(t, dir, "good.yaml", "")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no job file", nil, exitUsage, "", "usage: bertbatch run"},
		{"two job files", []string{good, good}, exitUsage, "", "usage: bertbatch run"},
		{"unknown flag", []string{"--fast", good}, exitUsage, "", "flag provided but not defined"},
		{"job file missing", []string{filepath.Join(dir, "none.yaml")}, exitUsage, "", "none.yaml"},
		{"invalid job file", []string{writeFile(t, dir, "bad.yaml", "model: {ref: ./m}\ninput: {paths: [in], text_colum: text}\noutput: {dir: out}\n")},
			exitUsage, "", `input.text_colum: unknown field "text_colum" (did you mean "text_column"?)`},
		{"model folder missing", []string{writeFile(t, dir, "nomodel.yaml", "model: {ref: ./nomodel}\ninput: {paths: [in], text_column: text}\noutput: {dir: out2}\n")},
			exitFailed, "", "bertbatch: job failed: model "},
		{"column missing", []string{writeFile(t, dir, "nocol.yaml", fmt.Sprintf("model: {ref: %s}\ninput: {paths: [in], text_column: body}\noutput: {dir: out3}\n", tinyBert(t)))},
			exitFailed, "", `column "body"`},
		{"bad row, nothing committed", []string{"--quiet", writeFile(t, dir, "badrow.yaml", fmt.Sprintf("model: {ref: %s}\ninput: {paths: [in], text_column: text}\noutput: {dir: out4}\nbatching: {max_length: 4, too_long: reject}\n", tinyBert(t)))},
			exitFailed, "", `bad row: `},
		{"ok", []string{"--quiet", good}, exitOK, "rows 60 written, 0 rejected, 0 truncated, 0 skipped", ""},
		{"ok again: all skipped", []string{good, "--quiet"}, exitOK, "rows 0 written, 0 rejected, 0 truncated, 60 skipped", ""},
		{"negative in-flight depth", []string{"--inflight", "-1", good}, exitUsage, "", "--inflight -1"},
		{"three batches in flight, overwriting", []string{"--quiet", "--overwrite", "--inflight", "3", good}, exitOK,
			"rows 60 written, 0 rejected, 0 truncated, 0 skipped", ""},
		{"the printed timeline", []string{"--quiet", "--overwrite", good}, exitOK, "time read ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := dispatch(context.Background(), append([]string{"run"}, tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stdout %q (want %q), stderr %q (want %q)", stdout.String(), tt.stdout, stderr.String(), tt.stderr)
			}
			if tt.code != exitOK && stdout.Len() > 0 { // a failed run that committed nothing prints no summary
				t.Errorf("stdout %q; want nothing", stdout.String())
			}
		})
	}
}

// TestRunOverwrite: a changed job on a folder with results fails with exit 1 and a message that
// mentions --overwrite; with --overwrite it runs.
func TestRunOverwrite(t *testing.T) {
	dir := t.TempDir()
	writeTexts(t, dir, 1, 20)
	if code := dispatch(context.Background(), []string{"run", "--quiet", runJobFile(t, dir, "a.yaml", "")}, &bytes.Buffer{}, &bytes.Buffer{}); code != exitOK {
		t.Fatalf("first run: exit %d", code)
	}
	changed := writeFile(t, dir, "b.yaml", strings.Replace(readFile(t, filepath.Join(dir, "a.yaml")), "max_batch_size: 1}", "max_batch_size: 1, max_length: 64}", 1))
	var stderr bytes.Buffer
	if code := dispatch(context.Background(), []string{"run", "--quiet", changed}, &bytes.Buffer{}, &stderr); code != exitFailed ||
		!strings.Contains(stderr.String(), "--overwrite") || !strings.Contains(stderr.String(), "different job") ||
		!strings.Contains(stderr.String(), "job settings changed: batching.max_length: 0 → 64;") {
		t.Errorf("changed job: exit %d, stderr %q; want exit 1 naming the changed setting and --overwrite", code, stderr.String())
	}
	var stdout bytes.Buffer
	if code := dispatch(context.Background(), []string{"run", "--quiet", changed, "--overwrite"}, &stdout, &stderr); code != exitOK ||
		!strings.Contains(stdout.String(), "rows 20 written") {
		t.Errorf("--overwrite: exit %d, stdout %q", code, stdout.String())
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// child is `bertbatch run --quiet job` running in a child process.
type child struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan struct{}
}

// startRun starts the test binary as bertbatch running job.
func startRun(t *testing.T, job string) *child {
	t.Helper()
	return startWithEnv(t, nil, "run", "--quiet", job)
}

// runWithEnv runs the test binary as `bertbatch args…` with env added to this process's, and
// returns its exit code, stdout and stderr. The S3 client reads its settings once per process, so
// each setting of the environment gets its own process.
func runWithEnv(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	c := startWithEnv(t, env, args...)
	return c.exitCode(), c.stdout.String(), c.stderr.String()
}

// startWithEnv starts the test binary as `bertbatch args…` with env added to this process's.
func startWithEnv(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], args...), done: make(chan struct{})}
	c.cmd.Env = append(append(os.Environ(), mainEnv+"=1"), env...)
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.done
	})
	return c
}

// until waits until cond holds or the child has ended; it reports whether the child is running.
func (c *child) until(cond func() bool) bool {
	for !cond() {
		select {
		case <-c.done:
			return false
		case <-time.After(2 * time.Millisecond):
		}
	}
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// exitCode waits for the child to end.
func (c *child) exitCode() int {
	<-c.done
	return c.cmd.ProcessState.ExitCode()
}

// TestRunSignals: SIGINT, SIGTERM and SIGHUP stop a run cleanly — exit 1, no temporary file
// left, a message saying a rerun resumes, stdout telling the rows committed and no summary — and
// a rerun completes the output.
func TestRunSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			writeTexts(t, dir, 3, 100)
			job := runJobFile(t, dir, "job.yaml", "")
			out := filepath.Join(dir, "out")
			c := startRun(t, job)
			if !c.until(func() bool { u, _ := manifestRows(t, out); return u >= 1 }) {
				t.Fatalf("the run ended before the signal: exit %d, %s", c.exitCode(), c.stderr.String())
			}
			c.cmd.Process.Signal(sig)
			code := c.exitCode()
			if units, _ := manifestRows(t, out); units == 12 {
				t.Skipf("the run finished before the signal (exit %d); nothing to test", code)
			}
			if code != exitFailed || !strings.Contains(c.stderr.String(), "a rerun resumes") {
				t.Errorf("after %s: exit %d, stderr %q; want exit 1 and a message that a rerun resumes", sig, code, c.stderr.String())
			}
			for _, e := range entries(t, out) {
				if strings.HasPrefix(e, ".bertbatch-tmp-") || e == "_summary.json" {
					t.Errorf("%s left after %s", e, sig)
				}
			}
			_, committed := manifestRows(t, out)
			want := fmt.Sprintf("rows %d written, 0 rejected, 0 truncated before the run ended", committed)
			if got := c.stdout.String(); !strings.Contains(got, want) || strings.Contains(got, "_summary.json") {
				t.Errorf("stdout after %s: %q; want %q and no summary", sig, got, want)
			}
			var stdout bytes.Buffer
			if code := dispatch(context.Background(), []string{"run", "--quiet", job}, &stdout, &bytes.Buffer{}); code != exitOK {
				t.Fatalf("rerun: exit %d", code)
			}
			var written, rejected, truncated, skipped int
			if _, err := fmt.Sscanf(stdout.String(), "rows %d written, %d rejected, %d truncated, %d skipped", &written, &rejected, &truncated, &skipped); err != nil ||
				written+skipped != 300 || skipped == 0 {
				t.Errorf("rerun summary %q: want some rows skipped and 300 in all", stdout.String())
			}
			if _, rows := manifestRows(t, out); rows != 300 {
				t.Errorf("after the rerun the manifest records %d rows, want 300", rows)
			}
		})
	}
}

// TestRunLocked: a second run on an output folder in use exits 1 with the lock error.
func TestRunLocked(t *testing.T) {
	dir := t.TempDir()
	writeTexts(t, dir, 3, 100)
	job := runJobFile(t, dir, "job.yaml", "")
	out := filepath.Join(dir, "out")
	c := startRun(t, job)
	if !c.until(func() bool { _, err := os.Stat(filepath.Join(out, "_manifest.jsonl")); return err == nil }) {
		t.Fatalf("the first run ended before the second started: exit %d, %s", c.exitCode(), c.stderr.String())
	}
	var stderr bytes.Buffer
	code := dispatch(context.Background(), []string{"run", "--quiet", job}, &bytes.Buffer{}, &stderr)
	if code != exitFailed || !strings.Contains(stderr.String(), "is in use by another run (pid "+fmt.Sprint(c.cmd.Process.Pid)) {
		t.Errorf("second run: exit %d, stderr %q; want exit 1 and the lock error naming pid %d", code, stderr.String(), c.cmd.Process.Pid)
	}
	if code := c.exitCode(); code != exitOK {
		t.Errorf("first run: exit %d: %s", code, c.stderr.String())
	}
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
