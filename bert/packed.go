package bert

import (
	"fmt"

	"github.com/bertbatch/bertbatch/mlx"
)

// Packed batches.
//
// When every row's attention mask is a prefix (its tokens first, padding after, as tokenizers
// produce) and the stream has a packed attention kernel (mlx AttentionVarlen), the encoder runs on
// the rows' tokens laid end to end, [tokens, hidden], instead of a padded [rows·length, hidden]
// grid: no matrix product is spent on padding, and attention takes each sequence by its offsets.
// The last hidden state is laid back out as [rows, length, hidden] once, at the end, for pooling
// and heads; its padding positions hold a copy of the row's first token (every consumer masks
// them). Masks with holes take the padded path.

// GPUPackQuantum is the multiple a GPU batch's packed row count is rounded up to, with filler rows
// at the end: batches filled to one token budget then share one shape, which MLX's CUDA allocator
// needs to reuse its buffers (see gpubatch.go). 107520 (GPUTokenSlots) is 42 of them.
const GPUPackQuantum = 2560

// packing is a padded batch's attended tokens laid end to end.
type packing struct {
	tokens, rows, longest int
	offsets               []int32 // [B+1]: sequence b is packed rows offsets[b] to offsets[b+1]
	ids, types, positions []int32 // [rows]; rows past tokens are filler
	unpack                []int32 // [B·L]: the packed row of each padded position
}

// Packs reports whether batches on device run packed (when their masks are prefixes): the model's
// dtype, head size and attention have a packed attention kernel there.
func (m *Model) Packs(device mlx.DeviceType) bool {
	ok, _ := m.PacksWhy(device)
	return ok
}

// PacksWhy is Packs with the reason batches run padded when they do not pack, for a log line.
func (m *Model) PacksWhy(device mlx.DeviceType) (bool, string) {
	if !mlx.AttentionVarlenSupported(device, m.dtype, m.Config.HeadDim()) {
		return false, fmt.Sprintf("no packed attention kernel for %s with head size %d on this device", m.dtype, m.Config.HeadDim())
	}
	return true, ""
}

// PackedRows is the number of rows a packed batch of tokens real tokens computes on device: the
// tokens, rounded up to GPUPackQuantum on a GPU.
func PackedRows(device mlx.DeviceType, tokens int) int {
	if device == mlx.CPU {
		return tokens
	}
	return roundUp(tokens, GPUPackQuantum)
}

// pack returns p's packing, or nil when the batch or the stream cannot be packed.
func (m *Model) pack(sc *mlx.Scope, p *padded) *packing {
	dev := sc.Stream().Device()
	if !m.Packs(dev) {
		return nil
	}
	pk := m.Config.packed(p)
	if pk != nil {
		pk.pad(PackedRows(dev, pk.tokens), int32(m.Config.PadTokenID), m.Config.padPosition(0))
	}
	return pk
}

// packed lays p's tokens end to end; nil when a row's mask is not a prefix.
func (c *Config) packed(p *padded) *packing {
	B, L := p.rows, p.length
	pk := &packing{offsets: make([]int32, B+1)}
	for b := range B {
		n := p.counts[b] // at least 1: pad rejects rows with no attended token
		for j := range L {
			if p.mask[b*L+j] != (j < n) {
				return nil
			}
		}
		pk.tokens += n
		pk.longest = max(pk.longest, n)
		pk.offsets[b+1] = int32(pk.tokens)
	}
	pk.rows = pk.tokens
	pk.ids, pk.types, pk.positions = make([]int32, pk.rows), make([]int32, pk.rows), make([]int32, pk.rows)
	pk.unpack = make([]int32, B*L)
	for b := range B {
		first := int(pk.offsets[b])
		for j := range L {
			k := b*L + j
			if j >= p.counts[b] {
				pk.unpack[k] = int32(first)
				continue
			}
			pk.unpack[k] = int32(first + j)
			pk.ids[first+j], pk.types[first+j], pk.positions[first+j] = p.ids[k], p.types[k], p.positions[k]
		}
	}
	return pk
}

// pad adds filler rows up to rows: padding tokens at position pos, which no sequence attends to.
func (pk *packing) pad(rows int, padID, pos int32) {
	for i := pk.rows; i < rows; i++ {
		pk.ids = append(pk.ids, padID)
		pk.types = append(pk.types, 0)
		pk.positions = append(pk.positions, pos)
	}
	pk.rows = max(pk.rows, rows)
}

// forwardPacked is Forward on a packed batch.
func (m *Model) forwardPacked(sc *mlx.Scope, p *padded, pk *packing) *Encoded {
	B, L, H := p.rows, p.length, m.Config.HiddenSize
	at := packedAttention{offsets: sc.FromInt32(pk.offsets, B+1), heads: m.Config.NumAttentionHeads,
		scale: m.attentionScale(), longest: pk.longest, tokens: pk.tokens, shaping: m.shaping()}
	x := m.encode(sc, pk.ids, pk.positions, pk.types, at)
	hidden := sc.Reshape(sc.Take(x, sc.FromInt32(pk.unpack, B*L), 0), B, L, H)
	return &Encoded{LastHidden: hidden, Mask: keepMask(sc, p), Counts: p.counts, p: p}
}
