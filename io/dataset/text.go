package dataset

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Texts are a chunk's text column.
type Texts struct {
	// Values holds each row's text; "" for bad rows.
	Values []string
	// Bad lists the rows that cannot be used, sorted by row, one per row:
	// rows the reader could not decode, null texts and empty texts.
	Bad []*RowError
	bad []bool
}

// OK reports whether the i-th row of the chunk is usable.
func (t Texts) OK(i int) bool { return !t.bad[i] }

// Err returns the first bad row as an error, or nil.
func (t Texts) Err() error {
	if len(t.Bad) == 0 {
		return nil
	}
	return t.Bad[0]
}

// DecodeTexts returns the text column name of c. An error means the column
// is missing or not a string column.
func DecodeTexts(c Chunk, name string) (Texts, error) {
	col := column(c, name)
	if col == nil {
		return Texts{}, fmt.Errorf("%s: text column %q is not in the chunk", c.Unit, name)
	}
	strs, ok := col.(array.StringLike)
	if !ok {
		return Texts{}, fmt.Errorf("%s: column %q has type %s, not a string type", c.Unit, name, col.DataType())
	}
	n := strs.Len()
	t := Texts{Values: make([]string, n), bad: make([]bool, n)}
	bad := newBadRows(c, t.bad)
	for i := range n {
		switch {
		case bad.has(i):
		case strs.IsNull(i):
			bad.add(i, name, "text is null")
		case strs.Value(i) == "":
			bad.add(i, name, "text is empty")
		default:
			t.Values[i] = strs.Value(i)
		}
	}
	t.Bad = bad.sorted()
	return t, nil
}
