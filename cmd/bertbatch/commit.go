package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/bertbatch/bertbatch/io/outdir"
	"github.com/bertbatch/bertbatch/jobs"
	"github.com/bertbatch/bertbatch/stages"
)

func init() {
	register(&command{
		name:    "commit",
		summary: "merge the finished shards of a job run with --shard into one complete output folder",
		run:     runCommit,
	})
}

// runCommit checks that every shard finished and that together they cover the job's input
// exactly once, then writes the merged manifest and _SUCCESS.
func runCommit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("commit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bertbatch commit OUTPUT_DIR job.yaml")
		fmt.Fprintln(stderr, "OUTPUT_DIR is a local folder or an object-store prefix (s3://bucket/prefix, gs://…, azblob://…).")
		fmt.Fprintln(stderr, "\nMerges the shards of job.yaml run with --shard I/N into OUTPUT_DIR (the job lists the input rows):")
		fmt.Fprintln(stderr, "checks every shard finished and the shards wrote every input row exactly once, then writes")
		fmt.Fprintln(stderr, outdir.ManifestName+" and "+outdir.SuccessName+". Committing a committed folder does nothing.")
		fmt.Fprintln(stderr, "\nExit status 0 when the folder is committed, 1 when a shard is missing or unfinished, 2 for bad usage or job file.")
	}
	args, code, ok := parseOperands(fs, args, 2)
	if !ok {
		return code
	}
	dir := args[0]
	job, err := jobs.Load(args[1])
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
	err = outdir.Commit(dir, func(recs []outdir.Record) error { return stages.CheckCoverage(ctx, job, recs) })
	if err != nil {
		fmt.Fprintln(stderr, "bertbatch: commit:", err)
		return exitFailed
	}
	r, err := outdir.Verify(dir)
	if err != nil {
		fmt.Fprintln(stderr, "bertbatch:", err)
		return exitFailed
	}
	if !r.OK() {
		for _, p := range r.Problems {
			fmt.Fprintf(stderr, "%s: %s\n", dir, p)
		}
		return exitFailed
	}
	fmt.Fprintf(stdout, "%s: committed: %d units, %d rows, %d files checked\n", dir, r.Units, r.Rows, r.Files)
	return exitOK
}
