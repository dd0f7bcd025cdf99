package bert

import "github.com/bertbatch/bertbatch/mlx"

// DefaultInFlight is how many batches a worker keeps handed to MLX at once on device d, unless
// told otherwise: two on a GPU (the device computes one while the host builds and queues the
// next one's graph: StartEmbed for batch k+1 before Wait on batch k), one on the CPU, where the
// host's share is small and a worker's threads already keep its cores busy. `bertbatch run` and
// package embed use it.
func DefaultInFlight(d mlx.DeviceType) int {
	if d == mlx.GPU {
		return 2
	}
	return 1
}

// PendingEmbed is a batch whose embeddings MLX is computing. Wait returns them.
type PendingEmbed struct {
	pooled *mlx.Array
	stream *mlx.Stream
	rows   int
}

// StartEmbed builds a batch's graph in sc and hands it to MLX without waiting for the result,
// so that the caller can prepare the next batch while the device computes this one (on a GPU
// the host's share of a batch is otherwise idle device time). sc must stay open until Wait
// returns; Wait must run on the same OS thread. Several batches may be started on one stream
// before the first Wait; MLX runs them in order. StartEmbed then Wait computes exactly what
// Embed computes, bit for bit, on every device.
func (m *Model) StartEmbed(sc *mlx.Scope, b *Batch, o EmbedOptions) (*PendingEmbed, error) {
	e, err := m.Forward(sc, b)
	if err != nil {
		return nil, err
	}
	pooled, err := m.Pool(sc, e, o)
	if err != nil {
		return nil, err
	}
	if err := mlx.AsyncEval(pooled); err != nil {
		return nil, err
	}
	return &PendingEmbed{pooled: pooled, stream: sc.Stream(), rows: len(b.InputIDs)}, nil
}

// Wait blocks until the batch's embeddings are computed and returns one vector per row.
func (p *PendingEmbed) Wait() ([][]float32, error) {
	flat, err := p.pooled.Float32s(p.stream)
	if err != nil {
		return nil, err
	}
	return splitRows(flat, p.rows), nil
}
