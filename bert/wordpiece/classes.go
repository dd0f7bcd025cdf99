package wordpiece

import (
	"sync"
	"unicode"

	"github.com/bertbatch/bertbatch/bert/tokenizer/hfchar"
)

// charClass is a set of the per-character facts the hot loops ask about, computed once from
// the predicates of bert/tokenizer/hfchar for the Basic Multilingual Plane and on demand above it.
type charClass uint8

const (
	classControl     charClass = 1 << iota // clean_text drops it
	classSpace                             // clean_text makes it a space; the pre-tokenizer splits on it
	classPunct                             // the pre-tokenizer isolates it
	classCJK                               // handle_chinese_chars surrounds it with spaces
	classMark                              // strip_accents drops it
	classLower                             // lowercasing changes it
	classNFDBoundary                       // NFD runs on each side of it separately
)

func classify(r rune) charClass {
	var c charClass
	if hfchar.IsControl(r) {
		c |= classControl
	}
	if hfchar.IsWhitespace(r) {
		c |= classSpace
	}
	if hfchar.IsPunct(r) {
		c |= classPunct
	}
	if hfchar.IsCJK(r) {
		c |= classCJK
	}
	if hfchar.IsStrippedMark(r) {
		c |= classMark
	}
	if hfchar.IsNFDBoundary(r) {
		c |= classNFDBoundary
	}
	var buf [2 * 4]byte
	if l := hfchar.AppendLower(buf[:0], r); string(l) != string(r) {
		c |= classLower
	}
	return c
}

// bmpClasses is the class of every code point below U+10000, built on first use.
var bmpClasses = sync.OnceValue(func() *[0x10000]charClass {
	var t [0x10000]charClass
	for r := range rune(len(t)) {
		t[r] = classify(r)
	}
	return &t
})

// classOf returns the class of r, from the table for the BMP.
func classOf(table *[0x10000]charClass, r rune) charClass {
	if r < 0x10000 && r >= 0 {
		return table[r]
	}
	if r > unicode.MaxRune {
		return classify(unicode.ReplacementChar)
	}
	return classify(r)
}
