package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The crash harness's settings, read from the environment so that `make crash` and `make soak` can
// pass them and a failing trial can be replayed.
const (
	// crashSeedEnv is the seed of the first trial (trial i uses seed+i); unset, one is drawn and printed.
	crashSeedEnv = "BERTBATCH_CRASH_SEED"
	// crashTrialsEnv is the number of trials (default 10).
	crashTrialsEnv = "BERTBATCH_CRASH_TRIALS"
	// crashBinEnv is the bertbatch binary to run; unset, the test binary runs main itself.
	crashBinEnv = "BERTBATCH_CRASH_BIN"
	// crashDirEnv is a new or empty folder to work in and keep afterwards; unset, a temporary folder is used.
	crashDirEnv = "BERTBATCH_CRASH_DIR"
)

// crashRunLimit bounds one bertbatch run of the harness; a run still going then counts as hung.
const crashRunLimit = 3 * time.Minute

// crashConfig holds the harness's settings.
type crashConfig struct {
	py     string // Python with pyarrow: writes the inputs and reads the outputs back
	seed   uint64
	trials int
	bin    string // empty: the test binary
	dir    string
}

func crashConfigFromEnv(t *testing.T) crashConfig {
	t.Helper()
	c := crashConfig{py: os.Getenv("BERTBATCH_PYTHON"), trials: 10, bin: os.Getenv(crashBinEnv), dir: os.Getenv(crashDirEnv)}
	if c.py == "" {
		t.Skip("BERTBATCH_PYTHON is not set; run through `make crash` or eval \"$(make env)\": the harness writes its inputs and reads its outputs with pyarrow")
	}
	c.seed = uint64(time.Now().UnixNano() % 1_000_000_000)
	if s := os.Getenv(crashSeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: want a non-negative integer", crashSeedEnv, s)
		}
		c.seed = v
	}
	if s := os.Getenv(crashTrialsEnv); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("%s=%q: want a positive integer", crashTrialsEnv, s)
		}
		c.trials = v
	}
	if c.dir == "" {
		c.dir = t.TempDir()
		return c
	}
	// A folder of an earlier run would hold finished outputs that the trials would merely resume.
	if es, err := os.ReadDir(c.dir); err == nil && len(es) > 0 {
		t.Fatalf("%s=%s: the folder is not empty; name a new or empty one", crashDirEnv, c.dir)
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCrashHarness kills `bertbatch run` with SIGKILL at seeded random moments — after a random delay
// or once the manifest reaches a random line — one to three times, resumes it to the end, and checks
// that the output is bitwise the output of an uninterrupted run: the same part files, the same rows
// in the same order, the same vector bits. Inputs: multi-file text and token-id datasets in Parquet
// (several data pages per row group, row groups larger than units), Arrow IPC file and stream, CSV
// and JSON Lines, written by testdata/crash/gen_inputs.py. See docs/resume.md.
func TestCrashHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash harness runs bertbatch dozens of times; `make crash` runs it")
	}
	cfg := crashConfigFromEnv(t)
	sets := crashDatasets(t, cfg.py, cfg.dir)
	refs := make([]crashReference, len(sets))
	for i, s := range sets {
		refs[i] = uninterrupted(t, cfg, s)
	}
	checkComparison(t, cfg.py, refs[0])
	fmt.Printf("crash harness: seed %d, %d trials; replay the trial of seed S with %s=S %s=1 (make crash CRASH_SEED=S CRASH_TRIALS=1)\n", cfg.seed, cfg.trials, crashSeedEnv, crashTrialsEnv)
	passed := 0
	var failed []string
	for i := range cfg.trials {
		seed := cfg.seed + uint64(i)
		rng := rand.New(rand.NewPCG(seed, 0))
		ref := refs[rng.IntN(len(refs))]
		log, problems := crashTrial(t, cfg, ref, rng, fmt.Sprintf("trial-%d", seed))
		fmt.Printf("trial %d/%d (seed %d, %s): %s\n", i+1, cfg.trials, seed, ref.set.name, log)
		if len(problems) == 0 {
			passed++
			continue
		}
		failed = append(failed, strconv.FormatUint(seed, 10))
		t.Errorf("trial %d (seed %d, %s): %s\n\t%s", i+1, seed, ref.set.name, log, strings.Join(problems, "\n\t"))
	}
	fmt.Printf("crash harness: %d/%d trials bitwise identical\n", passed, cfg.trials)
	if len(failed) > 0 {
		t.Errorf("crash harness: %d/%d trials differ or failed (seeds %s)", len(failed), cfg.trials, strings.Join(failed, ", "))
	}
}

// crashReference is an uninterrupted run's output for a dataset.
type crashReference struct {
	set      crashDataset
	out      string        // its output folder
	duration time.Duration // how long the run took
	lines    int           // its manifest's lines
}

// uninterrupted runs the dataset's job twice without a kill; the first run's output is the
// reference the trials are compared with, and the second must match it bitwise, or the harness
// could not tell a resume from run-to-run noise.
func uninterrupted(t *testing.T, cfg crashConfig, s crashDataset) crashReference {
	t.Helper()
	ref := crashReference{set: s, out: filepath.Join(s.dir, "want")}
	start := time.Now()
	if r := startCrashRun(t, cfg, s.jobFile(t, "want"), 0); r.finish() != exitOK {
		t.Fatalf("uninterrupted %s run: exit %d: %s", s.name, r.exitCode(), r.stderr.String())
	}
	ref.duration = time.Since(start)
	ref.lines = manifestLines(ref.out)
	again := filepath.Join(s.dir, "want-again")
	if r := startCrashRun(t, cfg, s.jobFile(t, "want-again"), 0); r.finish() != exitOK {
		t.Fatalf("second uninterrupted %s run: exit %d: %s", s.name, r.exitCode(), r.stderr.String())
	}
	if c := compareOutputs(t, cfg.py, ref.out, again); !c.Same {
		t.Fatalf("two uninterrupted %s runs differ, so no resume can be judged:\n\t%s", s.name, strings.Join(c.Problems, "\n\t"))
	}
	os.RemoveAll(again)
	fmt.Printf("crash harness: %s dataset: uninterrupted run %.2fs, %d manifest lines\n", s.name, ref.duration.Seconds(), ref.lines)
	return ref
}

// crashTrial kills the job one to three times, as rng decides, then runs it to the end and compares
// its output with the reference. It returns what happened, one clause per run, and the problems
// found (none when the output is bitwise the reference).
func crashTrial(t *testing.T, cfg crashConfig, ref crashReference, rng *rand.Rand, name string) (string, []string) {
	t.Helper()
	job := ref.set.jobFile(t, name)
	out := filepath.Join(ref.set.dir, name)
	var log []string
	for range 1 + rng.IntN(3) {
		byLines, frac := rng.IntN(2) == 0, rng.Float64()
		from := manifestLines(out)
		depth := 1 + rng.IntN(3) // batches in flight per worker: the output must not depend on it
		r := startCrashRun(t, cfg, job, depth)
		start := time.Now()
		var what string
		if byLines {
			// A line after those already there, up to the reference's last.
			target := from + 1 + int(frac*float64(max(ref.lines-from, 1)))
			r.until(func() bool { return manifestLines(out) >= target })
			r.kill()
			what = fmt.Sprintf("in flight %d, kill at manifest line %d", depth, target)
		} else {
			// A moment within the time the work left would take uninterrupted.
			left := float64(max(ref.lines-from, 1)) / float64(max(ref.lines, 1))
			delay := time.Duration(frac * left * float64(ref.duration))
			select {
			case <-r.done:
			case <-time.After(delay):
			}
			r.kill()
			what = fmt.Sprintf("in flight %d, kill after %.3fs", depth, delay.Seconds())
		}
		code := r.finish()
		took := time.Since(start).Seconds()
		switch {
		case r.killed():
			log = append(log, fmt.Sprintf("%s: killed at %.3fs, manifest line %d", what, took, manifestLines(out)))
		case code == exitOK:
			log = append(log, fmt.Sprintf("%s: finished first (%.3fs)", what, took))
		default:
			log = append(log, fmt.Sprintf("%s: ended by itself at %.3fs with exit %d", what, took, code))
			return strings.Join(log, "; "), []string{"a resumed run failed: " + strings.TrimSpace(r.stderr.String())}
		}
	}
	r := startCrashRun(t, cfg, job, 1+rng.IntN(3))
	if code := r.finish(); code != exitOK {
		return strings.Join(log, "; "), []string{fmt.Sprintf("the final run exited %d: %s", code, strings.TrimSpace(r.stderr.String()))}
	}
	c := compareOutputs(t, cfg.py, ref.out, out)
	if !c.Same {
		return strings.Join(log, "; ") + "; resumed to the end: DIFFERS", c.Problems
	}
	var vout, verr bytes.Buffer
	if code := dispatch(context.Background(), []string{"verify", out}, &vout, &verr); code != exitOK {
		return strings.Join(log, "; ") + "; resumed to the end: bitwise identical, but verify failed",
			[]string{fmt.Sprintf("bertbatch verify exited %d: %s%s", code, vout.String(), verr.String())}
	}
	if os.Getenv(crashDirEnv) == "" {
		os.RemoveAll(out)
	}
	return strings.Join(log, "; ") + fmt.Sprintf("; resumed to the end: bitwise identical (%d files, %d rows), verify sound and complete", c.Files, c.Rows), nil
}

// crashRun is one `bertbatch run --quiet [--inflight N] job` of the harness, as a child process.
type crashRun struct{ *child }

// startCrashRun starts the harness's binary on job, with --inflight depth when depth > 0; the test
// binary runs main itself when no binary is set.
func startCrashRun(t *testing.T, cfg crashConfig, job string, depth int) crashRun {
	t.Helper()
	bin, env := cfg.bin, os.Environ()
	if bin == "" {
		bin, env = os.Args[0], append(env, mainEnv+"=1")
	}
	args := []string{"run", "--quiet", job}
	if depth > 0 {
		args = append(args, "--inflight", strconv.Itoa(depth))
	}
	c := &child{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	c.cmd.Env = env
	c.cmd.Stderr = &c.stderr
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
	return crashRun{c}
}

// kill sends SIGKILL (nothing when the run has ended).
func (r crashRun) kill() { r.cmd.Process.Kill() }

// finish waits for the run to end, killing it when it outlives crashRunLimit, and returns its exit
// code (-1 when a signal ended it).
func (r crashRun) finish() int {
	select {
	case <-r.done:
	case <-time.After(crashRunLimit):
		r.kill()
		<-r.done
		r.stderr.WriteString(fmt.Sprintf("(hung: killed after %s)", crashRunLimit))
	}
	return r.cmd.ProcessState.ExitCode()
}

// killed reports whether a signal ended the run.
func (r crashRun) killed() bool { return !r.cmd.ProcessState.Exited() }
