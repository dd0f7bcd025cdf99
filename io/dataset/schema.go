package dataset

import "github.com/apache/arrow-go/v18/arrow"

// FileSchema reads a file's schema and its row count (-1 when the format does not record it),
// without reading its rows.
func FileSchema(f File) (*arrow.Schema, int64, error) {
	return readSchema(f, Options{})
}
