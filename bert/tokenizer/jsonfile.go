package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// File is tokenizer.json as tokenizers writes it, each component left raw until the loader of
// its type reads it.
type File struct {
	Path       string `json:"-"`
	Version    string `json:"version"`
	Truncation *struct {
		MaxLength int    `json:"max_length"`
		Strategy  string `json:"strategy"`
		Stride    int    `json:"stride"`
		Direction string `json:"direction"`
	} `json:"truncation"`
	Padding *struct {
		PadID    int64  `json:"pad_id"`
		PadToken string `json:"pad_token"`
	} `json:"padding"`
	AddedTokens   []AddedTokenJSON `json:"added_tokens"`
	Normalizer    json.RawMessage  `json:"normalizer"`
	PreTokenizer  json.RawMessage  `json:"pre_tokenizer"`
	PostProcessor json.RawMessage  `json:"post_processor"`
	Model         json.RawMessage  `json:"model"`
}

// AddedTokenJSON is an added token as tokenizer.json and tokenizer_config.json write it.
type AddedTokenJSON struct {
	ID         int64  `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	Lstrip     bool   `json:"lstrip"`
	Rstrip     bool   `json:"rstrip"`
	Normalized *bool  `json:"normalized"` // tokenizers' default: true
	Special    bool   `json:"special"`
}

// ReadFile reads tokenizer.json; only version "1.0" is accepted.
func ReadFile(path string) (*File, error) {
	var f File
	if _, err := ReadJSON(path, &f); err != nil {
		return nil, err
	}
	f.Path = path
	if f.Version != "1.0" {
		return nil, &UnsupportedError{File: path, Field: "version", Value: f.Version}
	}
	return &f, nil
}

// ModelType is model.type; files written before models carried a type are WordPiece when they
// have max_input_chars_per_word, BPE when they have merges, Unigram when they have unk_id.
func (f *File) ModelType() (string, error) {
	var m struct {
		Type     string          `json:"type"`
		MaxChars json.RawMessage `json:"max_input_chars_per_word"`
		Merges   json.RawMessage `json:"merges"`
		UnkID    json.RawMessage `json:"unk_id"`
	}
	if err := json.Unmarshal(f.Model, &m); err != nil {
		return "", fmt.Errorf("%s: model: %w", f.Path, err)
	}
	if m.Type == "" {
		switch {
		case m.MaxChars != nil:
			m.Type = "WordPiece"
		case m.Merges != nil:
			m.Type = "BPE"
		case m.UnkID != nil:
			m.Type = "Unigram"
		}
	}
	return m.Type, nil
}

// ReadJSON decodes path into v; found is false when the file does not exist.
func ReadJSON(path string, v any) (found bool, err error) {
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

// TokenName is a special token in a transformers config: a string, or an object with "content".
type TokenName string

// UnmarshalJSON reads a string or an object with "content".
func (n *TokenName) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*n = TokenName(s)
		return nil
	}
	var obj struct {
		Content *string `json:"content"`
	}
	if err := json.Unmarshal(data, &obj); err != nil || obj.Content == nil {
		return fmt.Errorf("a special token must be a string or an object with \"content\", not %s", data)
	}
	*n = TokenName(*obj.Content)
	return nil
}

// IsNull reports whether a raw component is absent or null.
func IsNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// OrDefault is *v, or def when v is nil.
func OrDefault(v *bool, def bool) bool {
	if v == nil {
		return def
	}
	return *v
}
