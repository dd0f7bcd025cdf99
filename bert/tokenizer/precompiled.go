package tokenizer

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Precompiled is SentencePiece's precompiled character map: normalization rules (NFKC and
// SentencePiece's own) held in a double-array trie (the darts-clone layout) from byte strings
// to offsets of replacement strings.
//
// The blob is a little-endian uint32 giving the trie's size in bytes, the trie (uint32 units),
// then the replacements, each ended by a NUL byte.
type Precompiled struct {
	units       []uint32
	normalized  []byte
	maxGrapheme int // graphemes shorter than this many bytes are looked up whole
	ascii       [128]asciiRule
}

// asciiRule is the rule of one ASCII character, looked up once: an ASCII character followed by
// another ASCII character is a grapheme of its own (CR LF aside).
type asciiRule struct {
	repl    string
	replace bool
}

// NewPrecompiled decodes the base64 charsmap of tokenizer.json.
func NewPrecompiled(b64 string) (*Precompiled, error) {
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	if len(blob) < 4 {
		return nil, errors.New("shorter than its 4-byte header")
	}
	size := int(binary.LittleEndian.Uint32(blob))
	if size%4 != 0 || size > len(blob)-4 || size == 0 {
		return nil, fmt.Errorf("trie size %d does not fit the %d bytes after the header", size, len(blob)-4)
	}
	p := &Precompiled{units: make([]uint32, size/4), normalized: blob[4+size:], maxGrapheme: 6}
	for i := range p.units {
		p.units[i] = binary.LittleEndian.Uint32(blob[4+4*i:])
	}
	for c := range p.ascii {
		p.ascii[c].repl, p.ascii[c].replace = p.transform(string(rune(c)))
	}
	return p, nil
}

func unitHasLeaf(u uint32) bool { return (u>>8)&1 == 1 }
func unitValue(u uint32) uint32 { return u & (1<<31 - 1) }
func unitLabel(u uint32) uint32 { return u & (1<<31 | 0xff) }
func unitOffset(u uint32) uint32 {
	return (u >> 10) << ((u & (1 << 9)) >> 6)
}

// firstMatch returns the value of the shortest key of the trie that key starts with, as
// darts-clone's common prefix search lists it first.
func (p *Precompiled) firstMatch(key string) (uint32, bool) {
	pos := uint32(0)
	if len(p.units) == 0 {
		return 0, false
	}
	pos ^= unitOffset(p.units[0])
	for i := 0; i < len(key); i++ {
		c := uint32(key[i])
		if c == 0 {
			return 0, false
		}
		pos ^= c
		if int(pos) >= len(p.units) {
			return 0, false
		}
		u := p.units[pos]
		if unitLabel(u) != c {
			return 0, false
		}
		pos ^= unitOffset(u)
		if unitHasLeaf(u) {
			if int(pos) >= len(p.units) {
				return 0, false
			}
			return unitValue(p.units[pos]), true
		}
	}
	return 0, false
}

// transform returns the replacement of chunk: the one of the shortest rule chunk starts with,
// which replaces the whole chunk (tokenizers and SentencePiece's spm_precompiled do this).
func (p *Precompiled) transform(chunk string) (string, bool) {
	v, ok := p.firstMatch(chunk)
	if !ok || int(v) > len(p.normalized) {
		return "", false
	}
	end := int(v)
	for end < len(p.normalized) && p.normalized[end] != 0 {
		end++
	}
	return string(p.normalized[v:end]), true
}

// Normalize applies the rules grapheme by grapheme: a grapheme of fewer than six bytes is
// replaced whole when a rule matches it, else each of its characters is looked up alone.
func (p *Precompiled) Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	state := -1
	rest := s
	for len(rest) > 0 {
		if c := rest[0]; c < utf8.RuneSelf && c != '\r' && (len(rest) == 1 || rest[1] < utf8.RuneSelf) {
			if r := p.ascii[c]; r.replace {
				b.WriteString(r.repl)
			} else {
				b.WriteByte(c)
			}
			rest, state = rest[1:], -1
			continue
		}
		var g string
		g, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if len(g) < p.maxGrapheme {
			if repl, ok := p.transform(g); ok {
				b.WriteString(repl)
				continue
			}
		}
		for i, r := range g {
			_ = r
			n := i + 1
			for n < len(g) && !isRuneStart(g[n]) {
				n++
			}
			part := g[i:n]
			if repl, ok := p.transform(part); ok {
				b.WriteString(repl)
			} else {
				b.WriteString(part)
			}
		}
	}
	return b.String()
}

func isRuneStart(c byte) bool { return c&0xC0 != 0x80 }
