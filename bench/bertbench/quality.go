package main

import (
	"math"
	"runtime"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/mlx"
)

// quality compares a reduced-precision model's embeddings with the float32 model's on the same
// batches: the smallest and the mean cosine similarity.
func quality(ref, m *bert.Model, batches []*bert.Batch, dev mlx.DeviceType) (minCos, meanCos float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s, err := mlx.NewStream(dev)
	check(err)
	defer s.Close()
	embed := func(m *bert.Model, b *bert.Batch) [][]float32 {
		sc := mlx.NewScope(s)
		defer sc.Close()
		v, err := m.Embed(sc, b, bert.EmbedOptions{Pooling: bert.PoolMean})
		check(err)
		return v
	}
	minCos, n := 1.0, 0
	for _, b := range batches {
		a, c := embed(ref, b), embed(m, b)
		for i := range a {
			cos := cosine(a[i], c[i])
			minCos = math.Min(minCos, cos)
			meanCos += cos
			n++
		}
	}
	return minCos, meanCos / float64(max(n, 1))
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}
