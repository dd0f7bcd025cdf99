package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// readPGO reads path with parquet-go in the units of parquetio.Reader (each
// row group split into slices of at most maxRows rows) and hands each unit
// not skipped to emit as an Arrow record. A resumed read positions each
// column chunk with parquet-go's SeekToRow. It reads the shapes of the
// benchmark and the range tests only: int64 or string columns and lists of
// int32 or int64.
func readPGO(ctx context.Context, path string, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	cols := make([]pgoColumn, len(columns))
	fields := make([]arrow.Field, len(columns))
	for i, name := range columns {
		if cols[i], err = lookupColumn(pf.Schema(), name); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fields[i] = arrow.Field{Name: name, Type: cols[i].typ, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	var groupStart int64
	index := 0
	for rg, group := range pf.RowGroups() {
		g := &groupReader{group: group, cols: cols}
		n := group.NumRows()
		for off := int64(0); off < n; off += maxRows {
			u := chunk.Unit{File: path, Index: index, RowStart: groupStart + off, Rows: min(maxRows, n-off)}
			index++
			if skip.Has(u) {
				continue
			}
			if err := ctx.Err(); err != nil {
				g.close()
				return err
			}
			rec, err := g.read(schema, off, u.Rows)
			if err != nil {
				g.close()
				return fmt.Errorf("%s: row group %d, %s: %w", path, rg, u, err)
			}
			if err := emit(chunk.Chunk{Unit: u, Record: rec}); err != nil {
				g.close()
				return err
			}
		}
		if err := g.close(); err != nil {
			return fmt.Errorf("%s: row group %d: %w", path, rg, err)
		}
		groupStart += n
	}
	return nil
}

// pgoColumn is one top-level column: its leaf, its Arrow type and, for a
// list, the definition levels that mark a present list and a present element.
type pgoColumn struct {
	leaf             parquet.LeafColumn
	typ              arrow.DataType
	list             bool
	listDef, elemDef int
}

// lookupColumn finds the leaf of a flat column or of a three-level list.
func lookupColumn(s *parquet.Schema, name string) (pgoColumn, error) {
	node, ok := fieldNamed(s, name)
	if !ok {
		return pgoColumn{}, fmt.Errorf("column %q not found", name)
	}
	if node.Leaf() {
		leaf, _ := s.Lookup(name)
		typ, err := arrowType(leaf.Node)
		return pgoColumn{leaf: leaf, typ: typ}, err
	}
	// optional group name (LIST) { repeated group list { [optional] T element } }
	def := 0
	if node.Optional() {
		def++
	}
	c := pgoColumn{list: true, listDef: def}
	if len(node.Fields()) != 1 || !node.Fields()[0].Repeated() || len(node.Fields()[0].Fields()) != 1 {
		return c, fmt.Errorf("column %q: not a three-level list", name)
	}
	rep := node.Fields()[0]
	c.elemDef = def + 1
	elem := rep.Fields()[0]
	leaf, ok := s.Lookup(name, rep.Name(), elem.Name())
	if !ok {
		return c, fmt.Errorf("column %q: no leaf", name)
	}
	c.leaf = leaf
	et, err := arrowType(leaf.Node)
	c.typ = arrow.ListOf(et)
	return c, err
}

func fieldNamed(s *parquet.Schema, name string) (parquet.Field, bool) {
	for _, f := range s.Fields() {
		if f.Name() == name {
			return f, true
		}
	}
	return nil, false
}

func arrowType(n parquet.Node) (arrow.DataType, error) {
	switch n.Type().Kind() {
	case parquet.Int32:
		return arrow.PrimitiveTypes.Int32, nil
	case parquet.Int64:
		return arrow.PrimitiveTypes.Int64, nil
	case parquet.ByteArray:
		return arrow.BinaryTypes.String, nil
	}
	return nil, fmt.Errorf("unsupported type %s", n.Type())
}

// groupReader reads consecutive units of one row group, one value cursor
// per column, opened on the first unit read.
type groupReader struct {
	group   parquet.RowGroup
	cols    []pgoColumn
	cursors []*cursor
	at      int64 // row of the group the cursors are at
}

func (g *groupReader) read(schema *arrow.Schema, first, rows int64) (arrow.RecordBatch, error) {
	if g.cursors == nil {
		for _, c := range g.cols {
			cc := g.group.ColumnChunks()[c.leaf.ColumnIndex]
			g.cursors = append(g.cursors, &cursor{r: parquet.NewColumnChunkValueReader(cc), buf: make([]parquet.Value, 4096)})
		}
		g.at = 0
	}
	if g.at != first {
		for _, cur := range g.cursors {
			if err := cur.seek(first); err != nil {
				return nil, err
			}
		}
	}
	arrays := make([]arrow.Array, len(g.cols))
	defer func() {
		for _, a := range arrays {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, c := range g.cols {
		var err error
		if arrays[i], err = build(c, g.cursors[i], rows); err != nil {
			return nil, fmt.Errorf("column %q: %w", c.leaf.Path[0], err)
		}
	}
	g.at = first + rows
	return array.NewRecordBatch(schema, arrays, rows), nil
}

func (g *groupReader) close() error {
	var errs []error
	for _, cur := range g.cursors {
		errs = append(errs, cur.r.Close())
	}
	g.cursors = nil
	return errors.Join(errs...)
}

// cursor buffers the values of one column chunk so that a unit can stop in
// the middle of what one ReadValues call returned.
type cursor struct {
	r    parquet.ColumnChunkValueReader
	buf  []parquet.Value
	i, n int
}

func (c *cursor) seek(row int64) error {
	c.i, c.n = 0, 0
	return c.r.SeekToRow(row)
}

// peek returns the next value without consuming it; ok is false at the end.
func (c *cursor) peek() (v parquet.Value, ok bool, err error) {
	if c.i == c.n {
		n, err := c.r.ReadValues(c.buf)
		if n == 0 {
			if err == io.EOF {
				return v, false, nil
			}
			if err == nil {
				err = io.ErrNoProgress
			}
			return v, false, err
		}
		c.i, c.n = 0, n
	}
	return c.buf[c.i], true, nil
}

// build reads rows rows of column c from cur into an Arrow array.
func build(c pgoColumn, cur *cursor, rows int64) (arrow.Array, error) {
	b := array.NewBuilder(memory.DefaultAllocator, c.typ)
	defer b.Release()
	for r := int64(0); r < rows; r++ {
		v, ok, err := cur.peek()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("ends at row %d of %d", r, rows)
		}
		if v.RepetitionLevel() != 0 {
			return nil, fmt.Errorf("row %d starts with repetition level %d", r, v.RepetitionLevel())
		}
		if !c.list {
			appendValue(b, v)
			cur.i++
			continue
		}
		if err := appendList(c, b.(*array.ListBuilder), cur); err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}

// appendList appends one row of a list column: a null list, an empty list or
// the values up to the next value that starts a row.
func appendList(c pgoColumn, b *array.ListBuilder, cur *cursor) error {
	v := cur.buf[cur.i]
	switch def := v.DefinitionLevel(); {
	case def < c.listDef:
		b.AppendNull()
		cur.i++
		return nil
	case def < c.elemDef:
		b.AppendEmptyValue()
		cur.i++
		return nil
	}
	b.Append(true)
	vb := b.ValueBuilder()
	for {
		if v.DefinitionLevel() == c.leaf.MaxDefinitionLevel {
			appendValue(vb, v)
		} else {
			vb.AppendNull()
		}
		cur.i++
		next, ok, err := cur.peek()
		if err != nil {
			return err
		}
		if !ok || next.RepetitionLevel() == 0 {
			return nil
		}
		v = next
	}
}

func appendValue(b array.Builder, v parquet.Value) {
	if v.IsNull() {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int32Builder:
		b.Append(v.Int32())
	case *array.Int64Builder:
		b.Append(v.Int64())
	case *array.StringBuilder:
		b.BinaryBuilder.Append(v.ByteArray())
	}
}
