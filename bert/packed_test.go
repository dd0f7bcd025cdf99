package bert

import (
	"fmt"
	"testing"

	"github.com/bertbatch/bertbatch/mlx"
)

func TestPacked(t *testing.T) {
	cfg := &Config{PadTokenID: 0, MaxPositionEmbeddings: 512, VocabSize: 100, TypeVocabSize: 2}
	for _, tc := range []struct {
		name        string
		batch       Batch
		wantOffsets string
		wantUnpack  string
		wantIDs     string
	}{
		{"rows of different lengths", Batch{InputIDs: [][]int32{{5, 6, 7}, {8}, {9, 10}}},
			"[0 3 4 6]", "[0 1 2 3 3 3 4 5 4]", "[5 6 7 8 9 10]"},
		{"prefix masks", Batch{InputIDs: [][]int32{{5, 6, 0}, {7, 8, 9}}, AttentionMask: [][]int32{{1, 1, 0}, {1, 1, 1}}},
			"[0 2 5]", "[0 1 0 2 3 4]", "[5 6 7 8 9]"},
		{"a hole in a mask: padded path", Batch{InputIDs: [][]int32{{5, 6, 7}}, AttentionMask: [][]int32{{1, 0, 1}}}, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := cfg.pad(&tc.batch)
			if err != nil {
				t.Fatal(err)
			}
			pk := cfg.packed(p)
			if tc.wantOffsets == "" {
				if pk != nil {
					t.Fatalf("packed %v, want the padded path", pk.offsets)
				}
				return
			}
			if pk == nil {
				t.Fatal("not packed")
			}
			for _, c := range []struct{ name, got, want string }{
				{"offsets", fmt.Sprint(pk.offsets), tc.wantOffsets},
				{"unpack", fmt.Sprint(pk.unpack), tc.wantUnpack},
				{"ids", fmt.Sprint(pk.ids), tc.wantIDs},
			} {
				if c.got != c.want {
					t.Errorf("%s %s, want %s", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestPackedFiller(t *testing.T) {
	cfg := &Config{PadTokenID: 1, MaxPositionEmbeddings: 512, VocabSize: 100, TypeVocabSize: 1, Arch: ArchRoBERTa}
	p, err := cfg.pad(&Batch{InputIDs: [][]int32{{0, 5, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	pk := cfg.packed(p)
	pk.pad(PackedRows(mlx.GPU, 3), 1, cfg.padPosition(0))
	if pk.rows != GPUPackQuantum || len(pk.ids) != GPUPackQuantum || pk.tokens != 3 {
		t.Fatalf("rows %d (ids %d), tokens %d; want %d rows, 3 tokens", pk.rows, len(pk.ids), pk.tokens, GPUPackQuantum)
	}
	if got := fmt.Sprint(pk.ids[:5], pk.positions[:5]); got != "[0 5 2 1 1] [2 3 4 1 1]" {
		t.Errorf("ids and positions %s; want real tokens, then padding tokens at padding_idx", got)
	}
}
