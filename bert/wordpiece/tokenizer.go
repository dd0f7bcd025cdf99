package wordpiece

import (
	"fmt"
	"strings"
	"sync"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// Input is one row to tokenize (tokenizer.Input).
type Input = tokenizer.Input

// Encoding is what the model is fed for one input (tokenizer.Encoding).
type Encoding = tokenizer.Encoding

// Tokenizer turns texts into BERT input ids. It is safe for concurrent use.
type Tokenizer struct {
	model     wordPiece
	norm      normalizer
	added     tokenizer.AddedVocab
	post      tokenizer.PostProcessor
	trunc     tokenizer.Truncation
	padID     int32
	vocabSize int
	settings  Settings
	scratch   sync.Pool // *scratch
}

// scratch holds the buffers one encode call reuses.
type scratch struct {
	normA, normB []byte // normalizer steps
	clean, nfd   []byte // inside strip_accents
	segment      []byte // NFD of one segment
	a, b         []int32
}

// Encode tokenizes one input. maxLength > 0 truncates to that many ids, special tokens
// included (longest_first for pairs); maxLength <= 0 uses MaxLength(), and no truncation at all
// when that is 0. A maxLength below SpecialTokens(pair) leaves only the special tokens; use
// CheckMaxLength to refuse such limits up front.
func (t *Tokenizer) Encode(in Input, maxLength int) Encoding {
	sc, _ := t.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer t.scratch.Put(sc)
	limit := maxLength
	if limit <= 0 {
		limit = t.trunc.MaxLength
	}
	room := max(limit-t.post.Added(in.Pair != nil), 0)
	enough := 0 // a single text cut on the right needs only its first room ids
	if limit > 0 && in.Pair == nil && !t.trunc.Left {
		enough = max(room, 1)
	}
	sc.a = t.appendSequenceIDs(sc.a[:0], in.Text, enough, sc)
	a, pair := sc.a, []int32(nil)
	if in.Pair != nil {
		sc.b = t.appendSequenceIDs(sc.b[:0], *in.Pair, 0, sc)
		pair = sc.b
	}
	if limit > 0 {
		a, pair = t.trunc.Apply(a, pair, in.Pair != nil, room)
	}
	return t.post.Apply(a, pair, in.Pair != nil)
}

// EncodeBatch tokenizes inputs on GOMAXPROCS goroutines; result i belongs to input i.
func (t *Tokenizer) EncodeBatch(in []Input, maxLength int) []Encoding {
	return tokenizer.EncodeBatch(in, maxLength, t.Encode)
}

// appendSequenceIDs tokenizes one text (no special tokens added) and appends its ids. With
// enough > 0 it may stop once the text has given that many ids (callers that keep only the
// first ids set it, so a long document is not tokenized to the end).
func (t *Tokenizer) appendSequenceIDs(ids []int32, text string, enough int, sc *scratch) []int32 {
	start := len(ids)
	done := func() bool { return enough > 0 && len(ids)-start >= enough }
	t.added.SplitRaw(text, func(piece string, tok *tokenizer.AddedToken) {
		if done() {
			return
		}
		if tok != nil {
			ids = append(ids, tok.ID)
			return
		}
		for piece != "" && !done() {
			chunk := piece
			if enough > 0 && !t.added.HasNormalized() {
				chunk = piece[:chunkEnd(piece)]
			}
			piece = piece[len(chunk):]
			t.added.SplitNormalized(t.norm.apply(chunk, sc), func(part []byte, tok *tokenizer.AddedToken) {
				if tok != nil {
					ids = append(ids, tok.ID)
					return
				}
				ids = t.model.appendWordIDs(ids, part)
			})
		}
	})
	return ids
}

// chunkBytes is about how much text is normalized at a time when tokenizing may stop early.
const chunkBytes = 2048

// chunkEnd returns where the first chunk of s ends: just before the first ASCII space at or
// after chunkBytes, or at the end. Normalizing and splitting chunk by chunk gives the same ids
// as doing the whole text at once: a space starts a new word and a new NFD segment, and every
// other step works on one character at a time.
func chunkEnd(s string) int {
	if len(s) <= chunkBytes {
		return len(s)
	}
	if i := strings.IndexByte(s[chunkBytes:], ' '); i >= 0 {
		return chunkBytes + i
	}
	return len(s)
}

// VocabSize is one more than the largest id the tokenizer can emit: every id is below it.
func (t *Tokenizer) VocabSize() int { return t.vocabSize }

// MaxLength is the tokenizer's own limit on ids per input, special tokens included, used when
// Encode is given maxLength <= 0; 0 means no limit. Settings().MaxLengthFrom names its source.
func (t *Tokenizer) MaxLength() int { return t.trunc.MaxLength }

// PadID is the id of the padding token.
func (t *Tokenizer) PadID() int32 { return t.padID }

// SpecialTokens is the number of special tokens the post-processor adds to a single input
// (pair false) or to a pair.
func (t *Tokenizer) SpecialTokens(pair bool) int { return t.post.Added(pair) }

// Settings describes what Load read and decided.
func (t *Tokenizer) Settings() Settings { return t.settings }

// CheckMaxLength returns an error when a limit n > 0 cannot hold the special tokens of a
// single input, or of a pair when pair is true. Encode keeps only the special tokens then.
func (t *Tokenizer) CheckMaxLength(n int, pair bool) error {
	return tokenizer.CheckMaxLength(n, t.post.Added(pair), pair)
}

// Info describes the tokenizer for logs and `bertbatch inspect`.
func (t *Tokenizer) Info() tokenizer.Info {
	s := t.settings
	components := []string{"model: WordPiece"}
	if s.ExtraLowercase {
		components = append(components, "normalizer: Lowercase (sentence-transformers' do_lower_case)")
	}
	if s.CleanText || s.ChineseChars || s.Lowercase || s.StripAccents {
		components = append(components, fmt.Sprintf("normalizer: BertNormalizer (clean_text %t, handle_chinese_chars %t, strip_accents %t, lowercase %t)",
			s.CleanText, s.ChineseChars, s.StripAccents, s.Lowercase))
	}
	components = append(components, "pre_tokenizer: BertPreTokenizer")
	return tokenizer.Info{Kind: "WordPiece", Dir: s.Dir, Files: s.Files, Components: components, MaxLength: s.MaxLength,
		MaxLengthFrom: s.MaxLengthFrom, TruncateLeft: s.TruncateLeft, Notes: s.Notes}
}
