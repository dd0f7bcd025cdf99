package jsonlio

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/tokentext"
)

// batch gathers the rows of one unit into Arrow builders.
type batch struct {
	path string
	chunk.Builder
	index    map[string]int
	values   []json.RawMessage // the current row's value per field
	jsonText []bool            // per field: a string column holding JSON text, which takes any value
}

// newBatch prepares builders for the named columns.
func (r *Reader) newBatch(columns []string) (*batch, error) {
	b := &batch{path: r.path, index: map[string]int{}, values: make([]json.RawMessage, len(columns))}
	for i, name := range columns {
		idx := r.schema.FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("%s: column %q not found in the first rows' keys", r.path, name)
		}
		f := r.schema.Field(idx[0])
		b.Fields = append(b.Fields, f)
		b.index[name] = i
		b.jsonText = append(b.jsonText, r.jsonText[name])
		b.Builders = append(b.Builders, array.NewBuilder(r.mem, f.Type))
	}
	return b, nil
}

// append decodes one line, row number row on line lineNo.
func (b *batch) append(line []byte, row int64, lineNo int) {
	clear(b.values)
	err := eachField(line, func(key string, raw json.RawMessage) {
		if i, ok := b.index[key]; ok {
			b.values[i] = raw
		}
	})
	if err != nil {
		clear(b.values)
		b.problem(row, "", fmt.Sprintf("line %d: %v", lineNo, err))
	}
	for i, raw := range b.values {
		if err := appendValue(b.Builders[i], raw, b.jsonText[i]); err != nil {
			b.Builders[i].AppendNull()
			b.problem(row, b.Fields[i].Name, fmt.Sprintf("%v (line %d)", err, lineNo))
		}
	}
}

// problem records the first problem of a row.
func (b *batch) problem(row int64, column, reason string) {
	if n := len(b.Problems); n > 0 && b.Problems[n-1].Row == row {
		return
	}
	b.Problems = append(b.Problems, &chunk.RowError{File: b.path, Row: row, Column: column, Reason: reason})
}

// appendValue appends raw (nil: key absent) to bld or says why it does not fit. A string column
// takes strings, and any value as its JSON text when jsonText is set.
func appendValue(bld array.Builder, raw json.RawMessage, jsonText bool) error {
	if raw == nil || classify(raw) == kindNull {
		bld.AppendNull()
		return nil
	}
	k := classify(raw)
	switch bld := bld.(type) {
	case *array.StringBuilder:
		if k != kindString && jsonText {
			bld.Append(string(raw))
			return nil
		}
		if k != kindString {
			return mismatch(raw, "string")
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		bld.Append(s)
	case *array.BooleanBuilder:
		if k != kindBool {
			return mismatch(raw, "boolean")
		}
		bld.Append(raw[0] == 't')
	case *array.Int64Builder:
		if k != kindInt {
			return mismatch(raw, "int64")
		}
		v, _ := strconv.ParseInt(string(raw), 10, 64)
		bld.Append(v)
	case *array.Float64Builder:
		v, err := strconv.ParseFloat(string(raw), 64)
		if k != kindInt && k != kindFloat || err != nil {
			return mismatch(raw, "float64")
		}
		bld.Append(v)
	case *array.ListBuilder:
		return appendTokens(bld, raw, k)
	default:
		return mismatch(raw, "null (only nulls were seen in the first rows)")
	}
	return nil
}

// appendTokens appends an array of integers (null items stay null for the
// token decoder to report), or a "[1, 2]" string.
func appendTokens(bld *array.ListBuilder, raw json.RawMessage, k kind) error {
	values := bld.ValueBuilder().(*array.Int64Builder)
	if k == kindString {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		ids, err := tokentext.Parse(s)
		if err != nil {
			return err
		}
		if ids == nil {
			return errors.New("token list is an empty string")
		}
		bld.Append(true)
		values.AppendValues(ids, nil)
		return nil
	}
	var items []json.RawMessage
	if k != kindOther || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return fmt.Errorf("token list %s is not an array of integers", short(raw))
	}
	ids := make([]int64, len(items))
	valid := make([]bool, len(items))
	for i, item := range items {
		switch classify(item) {
		case kindNull:
		case kindInt:
			ids[i], _ = strconv.ParseInt(string(item), 10, 64)
			valid[i] = true
		default:
			return fmt.Errorf("token list %s: item %d (%s) is not an integer", short(raw), i, short(item))
		}
	}
	bld.Append(true)
	values.AppendValues(ids, valid)
	return nil
}

func mismatch(raw json.RawMessage, typ string) error {
	return fmt.Errorf("value %s does not fit the column's type %s, inferred from the first rows; "+
		"make the column's values one kind (strings in a text column)", short(raw), typ)
}

func short(raw json.RawMessage) string {
	if len(raw) > 60 {
		return string(raw[:60]) + "…"
	}
	return string(raw)
}
