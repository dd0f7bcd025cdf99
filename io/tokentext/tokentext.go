// Package tokentext parses token id lists written as text, the way CSV
// exports and pandas write them: "[101, 2023, 102]". Numbers may be separated
// by commas, spaces or both ("[ 101 2023  102]" from numpy works too).
package tokentext

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse returns the integers of s. An empty (or all-space) s is a null list:
// Parse returns nil, nil. "[]" is an empty, non-nil list.
func Parse(s string) ([]int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, nil
	}
	if len(t) < 2 || t[0] != '[' || t[len(t)-1] != ']' {
		return nil, fmt.Errorf("token list %s must be written in brackets, like [101, 2023, 102]", quote(s))
	}
	inner := strings.TrimSpace(t[1 : len(t)-1])
	ids := []int64{}
	if inner == "" {
		return ids, nil
	}
	for i, item := range strings.Split(inner, ",") {
		words := strings.Fields(item)
		if len(words) == 0 {
			return nil, fmt.Errorf("token list %s has an empty item after comma %d", quote(s), i)
		}
		for _, w := range words {
			v, err := strconv.ParseInt(w, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("token list %s: %q is not an integer", quote(s), w)
			}
			ids = append(ids, v)
		}
	}
	return ids, nil
}

// quote shortens long values for error messages.
func quote(s string) string {
	const max = 60
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}
