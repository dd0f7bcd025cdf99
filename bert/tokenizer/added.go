package tokenizer

import (
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"
)

// AddedToken is an entry of tokenizers' added vocabulary ([CLS], <s>, user tokens): matched
// in the text before the model runs and given its id directly.
type AddedToken struct {
	Content    string
	ID         int32
	SingleWord bool // match only where no word character touches either end
	Lstrip     bool // swallow whitespace on the left
	Rstrip     bool // swallow whitespace on the right
	Normalized bool // match in the normalized text instead of the raw input
	Special    bool
}

// AddedVocab finds added tokens: those with normalized false in the raw input, the others in
// the normalized text (by their normalized form).
type AddedVocab struct {
	raw, norm matcher
}

// matcher finds the leftmost-longest, non-overlapping occurrences of a set of patterns.
type matcher struct {
	byFirst *[256][]matcherEntry // candidates by first byte, longest first; nil when empty
}

type matcherEntry struct {
	pattern string
	tok     *AddedToken
}

func newMatcher(entries []matcherEntry) matcher {
	var m matcher
	for _, e := range entries {
		if e.pattern == "" {
			continue
		}
		if m.byFirst == nil {
			m.byFirst = new([256][]matcherEntry)
		}
		list := append(m.byFirst[e.pattern[0]], e)
		for i := len(list) - 1; i > 0 && len(list[i].pattern) > len(list[i-1].pattern); i-- {
			list[i], list[i-1] = list[i-1], list[i]
		}
		m.byFirst[e.pattern[0]] = list
	}
	return m
}

// split calls emit with the byte range of each piece of s in order: text between tokens with
// tok nil, and each accepted token, following tokenizers' AddedVocabulary (leftmost-longest
// matches; single_word, lstrip and rstrip). A match refused by single_word still consumes its
// bytes, as the reference's non-overlapping search does.
func (m *matcher) split(s string, emit func(start, stop int, tok *AddedToken)) {
	done := 0 // end of the last emitted piece
	for i := 0; i < len(s); {
		e, ok := m.longestAt(s, i)
		if !ok {
			i++
			continue
		}
		start, stop := i, i+len(e.pattern)
		i = stop
		if e.tok.SingleWord && (endsWithWord(s[:start]) || startsWithWord(s[stop:])) {
			continue
		}
		if e.tok.Lstrip {
			start = max(start-trailingSpace(s[:start]), done)
		}
		if e.tok.Rstrip {
			stop += leadingSpace(s[stop:])
		}
		if done < start {
			emit(done, start, nil)
		}
		emit(start, stop, e.tok)
		done = stop
	}
	if done < len(s) {
		emit(done, len(s), nil)
	}
}

// longestAt returns the longest pattern that occurs in s at i.
func (m *matcher) longestAt(s string, i int) (matcherEntry, bool) {
	for _, e := range m.byFirst[s[i]] {
		if len(s)-i >= len(e.pattern) && s[i:i+len(e.pattern)] == e.pattern {
			return e, true
		}
	}
	return matcherEntry{}, false
}

// SplitRaw splits the raw input around the added tokens that match unnormalized text.
func (a *AddedVocab) SplitRaw(s string, emit func(piece string, tok *AddedToken)) {
	if a.raw.byFirst == nil {
		emit(s, nil)
		return
	}
	a.raw.split(s, func(start, stop int, tok *AddedToken) { emit(s[start:stop], tok) })
}

// HasNormalized reports whether some added tokens match normalized text.
func (a *AddedVocab) HasNormalized() bool { return a.norm.byFirst != nil }

// SplitNormalized splits normalized text around the added tokens that match normalized text.
func (a *AddedVocab) SplitNormalized(b []byte, emit func(piece []byte, tok *AddedToken)) {
	if a.norm.byFirst == nil {
		emit(b, nil)
		return
	}
	a.norm.split(string(b), func(start, stop int, tok *AddedToken) { emit(b[start:stop], tok) })
}

// isWordChar is the regex class \w of Rust's regex crate: Alphabetic, marks, decimal digits,
// connector punctuation and joiners.
func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.In(r, unicode.Nl, unicode.Other_Alphabetic, unicode.M,
		unicode.Nd, unicode.Pc, unicode.Join_Control)
}

func endsWithWord(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return len(s) > 0 && isWordChar(r)
}

func startsWithWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return len(s) > 0 && isWordChar(r)
}

// trailingSpace is the byte length of the whitespace (\s) that ends s.
func trailingSpace(s string) int {
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeLastRuneInString(s[:len(s)-n])
		if !unicode.Is(unicode.White_Space, r) {
			break
		}
		n += size
	}
	return n
}

// leadingSpace is the byte length of the whitespace (\s) that starts s.
func leadingSpace(s string) int {
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if !unicode.Is(unicode.White_Space, r) {
			break
		}
		n += size
	}
	return n
}

// NewAddedVocab indexes the added tokens; normalized ones are matched by their normalized form,
// which normalize gives.
func NewAddedVocab(tokens []*AddedToken, normalize func(string) string) AddedVocab {
	var raw, norm []matcherEntry
	for _, t := range tokens {
		if !t.Normalized {
			raw = append(raw, matcherEntry{pattern: t.Content, tok: t})
			continue
		}
		norm = append(norm, matcherEntry{pattern: normalize(t.Content), tok: t})
	}
	return AddedVocab{raw: newMatcher(raw), norm: newMatcher(norm)}
}

// ResolveAddedTokens gives each added token its id the way tokenizers does (its vocabulary id,
// else the next id after the vocabulary of vocabLen entries) and refuses a file whose ids say
// otherwise. A later entry for the same content replaces the earlier one.
func ResolveAddedTokens(file string, added []AddedTokenJSON, vocabLen int, lookup func(string) (int32, bool)) ([]*AddedToken, error) {
	next := int64(vocabLen)
	byContent := map[string]*AddedToken{}
	var out []*AddedToken
	for _, t := range added {
		if t.Content == "" {
			continue
		}
		if !utf8.ValidString(t.Content) {
			return nil, fmt.Errorf("%s: added token %q is not valid UTF-8", file, t.Content)
		}
		id := next
		if prev, ok := byContent[t.Content]; ok {
			id = int64(prev.ID)
		} else if v, ok := lookup(t.Content); ok {
			id = int64(v)
		} else {
			next++
		}
		if id != t.ID || id > math.MaxInt32 {
			return nil, fmt.Errorf("%s: added token %q has id %d, but tokenizers would give it %d; the vocabulary and added tokens disagree",
				file, t.Content, t.ID, id)
		}
		tok := &AddedToken{Content: t.Content, ID: int32(id), SingleWord: t.SingleWord, Lstrip: t.Lstrip,
			Rstrip: t.Rstrip, Normalized: OrDefault(t.Normalized, !t.Special), Special: t.Special}
		if prev, ok := byContent[t.Content]; ok {
			*prev = *tok
			continue
		}
		byContent[t.Content] = tok
		out = append(out, tok)
	}
	return out, nil
}
