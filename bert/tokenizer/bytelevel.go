package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// ByteLevel is GPT-2's pre-tokenizer: an optional space in front of the text, the split of
// GPT-2's regular expression, then every byte written as one printable character (the
// byte-to-unicode map), so that the model's vocabulary covers every input.
type ByteLevel struct {
	AddPrefixSpace bool
	UseRegex       bool
}

// byteChars is GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the
// others for U+0100 onwards, in byte order.
var byteChars = func() (m [256]string) {
	n := 0
	for b := range 256 {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			m[b] = string(rune(b))
		} else {
			m[b] = string(rune(256 + n))
			n++
		}
	}
	return m
}()

// Split adds the prefix space, splits with the GPT-2 pattern and maps the bytes.
func (b ByteLevel) Split(dst []Piece, p Piece) []Piece {
	text := p.Text
	if b.AddPrefixSpace && text != "" && text[0] != ' ' {
		text = " " + text
	}
	if !b.UseRegex {
		if text == "" {
			return dst
		}
		return append(dst, Piece{Text: mapBytes(text), AtStart: p.AtStart})
	}
	for i := 0; i < len(text); {
		n := gpt2Match(text[i:])
		dst = append(dst, Piece{Text: mapBytes(text[i : i+n]), AtStart: p.AtStart && i == 0})
		i += n
	}
	return dst
}

func mapBytes(s string) string {
	buf := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		buf = append(buf, byteChars[s[i]]...)
	}
	return string(buf)
}

// gpt2Match returns the length of the match of GPT-2's pattern at the start of s (never 0 for
// a non-empty s):
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// The alternatives are tried in order, as the Oniguruma engine of tokenizers does.
func gpt2Match(s string) int {
	if s[0] == '\'' {
		for _, c := range [...]string{"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"} {
			if len(s) >= len(c) && s[:len(c)] == c {
				return len(c)
			}
		}
	}
	for _, class := range [...]func(rune) bool{isL, isN, isOther} {
		start := 0
		if s[0] == ' ' {
			start = 1
		}
		if n := run(s[start:], class); n > 0 {
			return start + n
		}
	}
	// \s+(?!\S), else \s+
	n := run(s, isSpaceClass)
	if n == 0 { // invalid UTF-8 is read as U+FFFD, a symbol, so this is not reached
		_, size := utf8.DecodeRuneInString(s)
		return size
	}
	if n == len(s) {
		return n
	}
	_, last := utf8.DecodeLastRuneInString(s[:n])
	if n-last > 0 {
		return n - last
	}
	return n
}

// run is the length of the longest prefix of s made of characters class accepts.
func run(s string, class func(rune) bool) int {
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if !class(r) {
			break
		}
		n += size
	}
	return n
}

func isL(r rune) bool          { return unicode.IsLetter(r) }
func isN(r rune) bool          { return unicode.IsNumber(r) }
func isSpaceClass(r rune) bool { return unicode.Is(unicode.White_Space, r) }
func isOther(r rune) bool      { return !isSpaceClass(r) && !isL(r) && !isN(r) }
