package wordpiece

import (
	"unicode/utf8"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// wordPiece is tokenizers' WordPiece model together with the BertPreTokenizer that feeds it.
type wordPiece struct {
	vocab        tokenizer.Trie
	contRoot     int32 // trie node of continuing_subword_prefix ("##" in BERT vocabularies), -1 if none
	unkID        int32
	maxWordChars int // max_input_chars_per_word: longer words become the unknown token
}

func newWordPiece(vocab map[string]int32, unkID int32, prefix string, maxWordChars int) wordPiece {
	t := tokenizer.NewTrie(vocab)
	return wordPiece{vocab: t, contRoot: t.Walk(0, prefix), unkID: unkID, maxWordChars: maxWordChars}
}

// appendWordIDs splits normalized text as BertPreTokenizer does (whitespace removed, each
// punctuation character a word of its own) and appends the WordPiece ids of every word.
func (w *wordPiece) appendWordIDs(ids []int32, text []byte) []int32 {
	table := bmpClasses()
	start := -1 // start of the current word, -1 between words
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(text[i:])
		}
		c := classOf(table, r)
		switch {
		case c&classSpace != 0:
			if start >= 0 {
				ids = w.appendIDs(ids, text[start:i])
				start = -1
			}
		case c&classPunct != 0:
			if start >= 0 {
				ids = w.appendIDs(ids, text[start:i])
				start = -1
			}
			ids = w.appendIDs(ids, text[i:i+size])
		case start < 0:
			start = i
		}
		i += size
	}
	if start >= 0 {
		ids = w.appendIDs(ids, text[start:])
	}
	return ids
}

// appendIDs appends the ids of one word: greedy longest match from the left, pieces after the
// first carrying the continuing-subword prefix. A word longer than maxWordChars characters, or
// one with a piece that matches nothing, becomes the single unknown token.
func (w *wordPiece) appendIDs(ids []int32, word []byte) []int32 {
	if utf8.RuneCount(word) > w.maxWordChars {
		return append(ids, w.unkID)
	}
	mark := len(ids)
	for start := 0; start < len(word); {
		end, id := w.longest(word, start)
		if end < 0 {
			return append(ids[:mark], w.unkID)
		}
		ids = append(ids, id)
		start = end
	}
	return ids
}

// longest finds the longest vocabulary entry that word[start:] begins with (after the prefix
// when start > 0) and ends on a character boundary; end is -1 when there is none.
func (w *wordPiece) longest(word []byte, start int) (end int, id int32) {
	n := int32(0)
	if start > 0 {
		n = w.contRoot
	}
	end = -1
	for i := start; i < len(word) && n >= 0; i++ {
		if n = w.vocab.Child(n, word[i]); n < 0 {
			break
		}
		if nid := w.vocab.ID(n); nid >= 0 && (i+1 == len(word) || utf8.RuneStart(word[i+1])) {
			end, id = i+1, nid
		}
	}
	return end, id
}
