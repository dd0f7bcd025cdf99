package wordpiece

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
		if err := b.readTokenizerJSON(path); err != nil {
			return nil, err
		}
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

// readJSON decodes path into v; found is false when the file does not exist.
func readJSON(path string, v any) (found bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("tokenizer: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("%s: %w", path, jsonError(data, err))
	}
	return true, nil
}

// jsonError adds the line and column to a JSON syntax or type error.
func jsonError(data []byte, err error) error {
	var offset int64
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	default:
		return err
	}
	line, col := 1, 1
	for _, c := range data[:min(int(offset), len(data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d column %d: %w", line, col, err)
}

// tokenName is a special token in a transformers config: a string, or an object with "content".
type tokenName string

func (n *tokenName) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*n = tokenName(s)
		return nil
	}
	var obj struct {
		Content *string `json:"content"`
	}
	if err := json.Unmarshal(data, &obj); err != nil || obj.Content == nil {
		return fmt.Errorf("a special token must be a string or an object with \"content\", not %s", data)
	}
	*n = tokenName(*obj.Content)
	return nil
}
