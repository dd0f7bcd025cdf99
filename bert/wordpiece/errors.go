package wordpiece

import "github.com/bertbatch/bertbatch/bert/tokenizer"

// ErrNoTokenizer is returned (wrapped) by Load when a folder holds neither tokenizer.json nor
// vocab.txt.
var ErrNoTokenizer = tokenizer.ErrNoTokenizer

// UnsupportedError reports a tokenizer file that asks for something this package does not
// implement, such as a Metaspace pre-tokenizer in front of a WordPiece model.
type UnsupportedError = tokenizer.UnsupportedError
