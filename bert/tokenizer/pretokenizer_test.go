package tokenizer

import (
	"slices"
	"testing"
)

func texts(pieces []Piece) []string {
	out := make([]string, len(pieces))
	for i, p := range pieces {
		out[i] = p.Text
	}
	return out
}

// TestSplitBehaviors checks the five delimiter behaviors on the example of tokenizers'
// documentation of SplitDelimiterBehavior ("the-final--countdown" split on "-").
func TestSplitBehaviors(t *testing.T) {
	cases := []struct {
		behavior behavior
		want     []string
	}{
		{removed, []string{"the", "final", "countdown"}},
		{isolated, []string{"the", "-", "final", "-", "-", "countdown"}},
		{mergedWithPrevious, []string{"the-", "final-", "-", "countdown"}},
		{mergedWithNext, []string{"the", "-final", "-", "-countdown"}},
		{contiguous, []string{"the", "-", "final", "--", "countdown"}},
	}
	for _, c := range cases {
		t.Run(c.want[1], func(t *testing.T) {
			split := charSplit{match: func(r rune) bool { return r == '-' }, behavior: c.behavior}
			got := texts(split.Split(nil, Piece{Text: "the-final--countdown", AtStart: true}))
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestGPT2Pattern checks the hand-written matcher of GPT-2's pattern on the splits tokenizers'
// ByteLevel(add_prefix_space=False).pre_tokenize_str gives (before the byte mapping).
func TestGPT2Pattern(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Hello world", []string{"Hello", " world"}},
		{"it's  2024!!", []string{"it", "'s", " ", " 2024", "!!"}},
		{"a   b", []string{"a", "  ", " b"}},
		{"end   ", []string{"end", "   "}},
		{"x\n\ny", []string{"x", "\n", "\n", "y"}},
		{"I'LL 're", []string{"I", "'", "LL", " '", "re"}},
		{"日本語 テキスト", []string{"日本語", " テキスト"}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			var got []string
			for s := c.in; s != ""; {
				n := gpt2Match(s)
				got = append(got, s[:n])
				s = s[n:]
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestBertPreTokenizer checks the generic BertPreTokenizer on the splits tokenizers'
// BertPreTokenizer().pre_tokenize_str gives (U+2E52 is not punctuation in its Unicode 8.0
// tables, U+166D is).
func TestBertPreTokenizer(t *testing.T) {
	pre, err := ReadPreTokenizer([]byte(`{"type": "BertPreTokenizer"}`), "tokenizer.json", "pre_tokenizer")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   string
		want []string
	}{
		{"Hello, world!  Ça va?\u3000日本\u2e52x", []string{"Hello", ",", "world", "!", "Ça", "va", "?", "日本\u2e52x"}},
		{"a\u00a0b\tc\u166dd", []string{"a", "b", "c", "\u166d", "d"}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := texts(pre.Split(nil, Piece{Text: c.in, AtStart: true})); !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
