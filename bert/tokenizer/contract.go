package tokenizer

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

// Tokenizer is the contract every tokenizer model meets. Implementations are safe for
// concurrent use.
type Tokenizer interface {
	// Encode tokenizes one input. maxLength > 0 truncates to that many ids, special tokens
	// included (longest_first for pairs); maxLength <= 0 uses MaxLength(), and no truncation
	// at all when that is 0. A limit below SpecialTokens(pair) leaves only the special tokens.
	Encode(in Input, maxLength int) Encoding
	// EncodeBatch encodes every input, in parallel; result i belongs to input i.
	EncodeBatch(in []Input, maxLength int) []Encoding
	// VocabSize is one more than the largest id the tokenizer can emit.
	VocabSize() int
	// MaxLength is the tokenizer's own limit on ids per input (0: none).
	MaxLength() int
	// PadID is the id of the padding token.
	PadID() int32
	// SpecialTokens is the number of ids the post-processor adds to a single input or a pair.
	SpecialTokens(pair bool) int
	// CheckMaxLength returns an error when a limit n > 0 cannot hold the special tokens.
	CheckMaxLength(n int, pair bool) error
	// Info describes what was loaded.
	Info() Info
}

// Info describes a loaded tokenizer, for logs, `bertbatch inspect` and `bertbatch tokenize`.
type Info struct {
	Kind          string   // the model type: WordPiece, Unigram or BPE
	Dir           string   // the model folder
	Files         []string // the files read, in order
	Components    []string // the pipeline, one "part: type" line each
	MaxLength     int      // the tokenizer's own limit; 0: none
	MaxLengthFrom string   // the file and field MaxLength came from
	TruncateLeft  bool     // truncation drops ids from the start
	Notes         []string // defaults applied and settings that do not change the ids
}

// CheckMaxLength returns an error when a limit n > 0 is below need, the special tokens of a
// single text or a pair. Implementations of Tokenizer share it.
func CheckMaxLength(n, need int, pair bool) error {
	if n > 0 && n < need {
		kind := "a single text"
		if pair {
			kind = "a text pair"
		}
		return fmt.Errorf("max length %d cannot hold the %d special tokens of %s; use at least %d", n, need, kind, need)
	}
	return nil
}

// EncodeBatch runs encode over in on GOMAXPROCS goroutines; result i belongs to input i.
// Implementations of Tokenizer share it.
func EncodeBatch(in []Input, maxLength int, encode func(Input, int) Encoding) []Encoding {
	out := make([]Encoding, len(in))
	workers := min(runtime.GOMAXPROCS(0), (len(in)+63)/64)
	if workers <= 1 {
		for i := range in {
			out[i] = encode(in[i], maxLength)
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
				out[i] = encode(in[i], maxLength)
			}
		}()
	}
	wg.Wait()
	return out
}
