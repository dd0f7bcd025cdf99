package rangetest

import (
	"encoding/json"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// compareChunk checks that c holds f's rows [c.Unit.RowStart, +c.Unit.Rows)
// of every column, as pyarrow read them.
func compareChunk(f *File, c chunk.Chunk) error {
	if c.Record.NumRows() != c.Unit.Rows {
		return fmt.Errorf("%s: record has %d rows", c.Unit, c.Record.NumRows())
	}
	if c.Unit.RowStart < 0 || c.Unit.RowStart+c.Unit.Rows > int64(len(f.Want["id"])) {
		return fmt.Errorf("%s: outside the file's %d rows", c.Unit, len(f.Want["id"]))
	}
	for i, name := range f.Case.Columns() {
		if got := c.Record.Schema().Field(i).Name; got != name {
			return fmt.Errorf("%s: column %d is %q, want %q", c.Unit, i, got, name)
		}
		col := c.Record.Column(i)
		want := f.Want[name]
		for r := range int(c.Unit.Rows) {
			row := c.Unit.RowStart + int64(r)
			got, err := value(col, r)
			if err != nil {
				return fmt.Errorf("%s: row %d, column %q: %w", c.Unit, row, name, err)
			}
			if !equal(got, want[row]) {
				return fmt.Errorf("%s: row %d, column %q: got %s, pyarrow reads %s", c.Unit, row, name, short(got), short(want[row]))
			}
		}
	}
	return nil
}

// value returns row i of arr as int64, string, []any or nil (null).
func value(arr arrow.Array, i int) (any, error) {
	if arr.IsNull(i) {
		return nil, nil
	}
	switch a := arr.(type) {
	case *array.Int64:
		return a.Value(i), nil
	case *array.Int32:
		return int64(a.Value(i)), nil
	case *array.String:
		return a.Value(i), nil
	case *array.LargeString:
		return a.Value(i), nil
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		out := make([]any, 0, end-start)
		for j := start; j < end; j++ {
			v, err := value(a.ListValues(), int(j))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected type %s", arr.DataType())
}

// normalizeJSON turns a value decoded with UseNumber into the forms value
// returns.
func normalizeJSON(v any) (any, error) {
	switch x := v.(type) {
	case nil, string:
		return x, nil
	case json.Number:
		return x.Int64()
	case []any:
		out := make([]any, len(x))
		for i := range x {
			var err error
			if out[i], err = normalizeJSON(x[i]); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected JSON value %T", v)
}

// equal compares two values in the forms value returns.
func equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// short renders v for a message, cut to a readable length.
func short(v any) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
