package bert

// Batch shapes on a GPU.
//
// MLX's CUDA allocator reuses a freed buffer only for a request of nearly the same size (within
// 32 KiB). When every batch has a new [rows·length] shape, almost every intermediate misses the
// cache, and the fresh allocations and the frees that keep the cache under its limit synchronise
// the device with the host, so the host cannot queue the next batch while the GPU works. Batches
// whose padded size repeats avoid that: the GPU path pads each batch's length to a multiple of
// gpuLengthStep, and batchers that can choose their rows use GPUBatchShape to give every full
// batch exactly the same number of padded tokens.

// gpuLengthStep is the multiple the GPU path pads a batch's length to.
const gpuLengthStep = 8

// GPUTokenSlots is a padded-token budget for GPU batches that GPUBatchShape divides evenly for
// most lengths: 107520 = 2^10·3·5·7 is a multiple of every multiple of 8 up to 64 and of 80, 96,
// 112, 120, 128, 160, 168, 192, 224, 240, 256, 280, 320, 336, 384, 448, 480 and 512.
const GPUTokenSlots = 107520

// GPUBatchShape returns the padded length and the row count of a GPU batch whose longest row has
// longest tokens, for a budget of slots padded tokens per batch: the length is the smallest
// multiple of 8 that is at least longest, at most the model's maximum sequence length and divides
// slots (falling back to the next multiple of 8), and rows is slots/length (at least 1). A batcher
// that fills batches to exactly that shape gives MLX's allocator the same sizes every time.
func (m *Model) GPUBatchShape(longest, slots int) (length, rows int) {
	limit := m.Config.MaxSequenceLength()
	first := roundUp(max(longest, 1), gpuLengthStep)
	length = min(first, max(limit, longest))
	for l := first; l <= limit && l <= slots; l += gpuLengthStep {
		if slots%l == 0 {
			length = l
			break
		}
	}
	return length, max(slots/length, 1)
}

// gpuLength is the length the GPU path pads a batch whose longest row has n tokens to.
func (c *Config) gpuLength(n int) int {
	return max(n, min(roundUp(n, gpuLengthStep), c.MaxSequenceLength()))
}

func roundUp(n, step int) int { return (n + step - 1) / step * step }

// widen pads p to length L (at least p.length); the added positions are padding, masked out.
func (c *Config) widen(p *padded, L int) *padded {
	if L <= p.length {
		return p
	}
	n := p.rows * L
	w := &padded{rows: p.rows, length: L, counts: p.counts,
		ids: make([]int32, n), types: make([]int32, n), positions: make([]int32, n), mask: make([]bool, n)}
	pad := int32(c.PadTokenID)
	for i := 0; i < p.rows; i++ {
		from, to := i*p.length, i*L
		copy(w.ids[to:], p.ids[from:from+p.length])
		copy(w.types[to:], p.types[from:from+p.length])
		copy(w.positions[to:], p.positions[from:from+p.length])
		copy(w.mask[to:], p.mask[from:from+p.length])
		for j := p.length; j < L; j++ {
			w.ids[to+j], w.positions[to+j] = pad, c.padPosition(j)
		}
	}
	return w
}
