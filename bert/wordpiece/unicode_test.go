package wordpiece

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// unicodeReference is testdata/unicode_reference.json.gz, written by testdata/gen_unicode.py
// with HF tokenizers: what each BERT component does to every code point on its own.
type unicodeReference struct {
	Tokenizers   string            `json:"tokenizers"`
	CleanRemoved [][2]rune         `json:"clean_removed"`
	CleanSpace   [][2]rune         `json:"clean_space"`
	Chinese      [][2]rune         `json:"chinese"`
	Whitespace   [][2]rune         `json:"pretok_whitespace"`
	Punct        [][2]rune         `json:"pretok_punct"`
	StripAccents map[string]string `json:"strip_accents"`
	Lowercase    map[string]string `json:"lowercase"`
	// MarkSequences maps strings of combining marks to what tokenizers' NFD and strip_accents
	// make of them (canonical reordering).
	MarkSequences map[string]struct {
		NFD          string `json:"nfd"`
		StripAccents string `json:"strip_accents"`
	} `json:"mark_sequences"`
}

func loadUnicodeReference(t *testing.T) unicodeReference {
	t.Helper()
	f, err := os.Open("testdata/unicode_reference.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var ref unicodeReference
	if err := json.NewDecoder(zr).Decode(&ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

func inRanges(ranges [][2]rune) func(rune) bool {
	return func(r rune) bool {
		for _, rg := range ranges {
			if r >= rg[0] && r <= rg[1] {
				return true
			}
		}
		return false
	}
}

// TestUnicodeSweep checks every code point against what tokenizers does with it.
func TestUnicodeSweep(t *testing.T) {
	ref := loadUnicodeReference(t)
	removed, space := inRanges(ref.CleanRemoved), inRanges(ref.CleanSpace)
	chinese, white, punct := inRanges(ref.Chinese), inRanges(ref.Whitespace), inRanges(ref.Punct)
	mapped := func(m map[string]string) func(rune) string {
		return func(r rune) string {
			if s, ok := m[strconv.Itoa(int(r))]; ok {
				return s
			}
			return string(r)
		}
	}
	norm := func(b bertNormalizer) func(rune) string {
		return func(r rune) string { return string(b.appendTo(nil, string(r), &scratch{})) }
	}
	cases := []struct {
		name string
		got  func(rune) string
		want func(rune) string
	}{
		{"clean_text", norm(bertNormalizer{cleanText: true}), func(r rune) string {
			switch {
			case removed(r):
				return ""
			case space(r):
				return " "
			}
			return string(r)
		}},
		{"handle_chinese_chars", norm(bertNormalizer{chineseChars: true}), func(r rune) string {
			if chinese(r) {
				return " " + string(r) + " "
			}
			return string(r)
		}},
		{"strip_accents", norm(bertNormalizer{stripAccents: true}), mapped(ref.StripAccents)},
		{"lowercase", norm(bertNormalizer{lowercase: true}), mapped(ref.Lowercase)},
		{"pretokenizer", pretokClass, func(r rune) string {
			switch {
			case white(r):
				return "split"
			case punct(r):
				return "isolate"
			}
			return "keep"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var bad []string
			for r := rune(0); r <= unicode.MaxRune; r++ {
				if r >= 0xD800 && r <= 0xDFFF {
					continue
				}
				if got, want := c.got(r), c.want(r); got != want {
					bad = append(bad, fmt.Sprintf("U+%04X: got %+q, tokenizers %s gives %+q", r, got, ref.Tokenizers, want))
				}
			}
			if len(bad) > 0 {
				t.Errorf("%d code points differ:\n%s", len(bad), strings.Join(bad[:min(len(bad), 30)], "\n"))
			}
		})
	}
}

// TestMarkSequences checks NFD and strip_accents on runs of combining marks, where the order
// depends on each mark's combining class in the reference's Unicode 9.0 tables.
func TestMarkSequences(t *testing.T) {
	ref := loadUnicodeReference(t)
	if len(ref.MarkSequences) < 1000 {
		t.Fatalf("only %d mark sequences in the reference", len(ref.MarkSequences))
	}
	strip := bertNormalizer{stripAccents: true}
	bad := 0
	for in, want := range ref.MarkSequences {
		nfd := string(appendNFD(nil, []byte(in), bmpClasses(), &scratch{}))
		stripped := string(strip.appendTo(nil, in, &scratch{}))
		if nfd != want.NFD || stripped != want.StripAccents {
			if bad++; bad <= 10 {
				t.Errorf("%+q: NFD %+q strip %+q; tokenizers %+q and %+q", in, nfd, stripped, want.NFD, want.StripAccents)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d sequences differ", bad, len(ref.MarkSequences))
	}
}

// pretokClass says what BertPreTokenizer does with r between two letters.
func pretokClass(r rune) string {
	c := classOf(bmpClasses(), r)
	switch {
	case c&classSpace != 0:
		return "split"
	case c&classPunct != 0:
		return "isolate"
	}
	return "keep"
}
