// Command bertbatch turns datasets into embeddings with BERT-family models run through MLX.
//
// Exit codes: 0 success, 1 the job (or command) failed, 2 bad usage or an invalid job file.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/bertbatch/bertbatch/mlx"
)

// Exit codes shared by every subcommand.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// command is one subcommand. Each lives in a file of its own and registers itself from init.
type command struct {
	name    string
	summary string
	// run executes the subcommand with the arguments after its name and returns the exit code.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var commands = map[string]*command{}

// register adds a subcommand; called from init functions.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("bertbatch: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	// SIGHUP (a closed terminal, some schedulers) stops a run as cleanly as SIGINT and SIGTERM.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// Float32 models keep full float32 on CUDA unless MLX_ENABLE_TF32 says otherwise (docs/gpu.md).
	if _, err := mlx.SetTF32Default(false); err != nil {
		fmt.Fprintln(os.Stderr, "bertbatch:", err)
		os.Exit(exitFailed)
	}
	os.Exit(dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "bertbatch: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: bertbatch <command> [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nexit codes: 0 ok, 1 failed, 2 bad usage or job file")
}
