package dataset

import (
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DefaultUnitRows is the default maximum number of rows in one unit.
const DefaultUnitRows = 8192

// Options configure Open.
type Options struct {
	// Spec names the columns to read.
	Spec Spec
	// UnitRows is the maximum number of rows in one unit; 0 means
	// DefaultUnitRows. It is part of every unit's identity: a resumed job
	// must use the same value.
	UnitRows int64
	// InferRows is how many rows of a JSON Lines file are scanned to infer
	// its column types; 0 means the jsonlio default.
	InferRows int
	// Allocator allocates the decoded data; nil means the default Go allocator.
	Allocator memory.Allocator
}

// Dataset is a checked, ordered set of input files.
type Dataset struct {
	files       []File
	opts        Options
	passthrough *arrow.Schema
	plans       []plan
	rows        []int64 // per file; -1 when the format does not say
}

// plan says how the chunks of one file are assembled.
type plan struct {
	columns []string // the chunk's columns, in order
	read    []string // the columns read from the file, in order
}

// Open checks the columns of every file against opts.Spec (see the package
// doc) and returns the dataset. All problems found are returned together,
// joined; each is a *SchemaError or names the unreadable file.
func Open(files []File, opts Options) (*Dataset, error) {
	if len(files) == 0 {
		return nil, errors.New("no input files")
	}
	if opts.UnitRows == 0 {
		opts.UnitRows = DefaultUnitRows
	}
	if opts.UnitRows < 0 {
		return nil, fmt.Errorf("unit rows must be positive, got %d", opts.UnitRows)
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	if err := checkSpec(opts.Spec); err != nil {
		return nil, err
	}
	d := &Dataset{files: files, opts: opts}
	pass := newPassthroughCheck(opts.Spec.Passthrough)
	var errs []error
	for _, f := range files {
		schema, rows, err := readSchema(f, opts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p, ferrs := planFile(f, schema, opts.Spec)
		errs = append(errs, ferrs...)
		errs = append(errs, pass.add(f, schema)...)
		d.plans = append(d.plans, p)
		d.rows = append(d.rows, rows)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	d.passthrough = pass.schema()
	return d, nil
}

// readSchema opens f to read its schema and, when the format says, its rows.
func readSchema(f File, opts Options) (*arrow.Schema, int64, error) {
	src, err := openSource(f, opts.Spec.tokenColumns(), opts.InferRows, opts.Allocator)
	if err != nil {
		return nil, 0, err
	}
	defer src.Close()
	rows := int64(-1)
	if n, ok := src.(interface{ NumRows() int64 }); ok {
		rows = n.NumRows()
	}
	return src.Schema(), rows, nil
}

// checkSpec rejects empty or repeated passthrough names.
func checkSpec(s Spec) error {
	for i, name := range s.Passthrough {
		if name == "" {
			return fmt.Errorf("passthrough column %d has an empty name", i)
		}
		if slices.Index(s.Passthrough, name) != i {
			return fmt.Errorf("passthrough column %q is listed twice", name)
		}
	}
	return nil
}

// planFile checks the model-input columns of one file and plans its chunks.
func planFile(f File, schema *arrow.Schema, spec Spec) (plan, []error) {
	var p plan
	var errs []error
	bad := func(col, format string, args ...any) {
		errs = append(errs, &SchemaError{File: f.Path, Column: col, Problem: fmt.Sprintf(format, args...)})
	}
	for _, c := range spec.Columns {
		if c.Name == "" || slices.Contains(p.columns, c.Name) {
			continue
		}
		idx := schema.FieldIndices(c.Name)
		switch {
		case len(idx) == 0 && c.Required:
			bad(c.Name, "missing; the file has columns %s; name the right column in the job", names(schema))
		case len(idx) == 0:
		case len(idx) > 1:
			bad(c.Name, "appears %d times in the file; rename the duplicates", len(idx))
		case !c.Kind.accepts(schema.Field(idx[0]).Type):
			bad(c.Name, "has type %s, but %s is needed", schema.Field(idx[0]).Type, c.Kind)
		default:
			p.columns = append(p.columns, c.Name)
			p.read = append(p.read, c.Name)
		}
	}
	for _, name := range spec.Passthrough {
		inFile := len(schema.FieldIndices(name)) > 0
		_, inPath := partitionOf(f, name)
		if inFile && inPath {
			bad(name, "is both a column of the file and a partition folder (%s=...); rename one of them", name)
		}
		if !slices.Contains(p.columns, name) {
			p.columns = append(p.columns, name)
			if inFile {
				p.read = append(p.read, name)
			}
		}
	}
	return p, errs
}

// partitionOf returns f's partition with the given key.
func partitionOf(f File, key string) (Partition, bool) {
	for _, p := range f.Partitions {
		if p.Key == key {
			return p, true
		}
	}
	return Partition{}, false
}

// names lists a schema's column names for error messages.
func names(s *arrow.Schema) string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = fmt.Sprintf("%q", f.Name)
	}
	return fmt.Sprint(out)
}

// Files returns the dataset's files in reading order.
func (d *Dataset) Files() []File { return d.files }

// UnitRows returns the maximum number of rows in one unit.
func (d *Dataset) UnitRows() int64 { return d.opts.UnitRows }

// PassthroughSchema returns the passthrough columns, in the Spec's order,
// with the type they have in every file (partition keys are strings).
func (d *Dataset) PassthroughSchema() *arrow.Schema { return d.passthrough }

// Rows returns the total number of rows when every file's format records it
// (Parquet); ok is false otherwise.
func (d *Dataset) Rows() (n int64, ok bool) {
	for _, r := range d.rows {
		if r < 0 {
			return 0, false
		}
		n += r
	}
	return n, true
}
