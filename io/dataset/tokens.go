package dataset

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// TokenNames names the token columns of a chunk. Mask and Types are
// optional: empty, or absent from the chunk, means the data has none.
type TokenNames struct {
	IDs   string
	Mask  string
	Types string
}

// Tokens are a chunk's token columns as int32 rows.
type Tokens struct {
	// IDs holds each row's token ids; nil for bad rows.
	IDs [][]int32
	// Mask and Types are nil when the column is absent; otherwise they hold
	// one row per IDs row (nil for bad rows), of the same length.
	Mask, Types [][]int32
	// Bad lists the rows that cannot be used, sorted by row, one per row:
	// rows the reader could not decode, null or empty id lists, null items,
	// values outside int32, and mask or type rows of another length than ids.
	Bad []*RowError
	bad []bool
}

// OK reports whether the i-th row of the chunk is usable.
func (t Tokens) OK(i int) bool { return !t.bad[i] }

// Err returns the first bad row as an error, or nil.
func (t Tokens) Err() error {
	if len(t.Bad) == 0 {
		return nil
	}
	return t.Bad[0]
}

// DecodeTokens converts the token columns of c to int32 rows. Value problems
// mark rows bad (see Tokens.Bad); an error means a column is missing or has a
// type that holds no token ids. Whether ids fit the model's vocabulary is the
// caller's check; row i of the chunk is row c.Row(i) of its file.
func DecodeTokens(c Chunk, names TokenNames) (Tokens, error) {
	n := int(c.Record.NumRows())
	t := Tokens{bad: make([]bool, n)}
	bad := newBadRows(c, t.bad)
	var err error
	if t.IDs, err = decodeTokenColumn(c, names.IDs, true, bad); err != nil {
		return t, err
	}
	if t.Mask, err = decodeTokenColumn(c, names.Mask, false, bad); err != nil {
		return t, err
	}
	if t.Types, err = decodeTokenColumn(c, names.Types, false, bad); err != nil {
		return t, err
	}
	for i := range n {
		switch {
		case t.bad[i]:
		case t.IDs[i] == nil:
			bad.add(i, names.IDs, "token id list is null")
		case len(t.IDs[i]) == 0:
			bad.add(i, names.IDs, "token id list is empty")
		case t.Mask != nil && len(t.Mask[i]) != len(t.IDs[i]):
			bad.add(i, names.Mask, lengthMismatch(t.Mask[i], names.IDs, len(t.IDs[i])))
		case t.Types != nil && len(t.Types[i]) != len(t.IDs[i]):
			bad.add(i, names.Types, lengthMismatch(t.Types[i], names.IDs, len(t.IDs[i])))
		}
	}
	t.Bad = bad.sorted()
	for i := range n {
		if t.bad[i] {
			t.IDs[i] = nil
			if t.Mask != nil {
				t.Mask[i] = nil
			}
			if t.Types != nil {
				t.Types[i] = nil
			}
		}
	}
	return t, nil
}

// lengthMismatch explains a mask or type row that does not match the ids.
func lengthMismatch(row []int32, ids string, n int) string {
	if row == nil {
		return fmt.Sprintf("is null but %s has %d tokens", ids, n)
	}
	return fmt.Sprintf("has %d values but %s has %d tokens", len(row), ids, n)
}

// decodeTokenColumn converts one list-of-integers column. It returns nil
// when the column is optional and absent.
func decodeTokenColumn(c Chunk, name string, required bool, bad *badRows) ([][]int32, error) {
	if name == "" && !required {
		return nil, nil
	}
	idx := c.Record.Schema().FieldIndices(name)
	if len(idx) == 0 {
		if required {
			return nil, fmt.Errorf("%s: token column %q is not in the chunk", c.Unit, name)
		}
		return nil, nil
	}
	list, ok := c.Record.Column(idx[0]).(array.ListLike)
	if !ok || !KindTokens.accepts(list.DataType()) {
		return nil, fmt.Errorf("%s: column %q has type %s, not a list of integers", c.Unit, name, c.Record.Column(idx[0]).DataType())
	}
	values, err := int64Getter(list.ListValues())
	if err != nil {
		return nil, fmt.Errorf("%s: column %q: %w", c.Unit, name, err)
	}
	rows := make([][]int32, list.Len())
	for i := range rows {
		if bad.has(i) || list.IsNull(i) {
			continue
		}
		start, end := list.ValueOffsets(i)
		row := make([]int32, end-start)
		for j := range row {
			v, ok := values(int(start) + j)
			switch {
			case !ok:
				bad.add(i, name, fmt.Sprintf("token %d is null", j))
			case v < math.MinInt32 || v > math.MaxInt32:
				bad.add(i, name, fmt.Sprintf("token %d has value %d, outside int32", j, v))
			}
			if bad.has(i) {
				break
			}
			row[j] = int32(v)
		}
		rows[i] = row
	}
	return rows, nil
}

// int64Getter returns a function reading item j of an integer array as
// int64, with ok false for nulls.
func int64Getter(arr arrow.Array) (func(j int) (int64, bool), error) {
	switch a := arr.(type) {
	case *array.Int8:
		return getter(a, a.Int8Values()), nil
	case *array.Int16:
		return getter(a, a.Int16Values()), nil
	case *array.Int32:
		return getter(a, a.Int32Values()), nil
	case *array.Int64:
		return getter(a, a.Int64Values()), nil
	case *array.Uint8:
		return getter(a, a.Uint8Values()), nil
	case *array.Uint16:
		return getter(a, a.Uint16Values()), nil
	case *array.Uint32:
		return getter(a, a.Uint32Values()), nil
	case *array.Uint64:
		vals := a.Uint64Values()
		return func(j int) (int64, bool) {
			if a.IsNull(j) {
				return 0, false
			}
			if vals[j] > math.MaxInt64 {
				return math.MaxInt64, true
			}
			return int64(vals[j]), true
		}, nil
	}
	return nil, fmt.Errorf("list items have type %s, not an integer type", arr.DataType())
}

func getter[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](a arrow.Array, vals []T) func(int) (int64, bool) {
	if a.NullN() == 0 {
		return func(j int) (int64, bool) { return int64(vals[j]), true }
	}
	return func(j int) (int64, bool) { return int64(vals[j]), a.IsValid(j) }
}
