package stages

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/bertbatch/bertbatch/bert"
	"github.com/bertbatch/bertbatch/io/chunk"
)

// unitState is one unit of input on its way through the pipeline: its passthrough columns, which
// of its rows go to the model, the rows rejected, and the results as they come back.
type unitState struct {
	unit        chunk.Unit // the rows this state covers: its chunk's, or a run of them (see piece)
	base        int64      // the chunk's first row; good and passthrough count from it
	fileIndex   int
	passthrough arrow.RecordBatch // every row of the chunk; released once written
	good        []int             // chunk-relative indices of the rows sent to the model, in order
	rejects     []*chunk.RowError
	truncated   int64
	tokens      []row // the good rows' tokens, kept only when the job writes them

	vectors     [][]float32 // results, in good-row order
	predictions []bert.Prediction
}

// row is one model input.
type row struct {
	ids, types, mask []int32
}

// item flows from prepare to the writer: a unit marker (row nil) followed by the unit's rows.
type item struct {
	unit *unitState
	row  *row
}

func itemLength(it item) int {
	if it.row == nil {
		return 0
	}
	return len(it.row.ids)
}

// result is what a worker returns for an item.
type result struct {
	unit   *unitState // set for markers
	vector []float32
	pred   *bert.Prediction
}
