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
		name:    "verify",
		summary: "check an output folder against its manifest: files, sizes, SHA-256 checksums, completeness",
		run:     runVerify,
	})
}

// runVerify checks one output folder without changing it. It prints one line per problem, then a verdict, and
// exits exitOK when the folder is sound and complete, exitFailed otherwise.
func runVerify(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bertbatch verify OUTPUT_DIR")
		fmt.Fprintln(stderr, "OUTPUT_DIR is a local folder or an object-store prefix (s3://bucket/prefix, gs://…, azblob://…).")
		fmt.Fprintln(stderr, "\nChecks, without changing anything: the manifest parses; every file it names is there with its recorded")
		fmt.Fprintln(stderr, "size and SHA-256; no visible file is unattributed; no temporary file is left; the run finished (_SUCCESS).")
		fmt.Fprintln(stderr, "\nExit status 0 when the folder is sound and complete, 1 when not (each problem is printed), 2 for bad usage.")
		fs.PrintDefaults()
	}
	dirs, code, ok := parseOperands(fs, args, 1)
	if !ok {
		return code
	}
	dir := dirs[0]
	r, err := outdir.Verify(dir)
	if err != nil {
		fmt.Fprintln(stderr, "bertbatch:", err)
		return exitFailed
	}
	for _, p := range r.Problems {
		fmt.Fprintf(stdout, "%s: %s\n", dir, p)
	}
	switch {
	case len(r.Problems) > 0:
		fmt.Fprintf(stdout, "%s: %d problem(s) found; rerunning the job repairs what a stopped run left, --overwrite starts over\n",
			dir, len(r.Problems))
	case !r.Complete:
		fmt.Fprintf(stdout, "%s: sound but not complete: %d units, %d rows, %d files checked; no %s, so the last run did not finish the job; rerun it to complete the output\n",
			dir, r.Units, r.Rows, r.Files, outdir.SuccessName)
	default:
		fmt.Fprintf(stdout, "%s: sound and complete: %d units, %d rows, %d files checked\n", dir, r.Units, r.Rows, r.Files)
	}
	if !r.OK() {
		return exitFailed
	}
	return exitOK
}
