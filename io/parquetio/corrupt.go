package parquetio

import (
	"errors"
	"fmt"
)

// ErrCorrupt marks a file that is not valid Parquet (truncated, bad footer,
// undecodable pages). Test with errors.Is.
var ErrCorrupt = errors.New("not a valid Parquet file")

// corrupt wraps err as a corrupt-file error naming path.
func corrupt(path string, err error) error {
	return fmt.Errorf("%s: %w: %w; check that the file was written completely, or regenerate it", path, ErrCorrupt, err)
}

// recoverCorrupt turns a panic raised while decoding path into a
// corrupt-file error; where ("" for none) names the part of the file being
// read. The Parquet decoder may panic on malformed input.
func recoverCorrupt(path, where string, err *error) {
	if p := recover(); p != nil {
		if where != "" {
			where += ": "
		}
		*err = corrupt(path, fmt.Errorf("%sdecoder panic: %v", where, p))
	}
}
