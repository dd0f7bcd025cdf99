package dataset

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// passthroughCheck checks that each passthrough column exists with one type
// across files.
type passthroughCheck struct {
	names []string
	first map[string]seenType
}

// seenType is the type a column had in the first file that held it.
type seenType struct {
	file string
	typ  arrow.DataType
}

func newPassthroughCheck(names []string) *passthroughCheck {
	return &passthroughCheck{names: names, first: map[string]seenType{}}
}

// add checks one file's passthrough columns.
func (pc *passthroughCheck) add(f File, schema *arrow.Schema) []error {
	var errs []error
	for _, name := range pc.names {
		typ, err := passthroughType(f, schema, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		first, ok := pc.first[name]
		if !ok {
			pc.first[name] = seenType{file: f.Path, typ: typ}
			continue
		}
		if !arrow.TypeEqual(first.typ, typ) {
			errs = append(errs, &SchemaError{File: f.Path, Column: name, OtherFile: first.file,
				Problem: fmt.Sprintf("has type %s here but %s in %s; passthrough columns need one type in every file "+
					"(rewrite the files with one type, or leave the column out of passthrough)", typ, first.typ, first.file)})
		}
	}
	return errs
}

// passthroughType returns the type of a passthrough column in f.
func passthroughType(f File, schema *arrow.Schema, name string) (arrow.DataType, error) {
	if idx := schema.FieldIndices(name); len(idx) == 1 {
		return schema.Field(idx[0]).Type, nil
	} else if len(idx) > 1 {
		return nil, &SchemaError{File: f.Path, Column: name, Problem: fmt.Sprintf("appears %d times in the file; rename the duplicates", len(idx))}
	}
	if _, ok := partitionOf(f, name); ok {
		return arrow.BinaryTypes.String, nil
	}
	return nil, &SchemaError{File: f.Path, Column: name,
		Problem: fmt.Sprintf("passthrough column missing; the file has columns %s and partition keys %s", names(schema), partitionKeys(f))}
}

func partitionKeys(f File) string {
	keys := make([]string, len(f.Partitions))
	for i, p := range f.Partitions {
		keys[i] = fmt.Sprintf("%q", p.Key)
	}
	return fmt.Sprint(keys)
}

// schema returns the passthrough columns as nullable fields, in order.
func (pc *passthroughCheck) schema() *arrow.Schema {
	fields := make([]arrow.Field, len(pc.names))
	for i, name := range pc.names {
		fields[i] = arrow.Field{Name: name, Type: pc.first[name].typ, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}
