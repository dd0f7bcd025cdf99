package wordpiece

import (
	"fmt"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// Model is the WordPiece model alone, for a tokenizer.json whose normalizer or pre-tokenizer
// is not BERT's: bert/tokenizer's pipeline runs the other components around it. It is
// immutable and safe for concurrent use.
type Model struct {
	model wordPiece
	vocab map[string]int32
	maxID int32
}

// ReadModel reads the WordPiece model of f.
func ReadModel(f *tokenizer.File) (*Model, error) {
	b := builder{file: f.Path}
	if err := b.readModel(f.Model); err != nil {
		return nil, err
	}
	unkID, ok := b.vocab[b.unkToken]
	if !ok {
		return nil, fmt.Errorf("%s: the unknown token %q is not in the vocabulary", f.Path, b.unkToken)
	}
	if b.maxWordChars < 1 {
		return nil, fmt.Errorf("%s: max_input_chars_per_word must be at least 1, not %d", f.Path, b.maxWordChars)
	}
	m := &Model{model: newWordPiece(b.vocab, unkID, b.prefix, b.maxWordChars), vocab: b.vocab}
	for _, id := range b.vocab {
		m.maxID = max(m.maxID, id)
	}
	return m, nil
}

// AppendIDs appends the ids of one pre-tokenized word: greedy longest match, or the unknown
// token.
func (m *Model) AppendIDs(ids []int32, piece string) []int32 {
	return m.model.appendIDs(ids, []byte(piece))
}

// TokenID is the id of a vocabulary entry.
func (m *Model) TokenID(token string) (int32, bool) {
	id, ok := m.vocab[token]
	return id, ok
}

// Len is the number of vocabulary entries.
func (m *Model) Len() int { return len(m.vocab) }

// MaxID is the largest id of the vocabulary.
func (m *Model) MaxID() int32 { return m.maxID }
