package main

import (
	"errors"
	"flag"
	"strings"
)

// parseArgs parses fs's flags wherever they stand among args — before, between or after the
// positional arguments, as in `bertbatch run job.yaml --cpuprofile cpu.out` — and returns the
// positional arguments in their order. A flag that takes a value takes the next argument unless
// written -name=value; "--" ends the flags and everything after it is positional; a lone "-" is
// positional (standard input). Errors are the flag package's (unknown flag, missing value,
// flag.ErrHelp for -h), already printed to fs's output.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		if takesValue(fs, a) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return positional, nil
}

// takesValue reports whether the flag argument a names a flag of fs that takes the next argument
// as its value: a known flag that is not boolean, written without "=".
func takesValue(fs *flag.FlagSet, a string) bool {
	name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	if strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false // unknown: fs.Parse reports it
	}
	b, isBool := f.Value.(interface{ IsBoolFlag() bool })
	return !isBool || !b.IsBoolFlag()
}

// anyCount, as parseOperands' want, accepts any number of operands.
const anyCount = -1

// parseOperands parses a command's arguments with parseArgs. When they parse and hold exactly want
// operands (any number for anyCount), it returns the operands and true. Otherwise it returns the exit
// code the command is to return: exitOK for -h, exitUsage for a bad flag or a wrong operand count, the
// usage printed in each case.
func parseOperands(fs *flag.FlagSet, args []string, want int) (operands []string, code int, ok bool) {
	operands, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitOK, false
		}
		return nil, exitUsage, false
	}
	if want != anyCount && len(operands) != want {
		fs.Usage()
		return nil, exitUsage, false
	}
	return operands, exitOK, true
}
