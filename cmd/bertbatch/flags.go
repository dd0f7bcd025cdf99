package main

import (
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
