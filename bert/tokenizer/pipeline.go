package tokenizer

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
)

// Model is the part of a tokenizer that turns one pre-tokenized piece into ids (Unigram,
// BPE, WordPiece).
type Model interface {
	// AppendIDs appends the ids of one piece.
	AppendIDs(ids []int32, piece string) []int32
	// TokenID is the id of a vocabulary entry.
	TokenID(token string) (int32, bool)
	// Len is the number of vocabulary entries; added tokens not in the vocabulary get ids
	// from there on.
	Len() int
	// MaxID is the largest id of the vocabulary.
	MaxID() int32
}

// Pipeline is a Tokenizer made of the components of tokenizer.json around a Model.
type Pipeline struct {
	model     Model
	norm      Normalizer   // nil: none
	pre       PreTokenizer // nil: none
	added     AddedVocab
	post      PostProcessor
	trunc     Truncation
	padID     int32
	vocabSize int
	info      Info
}

// Load builds the tokenizer of f around its model m, read by the model's package: f's normalizer,
// pre-tokenizer and post-processor around m (see NewPipeline). A failed build returns a nil
// Tokenizer, not an interface holding a nil *Pipeline.
func Load(dir string, f *File, kind string, m Model) (Tokenizer, error) {
	p, err := NewPipeline(dir, f, kind, m)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// NewPipeline reads the components of f, read from the folder dir, around model, and the
// configs beside it (ReadModelConfigs). kind names the model type for Info.
func NewPipeline(dir string, f *File, kind string, model Model) (*Pipeline, error) {
	p := &Pipeline{model: model}
	p.info = Info{Kind: kind, Dir: dir, Files: []string{f.Path}, Components: []string{"model: " + kind}}
	note := func(s string) { p.info.Notes = append(p.info.Notes, s) }
	var err error
	if p.norm, err = ReadNormalizer(f.Normalizer, f.Path, "normalizer"); err != nil {
		return nil, err
	}
	if p.pre, err = ReadPreTokenizer(f.PreTokenizer, f.Path, "pre_tokenizer"); err != nil {
		return nil, err
	}
	if p.post, err = ReadPostProcessor(f.PostProcessor, f.Path, "post_processor", note); err != nil {
		return nil, err
	}
	p.info.Components = append(p.info.Components, "normalizer: "+componentType(f.Normalizer),
		"pre_tokenizer: "+componentType(f.PreTokenizer), "post_processor: "+componentType(f.PostProcessor))
	fileMax := 0
	if t := f.Truncation; t != nil {
		if t.Strategy != "LongestFirst" {
			return nil, &UnsupportedError{File: f.Path, Field: "truncation.strategy", Value: t.Strategy}
		}
		if t.Direction != "" && t.Direction != "Left" && t.Direction != "Right" {
			return nil, &UnsupportedError{File: f.Path, Field: "truncation.direction", Value: t.Direction}
		}
		fileMax, p.trunc.Left = t.MaxLength, t.Direction == "Left"
	}
	cfg, err := ReadModelConfigs(dir, fileMax)
	if err != nil {
		return nil, err
	}
	p.info.Files = append(p.info.Files, cfg.Files...)
	p.info.Notes = append(p.info.Notes, cfg.Notes...)
	p.trunc.MaxLength, p.info.MaxLength, p.info.MaxLengthFrom = cfg.MaxLength, cfg.MaxLength, cfg.MaxLengthFrom
	if cfg.TruncateLeft != nil {
		p.trunc.Left = *cfg.TruncateLeft
	}
	p.info.TruncateLeft = p.trunc.Left
	if cfg.DoLowerCase {
		p.norm = prependLowercase(p.norm)
		note(filepath.Join(dir, "sentence_bert_config.json") + ": do_lower_case lowercases every text first, as sentence-transformers does")
	}
	tokens, err := ResolveAddedTokens(f.Path, f.AddedTokens, model.Len(), model.TokenID)
	if err != nil {
		return nil, err
	}
	p.added = NewAddedVocab(tokens, p.normalize)
	maxID := model.MaxID()
	for _, t := range tokens {
		maxID = max(maxID, t.ID)
	}
	for _, id := range p.post.IDs() {
		maxID = max(maxID, id)
	}
	p.vocabSize = int(maxID) + 1
	if p.padID, err = p.resolvePadID(f, cfg, tokens, note); err != nil {
		return nil, err
	}
	return p, nil
}

func prependLowercase(n Normalizer) Normalizer {
	if n == nil {
		return Lowercase{}
	}
	return sequenceNormalizer{Lowercase{}, n}
}

// resolvePadID is padding.pad_id, else the id of tokenizer_config.json's pad_token, else of
// "<pad>" or "[PAD]".
func (p *Pipeline) resolvePadID(f *File, cfg ModelConfigs, tokens []*AddedToken, note func(string)) (int32, error) {
	if f.Padding != nil {
		if f.Padding.PadID < 0 || f.Padding.PadID > math.MaxInt32 {
			return 0, fmt.Errorf("%s: padding.pad_id %d is not a token id", f.Path, f.Padding.PadID)
		}
		return int32(f.Padding.PadID), nil
	}
	names := []string{"<pad>", "[PAD]"}
	if cfg.PadToken != "" {
		names = []string{cfg.PadToken}
	}
	for _, name := range names {
		for _, t := range tokens {
			if t.Content == name {
				return t.ID, nil
			}
		}
		if id, ok := p.model.TokenID(name); ok {
			if cfg.PadToken == "" {
				note(fmt.Sprintf("no padding token named: using %q", name))
			}
			return id, nil
		}
	}
	return 0, fmt.Errorf("%s: no padding token: none of %q is in the vocabulary; set pad_token in tokenizer_config.json", f.Path, names)
}

// componentType is the "type" of a raw component, or "none".
func componentType(raw []byte) string {
	if IsNull(raw) {
		return "none"
	}
	var c struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.Type == "" {
		return "?"
	}
	return c.Type
}

func (p *Pipeline) normalize(s string) string {
	if p.norm == nil {
		return s
	}
	return p.norm.Normalize(s)
}

// Encode tokenizes one input (see Tokenizer).
func (p *Pipeline) Encode(in Input, maxLength int) Encoding {
	limit := maxLength
	if limit <= 0 {
		limit = p.trunc.MaxLength
	}
	pair := in.Pair != nil
	room := max(limit-p.post.Added(pair), 0)
	a := p.sequenceIDs(nil, in.Text)
	var b []int32
	if pair {
		b = p.sequenceIDs(nil, *in.Pair)
	}
	if limit > 0 {
		a, b = p.trunc.Apply(a, b, pair, room)
	}
	return p.post.Apply(a, b, pair)
}

// sequenceIDs tokenizes one text, no special tokens added: added tokens first (in the raw
// text, then in the normalized text), the rest through normalizer, pre-tokenizer and model.
func (p *Pipeline) sequenceIDs(ids []int32, text string) []int32 {
	text = validUTF8(text)
	offset := 0
	var pieces []Piece
	p.added.SplitRaw(text, func(raw string, tok *AddedToken) {
		start := offset
		offset += len(raw)
		if tok != nil {
			ids = append(ids, tok.ID)
			return
		}
		normOffset := 0
		p.added.SplitNormalized([]byte(p.normalize(raw)), func(part []byte, tok *AddedToken) {
			at := normOffset
			normOffset += len(part)
			if tok != nil {
				ids = append(ids, tok.ID)
				return
			}
			piece := Piece{Text: string(part), AtStart: start == 0 && at == 0}
			pieces = pieces[:0]
			if p.pre == nil {
				pieces = append(pieces, piece)
			} else {
				pieces = p.pre.Split(pieces, piece)
			}
			for _, q := range pieces {
				if q.Text != "" {
					ids = p.model.AppendIDs(ids, q.Text)
				}
			}
		})
	})
	return ids
}

// EncodeBatch encodes inputs in parallel (see Tokenizer).
func (p *Pipeline) EncodeBatch(in []Input, maxLength int) []Encoding {
	return EncodeBatch(in, maxLength, p.Encode)
}

// VocabSize is one more than the largest id the tokenizer can emit.
func (p *Pipeline) VocabSize() int { return p.vocabSize }

// MaxLength is the tokenizer's own limit (0: none).
func (p *Pipeline) MaxLength() int { return p.trunc.MaxLength }

// PadID is the id of the padding token.
func (p *Pipeline) PadID() int32 { return p.padID }

// SpecialTokens is the number of ids the post-processor adds.
func (p *Pipeline) SpecialTokens(pair bool) int { return p.post.Added(pair) }

// CheckMaxLength returns an error when a limit n > 0 cannot hold the special tokens.
func (p *Pipeline) CheckMaxLength(n int, pair bool) error {
	return CheckMaxLength(n, p.post.Added(pair), pair)
}

// Info describes what was loaded.
func (p *Pipeline) Info() Info {
	i := p.info
	i.Files, i.Components, i.Notes = slices.Clone(i.Files), slices.Clone(i.Components), slices.Clone(i.Notes)
	return i
}
