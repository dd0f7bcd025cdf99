package tokenizer

import (
	"encoding/json"
	"fmt"
	"regexp"
	"unicode"
	"unicode/utf8"

	"github.com/bertbatch/bertbatch/bert/tokenizer/hfchar"
)

// Piece is a part of a text on its way to the model.
type Piece struct {
	Text string
	// AtStart is true for the piece that begins at the start of the input text (tokenizers'
	// offsets_original().0 == 0), which Metaspace's prepend_scheme "first" looks at.
	AtStart bool
}

// PreTokenizer is one pre-tokenizer of tokenizer.json: it splits (and may rewrite) a piece.
type PreTokenizer interface {
	// Split appends the pieces p splits into to dst.
	Split(dst []Piece, p Piece) []Piece
}

// preTokenizerJSON holds the fields of every pre-tokenizer type read here.
type preTokenizerJSON struct {
	Type            string            `json:"type"`
	PreTokenizers   []json.RawMessage `json:"pretokenizers"`
	Replacement     *string           `json:"replacement"`
	PrependScheme   *string           `json:"prepend_scheme"`
	AddPrefixSpace  *bool             `json:"add_prefix_space"`
	Split           *bool             `json:"split"`
	UseRegex        *bool             `json:"use_regex"`
	Pattern         *patternJSON      `json:"pattern"`
	Behavior        *string           `json:"behavior"`
	Invert          bool              `json:"invert"`
	IndividualDigit bool              `json:"individual_digits"`
}

// ReadPreTokenizer reads a pre-tokenizer of tokenizer.json; nil (no splitting) for null.
func ReadPreTokenizer(raw json.RawMessage, file, field string) (PreTokenizer, error) {
	if IsNull(raw) {
		return nil, nil
	}
	var p preTokenizerJSON
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", file, field, err)
	}
	switch p.Type {
	case "Sequence":
		var seq sequencePreTokenizer
		for i, sub := range p.PreTokenizers {
			s, err := ReadPreTokenizer(sub, file, fmt.Sprintf("%s.pretokenizers[%d]", field, i))
			if err != nil {
				return nil, err
			}
			if s != nil {
				seq = append(seq, s)
			}
		}
		return seq, nil
	case "Metaspace":
		return readMetaspace(p, file, field)
	case "ByteLevel":
		return ByteLevel{AddPrefixSpace: OrDefault(p.AddPrefixSpace, true), UseRegex: OrDefault(p.UseRegex, true)}, nil
	case "WhitespaceSplit":
		return whitespaceSplit{}, nil
	case "Whitespace":
		return whitespace{}, nil
	case "Punctuation":
		b, err := readBehavior(p.Behavior, "Isolated", file, field)
		if err != nil {
			return nil, err
		}
		return charSplit{match: isPunctuation, behavior: b}, nil
	case "Digits":
		b := contiguous
		if p.IndividualDigit {
			b = isolated
		}
		return charSplit{match: unicode.IsNumber, behavior: b}, nil
	case "BertPreTokenizer":
		return sequencePreTokenizer{charSplit{match: hfchar.IsWhitespace, behavior: removed},
			charSplit{match: hfchar.IsPunct, behavior: isolated}}, nil
	case "Split":
		re, err := p.Pattern.compile(file, field)
		if err != nil {
			return nil, err
		}
		b, err := readBehavior(p.Behavior, "", file, field)
		if err != nil {
			return nil, err
		}
		return regexSplit{re: re, behavior: b, invert: p.Invert}, nil
	}
	return nil, &UnsupportedError{File: file, Field: field + ".type", Value: p.Type}
}

func readMetaspace(p preTokenizerJSON, file, field string) (PreTokenizer, error) {
	m := Metaspace{Replacement: '▁', Prepend: PrependAlways, Splits: OrDefault(p.Split, true)}
	if p.Replacement != nil {
		r, size := utf8.DecodeRuneInString(*p.Replacement)
		if size == 0 || size != len(*p.Replacement) {
			return nil, fmt.Errorf("%s: %s.replacement must be one character, not %q", file, field, *p.Replacement)
		}
		m.Replacement = r
	}
	switch {
	case p.PrependScheme != nil:
		switch *p.PrependScheme {
		case "always":
			m.Prepend = PrependAlways
		case "first":
			m.Prepend = PrependFirst
		case "never":
			m.Prepend = PrependNever
		default:
			return nil, &UnsupportedError{File: file, Field: field + ".prepend_scheme", Value: *p.PrependScheme}
		}
	case p.AddPrefixSpace != nil && !*p.AddPrefixSpace: // files written before prepend_scheme
		m.Prepend = PrependNever
	}
	return m, nil
}

type sequencePreTokenizer []PreTokenizer

func (s sequencePreTokenizer) Split(dst []Piece, p Piece) []Piece {
	pieces := []Piece{p}
	for _, pt := range s {
		var next []Piece
		for _, q := range pieces {
			next = pt.Split(next, q)
		}
		pieces = next
	}
	return append(dst, pieces...)
}

// PrependScheme says where Metaspace puts a replacement character in front of a piece.
type PrependScheme uint8

// The prepend schemes of Metaspace.
const (
	PrependAlways PrependScheme = iota // every piece
	PrependFirst                       // only the piece at the start of the text
	PrependNever
)

// Metaspace replaces spaces with a visible character (▁) and splits before each one, as
// SentencePiece models expect.
type Metaspace struct {
	Replacement rune
	Prepend     PrependScheme
	Splits      bool // split before each replacement character
}

// Split replaces, prepends and splits p.
func (m Metaspace) Split(dst []Piece, p Piece) []Piece {
	if p.Text == "" {
		return dst
	}
	buf := make([]byte, 0, len(p.Text)+8)
	for _, r := range p.Text {
		if r == ' ' {
			r = m.Replacement
		}
		buf = utf8.AppendRune(buf, r)
	}
	first, _ := utf8.DecodeRune(buf)
	if first != m.Replacement && (m.Prepend == PrependAlways || (m.Prepend == PrependFirst && p.AtStart)) {
		buf = append(utf8.AppendRune(nil, m.Replacement), buf...)
	}
	text := string(buf)
	if !m.Splits {
		return append(dst, Piece{Text: text, AtStart: p.AtStart})
	}
	return splitBy(dst, p, text, func(yield func(int, int)) {
		for i, r := range text {
			if r == m.Replacement {
				yield(i, i+utf8.RuneLen(r))
			}
		}
	}, mergedWithNext)
}

// behavior is tokenizers' SplitDelimiterBehavior: what becomes of the matched delimiters.
type behavior uint8

const (
	removed behavior = iota
	isolated
	mergedWithPrevious
	mergedWithNext
	contiguous
)

func readBehavior(v *string, def, file, field string) (behavior, error) {
	name := def
	if v != nil {
		name = *v
	}
	switch name {
	case "Removed":
		return removed, nil
	case "Isolated":
		return isolated, nil
	case "MergedWithPrevious":
		return mergedWithPrevious, nil
	case "MergedWithNext":
		return mergedWithNext, nil
	case "Contiguous":
		return contiguous, nil
	}
	return 0, &UnsupportedError{File: file, Field: field + ".behavior", Value: name}
}

// span is a part of a text: a delimiter match or the text between matches.
type span struct {
	start, end int
	match      bool
}

// splitBy splits text (p's rewritten text) around the matches matches yields, in order and
// not overlapping, treating them as b says; empty pieces are dropped.
func splitBy(dst []Piece, p Piece, text string, matches func(yield func(int, int)), b behavior) []Piece {
	var spans []span
	done := 0
	matches(func(start, end int) {
		if start == end {
			return
		}
		if done < start {
			spans = append(spans, span{done, start, false})
		}
		spans = append(spans, span{start, end, true})
		done = end
	})
	if done < len(text) {
		spans = append(spans, span{done, len(text), false})
	}
	var out []span
	switch b {
	case removed:
		for _, s := range spans {
			if !s.match {
				out = append(out, s)
			}
		}
	case isolated:
		out = spans
	case mergedWithPrevious:
		prev := false
		for _, s := range spans {
			if s.match && !prev && len(out) > 0 {
				out[len(out)-1].end = s.end
			} else {
				out = append(out, s)
			}
			prev = s.match
		}
	case mergedWithNext:
		prev := false
		for i := len(spans) - 1; i >= 0; i-- {
			s := spans[i]
			if s.match && !prev && len(out) > 0 {
				out[len(out)-1].start = s.start
			} else {
				out = append(out, s)
			}
			prev = s.match
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	case contiguous:
		prev := false
		for _, s := range spans {
			if s.match == prev && len(out) > 0 {
				out[len(out)-1].end = s.end
			} else {
				out = append(out, s)
			}
			prev = s.match
		}
	}
	for _, s := range out {
		if s.start < s.end {
			dst = append(dst, Piece{Text: text[s.start:s.end], AtStart: p.AtStart && s.start == 0})
		}
	}
	return dst
}

// charSplit splits on every character match accepts, each a delimiter of its own.
type charSplit struct {
	match    func(rune) bool
	behavior behavior
}

func (c charSplit) Split(dst []Piece, p Piece) []Piece {
	return splitBy(dst, p, p.Text, func(yield func(int, int)) {
		for i, r := range p.Text {
			if c.match(r) {
				yield(i, i+utf8.RuneLen(r))
			}
		}
	}, c.behavior)
}

// regexSplit is the Split pre-tokenizer: delimiters are the matches of a pattern (or, with
// invert, the text between them).
type regexSplit struct {
	re       *regexp.Regexp
	behavior behavior
	invert   bool
}

func (r regexSplit) Split(dst []Piece, p Piece) []Piece {
	locs := r.re.FindAllStringIndex(p.Text, -1)
	return splitBy(dst, p, p.Text, func(yield func(int, int)) {
		if !r.invert {
			for _, l := range locs {
				yield(l[0], l[1])
			}
			return
		}
		done := 0
		for _, l := range locs {
			if l[0] == l[1] {
				continue
			}
			yield(done, l[0])
			done = l[1]
		}
		yield(done, len(p.Text))
	}, r.behavior)
}

// whitespaceSplit splits on whitespace, which it drops.
type whitespaceSplit struct{}

func (whitespaceSplit) Split(dst []Piece, p Piece) []Piece {
	return charSplit{match: isWhite, behavior: removed}.Split(dst, p)
}

// whitespace keeps runs of word characters and runs of other non-space characters (the
// pattern \w+|[^\w\s]+), dropping whitespace.
type whitespace struct{}

func (whitespace) Split(dst []Piece, p Piece) []Piece {
	start, kind := 0, 0 // kind of the current run: 0 none, 1 word, 2 other
	for i, r := range p.Text {
		k := 2
		switch {
		case isWhite(r):
			k = 0
		case isWordChar(r):
			k = 1
		}
		if k != kind {
			if kind != 0 {
				dst = append(dst, Piece{Text: p.Text[start:i], AtStart: p.AtStart && start == 0})
			}
			start, kind = i, k
		}
	}
	if kind != 0 {
		dst = append(dst, Piece{Text: p.Text[start:], AtStart: p.AtStart && start == 0})
	}
	return dst
}

func isWhite(r rune) bool { return unicode.Is(unicode.White_Space, r) }

// isPunctuation is tokenizers' is_punc: ASCII punctuation and symbols, and Unicode P* (of
// Unicode 8.0, as tokenizers' tables have it).
func isPunctuation(r rune) bool { return hfchar.IsPunct(r) }
