package jobs

import (
	"fmt"
	"strings"
)

// expandEnv replaces ${NAME} and $NAME in s with the values lookup gives; $$ stands for a literal $.
// A variable that is unset or empty is an error, never an empty string: an empty expansion would silently turn
// ${DATA}/in into /in. So is a $ that starts no variable name, and an unclosed ${.
func expandEnv(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var out strings.Builder
	var unset, empty []string
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			out.WriteByte(s[i])
			continue
		}
		name, width, err := varAt(s[i:])
		if err != nil {
			return "", err
		}
		i += width - 1
		if name == "$" {
			out.WriteByte('$')
			continue
		}
		v, ok := lookup(name)
		switch {
		case !ok:
			unset = appendOnce(unset, name)
		case v == "":
			empty = appendOnce(empty, name)
		}
		out.WriteString(v)
	}
	if len(unset)+len(empty) > 0 {
		return "", envError(unset, empty)
	}
	return out.String(), nil
}

// varAt reads the reference at the start of s (which begins with $) and returns the variable name ("$" for
// the $$ escape) and the bytes it spans.
func varAt(s string) (name string, width int, err error) {
	if len(s) < 2 {
		return "", 0, fmt.Errorf("a $ ends the value; write $$ for a literal $")
	}
	switch c := s[1]; {
	case c == '$':
		return "$", 2, nil
	case c == '{':
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return "", 0, fmt.Errorf("unclosed ${ in %q; write ${NAME}", s)
		}
		name = s[2:end]
		if !isVarName(name) {
			return "", 0, fmt.Errorf("${%s} is not a variable name (letters, digits and _, not starting with a digit)", name)
		}
		return name, end + 1, nil
	case isVarStart(c):
		n := 2
		for n < len(s) && isVarChar(s[n]) {
			n++
		}
		return s[1:n], n, nil
	default:
		return "", 0, fmt.Errorf("a $ is not followed by a variable name in %q; write $$ for a literal $", s)
	}
}

func envError(unset, empty []string) error {
	var parts []string
	if len(unset) > 0 {
		parts = append(parts, plural(unset, "environment variable %s is not set", "environment variables %s are not set"))
	}
	if len(empty) > 0 {
		parts = append(parts, plural(empty, "environment variable %s is empty", "environment variables %s are empty"))
	}
	return fmt.Errorf("%s (export a value before running bertbatch; $$ writes a literal $)", strings.Join(parts, "; "))
}

func plural(names []string, one, many string) string {
	if len(names) == 1 {
		return fmt.Sprintf(one, names[0])
	}
	return fmt.Sprintf(many, strings.Join(names, ", "))
}

func appendOnce(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

func isVarName(s string) bool {
	if s == "" || !isVarStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isVarChar(s[i]) {
			return false
		}
	}
	return true
}

func isVarStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isVarChar(c byte) bool  { return isVarStart(c) || '0' <= c && c <= '9' }
