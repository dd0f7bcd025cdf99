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

// row is one model input, and where it comes from (for messages).
type row struct {
	ids, types, mask []int32
	file             string
	n                int64 // the row's number in its file
}

// item flows from prepare to the writer: one model row, or none for a unit whose rows were all
// rejected. A unit's first item carries the unit, and opens a group of the batcher: batches never
// span two units and a unit's rows are batched the same way whatever units a run skips, so a
// resumed run computes every row exactly as an uninterrupted one.
type item struct {
	unit *unitState // set on the unit's first item
	row  *row       // nil only on the single item of a unit without good rows
}

// startsUnit reports whether it is a unit's first item.
func startsUnit(it item) bool { return it.unit != nil }

func itemLength(it item) int {
	if it.row == nil {
		return 0
	}
	return len(it.row.ids)
}

// result is what a worker returns for an item: its unit when the item opens one, and the row's
// vector or prediction when it has a row.
type result struct {
	unit   *unitState
	hasRow bool // false only for a unit without good rows
	vector []float32
	pred   *bert.Prediction
}
