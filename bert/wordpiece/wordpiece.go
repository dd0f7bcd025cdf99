package wordpiece

import "unicode/utf8"

// wordPiece is tokenizers' WordPiece model together with the BertPreTokenizer that feeds it.
type wordPiece struct {
	vocab        map[string]int32
	unkID        int32
	prefix       string // continuing_subword_prefix, "##" in BERT vocabularies
	maxWordChars int    // max_input_chars_per_word: longer words become the unknown token
	maxKeyBytes  int    // length of the longest vocabulary entry, which bounds every match
}

func newWordPiece(vocab map[string]int32, unkID int32, prefix string, maxWordChars int) wordPiece {
	longest := 0
	for k := range vocab {
		longest = max(longest, len(k))
	}
	return wordPiece{vocab: vocab, unkID: unkID, prefix: prefix, maxWordChars: maxWordChars, maxKeyBytes: longest}
}

// appendWordIDs splits normalized text as BertPreTokenizer does (whitespace removed, each
// punctuation character a word of its own) and appends the WordPiece ids of every word.
func (w *wordPiece) appendWordIDs(ids []int32, text []byte, sc *scratch) []int32 {
	start := -1 // start of the current word, -1 between words
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(text[i:])
		}
		switch {
		case isBertWhitespace(r):
			if start >= 0 {
				ids = w.appendIDs(ids, text[start:i], sc)
				start = -1
			}
		case isBertPunct(r):
			if start >= 0 {
				ids = w.appendIDs(ids, text[start:i], sc)
				start = -1
			}
			ids = w.appendIDs(ids, text[i:i+size], sc)
		case start < 0:
			start = i
		}
		i += size
	}
	if start >= 0 {
		ids = w.appendIDs(ids, text[start:], sc)
	}
	return ids
}

// appendIDs appends the ids of one word: greedy longest match from the left, pieces after the
// first carrying the continuing-subword prefix. A word longer than maxWordChars characters, or
// one with a piece that matches nothing, becomes the single unknown token.
func (w *wordPiece) appendIDs(ids []int32, word []byte, sc *scratch) []int32 {
	if utf8.RuneCount(word) > w.maxWordChars {
		return append(ids, w.unkID)
	}
	mark := len(ids)
	for start := 0; start < len(word); {
		end := min(len(word), start+w.maxKeyBytes)
		for end > start && end < len(word) && !utf8.RuneStart(word[end]) {
			end--
		}
		matched := false
		for end > start {
			if id, ok := w.lookup(word, start, end, sc); ok {
				ids = append(ids, id)
				matched = true
				break
			}
			_, size := utf8.DecodeLastRune(word[start:end])
			end -= size
		}
		if !matched {
			return append(ids[:mark], w.unkID)
		}
		start = end
	}
	return ids
}

// lookup finds word[start:end] in the vocabulary, with the prefix when it does not start the word.
func (w *wordPiece) lookup(word []byte, start, end int, sc *scratch) (int32, bool) {
	if start == 0 {
		id, ok := w.vocab[string(word[:end])]
		return id, ok
	}
	sc.key = append(append(sc.key[:0], w.prefix...), word[start:end]...)
	id, ok := w.vocab[string(sc.key)]
	return id, ok
}
