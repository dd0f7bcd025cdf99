package jsonlio

import (
	"encoding/json"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// inference gathers the kinds seen per key over the first rows.
type inference struct {
	tokens []string
	keys   []string
	kinds  map[string]map[kind]bool
}

func newInference(tokenColumns []string) *inference {
	return &inference{tokens: tokenColumns, kinds: map[string]map[kind]bool{}}
}

// add records the kinds of one line's values; lines that are not JSON
// objects are left for Read to report.
func (inf *inference) add(line []byte) {
	_ = eachField(line, func(key string, raw json.RawMessage) {
		if inf.kinds[key] == nil {
			inf.kinds[key] = map[kind]bool{}
			inf.keys = append(inf.keys, key)
		}
		inf.kinds[key][classify(raw)] = true
	})
}

func (inf *inference) empty() bool { return len(inf.keys) == 0 }

// jsonText returns the keys whose values are kept as their JSON text: string columns that saw
// objects, arrays or mixed kinds. A string column that saw only strings holds plain strings, and
// a later value of another kind does not fit it.
func (inf *inference) jsonText() map[string]bool {
	out := map[string]bool{}
	for _, key := range inf.keys {
		if !arrow.TypeEqual(inf.typeOf(key), arrow.BinaryTypes.String) {
			continue
		}
		seen := inf.kinds[key]
		if len(seen) > 1 || !seen[kindString] {
			out[key] = true
		}
	}
	return out
}

// schema returns one nullable field per key, typed as the package doc says.
func (inf *inference) schema() *arrow.Schema {
	fields := make([]arrow.Field, len(inf.keys))
	for i, key := range inf.keys {
		fields[i] = arrow.Field{Name: key, Type: inf.typeOf(key), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

func (inf *inference) typeOf(key string) arrow.DataType {
	if slices.Contains(inf.tokens, key) {
		return TokenListType
	}
	seen := inf.kinds[key]
	delete(seen, kindNull)
	switch {
	case len(seen) == 0:
		return arrow.Null
	case len(seen) == 1 && seen[kindBool]:
		return arrow.FixedWidthTypes.Boolean
	case len(seen) == 1 && seen[kindInt]:
		return arrow.PrimitiveTypes.Int64
	case len(seen) <= 2 && !seen[kindBool] && !seen[kindString] && !seen[kindOther]:
		return arrow.PrimitiveTypes.Float64
	default:
		return arrow.BinaryTypes.String
	}
}
