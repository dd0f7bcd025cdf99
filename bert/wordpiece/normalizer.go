package wordpiece

import (
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/bertbatch/bertbatch/bert/tokenizer/hfchar"
)

// normalizer is the chain of normalization steps applied, in order, to the text between added
// tokens. Its output is always valid UTF-8.
type normalizer struct {
	steps []normStep
}

// normStep is one normalizer of tokenizers: Lowercase, or BertNormalizer.
type normStep struct {
	lowercaseOnly bool
	bert          bertNormalizer
}

// bertNormalizer mirrors tokenizers' BertNormalizer; stripAccents is already resolved (its
// null value follows lowercase).
type bertNormalizer struct {
	cleanText, chineseChars, stripAccents, lowercase bool
}

// apply normalizes piece into one of the scratch buffers and returns it.
func (n *normalizer) apply(piece string, sc *scratch) []byte {
	if len(n.steps) == 0 {
		out := sc.normA[:0]
		for _, r := range piece {
			out = utf8.AppendRune(out, r)
		}
		sc.normA = out
		return out
	}
	out := n.steps[0].appendTo(sc.normA[:0], piece, sc)
	sc.normA = out
	for _, s := range n.steps[1:] {
		sc.normB = s.appendTo(sc.normB[:0], string(out), sc)
		sc.normA, sc.normB = sc.normB, sc.normA
		out = sc.normA
	}
	return out
}

func (s normStep) appendTo(dst []byte, src string, sc *scratch) []byte {
	if s.lowercaseOnly {
		table := bmpClasses()
		for _, r := range src {
			if classOf(table, r)&classLower != 0 {
				dst = hfchar.AppendLower(dst, r)
			} else {
				dst = utf8.AppendRune(dst, r)
			}
		}
		return dst
	}
	return s.bert.appendTo(dst, src, sc)
}

// appendTo runs clean_text, handle_chinese_chars, strip_accents and lowercase over src, in
// that order, as tokenizers does.
func (b bertNormalizer) appendTo(dst []byte, src string, sc *scratch) []byte {
	table := bmpClasses()
	if !b.stripAccents {
		for _, r := range src {
			dst = b.appendCleaned(dst, r, b.lowercase, table)
		}
		return dst
	}
	cleaned := sc.clean[:0]
	ascii := true
	for _, r := range src {
		ascii = ascii && r < utf8.RuneSelf
		cleaned = b.appendCleaned(cleaned, r, false, table)
	}
	sc.clean = cleaned
	if ascii { // NFD leaves ASCII alone and ASCII has no marks
		for _, c := range cleaned {
			if b.lowercase && c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		return dst
	}
	decomposed := appendNFD(sc.nfd[:0], cleaned, table, sc)
	sc.nfd = decomposed
	for i := 0; i < len(decomposed); {
		r, size := utf8.DecodeRune(decomposed[i:])
		i += size
		c := classOf(table, r)
		switch {
		case c&classMark != 0:
		case b.lowercase && c&classLower != 0:
			dst = hfchar.AppendLower(dst, r)
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// appendCleaned appends r after clean_text, handle_chinese_chars and (lower) lowercase.
func (b bertNormalizer) appendCleaned(dst []byte, r rune, lower bool, table *[0x10000]charClass) []byte {
	if r < utf8.RuneSelf && r >= ' ' && r != 0x7f { // printable ASCII: only case can change
		if lower && r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, byte(r))
	}
	c := classOf(table, r)
	if b.cleanText {
		if c&classControl != 0 {
			return dst
		}
		if c&classSpace != 0 {
			return append(dst, ' ')
		}
	}
	if b.chineseChars && c&classCJK != 0 {
		dst = append(dst, ' ')
		dst = utf8.AppendRune(dst, r)
		return append(dst, ' ')
	}
	if lower && c&classLower != 0 {
		return hfchar.AppendLower(dst, r)
	}
	return utf8.AppendRune(dst, r)
}

// appendNFD appends the canonical decomposition of src as tokenizers computes it: Go's NFD,
// run separately on each side of the characters its Unicode 9.0 tables see as plain starters
// (hfchar.IsNFDBoundary), which are copied unchanged.
func appendNFD(dst, src []byte, table *[0x10000]charClass, sc *scratch) []byte {
	start := 0
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if classOf(table, r)&classNFDBoundary != 0 {
			dst = appendNFDSegment(dst, src[start:i], sc)
			dst = append(dst, src[i:i+size]...)
			start = i + size
		}
		i += size
	}
	if start == 0 {
		return norm.NFD.Append(dst, src...)
	}
	return appendNFDSegment(dst, src[start:], sc)
}

// appendNFDSegment decomposes seg on its own: norm's Append would renormalize across the end of
// dst, which must not happen at a boundary character.
func appendNFDSegment(dst, seg []byte, sc *scratch) []byte {
	sc.segment = norm.NFD.Append(sc.segment[:0], seg...)
	return append(dst, sc.segment...)
}
