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

// recoverCorrupt turns a panic raised while decoding path into an error.
// The Parquet decoder may panic on malformed input.
func recoverCorrupt(path string, err *error) {
	if p := recover(); p != nil {
		*err = corrupt(path, fmt.Errorf("decoder panic: %v", p))
	}
}

// recoverCorruptAt is recoverCorrupt for a panic raised while reading the
// part of path that where names (a row group, a unit).
func recoverCorruptAt(path, where string, err *error) {
	if p := recover(); p != nil {
		*err = corrupt(path, fmt.Errorf("%s: decoder panic: %v", where, p))
	}
}
