package wordpiece

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

func (b *builder) readTokenizerJSON(f *tokenizer.File) error {
	path := f.Path
	b.settings.Files = append(b.settings.Files, path)
	b.file = path
	steps := []func() error{
		func() error { return b.readModel(f.Model) },
		func() error { return b.readNormalizer(f.Normalizer, "normalizer") },
		func() error { return b.readPreTokenizer(f.PreTokenizer) },
		func() (err error) {
			b.post, err = tokenizer.ReadPostProcessor(f.PostProcessor, path, "post_processor", func(s string) { b.note("%s", s) })
			return err
		},
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
	if tokenizer.IsNull(raw) {
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
			cleanText:    tokenizer.OrDefault(n.CleanText, true),
			chineseChars: tokenizer.OrDefault(n.ChineseChars, true),
			lowercase:    tokenizer.OrDefault(n.Lowercase, true),
		}
		bn.stripAccents = tokenizer.OrDefault(n.StripAccents, bn.lowercase) // null follows lowercase
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
	if tokenizer.IsNull(raw) {
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
