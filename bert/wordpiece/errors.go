package wordpiece

import (
	"errors"
	"fmt"
)

// ErrNoTokenizer is returned (wrapped) by Load when a folder holds neither tokenizer.json nor
// vocab.txt.
var ErrNoTokenizer = errors.New("no tokenizer.json or vocab.txt")

// UnsupportedError reports a tokenizer file that asks for something this package does not
// implement, such as a BPE model or a Metaspace pre-tokenizer.
type UnsupportedError struct {
	File  string // path of the file
	Field string // where in the file, e.g. "model.type" or "normalizer.normalizers[1].type"
	Value string // what the file asks for, e.g. "BPE"
}

// Error names the file, the field and the value, and says what is supported.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: %s %q is not supported: bertbatch tokenizes with BERT WordPiece tokenizers only "+
		"(BertNormalizer or Lowercase, BertPreTokenizer, WordPiece, TemplateProcessing or BertProcessing, "+
		"longest_first truncation); give token id columns instead, or a model with such a tokenizer",
		e.File, e.Field, e.Value)
}
