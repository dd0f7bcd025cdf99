package main

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// logNormalLengths draws n row lengths exp(N(4.0, 0.6)) clipped to 8..256 (mean ≈ 64): the
// short-text mix the peer benchmark uses.
func logNormalLengths(n int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int, n)
	for i := range out {
		l := math.Exp(r.NormFloat64()*0.6 + 4.0)
		out[i] = int(min(max(l, 8), 256))
	}
	return out
}

func readLengths(path string) []int {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	var out []int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			n, err := strconv.Atoi(s)
			check(err)
			out = append(out, n)
		}
	}
	check(sc.Err())
	return out
}
