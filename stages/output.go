package stages

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/bert/outputs"
	"github.com/bertbatch/bertbatch/io/dataset"
	"github.com/bertbatch/bertbatch/io/parquetio"
	"github.com/bertbatch/bertbatch/jobs"
)

// layout is the output files' schema: passthrough columns, then the model's outputs.
type layout struct {
	schema      *arrow.Schema
	passthrough *arrow.Schema
	dim         int // embedding size, or number of labels with a head
	half        bool
	classify    bool
	tokenIDs    bool
}

func newLayout(job *jobs.Job, passthrough *arrow.Schema, dim int, classify bool) *layout {
	l := &layout{passthrough: passthrough, dim: dim, classify: classify,
		half: job.Output.DType == jobs.OutputFloat16, tokenIDs: job.Output.WriteTokenIDs}
	fields := append([]arrow.Field(nil), passthrough.Fields()...)
	if classify {
		vec := parquetio.VectorType(dim, false)
		fields = append(fields,
			arrow.Field{Name: outputs.ColumnLogits, Type: vec},
			arrow.Field{Name: outputs.ColumnProbabilities, Type: vec},
			arrow.Field{Name: outputs.ColumnLabel, Type: arrow.BinaryTypes.String},
			arrow.Field{Name: outputs.ColumnScore, Type: arrow.PrimitiveTypes.Float32})
	} else {
		fields = append(fields, arrow.Field{Name: job.Output.EmbeddingColumn, Type: parquetio.VectorType(dim, l.half)})
	}
	if l.tokenIDs {
		ids := arrow.ListOf(arrow.PrimitiveTypes.Int32)
		fields = append(fields,
			arrow.Field{Name: jobs.ColumnInputIDs, Type: ids, Nullable: true},
			arrow.Field{Name: jobs.ColumnAttentionMask, Type: ids, Nullable: true},
			arrow.Field{Name: jobs.ColumnTokenTypeIDs, Type: ids, Nullable: true})
	}
	l.schema = arrow.NewSchema(fields, nil)
	return l
}

// record builds a finished unit's output rows: its good rows' passthrough values and results.
func (l *layout) record(mem memory.Allocator, u *unitState) (arrow.RecordBatch, error) {
	pass, err := dataset.SelectRows(mem, u.passthrough, u.good)
	if err != nil {
		return nil, fmt.Errorf("%s: selecting rows: %w", u.unit, err)
	}
	defer pass.Release()
	cols := append([]arrow.Array(nil), pass.Columns()...)
	var made []arrow.Array
	defer func() {
		for _, a := range made {
			a.Release()
		}
	}()
	keep := func(a arrow.Array) {
		made = append(made, a)
		cols = append(cols, a)
	}
	add := func(a arrow.Array, err error) error {
		if err != nil {
			return err
		}
		keep(a)
		return nil
	}
	n := len(u.good)
	if l.classify {
		logits, probs := make([]float32, 0, n*l.dim), make([]float32, 0, n*l.dim)
		label := array.NewStringBuilder(mem)
		score := array.NewFloat32Builder(mem)
		defer label.Release()
		defer score.Release()
		for _, p := range u.predictions {
			logits, probs = append(logits, p.Logits...), append(probs, p.Probabilities...)
			label.Append(p.Label)
			score.Append(p.Score)
		}
		if err := add(parquetio.NewVectors(mem, logits, l.dim, false)); err != nil {
			return nil, err
		}
		if err := add(parquetio.NewVectors(mem, probs, l.dim, false)); err != nil {
			return nil, err
		}
		keep(label.NewArray())
		keep(score.NewArray())
	} else {
		flat := make([]float32, 0, n*l.dim)
		for _, v := range u.vectors {
			flat = append(flat, v...)
		}
		if err := add(parquetio.NewVectors(mem, flat, l.dim, l.half)); err != nil {
			return nil, err
		}
	}
	if l.tokenIDs {
		ids, masks, types := make([][]int32, n), make([][]int32, n), make([][]int32, n)
		for i, r := range u.tokens {
			ids[i], types[i], masks[i] = r.ids, orZeros(r.types, len(r.ids), 0), orZeros(r.mask, len(r.ids), 1)
		}
		keep(parquetio.NewTokenLists(mem, ids))
		keep(parquetio.NewTokenLists(mem, masks))
		keep(parquetio.NewTokenLists(mem, types))
	}
	return array.NewRecordBatch(l.schema, cols, int64(n)), nil
}
