// Package unigram is the Unigram (SentencePiece) model of Hugging Face tokenizers, for
// XLM-RoBERTa style tokenizers (multilingual-e5, bge-m3, paraphrase-multilingual-*): each
// pre-tokenized piece is segmented by Viterbi over the vocabulary's log-probabilities.
//
// As in tokenizers 0.23.3: a character no entry starts with scores the smallest score minus
// 10; consecutive unknown pieces are fused into one unknown token; with byte_fallback an
// unknown piece becomes its bytes' <0xXX> tokens when the vocabulary has them all.
package unigram

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// unkPenalty is what an unknown character scores below the smallest score of the vocabulary.
const unkPenalty = 10.0

// Model is a Unigram model. It is immutable and safe for concurrent use.
type Model struct {
	trie         tokenizer.Trie
	ids          map[string]int32
	scores       []float64 // by id
	unkID        int32
	unkScore     float64
	byteFallback bool
	byteIDs      [256]int32 // ids of <0x00>..<0xFF>, -1 when absent
}

// modelJSON is tokenizer.json's Unigram model.
type modelJSON struct {
	Type         string            `json:"type"`
	UnkID        *int64            `json:"unk_id"`
	Vocab        []json.RawMessage `json:"vocab"`
	ByteFallback bool              `json:"byte_fallback"`
}

// Load builds the tokenizer of a tokenizer.json whose model is Unigram, with its normalizer,
// pre-tokenizer and post-processor, read from the folder dir.
func Load(dir string, f *tokenizer.File) (tokenizer.Tokenizer, error) {
	m, err := Read(f)
	if err != nil {
		return nil, err
	}
	return tokenizer.Load(dir, f, "Unigram", m)
}

// Read reads the Unigram model of f.
func Read(f *tokenizer.File) (*Model, error) {
	var j modelJSON
	if err := json.Unmarshal(f.Model, &j); err != nil {
		return nil, fmt.Errorf("%s: model: %w", f.Path, err)
	}
	if len(j.Vocab) == 0 {
		return nil, fmt.Errorf("%s: model.vocab is empty", f.Path)
	}
	if len(j.Vocab) > math.MaxInt32 {
		return nil, fmt.Errorf("%s: model.vocab has %d entries, too many", f.Path, len(j.Vocab))
	}
	m := &Model{ids: make(map[string]int32, len(j.Vocab)), scores: make([]float64, len(j.Vocab)), unkID: -1,
		byteFallback: j.ByteFallback}
	minScore := math.Inf(1)
	for i, raw := range j.Vocab {
		var entry []json.RawMessage
		var piece string
		var score float64
		if json.Unmarshal(raw, &entry) != nil || len(entry) != 2 || json.Unmarshal(entry[0], &piece) != nil ||
			json.Unmarshal(entry[1], &score) != nil {
			return nil, fmt.Errorf("%s: model.vocab[%d] must be [piece, score], not %s", f.Path, i, raw)
		}
		m.ids[piece] = int32(i)
		m.scores[i] = score
		minScore = min(minScore, score)
	}
	m.unkScore = minScore - unkPenalty
	if j.UnkID == nil {
		return nil, fmt.Errorf("%s: model.unk_id is null: tokenizers fails on any text with a character the vocabulary lacks, and bertbatch needs an unknown token to tokenize every text", f.Path)
	}
	{
		if *j.UnkID < 0 || *j.UnkID >= int64(len(j.Vocab)) {
			return nil, fmt.Errorf("%s: model.unk_id %d is outside the vocabulary of %d entries", f.Path, *j.UnkID, len(j.Vocab))
		}
		m.unkID = int32(*j.UnkID)
	}
	m.trie = tokenizer.NewTrie(m.ids)
	for b := range 256 {
		m.byteIDs[b] = -1
		if id, ok := m.ids[fmt.Sprintf("<0x%02X>", b)]; ok {
			m.byteIDs[b] = id
		}
	}
	return m, nil
}

// TokenID is the id of a vocabulary entry.
func (m *Model) TokenID(token string) (int32, bool) {
	id, ok := m.ids[token]
	return id, ok
}

// Len is the number of vocabulary entries.
func (m *Model) Len() int { return len(m.scores) }

// MaxID is the largest id of the vocabulary.
func (m *Model) MaxID() int32 { return int32(len(m.scores) - 1) }

// node is the best segmentation of a prefix of the piece: it ends with the token id that
// starts at start.
type node struct {
	score float64
	start int // -1: not reached
	id    int32
}

// scratch holds the buffers of one AppendIDs call.
type scratch struct {
	best []node
	segs []segment
}

// segment is one token of the best path: a vocabulary id, or (unk) a run of unknown
// characters fused into one token.
type segment struct {
	start, end int
	id         int32
	unk        bool
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// AppendIDs appends the ids of the best segmentation of piece.
func (m *Model) AppendIDs(ids []int32, piece string) []int32 {
	if piece == "" {
		return ids
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	best := slices.Grow(sc.best[:0], len(piece)+1)[:len(piece)+1]
	sc.best = best
	best[0] = node{}
	for i := 1; i <= len(piece); i++ {
		best[i] = node{start: -1}
	}
	for start := 0; start < len(piece); {
		_, charLen := utf8.DecodeRuneInString(piece[start:])
		base := best[start].score
		single := false
		n := int32(0)
		for i := start; i < len(piece); i++ {
			if n = m.trie.Child(n, piece[i]); n < 0 {
				break
			}
			id := m.trie.ID(n)
			if id < 0 {
				continue
			}
			end := i + 1
			if s := base + m.scores[id]; best[end].start < 0 || s > best[end].score {
				best[end] = node{score: s, start: start, id: id}
			}
			if end-start == charLen {
				single = true
			}
		}
		if !single {
			end := start + charLen
			if s := base + m.unkScore; best[end].start < 0 || s > best[end].score {
				best[end] = node{score: s, start: start, id: m.unkID}
			}
		}
		start += charLen
	}
	// Walk back from the end; consecutive unknown pieces fuse into one.
	segs := sc.segs[:0]
	for end := len(piece); end > 0; {
		nd := best[end]
		if nd.id == m.unkID {
			if k := len(segs) - 1; k >= 0 && segs[k].unk && segs[k].start == end {
				segs[k].start = nd.start
			} else {
				segs = append(segs, segment{start: nd.start, end: end, unk: true})
			}
		} else {
			segs = append(segs, segment{start: nd.start, end: end, id: nd.id})
		}
		end = nd.start
	}
	sc.segs = segs
	for i := len(segs) - 1; i >= 0; i-- {
		if !segs[i].unk {
			ids = append(ids, segs[i].id)
			continue
		}
		ids = m.appendToken(ids, piece[segs[i].start:segs[i].end])
	}
	return ids
}

// appendToken appends the id of one segment: its vocabulary id, else its bytes (byte
// fallback), else the unknown token.
func (m *Model) appendToken(ids []int32, tok string) []int32 {
	if id, ok := m.ids[tok]; ok {
		return append(ids, id)
	}
	if m.byteFallback {
		all := true
		for i := 0; i < len(tok) && all; i++ {
			all = m.byteIDs[tok[i]] >= 0
		}
		if all {
			for i := 0; i < len(tok); i++ {
				ids = append(ids, m.byteIDs[tok[i]])
			}
			return ids
		}
	}
	return append(ids, m.unkID)
}
