package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/bertbatch/bertbatch/io/outdir"
)

func init() {
	register(&command{
		name:    "status",
		summary: "report each shard of an output folder: finished units, rows, whether it finished",
		run:     runStatus,
	})
}

// runStatus prints one line per shard manifest of an output folder, then whether the shards are
// merged. It exits exitOK when every shard finished, exitFailed otherwise.
func runStatus(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bertbatch status OUTPUT_DIR")
		fmt.Fprintln(stderr, "OUTPUT_DIR is a local folder or an object-store prefix (s3://bucket/prefix, gs://…, azblob://…).")
		fmt.Fprintln(stderr, "\nReports, without changing anything, each shard of a job run with --shard I/N into OUTPUT_DIR.")
		fmt.Fprintln(stderr, "\nExit status 0 when every shard finished, 1 when not (or the folder holds no shards), 2 for bad usage.")
	}
	args, code, ok := parseOperands(fs, args, 1)
	if !ok {
		return code
	}
	dir := args[0]
	shards, err := outdir.Shards(dir)
	if err != nil {
		fmt.Fprintln(stderr, "bertbatch:", err)
		return exitFailed
	}
	if len(shards) == 0 {
		fmt.Fprintf(stdout, "%s: no shard manifests: no run with --shard wrote this folder (see `bertbatch verify`)\n", dir)
		return exitFailed
	}
	count := shards[0].Spec.Count
	finished := 0
	seen := map[int]bool{}
	for _, s := range shards {
		seen[s.Spec.Index] = true
		state := "not finished"
		switch {
		case s.Problem != "":
			state = "unreadable: " + s.Problem
		case s.Running != "":
			state = "running (" + s.Running + ")"
		case s.Finished:
			state = "finished"
			finished++
		}
		fmt.Fprintf(stdout, "shard %s: %d units, %d rows, %s\n", s.Spec, s.Units, s.Rows, state)
	}
	for i := range count {
		if !seen[i] {
			fmt.Fprintf(stdout, "shard %d/%d: not started\n", i, count)
		}
	}
	fmt.Fprintf(stdout, "%s: %d of %d shards finished\n", dir, finished, count)
	if finished != count || len(shards) != count {
		return exitFailed
	}
	return exitOK
}
