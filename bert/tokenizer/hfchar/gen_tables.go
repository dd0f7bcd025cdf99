//go:build ignore

// gen_tables derives unicode_tables.go: the code points where Go's Unicode 15.0 tables disagree
// with what HF tokenizers does, as recorded in testdata/unicode_reference.json.gz (written by
// testdata/gen_unicode.py). It stops with an error on any disagreement that is not one of the
// expected kinds (a category Go knows but tokenizers' Unicode 8.0 tables do not, or a lowercase
// mapping newer than Go's), so nothing is papered over.
//
//	go generate ./bert/tokenizer/hfchar
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"go/format"
	"log"
	"os"
	"sort"
	"strconv"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

type reference struct {
	Tokenizers   string            `json:"tokenizers"`
	CleanRemoved [][2]rune         `json:"clean_removed"`
	CleanSpace   [][2]rune         `json:"clean_space"`
	Punct        [][2]rune         `json:"pretok_punct"`
	NFDMoves     [][2]rune         `json:"nfd_moves_before_u0345"`
	StripAccents map[string]string `json:"strip_accents"`
	Lowercase    map[string]string `json:"lowercase"`
}

func main() {
	ref := load("../../wordpiece/testdata/unicode_reference.json.gz")
	removed := set(ref.CleanRemoved)
	punct := set(ref.Punct)
	moves := set(ref.NFDMoves)
	var t tables
	lower := map[rune]rune{}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		special := r == 0 || r == unicode.ReplacementChar || r == '\t' || r == '\n' || r == '\r'
		if !special {
			t.control.add(r, unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co), removed[r])
		}
		t.punct.add(r, unicode.IsPunct(r) || (r < 0x80 && unicode.IsSymbol(r)), punct[r])
		goMoves := norm.NFD.String("\u0345"+string(r)) != "\u0345"+norm.NFD.String(string(r))
		switch {
		case goMoves && !moves[r]:
			// a combining class Go knows and tokenizers' NFD (Unicode 9.0) does not: a starter there.
			if norm.NFD.String(string(r)) != string(r) {
				log.Fatalf("U+%04X: newer combining class on a character that decomposes", r)
			}
			t.combining.add(r, true, false)
		case moves[r] && !goMoves:
			log.Fatalf("tokenizers' NFD moves U+%04X before U+0345; Go's does not", r)
		}
		want, hasWant := ref.StripAccents[strconv.Itoa(int(r))]
		decomposes := norm.NFD.String(string(r)) != string(r)
		switch {
		case decomposes && !hasWant && !unicode.Is(unicode.Mn, r):
			// tokenizers' NFD tables (Unicode 9.0) do not decompose r; Go's do.
			if norm.NFD.PropertiesString(string(r)).CCC() != 0 {
				log.Fatalf("U+%04X: newer decomposition of a non-starter; splitting NFD there would be wrong", r)
			}
			t.decomposition.add(r, true, false)
		case !stripMismatch(ref, r):
		case unicode.Is(unicode.Mn, r) && !hasWant:
			t.mark.add(r, true, false)
		case !unicode.Is(unicode.Mn, r) && hasWant && want == "":
			t.mark.add(r, false, true)
		default:
			log.Fatalf("strip_accents of U+%04X gives %q, not explained by a category change", r, want)
		}
		if want := refLower(ref, r); want != goLower(r) {
			l, size := utf8.DecodeRuneInString(want)
			if size != len(want) {
				log.Fatalf("tokenizers lowercases U+%04X to several code points %q", r, want)
			}
			lower[r] = l
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated from testdata/unicode_reference.json.gz (tokenizers %s) with gen_tables.go. DO NOT EDIT.\n\n", ref.Tokenizers)
	b.WriteString("package hfchar\n\nimport \"unicode\"\n\n")
	writeTable(&b, "controlNotIn8", "Cc, Cf or Co in Go's tables but not in tokenizers' (Unicode 8.0): clean_text keeps them.", t.control.notInRef)
	writeTable(&b, "controlOnlyIn8", "Cc, Cf or Co in tokenizers' tables (Unicode 8.0) but not in Go's: clean_text drops them.", t.control.onlyInRef)
	writeTable(&b, "punctNotIn8", "punctuation in Go's tables but not in tokenizers' (Unicode 8.0): BertPreTokenizer keeps them inside words.", t.punct.notInRef)
	writeTable(&b, "punctOnlyIn8", "punctuation in tokenizers' tables (Unicode 8.0) but not in Go's: BertPreTokenizer isolates them.", t.punct.onlyInRef)
	writeTable(&b, "markNotIn8", "Mn in Go's tables but not in tokenizers' (Unicode 8.0): strip_accents keeps them.", t.mark.notInRef)
	writeTable(&b, "markOnlyIn8", "Mn in tokenizers' tables (Unicode 8.0) but not in Go's: strip_accents drops them.", t.mark.onlyInRef)
	if len(t.decomposition.onlyInRef) > 0 {
		log.Fatal("tokenizers decomposes code points Go does not")
	}
	writeTable(&b, "nfdNotIn9", "starters that Go's NFD decomposes but tokenizers' (Unicode 9.0) leaves whole.", t.decomposition.notInRef)
	writeTable(&b, "cccNotIn9", "marks with a combining class in Go's tables that tokenizers' NFD (Unicode 9.0) treats as starters: it never reorders them.", t.combining.notInRef)
	writeMap(&b, lower)
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("tables.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// skew collects the code points where Go's class and the reference's disagree.
type skew struct{ notInRef, onlyInRef []rune }

func (s *skew) add(r rune, inGo, inRef bool) {
	switch {
	case inGo && !inRef:
		s.notInRef = append(s.notInRef, r)
	case inRef && !inGo:
		s.onlyInRef = append(s.onlyInRef, r)
	}
}

type tables struct{ control, punct, mark, decomposition, combining skew }

func load(path string) reference {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		log.Fatal(err)
	}
	var ref reference
	if err := json.NewDecoder(zr).Decode(&ref); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	return ref
}

func set(ranges [][2]rune) map[rune]bool {
	m := map[rune]bool{}
	for _, rg := range ranges {
		for r := rg[0]; r <= rg[1]; r++ {
			m[r] = true
		}
	}
	return m
}

// stripMismatch reports whether NFD followed by dropping Go's Mn differs from the reference.
func stripMismatch(ref reference, r rune) bool {
	want, ok := ref.StripAccents[strconv.Itoa(int(r))]
	if !ok {
		want = string(r)
	}
	var got []rune
	for _, c := range norm.NFD.String(string(r)) {
		if !unicode.Is(unicode.Mn, c) {
			got = append(got, c)
		}
	}
	return string(got) != want
}

func refLower(ref reference, r rune) string {
	if s, ok := ref.Lowercase[strconv.Itoa(int(r))]; ok {
		return s
	}
	return string(r)
}

func goLower(r rune) string {
	if r == 0x130 {
		return "i\u0307"
	}
	return string(unicode.ToLower(r))
}

func writeTable(b *bytes.Buffer, name, doc string, runes []rune) {
	fmt.Fprintf(b, "// %s holds the code points that are %s\nvar %s = &unicode.RangeTable{", name, doc, name)
	if len(runes) == 0 {
		b.WriteString("}\n\n")
		return
	}
	b.WriteString("\n")
	var r16, r32 []string
	latin := 0
	for i := 0; i < len(runes); {
		j := i
		for j+1 < len(runes) && runes[j+1] == runes[j]+1 {
			j++
		}
		entry := fmt.Sprintf("{0x%04X, 0x%04X, 1},", runes[i], runes[j])
		if runes[j] <= unicode.MaxLatin1 {
			latin++
		}
		if runes[j] <= 0xFFFF {
			r16 = append(r16, entry)
		} else {
			r32 = append(r32, entry)
		}
		i = j + 1
	}
	if len(r16) > 0 {
		b.WriteString("R16: []unicode.Range16{\n")
		for _, e := range r16 {
			b.WriteString(e + "\n")
		}
		b.WriteString("},\n")
	}
	if len(r32) > 0 {
		b.WriteString("R32: []unicode.Range32{\n")
		for _, e := range r32 {
			b.WriteString(e + "\n")
		}
		b.WriteString("},\n")
	}
	if latin > 0 {
		fmt.Fprintf(b, "LatinOffset: %d,\n", latin)
	}
	b.WriteString("}\n\n")
}

func writeMap(b *bytes.Buffer, m map[rune]rune) {
	keys := make([]rune, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	b.WriteString("// lowerSince15 holds lowercase mappings that Rust's standard library (Unicode 17) has and\n// Go's unicode package (Unicode 15.0) lacks.\nvar lowerSince15 = map[rune]rune{\n")
	for _, k := range keys {
		fmt.Fprintf(b, "0x%04X: 0x%04X,\n", k, m[k])
	}
	b.WriteString("}\n")
}
