package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"golang.org/x/term"

	"github.com/bertbatch/bertbatch/io/shard"
	"github.com/bertbatch/bertbatch/jobs"
	"github.com/bertbatch/bertbatch/stages"
)

func init() {
	register(&command{
		name:    "run",
		summary: "run a job file: embed or classify a dataset into Parquet (resumes unfinished work)",
		run:     runJob,
	})
}

func runJob(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	overwrite := fs.Bool("overwrite", false, "discard the output folder's earlier results and start afresh")
	quiet := fs.Bool("quiet", false, "no progress display")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the run to this file (for `go tool pprof`)")
	shardFlag := fs.String("shard", "", "run only shard `I/N` of the job (I from 0), or auto/N to take I from "+
		shard.EnvKubernetes+" or "+shard.EnvSlurm+"; merge the shards with `bertbatch commit`")
	inFlight := fs.Int("inflight", 0, "batches each worker keeps handed to MLX at once (0: 2 on a GPU, 1 on the CPU); the output does not depend on it")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bertbatch run [--overwrite] [--quiet] [--shard I/N|auto/N] [--inflight N] [--cpuprofile FILE] job.yaml")
		fmt.Fprintln(stderr, "\nExit status 0 when the job finished, 1 when it failed or was stopped (SIGINT, SIGTERM, SIGHUP; a rerun resumes)")
		fmt.Fprintln(stderr, "or its output.dir cannot be used (in use by another run; for s3://, gs://, azblob://: no bucket, no credentials,")
		fmt.Fprintln(stderr, "no answer), 2 for a bad job file.")
		fs.PrintDefaults()
	}
	files, code, ok := parseOperands(fs, args, 1)
	if !ok {
		return code
	}
	if *inFlight < 0 {
		fmt.Fprintf(stderr, "bertbatch: --inflight %d: want 0 (the device's default) or more\n", *inFlight)
		return exitUsage
	}
	job, err := jobs.Load(files[0])
	if err != nil {
		var problems jobs.Problems
		if errors.As(err, &problems) {
			for _, p := range problems {
				fmt.Fprintln(stderr, p)
			}
		} else {
			fmt.Fprintln(stderr, "bertbatch:", err)
		}
		return exitUsage
	}
	spec, err := shardSpec(*shardFlag, job.Shard, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "bertbatch:", err)
		return exitUsage
	}
	opts := stages.Options{
		Overwrite: *overwrite,
		TuneCPU:   true,
		Shard:     spec,
		InFlight:  *inFlight,
		Logf:      func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) },
	}
	if !*quiet {
		opts.Progress = stderr
		if f, ok := stderr.(*os.File); ok {
			opts.Terminal = term.IsTerminal(int(f.Fd()))
		}
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "bertbatch:", err)
			return exitUsage
		}
		defer func() {
			if err := stop(); err != nil {
				fmt.Fprintln(stderr, "bertbatch:", err)
			}
		}()
	}
	sum, err := stages.Run(ctx, job, opts)
	if err != nil {
		if sum != nil {
			printStopped(stdout, sum)
		}
		fmt.Fprintln(stderr, "bertbatch: job failed:", err)
		return exitFailed
	}
	printSummary(stdout, sum)
	return exitOK
}

// printSummary prints a finished run's summary, also written as _summary.json.
func printSummary(w io.Writer, s *stages.Summary) {
	fmt.Fprintf(w, "rows %d written, %d rejected, %d truncated, %d skipped (finished earlier)\n", s.Rows, s.Rejected, s.Truncated, s.SkippedRows)
	fmt.Fprintf(w, "tokens %d (padding ratio %.3f), %.1f s (%.1f s loading), %.1f rows/s, %.0f tokens/s\n", s.Tokens, s.PaddingRatio, s.Seconds, s.LoadSeconds, s.RowsPerSec, s.TokensPerSec)
	if t := s.Timeline; t != nil {
		fmt.Fprintf(w, "time %s; model load %.2f s, first batch %.2f s\n", stageTimes(t), t.ModelLoadSeconds, t.FirstBatchSeconds)
	}
	fmt.Fprintf(w, "output %s (%d files, summary in _summary.json)\n", s.Output, s.Files)
}

// stageTimes is the timeline's busy seconds per stage, the inference workers' split into host
// and device wait: "read 0.10 s, tokenize 1.20 s, …, infer 5.00 s (host 1.00, device 4.00, 2 workers), …".
func stageTimes(t *stages.Timeline) string {
	parts := make([]string, len(t.Stages))
	for i, st := range t.Stages {
		parts[i] = fmt.Sprintf("%s %.2f s", st.Stage, st.BusySeconds)
		if st.HostSeconds != nil && st.DeviceWaitSeconds != nil {
			parts[i] += fmt.Sprintf(" (host %.2f, device %.2f, %d workers)", *st.HostSeconds, *st.DeviceWaitSeconds, st.Goroutines)
		}
	}
	return strings.Join(parts, ", ")
}

// printStopped prints what a failed or stopped run committed before it ended, if anything; such
// a run writes no _summary.json.
func printStopped(w io.Writer, s *stages.Summary) {
	if s.Files == 0 {
		return
	}
	fmt.Fprintf(w, "rows %d written, %d rejected, %d truncated before the run ended, %d skipped (finished earlier)\n", s.Rows, s.Rejected, s.Truncated, s.SkippedRows)
	fmt.Fprintf(w, "output %s (%d files committed, no summary written; a rerun resumes after them)\n", s.Output, s.Files)
}

// startCPUProfile starts Go's CPU profiler writing to path and returns the function that stops it
// and closes the file.
func startCPUProfile(path string) (func() error, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(fmt.Errorf("cpu profile %s: %w", path, err), f.Close())
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("cpu profile %s: %w", path, err)
		}
		return nil
	}, nil
}

// shardSpec is the run's shard: --shard when given, else the job's shard field, else the whole job. When both
// are given, --shard picks the index and the counts must agree, since every worker of one output runs one count.
func shardSpec(flagText, fieldText string, getenv func(string) string) (shard.Spec, error) {
	switch {
	case flagText == "" && fieldText == "":
		return shard.Spec{}, nil
	case flagText == "":
		spec, err := shard.Parse(fieldText, getenv)
		if err != nil {
			return shard.Spec{}, fmt.Errorf("the job's shard: %w", err)
		}
		return spec, nil
	}
	spec, err := shard.Parse(flagText, getenv)
	if err != nil {
		return shard.Spec{}, fmt.Errorf("--shard: %w", err)
	}
	if fieldText != "" {
		n, err := shard.Count(fieldText)
		if err != nil {
			return shard.Spec{}, fmt.Errorf("the job's shard: %w", err)
		}
		if n != spec.Count {
			return shard.Spec{}, fmt.Errorf("--shard %s splits the job into %d shards, but the job's shard: %s into %d; the counts must agree", flagText, spec.Count, fieldText, n)
		}
	}
	return spec, nil
}
