package tokenizer

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/bertbatch/bertbatch/bert/tokenizer/hfchar"
)

// Normalizer is one normalizer of tokenizer.json: it rewrites the text between added tokens.
type Normalizer interface {
	Normalize(s string) string
}

// normalizerJSON holds the fields of every normalizer type read here.
type normalizerJSON struct {
	Type        string            `json:"type"`
	Normalizers []json.RawMessage `json:"normalizers"`
	Pattern     *patternJSON      `json:"pattern"`
	Content     string            `json:"content"`
	StripLeft   *bool             `json:"strip_left"`
	StripRight  *bool             `json:"strip_right"`
	Prepend     string            `json:"prepend"`
	Charsmap    *string           `json:"precompiled_charsmap"`
}

// patternJSON is tokenizers' Pattern: {"String": "..."} or {"Regex": "..."}.
type patternJSON struct {
	String *string `json:"String"`
	Regex  *string `json:"Regex"`
}

// compile turns the pattern into a regular expression. Regex patterns are read with Go's RE2
// syntax; one it cannot compile (look-around, backreferences) is a load error.
func (p *patternJSON) compile(file, field string) (*regexp.Regexp, error) {
	switch {
	case p == nil:
		return nil, fmt.Errorf("%s: %s.pattern is missing", file, field)
	case p.String != nil:
		return regexp.Compile(regexp.QuoteMeta(*p.String))
	case p.Regex != nil:
		re, err := regexp.Compile(*p.Regex)
		if err != nil {
			return nil, fmt.Errorf("%w (bertbatch reads patterns with Go's RE2 syntax: %v)",
				&UnsupportedError{File: file, Field: field + ".pattern.Regex", Value: *p.Regex}, err)
		}
		return re, nil
	}
	return nil, fmt.Errorf("%s: %s.pattern must be {\"String\": ...} or {\"Regex\": ...}", file, field)
}

// ReadNormalizer reads a normalizer of tokenizer.json; nil (no normalizer) for null.
func ReadNormalizer(raw json.RawMessage, file, field string) (Normalizer, error) {
	if IsNull(raw) {
		return nil, nil
	}
	var n normalizerJSON
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", file, field, err)
	}
	switch n.Type {
	case "Sequence":
		var seq sequenceNormalizer
		for i, sub := range n.Normalizers {
			s, err := ReadNormalizer(sub, file, fmt.Sprintf("%s.normalizers[%d]", field, i))
			if err != nil {
				return nil, err
			}
			if s != nil {
				seq = append(seq, s)
			}
		}
		return seq, nil
	case "NFC":
		return formNormalizer{norm.NFC}, nil
	case "NFD":
		return formNormalizer{norm.NFD}, nil
	case "NFKC":
		return formNormalizer{norm.NFKC}, nil
	case "NFKD":
		return formNormalizer{norm.NFKD}, nil
	case "Lowercase":
		return Lowercase{}, nil
	case "Strip":
		return stripNormalizer{left: OrDefault(n.StripLeft, true), right: OrDefault(n.StripRight, true)}, nil
	case "Prepend":
		return prependNormalizer(n.Prepend), nil
	case "Replace":
		re, err := n.Pattern.compile(file, field)
		if err != nil {
			return nil, err
		}
		return replaceNormalizer{re: re, content: n.Content}, nil
	case "Precompiled":
		if n.Charsmap == nil {
			return nil, fmt.Errorf("%s: %s.precompiled_charsmap is missing", file, field)
		}
		p, err := NewPrecompiled(*n.Charsmap)
		if err != nil {
			return nil, fmt.Errorf("%s: %s.precompiled_charsmap: %w", file, field, err)
		}
		return p, nil
	}
	return nil, &UnsupportedError{File: file, Field: field + ".type", Value: n.Type}
}

type sequenceNormalizer []Normalizer

func (s sequenceNormalizer) Normalize(text string) string {
	for _, n := range s {
		text = n.Normalize(text)
	}
	return text
}

// formNormalizer is one of the Unicode normalization forms. Characters that Go's tables
// (Unicode 15.0) decompose or give a combining class and tokenizers' (Unicode 9.0) leave whole as
// starters split the text: each side is normalized on its own and they are copied unchanged.
type formNormalizer struct{ form norm.Form }

func (f formNormalizer) Normalize(s string) string {
	var b []byte
	start := 0
	for i, r := range s {
		if r >= 0x300 && hfchar.IsNFDBoundary(r) {
			if b == nil {
				b = make([]byte, 0, len(s)+8)
			}
			b = f.form.AppendString(b, s[start:i])
			b = utf8.AppendRune(b, r)
			start = i + utf8.RuneLen(r)
		}
	}
	if b == nil {
		return f.form.String(s)
	}
	return string(f.form.AppendString(b, s[start:]))
}

// Lowercase lowercases each character on its own, as tokenizers' Lowercase does (Rust's
// char::to_lowercase: no final sigma rule; U+0130 becomes "i" and a combining dot above).
type Lowercase struct{}

// Normalize lowercases s.
func (Lowercase) Normalize(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = hfchar.AppendLower(b, r)
	}
	return string(b)
}

// stripNormalizer removes whitespace at either end.
type stripNormalizer struct{ left, right bool }

func (s stripNormalizer) Normalize(text string) string {
	if s.left {
		text = strings.TrimLeftFunc(text, unicode.IsSpace)
	}
	if s.right {
		text = strings.TrimRightFunc(text, unicode.IsSpace)
	}
	return text
}

// prependNormalizer puts a string in front of a non-empty text.
type prependNormalizer string

func (p prependNormalizer) Normalize(text string) string {
	if text == "" {
		return text
	}
	return string(p) + text
}

// replaceNormalizer replaces every match of a pattern with content.
type replaceNormalizer struct {
	re      *regexp.Regexp
	content string
}

func (r replaceNormalizer) Normalize(text string) string {
	return r.re.ReplaceAllLiteralString(text, r.content)
}

// validUTF8 returns s with each invalid byte read as U+FFFD, as Go's range loop reads them.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for _, r := range s {
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}
