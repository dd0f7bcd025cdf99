package dataset

import "fmt"

// SchemaError is a problem with a file's columns, found before reading rows.
type SchemaError struct {
	File   string
	Column string
	// Problem says what is wrong and what to do.
	Problem string
	// OtherFile is set when the column differs between two files.
	OtherFile string
}

// Error names the file and column.
func (e *SchemaError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s: %s", e.File, e.Problem)
	}
	return fmt.Sprintf("%s: column %q: %s", e.File, e.Column, e.Problem)
}
