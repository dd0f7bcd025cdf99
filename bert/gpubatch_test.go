package bert

import (
	"slices"
	"testing"
)

func TestGPUBatchShape(t *testing.T) {
	m := &Model{Config: &Config{MaxPositionEmbeddings: 512}}
	for _, tc := range []struct {
		name                 string
		longest, slots       int
		wantLength, wantRows int
	}{
		{"short row pads to 8", 1, 107520, 8, 13440},
		{"exact divisor", 64, 107520, 64, 1680},
		{"skips 104, which does not divide", 100, 107520, 112, 960},
		{"past 256", 257, 107520, 280, 384},
		{"longest allowed", 500, 107520, 512, 210},
		{"power-of-two budget", 100, 65536, 128, 512},
		{"no divisor: next multiple of 8", 510, 1000, 512, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, r := m.GPUBatchShape(tc.longest, tc.slots)
			if l != tc.wantLength || r != tc.wantRows {
				t.Errorf("GPUBatchShape(%d, %d) = %d, %d; want %d, %d", tc.longest, tc.slots, l, r, tc.wantLength, tc.wantRows)
			}
			if l%8 != 0 || l < tc.longest {
				t.Errorf("length %d is not a multiple of 8 at least %d", l, tc.longest)
			}
		})
	}
}

func TestWiden(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		wantPos []int32
	}{
		{"bert positions count on", Config{MaxPositionEmbeddings: 512, PadTokenID: 0}, []int32{0, 1, 2, 3, 0, 1, 2, 3}},
		{"roberta padding points at padding_idx", Config{Arch: ArchRoBERTa, MaxPositionEmbeddings: 514, PadTokenID: 1}, []int32{2, 3, 1, 1, 2, 1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cfg
			c.VocabSize, c.TypeVocabSize = 100, 1
			p, err := c.pad(&Batch{InputIDs: [][]int32{{5, 6}, {7}}})
			if err != nil {
				t.Fatal(err)
			}
			w := c.widen(p, 4)
			pad := int32(c.PadTokenID)
			if w.length != 4 || w.rows != 2 {
				t.Fatalf("widened to %d×%d, want 2×4", w.rows, w.length)
			}
			if want := []int32{5, 6, pad, pad, 7, pad, pad, pad}; !slices.Equal(w.ids, want) {
				t.Errorf("ids %v, want %v", w.ids, want)
			}
			if want := []bool{true, true, false, false, true, false, false, false}; !slices.Equal(w.mask, want) {
				t.Errorf("mask %v, want %v", w.mask, want)
			}
			if !slices.Equal(w.positions, tc.wantPos) {
				t.Errorf("positions %v, want %v", w.positions, tc.wantPos)
			}
			if !slices.Equal(w.counts, []int{2, 1}) {
				t.Errorf("counts %v, want [2 1]", w.counts)
			}
		})
	}
}
