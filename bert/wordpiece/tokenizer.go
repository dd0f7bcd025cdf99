package wordpiece

import (
	"fmt"
	"runtime"
	"sync"
)

// Input is one row to tokenize: a text and, for cross-encoder style inputs, a second text.
type Input struct {
	Text string
	// Pair is the second sequence; nil means a single sequence.
	Pair *string
}

// Encoding is what the model is fed for one input. The attention mask is all ones over
// InputIDs (nothing is padded).
type Encoding struct {
	InputIDs     []int32
	TokenTypeIDs []int32
}

// Tokenizer turns texts into BERT input ids. It is safe for concurrent use.
type Tokenizer struct {
	model     wordPiece
	norm      normalizer
	added     addedVocab
	post      postProcessor
	trunc     truncation
	padID     int32
	vocabSize int
	settings  Settings
	scratch   sync.Pool // *scratch
}

// scratch holds the buffers one encode call reuses.
type scratch struct {
	normA, normB []byte // normalizer steps
	clean, nfd   []byte // inside strip_accents
	key          []byte // continuing-subword lookups ("##" + piece)
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
	sc.a = t.appendSequenceIDs(sc.a[:0], in.Text, sc)
	var pair []int32
	if in.Pair != nil {
		sc.b = t.appendSequenceIDs(sc.b[:0], *in.Pair, sc)
		pair = sc.b
	}
	limit := maxLength
	if limit <= 0 {
		limit = t.trunc.maxLength
	}
	a := sc.a
	if limit > 0 {
		room := max(limit-t.post.added(in.Pair != nil), 0)
		a, pair = t.trunc.apply(a, pair, in.Pair != nil, room)
	}
	return t.post.apply(a, pair, in.Pair != nil)
}

// EncodeBatch tokenizes inputs on GOMAXPROCS goroutines; result i belongs to input i.
func (t *Tokenizer) EncodeBatch(in []Input, maxLength int) []Encoding {
	out := make([]Encoding, len(in))
	workers := min(runtime.GOMAXPROCS(0), (len(in)+63)/64)
	if workers <= 1 {
		for i := range in {
			out[i] = t.Encode(in[i], maxLength)
		}
		return out
	}
	var wg sync.WaitGroup
	chunk := (len(in) + workers - 1) / workers
	for lo := 0; lo < len(in); lo += chunk {
		hi := min(lo+chunk, len(in))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				out[i] = t.Encode(in[i], maxLength)
			}
		}()
	}
	wg.Wait()
	return out
}

// appendSequenceIDs tokenizes one text (no special tokens added) and appends its ids.
func (t *Tokenizer) appendSequenceIDs(ids []int32, text string, sc *scratch) []int32 {
	t.added.splitRaw(text, func(piece string, tok *addedToken) {
		if tok != nil {
			ids = append(ids, tok.id)
			return
		}
		normalized := t.norm.apply(piece, sc)
		t.added.splitNormalized(normalized, func(piece []byte, tok *addedToken) {
			if tok != nil {
				ids = append(ids, tok.id)
				return
			}
			ids = t.model.appendWordIDs(ids, piece, sc)
		})
	})
	return ids
}

// VocabSize is one more than the largest id the tokenizer can emit: every id is below it.
func (t *Tokenizer) VocabSize() int { return t.vocabSize }

// MaxLength is the tokenizer's own limit on ids per input, special tokens included, used when
// Encode is given maxLength <= 0; 0 means no limit. Settings().MaxLengthFrom names its source.
func (t *Tokenizer) MaxLength() int { return t.trunc.maxLength }

// PadID is the id of the padding token.
func (t *Tokenizer) PadID() int32 { return t.padID }

// SpecialTokens is the number of special tokens the post-processor adds to a single input
// (pair false) or to a pair.
func (t *Tokenizer) SpecialTokens(pair bool) int { return t.post.added(pair) }

// Settings describes what Load read and decided.
func (t *Tokenizer) Settings() Settings { return t.settings }

// CheckMaxLength returns an error when a limit n > 0 cannot hold the special tokens of a
// single input, or of a pair when pair is true. Encode keeps only the special tokens then.
func (t *Tokenizer) CheckMaxLength(n int, pair bool) error {
	if need := t.post.added(pair); n > 0 && n < need {
		kind := "a single text"
		if pair {
			kind = "a text pair"
		}
		return fmt.Errorf("max length %d cannot hold the %d special tokens of %s; use at least %d", n, need, kind, need)
	}
	return nil
}
