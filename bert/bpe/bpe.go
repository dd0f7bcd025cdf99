// Package bpe is the BPE model of Hugging Face tokenizers, for byte-level BPE tokenizers
// (RoBERTa, ModernBERT, GPT-2 style): each pre-tokenized piece starts as its characters, and
// the pair of adjacent symbols with the best (lowest) merge rank is merged until none is left.
//
// As in tokenizers 0.23.3: merges are read as "a b" strings or [a, b] pairs; ignore_merges
// takes a piece that is a vocabulary entry whole; continuing_subword_prefix and
// end_of_word_suffix mark characters inside and at the end of a piece; byte_fallback and the
// unknown token (fused when fuse_unk) cover characters the vocabulary lacks. Dropout must be
// null or 0: bertbatch's ids are deterministic.
package bpe

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// Model is a BPE model. It is immutable and safe for concurrent use.
type Model struct {
	vocab        map[string]int32
	merges       map[[2]int32]merge
	unkID        int32 // -1: no unknown token (unknown characters are dropped, as tokenizers does)
	fuseUnk      bool
	byteFallback bool
	ignoreMerges bool
	prefix       string // continuing_subword_prefix
	suffix       string // end_of_word_suffix
	maxID        int32
}

// merge is what a pair of symbols becomes, and how early it is merged.
type merge struct {
	rank int32
	id   int32
}

// modelJSON is tokenizer.json's BPE model.
type modelJSON struct {
	Type         string            `json:"type"`
	Dropout      *float64          `json:"dropout"`
	UnkToken     *string           `json:"unk_token"`
	Prefix       *string           `json:"continuing_subword_prefix"`
	Suffix       *string           `json:"end_of_word_suffix"`
	FuseUnk      bool              `json:"fuse_unk"`
	ByteFallback bool              `json:"byte_fallback"`
	IgnoreMerges bool              `json:"ignore_merges"`
	Vocab        map[string]int64  `json:"vocab"`
	Merges       []json.RawMessage `json:"merges"`
}

// Load builds the tokenizer of a tokenizer.json whose model is BPE, with its normalizer,
// pre-tokenizer and post-processor, read from the folder dir.
func Load(dir string, f *tokenizer.File) (tokenizer.Tokenizer, error) {
	m, err := Read(f)
	if err != nil {
		return nil, err
	}
	return tokenizer.Load(dir, f, "BPE", m)
}

// Read reads the BPE model of f.
func Read(f *tokenizer.File) (*Model, error) {
	var j modelJSON
	if err := json.Unmarshal(f.Model, &j); err != nil {
		return nil, fmt.Errorf("%s: model: %w", f.Path, err)
	}
	if j.Dropout != nil && *j.Dropout != 0 {
		return nil, &tokenizer.UnsupportedError{File: f.Path, Field: "model.dropout", Value: fmt.Sprint(*j.Dropout)}
	}
	m := &Model{vocab: make(map[string]int32, len(j.Vocab)), merges: make(map[[2]int32]merge, len(j.Merges)),
		unkID: -1, fuseUnk: j.FuseUnk, byteFallback: j.ByteFallback, ignoreMerges: j.IgnoreMerges}
	for tok, id := range j.Vocab {
		if id < 0 || id > math.MaxInt32 {
			return nil, fmt.Errorf("%s: model.vocab gives %q the id %d, outside 0..%d", f.Path, tok, id, math.MaxInt32)
		}
		m.vocab[tok] = int32(id)
		m.maxID = max(m.maxID, int32(id))
	}
	if j.Prefix != nil {
		m.prefix = *j.Prefix
	}
	if j.Suffix != nil {
		m.suffix = *j.Suffix
	}
	if j.UnkToken != nil {
		id, ok := m.vocab[*j.UnkToken]
		if !ok {
			return nil, fmt.Errorf("%s: model.unk_token %q is not in the vocabulary", f.Path, *j.UnkToken)
		}
		m.unkID = id
	}
	for i, raw := range j.Merges {
		a, b, err := readMerge(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: model.merges[%d]: %w", f.Path, i, err)
		}
		aID, okA := m.vocab[a]
		bID, okB := m.vocab[b]
		if !okA || !okB {
			return nil, fmt.Errorf("%s: model.merges[%d] merges %q and %q, which are not both in the vocabulary", f.Path, i, a, b)
		}
		joined := a + b[min(len(m.prefix), len(b)):]
		id, ok := m.vocab[joined]
		if !ok {
			return nil, fmt.Errorf("%s: model.merges[%d] makes %q, which is not in the vocabulary", f.Path, i, joined)
		}
		m.merges[[2]int32{aID, bID}] = merge{rank: int32(i), id: id} // a repeated pair keeps its last rank
	}
	return m, nil
}

// readMerge reads "a b" or ["a", "b"].
func readMerge(raw json.RawMessage) (string, string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		a, b, ok := strings.Cut(s, " ")
		if !ok || strings.Contains(b, " ") {
			return "", "", fmt.Errorf("%q is not two tokens separated by a space", s)
		}
		return a, b, nil
	}
	var pair []string
	if json.Unmarshal(raw, &pair) != nil || len(pair) != 2 {
		return "", "", fmt.Errorf("%s is neither \"a b\" nor [\"a\", \"b\"]", raw)
	}
	return pair[0], pair[1], nil
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

// symbol is one symbol of a word being merged: a doubly linked list over a slice.
type symbol struct {
	id         int32
	prev, next int
	gone       bool
}

// AppendIDs appends the ids of one piece.
func (m *Model) AppendIDs(ids []int32, piece string) []int32 {
	if piece == "" {
		return ids
	}
	if m.ignoreMerges {
		if id, ok := m.vocab[piece]; ok {
			return append(ids, id)
		}
	}
	syms := m.symbols(piece)
	m.mergeAll(syms)
	for _, s := range syms {
		if !s.gone {
			ids = append(ids, s.id)
		}
	}
	return ids
}

// symbols splits piece into its characters' ids, with prefix, suffix, byte fallback and the
// unknown token applied as tokenizers' merge_word does.
func (m *Model) symbols(piece string) []symbol {
	syms := make([]symbol, 0, len(piece))
	add := func(id int32) {
		syms = append(syms, symbol{id: id, prev: len(syms) - 1, next: len(syms) + 1})
	}
	unk := false // an unknown token is pending (fused runs add it once)
	flush := func() {
		if unk {
			add(m.unkID)
			unk = false
		}
	}
	for i := 0; i < len(piece); {
		_, size := utf8.DecodeRuneInString(piece[i:])
		s := piece[i : i+size]
		if i > 0 {
			s = m.prefix + s
		}
		if i+size == len(piece) {
			s += m.suffix
		}
		i += size
		if id, ok := m.vocab[s]; ok {
			flush()
			add(id)
			continue
		}
		if m.byteFallback {
			if bytes, ok := m.byteIDs(s); ok {
				for _, id := range bytes {
					add(id)
				}
				continue
			}
		}
		if m.unkID >= 0 {
			if unk && !m.fuseUnk {
				flush()
			}
			unk = true
		}
	}
	flush()
	if len(syms) > 0 {
		syms[len(syms)-1].next = -1
	}
	return syms
}

// byteIDs returns the <0xXX> ids of the bytes of s, if the vocabulary has them all.
func (m *Model) byteIDs(s string) ([]int32, bool) {
	ids := make([]int32, len(s))
	for i := 0; i < len(s); i++ {
		id, ok := m.vocab[fmt.Sprintf("<0x%02X>", s[i])]
		if !ok {
			return nil, false
		}
		ids[i] = id
	}
	return ids, true
}

// candidate is a pair of adjacent symbols that a merge applies to, starting at pos.
type candidate struct {
	pos  int
	rank int32
	id   int32
}

type queue []candidate

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].rank != q[j].rank {
		return q[i].rank < q[j].rank
	}
	return q[i].pos < q[j].pos
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(candidate)) }
func (q *queue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// mergeAll applies the merges, best rank first (leftmost among equals), as tokenizers'
// Word::merge_all does; a queued pair whose symbols changed since is skipped.
func (m *Model) mergeAll(syms []symbol) {
	var q queue
	for i := 0; i+1 < len(syms); i++ {
		if mg, ok := m.merges[[2]int32{syms[i].id, syms[i+1].id}]; ok {
			q = append(q, candidate{pos: i, rank: mg.rank, id: mg.id})
		}
	}
	heap.Init(&q)
	for q.Len() > 0 {
		top := heap.Pop(&q).(candidate)
		cur := &syms[top.pos]
		if cur.gone || cur.next < 0 {
			continue
		}
		right := syms[cur.next]
		if mg, ok := m.merges[[2]int32{cur.id, right.id}]; !ok || mg.id != top.id {
			continue
		}
		cur.id = top.id
		syms[cur.next].gone = true
		cur.next = right.next
		if right.next >= 0 {
			syms[right.next].prev = top.pos
		}
		if cur.prev >= 0 {
			if mg, ok := m.merges[[2]int32{syms[cur.prev].id, cur.id}]; ok {
				heap.Push(&q, candidate{pos: cur.prev, rank: mg.rank, id: mg.id})
			}
		}
		if cur.next >= 0 {
			if mg, ok := m.merges[[2]int32{cur.id, syms[cur.next].id}]; ok {
				heap.Push(&q, candidate{pos: top.pos, rank: mg.rank, id: mg.id})
			}
		}
	}
}
