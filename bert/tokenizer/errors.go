package tokenizer

import (
	"errors"
	"fmt"
)

// ErrNoTokenizer is returned (wrapped) when a folder holds neither tokenizer.json nor vocab.txt.
var ErrNoTokenizer = errors.New("no tokenizer.json or vocab.txt")

// UnsupportedError reports a tokenizer file that asks for something bertbatch does not
// implement, such as a WordLevel model or an unknown pre-tokenizer.
type UnsupportedError struct {
	File  string // path of the file
	Field string // where in the file, e.g. "model.type" or "normalizer.normalizers[1].type"
	Value string // what the file asks for, e.g. "WordLevel"
}

// Error names the file, the field and the value, and says what is supported.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: %s %q is not supported: bertbatch tokenizes with WordPiece, Unigram and BPE models "+
		"and the components listed in docs/tokenizer.md; give token id columns instead, or a model with such a tokenizer",
		e.File, e.Field, e.Value)
}
