package main

import (
	"testing"

	"github.com/bertbatch/bertbatch/io/parquetio/rangetest"
)

// TestPGORowRanges holds parquet-go to the row-range tests of io/parquetio
// (rangetest.Cases): the same files, units and pyarrow comparison.
func TestPGORowRanges(t *testing.T) {
	rangetest.Python(t)
	dir := t.TempDir()
	for _, tc := range rangetest.Cases {
		t.Run(tc.Case.Name, func(t *testing.T) {
			f := rangetest.Generate(t, dir, tc.Case)
			rangetest.Check(t, readPGO, f, tc.UnitRows, 8)
		})
	}
}
