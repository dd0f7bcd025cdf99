package jobs

import (
	"fmt"
	"strings"
)

// closest returns the first candidate word is a prefix of, else the candidate nearest by edit distance when it is
// near enough to be a likely typo.
func closest(word string, candidates []string) (string, bool) {
	best, bestDist := "", -1
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if len(word) >= 3 && strings.HasPrefix(c, strings.ToLower(word)) {
			return c, true
		}
		d := editDistance(strings.ToLower(word), c)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(2, len(word)/3)
	return best, bestDist >= 0 && bestDist <= limit
}

// editDistance is the Levenshtein distance between a and b, counted in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// unknownFieldMessage explains an unknown key found in the mapping at prefix, whose known fields are known.
func unknownFieldMessage(key, prefix string, known []string, elsewhere map[string][]string) string {
	for _, p := range elsewhere[key] {
		if parent(p) != prefix {
			where := parent(p)
			if where == "" {
				where = "the top level"
			}
			return fmt.Sprintf("unknown field %q here; it belongs under %s (%s)", key, where, p)
		}
	}
	if c, ok := closest(key, known); ok {
		return fmt.Sprintf("unknown field %q (did you mean %q?)", key, c)
	}
	return fmt.Sprintf("unknown field %q (known fields: %s)", key, strings.Join(known, ", "))
}

// enumMessage explains a value outside an enumeration.
func enumMessage(value string, values []string) string {
	shown := make([]string, len(values))
	for i, v := range values {
		shown[i] = v
		if v == "" {
			shown[i] = `""`
		}
	}
	msg := fmt.Sprintf("unknown value %q (want one of %s)", value, strings.Join(shown, ", "))
	if c, ok := closest(value, values); ok {
		msg += fmt.Sprintf("; did you mean %q?", c)
	}
	return msg
}

func parent(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}
