// Package hfchar classifies characters the way Hugging Face tokenizers (0.23.3) does: its
// general categories come from Unicode 8.0 tables, its NFD from Unicode 9.0 and its lowercase
// from Rust's standard library (Unicode 17), where Go's unicode package is Unicode 15.0.
// tables.go lists the differences, derived from a per-code-point dump of the reference
// (bert/wordpiece/testdata/gen_unicode.py); bert/wordpiece's TestUnicodeSweep checks them.
package hfchar

import (
	"unicode"
	"unicode/utf8"
)

//go:generate go run gen_tables.go

// Character classes as HF tokenizers' BERT components and pre-tokenizers see them.
//
// tokenizers 0.23.3 takes its general categories (control, format, private use, punctuation,
// non-spacing marks) from tables of Unicode 8.0 and lowercases with Rust's standard library
// (Unicode 17). Go's unicode package is Unicode 15.0. The tables in unicode_tables.go list the
// code points where the two disagree, so that the classes below match tokenizers exactly;
// TestUnicodeSweep checks every code point against the reference.

// IsWhitespace reports whether clean_text turns r into a space and BertPreTokenizer
// splits on it: tab, newline, carriage return and the White_Space property.
func IsWhitespace(r rune) bool {
	if r < 0x80 {
		return r == ' ' || (r >= '\t' && r <= '\r')
	}
	return unicode.Is(unicode.White_Space, r)
}

// IsControl reports whether clean_text drops r: categories Cc, Cf and Co (as of
// Unicode 8.0) except tab, newline and carriage return, plus U+0000 and U+FFFD.
func IsControl(r rune) bool {
	if r < 0x80 {
		return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
	}
	if r == unicode.ReplacementChar {
		return true
	}
	if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co) {
		return !unicode.Is(controlNotIn8, r)
	}
	return unicode.Is(controlOnlyIn8, r)
}

// IsPunct reports whether BertPreTokenizer isolates r: ASCII punctuation and symbols,
// and the P* categories as of Unicode 8.0.
func IsPunct(r rune) bool {
	if r < 0x80 {
		return (r >= '!' && r <= '/') || (r >= ':' && r <= '@') || (r >= '[' && r <= '`') || (r >= '{' && r <= '~')
	}
	if unicode.IsPunct(r) {
		return !unicode.Is(punctNotIn8, r)
	}
	return unicode.Is(punctOnlyIn8, r)
}

// IsStrippedMark reports whether strip_accents drops r after NFD: category Mn as of Unicode 8.0.
func IsStrippedMark(r rune) bool {
	if r < 0x300 {
		return false
	}
	if unicode.Is(unicode.Mn, r) {
		return !unicode.Is(markNotIn8, r)
	}
	return unicode.Is(markOnlyIn8, r)
}

// IsNFDBoundary reports whether tokenizers' NFD (Unicode 9.0 tables) sees r as a starter that
// stays whole while Go's (Unicode 15.0) decomposes it or gives it a combining class: NFD must
// then run on each side of r separately.
func IsNFDBoundary(r rune) bool {
	return unicode.Is(nfdNotIn9, r) || unicode.Is(cccNotIn9, r)
}

// IsCJK reports whether handle_chinese_chars puts spaces around r. The ranges are those of
// tokenizers' BertNormalizer (the Python BERT code uses 0x2B820 as the end of one of them).
func IsCJK(r rune) bool {
	switch {
	case r < 0x3400:
		return false
	case r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, r >= 0xF900 && r <= 0xFAFF:
		return true
	case r < 0x20000:
		return false
	}
	return r <= 0x2A6DF || (r >= 0x2A700 && r <= 0x2B81F) || (r >= 0x2B920 && r <= 0x2CEAF) ||
		(r >= 0x2F800 && r <= 0x2FA1F)
}

// AppendLower appends the full lowercase mapping of r, as Rust's char::to_lowercase gives it.
func AppendLower(dst []byte, r rune) []byte {
	if r < 0x80 {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, byte(r))
	}
	if r == 0x130 { // LATIN CAPITAL LETTER I WITH DOT ABOVE lowercases to two code points
		return append(dst, "i\u0307"...)
	}
	if l, ok := lowerSince15[r]; ok {
		return utf8.AppendRune(dst, l)
	}
	return utf8.AppendRune(dst, unicode.ToLower(r))
}
