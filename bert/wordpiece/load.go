package wordpiece

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// Settings is what Load read and decided, for logs and for `bertbatch tokenize`.
type Settings struct {
	Dir   string
	Files []string // the files read, in order

	// The BertNormalizer (all false without one).
	Lowercase, StripAccents, CleanText, ChineseChars bool
	// ExtraLowercase is a Lowercase step run before it (sentence-transformers' do_lower_case).
	ExtraLowercase bool

	MaxLength     int    // the tokenizer's own limit; 0: none
	MaxLengthFrom string // the file and field MaxLength came from
	TruncateLeft  bool   // truncation drops ids from the start

	// Notes lists defaults applied and settings that do not change the ids, one sentence each.
	Notes []string
}

// Load reads the tokenizer of a model folder: tokenizer.json when present, else vocab.txt with
// tokenizer_config.json and special_tokens_map.json. In both cases sentence_bert_config.json
// (max_seq_length, do_lower_case) and tokenizer_config.json (model_max_length,
// truncation_side) set the limit and side of truncation the way sentence-transformers and
// transformers apply them; see MaxLength.
func Load(dir string) (*Tokenizer, error) {
	var b builder
	b.settings.Dir = dir
	path := filepath.Join(dir, "tokenizer.json")
	switch _, err := os.Stat(path); {
	case err == nil:
		f, err := tokenizer.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return LoadFile(dir, f)
	case errors.Is(err, fs.ErrNotExist):
		vocab := filepath.Join(dir, "vocab.txt")
		if _, err := os.Stat(vocab); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w: bertbatch needs one of them to tokenize text", dir, ErrNoTokenizer)
		}
		if err := b.readVocabTxt(vocab); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if err := b.readModelConfigs(dir); err != nil {
		return nil, err
	}
	return b.build()
}

// LoadFile builds the tokenizer of a tokenizer.json already read from dir, with the configs
// beside it (see Load).
func LoadFile(dir string, f *tokenizer.File) (*Tokenizer, error) {
	var b builder
	b.settings.Dir = dir
	if err := b.readTokenizerJSON(f); err != nil {
		return nil, err
	}
	if err := b.readModelConfigs(dir); err != nil {
		return nil, err
	}
	return b.build()
}
