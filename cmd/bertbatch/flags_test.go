package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// want is the positional arguments, then quiet and out as parsed; err a part of the error.
		want  []string
		quiet bool
		out   string
		err   string
	}{
		{name: "flags first", args: []string{"--quiet", "--out", "p", "job.yaml"}, want: []string{"job.yaml"}, quiet: true, out: "p"},
		{name: "flags last", args: []string{"job.yaml", "--out", "p", "--quiet"}, want: []string{"job.yaml"}, quiet: true, out: "p"},
		{name: "flags between", args: []string{"a", "-out=p", "b", "-quiet"}, want: []string{"a", "b"}, quiet: true, out: "p"},
		{name: "value that looks like a flag", args: []string{"a", "--out", "-x"}, want: []string{"a"}, out: "-x"},
		{name: "double dash ends the flags", args: []string{"--quiet", "--", "--out", "-"}, want: []string{"--out", "-"}, quiet: true},
		{name: "lone dash is positional", args: []string{"-", "--quiet"}, want: []string{"-"}, quiet: true},
		{name: "bool with value", args: []string{"a", "--quiet=false"}, want: []string{"a"}},
		{name: "missing value", args: []string{"a", "--out"}, err: "flag needs an argument: -out"},
		{name: "unknown flag after arguments", args: []string{"a", "--fast"}, err: "flag provided but not defined: -fast"},
		{name: "help after arguments", args: []string{"a", "-h"}, err: flag.ErrHelp.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			quiet := fs.Bool("quiet", false, "")
			out := fs.String("out", "", "")
			got, err := parseArgs(fs, tt.args)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) || *quiet != tt.quiet || *out != tt.out {
				t.Errorf("got %q quiet=%v out=%q, want %q quiet=%v out=%q", got, *quiet, *out, tt.want, tt.quiet, tt.out)
			}
		})
	}
}

// commandCase is one command's arguments, flags last, and what it must do with them.
type commandCase struct {
	command string
	args    []string
	code    int
	stdout  string // part of stdout
	stderr  string // part of stderr
	check   func(t *testing.T)
}

// TestEveryCommandTakesFlagsAfterArguments runs each command with its flags after its arguments
// and checks that they were applied, or that arguments a command does not take are refused.
func TestEveryCommandTakesFlagsAfterArguments(t *testing.T) {
	dir := t.TempDir()
	writeTexts(t, dir, 1, 5)
	job := runJobFile(t, dir, "job.yaml", "")
	profile := filepath.Join(dir, "cpu.out")
	texts := writeFile(t, dir, "texts.jsonl", `{"text": "the water"}`+"\n")
	tests := []commandCase{
		{command: "run", args: []string{job, "--cpuprofile", profile, "--quiet"}, code: exitOK, stdout: "rows 5 written",
			check: func(t *testing.T) {
				if st, err := os.Stat(profile); err != nil || st.Size() == 0 {
					t.Errorf("no CPU profile at %s: %v", profile, err)
				}
			}},
		{command: "validate", args: []string{job, "--show"}, code: exitOK, stdout: "(job hash "},
		{command: "tokenize", args: []string{"extra", "--model", tinyBert(t), "--input", texts}, code: exitUsage,
			stderr: "no positional arguments"},
		{command: "pull", args: []string{tinyBert(t), "--offline"}, code: exitOK, stdout: "(local folder)"},
		{command: "inspect", args: []string{filepath.Join(dir, "in"), "--offline"}, code: exitOK, stdout: "f0.jsonl"},
		{command: "verify", args: []string{filepath.Join(dir, "out"), "extra"}, code: exitUsage, stderr: "usage: bertbatch verify"},
		{command: "status", args: []string{filepath.Join(dir, "out"), "extra"}, code: exitUsage, stderr: "usage: bertbatch status"},
		{command: "commit", args: []string{filepath.Join(dir, "out")}, code: exitUsage, stderr: "usage: bertbatch commit"},
		{command: "version", args: []string{"extra"}, code: exitUsage, stderr: "takes no flags or arguments"},
	}
	for name := range commands {
		if !slices.ContainsFunc(tests, func(tt commandCase) bool { return tt.command == name }) {
			t.Errorf("command %s has no case here", name)
		}
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := dispatch(context.Background(), append([]string{tt.command}, tt.args...), &stdout, &stderr)
			if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("exit %d, want %d with %q on stdout and %q on stderr\nstdout: %s\nstderr: %s",
					code, tt.code, tt.stdout, tt.stderr, stdout.String(), stderr.String())
			}
			if tt.check != nil {
				tt.check(t)
			}
		})
		t.Run(tt.command+" -h after arguments", func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := dispatch(context.Background(), []string{tt.command, "x", "-h"}, &stdout, &stderr)
			if code != exitOK || !strings.Contains(stderr.String(), "usage: bertbatch "+tt.command) {
				t.Errorf("exit %d, want %d and the usage\nstderr: %s", code, exitOK, stderr.String())
			}
		})
	}
}
