package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/bertbatch/bertbatch/jobs"
)

func init() {
	register(&command{
		name:    "validate",
		summary: "check job files; print every problem as file:line:col: field: message",
		run:     runValidate,
	})
}

// runValidate checks each job file named in args. It prints "<file>: ok" for a valid job and one line per
// problem otherwise, and exits exitUsage when any file is invalid or unreadable.
func runValidate(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	show := fs.Bool("show", false, "also print each valid job with every default applied and paths resolved, and its hash")
	schema := fs.Bool("schema", false, "print the JSON Schema of job files (for editors) and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bertbatch validate [-show] job.yaml [more.yaml ...]")
		fmt.Fprintln(stderr, "       bertbatch validate -schema > schema.json")
		fmt.Fprintln(stderr, "\nExit status 0 when every job is valid, 2 when any has a problem.")
		fs.PrintDefaults()
	}
	files, code, ok := parseOperands(fs, args, anyCount)
	if !ok {
		return code
	}
	if *schema {
		if len(files) > 0 {
			fmt.Fprintln(stderr, "bertbatch validate: -schema takes no job files")
			fs.Usage()
			return exitUsage
		}
		if _, err := stdout.Write(jobs.Schema()); err != nil {
			return exitFailed
		}
		return exitOK
	}
	if len(files) == 0 {
		fs.Usage()
		return exitUsage
	}
	code = exitOK
	for _, file := range files {
		if !validateFile(file, *show, stdout) {
			code = exitUsage
		}
	}
	return code
}

// validateFile reports on one job file and returns whether it is valid.
func validateFile(file string, show bool, stdout io.Writer) bool {
	job, err := jobs.Load(file)
	var problems jobs.Problems
	switch {
	case errors.As(err, &problems):
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		return false
	case err != nil:
		fmt.Fprintf(stdout, "%s: %v\n", file, err)
		return false
	}
	fmt.Fprintf(stdout, "%s: ok\n", file)
	if show {
		resolved, err := yaml.Marshal(job)
		if err != nil {
			fmt.Fprintf(stdout, "%s: print the resolved job: %v\n", file, err)
			return false
		}
		fmt.Fprintf(stdout, "# %s resolved (job hash %s)\n%s", file, job.Hash(), resolved)
	}
	return true
}
