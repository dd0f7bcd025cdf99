package wordpiece

import (
	"encoding/json"
	"fmt"
	"math"
)

// tokenizerJSON is the part of tokenizers' tokenizer.json this package reads.
type tokenizerJSON struct {
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
	AddedTokens   []addedTokenJSON `json:"added_tokens"`
	Normalizer    json.RawMessage  `json:"normalizer"`
	PreTokenizer  json.RawMessage  `json:"pre_tokenizer"`
	PostProcessor json.RawMessage  `json:"post_processor"`
	Model         json.RawMessage  `json:"model"`
}

// addedTokenJSON is an added token as tokenizer.json and tokenizer_config.json write it.
type addedTokenJSON struct {
	ID         int64  `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	Lstrip     bool   `json:"lstrip"`
	Rstrip     bool   `json:"rstrip"`
	Normalized *bool  `json:"normalized"` // tokenizers' default: true
	Special    bool   `json:"special"`
}

func (b *builder) readTokenizerJSON(path string) error {
	var f tokenizerJSON
	if _, err := readJSON(path, &f); err != nil {
		return err
	}
	b.settings.Files = append(b.settings.Files, path)
	b.file = path
	if f.Version != "1.0" {
		return &UnsupportedError{File: path, Field: "version", Value: f.Version}
	}
	steps := []func() error{
		func() error { return b.readModel(f.Model) },
		func() error { return b.readNormalizer(f.Normalizer, "normalizer") },
		func() error { return b.readPreTokenizer(f.PreTokenizer) },
		func() error { return b.readPostProcessor(f.PostProcessor) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	for _, t := range f.AddedTokens {
		b.added = append(b.added, t)
	}
	if t := f.Truncation; t != nil {
		if t.Strategy != "LongestFirst" {
			return &UnsupportedError{File: path, Field: "truncation.strategy", Value: t.Strategy}
		}
		if t.Direction != "" && t.Direction != "Left" && t.Direction != "Right" {
			return &UnsupportedError{File: path, Field: "truncation.direction", Value: t.Direction}
		}
		b.fileMaxLength, b.truncateLeft = t.MaxLength, t.Direction == "Left"
		if t.Stride != 0 {
			b.note("%s: truncation.stride %d only shapes overflowing windows, which bertbatch does not produce; ids are unaffected", path, t.Stride)
		}
	}
	if p := f.Padding; p != nil {
		if p.PadID < 0 || p.PadID > math.MaxInt32 {
			return fmt.Errorf("%s: padding.pad_id %d is not a token id", path, p.PadID)
		}
		id := int32(p.PadID)
		b.padID = &id // the batcher pads; padding's other settings do not change ids
	}
	return nil
}

// readModel reads a WordPiece model; any other model type is refused.
func (b *builder) readModel(raw json.RawMessage) error {
	var m struct {
		Type     string          `json:"type"`
		Unk      *string         `json:"unk_token"`
		Prefix   *string         `json:"continuing_subword_prefix"`
		MaxChars *int            `json:"max_input_chars_per_word"`
		Vocab    json.RawMessage `json:"vocab"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s: model: %w", b.file, err)
	}
	if m.Type == "" && m.MaxChars != nil { // files written before models carried a type
		m.Type = "WordPiece"
	}
	if m.Type != "WordPiece" {
		return &UnsupportedError{File: b.file, Field: "model.type", Value: m.Type}
	}
	var vocab map[string]int64
	if err := json.Unmarshal(m.Vocab, &vocab); err != nil {
		return fmt.Errorf("%s: model.vocab must map tokens to ids: %w", b.file, err)
	}
	b.vocab = make(map[string]int32, len(vocab))
	for tok, id := range vocab {
		if id < 0 || id > math.MaxInt32 {
			return fmt.Errorf("%s: model.vocab gives %q the id %d, outside 0..%d", b.file, tok, id, math.MaxInt32)
		}
		b.vocab[tok] = int32(id)
	}
	b.unkToken, b.prefix, b.maxWordChars = "[UNK]", "##", 100 // tokenizers' WordPiece defaults
	if m.Unk != nil {
		b.unkToken = *m.Unk
	}
	if m.Prefix != nil {
		b.prefix = *m.Prefix
	}
	if m.MaxChars != nil {
		b.maxWordChars = *m.MaxChars
	}
	return nil
}

// readNormalizer reads null, BertNormalizer, Lowercase, or a Sequence of these.
func (b *builder) readNormalizer(raw json.RawMessage, field string) error {
	if isNull(raw) {
		if field == "normalizer" {
			b.note("%s: no normalizer: text is tokenized as written", b.file)
		}
		return nil
	}
	var n struct {
		Type         string            `json:"type"`
		CleanText    *bool             `json:"clean_text"`
		ChineseChars *bool             `json:"handle_chinese_chars"`
		StripAccents *bool             `json:"strip_accents"`
		Lowercase    *bool             `json:"lowercase"`
		Normalizers  []json.RawMessage `json:"normalizers"`
	}
	if err := json.Unmarshal(raw, &n); err != nil {
		return fmt.Errorf("%s: %s: %w", b.file, field, err)
	}
	switch n.Type {
	case "Lowercase":
		b.steps = append(b.steps, normStep{lowercaseOnly: true})
	case "BertNormalizer":
		bn := bertNormalizer{
			cleanText:    orDefault(n.CleanText, true),
			chineseChars: orDefault(n.ChineseChars, true),
			lowercase:    orDefault(n.Lowercase, true),
		}
		bn.stripAccents = orDefault(n.StripAccents, bn.lowercase) // null follows lowercase
		b.steps = append(b.steps, normStep{bert: bn})
	case "Sequence":
		for i, sub := range n.Normalizers {
			if err := b.readNormalizer(sub, fmt.Sprintf("%s.normalizers[%d]", field, i)); err != nil {
				return err
			}
		}
	default:
		return &UnsupportedError{File: b.file, Field: field + ".type", Value: n.Type}
	}
	return nil
}

func (b *builder) readPreTokenizer(raw json.RawMessage) error {
	var p struct {
		Type string `json:"type"`
	}
	if isNull(raw) {
		return &UnsupportedError{File: b.file, Field: "pre_tokenizer", Value: "null"}
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("%s: pre_tokenizer: %w", b.file, err)
	}
	if p.Type != "BertPreTokenizer" {
		return &UnsupportedError{File: b.file, Field: "pre_tokenizer.type", Value: p.Type}
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

func orDefault(v *bool, def bool) bool {
	if v == nil {
		return def
	}
	return *v
}
