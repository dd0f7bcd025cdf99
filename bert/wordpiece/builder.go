package wordpiece

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// builder collects what the tokenizer files say, then checks it and builds the Tokenizer.
type builder struct {
	file          string // the file being read, for messages
	settings      Settings
	vocab         map[string]int32
	unkToken      string
	prefix        string
	maxWordChars  int
	steps         []normStep
	added         []tokenizer.AddedTokenJSON
	post          tokenizer.PostProcessor
	fileMaxLength int // tokenizer.json truncation.max_length
	truncateLeft  bool
	padID         *int32
	padToken      string
}

func (b *builder) note(format string, args ...any) {
	b.settings.Notes = append(b.settings.Notes, fmt.Sprintf(format, args...))
}

// readModelConfigs applies sentence_bert_config.json and tokenizer_config.json (see
// tokenizer.ReadModelConfigs); do_lower_case of sentence-transformers puts a Lowercase step in
// front of the normalizer.
func (b *builder) readModelConfigs(dir string) error {
	c, err := tokenizer.ReadModelConfigs(dir, b.fileMaxLength)
	if err != nil {
		return err
	}
	for _, f := range c.Files {
		if !slices.Contains(b.settings.Files, f) {
			b.settings.Files = append(b.settings.Files, f)
		}
	}
	b.settings.MaxLength, b.settings.MaxLengthFrom = c.MaxLength, c.MaxLengthFrom
	b.settings.Notes = append(b.settings.Notes, c.Notes...)
	if c.TruncateLeft != nil {
		b.truncateLeft = *c.TruncateLeft
	}
	hasLowercase := slices.ContainsFunc(b.steps, func(s normStep) bool { return s.lowercaseOnly })
	if c.DoLowerCase && !hasLowercase { // as sentence-transformers decides
		b.steps = append([]normStep{{lowercaseOnly: true}}, b.steps...)
		b.note("%s: do_lower_case lowercases every text first, as sentence-transformers does", filepath.Join(dir, "sentence_bert_config.json"))
	}
	if b.padID == nil && b.padToken == "" && c.PadToken != "" {
		b.padToken = c.PadToken
	}
	return nil
}

// build checks the collected settings and makes the Tokenizer.
func (b *builder) build() (*Tokenizer, error) {
	unkID, ok := b.vocab[b.unkToken]
	if !ok {
		return nil, fmt.Errorf("%s: the unknown token %q is not in the vocabulary", b.file, b.unkToken)
	}
	if b.maxWordChars < 1 {
		return nil, fmt.Errorf("%s: max_input_chars_per_word must be at least 1, not %d", b.file, b.maxWordChars)
	}
	t := &Tokenizer{
		model:    newWordPiece(b.vocab, unkID, b.prefix, b.maxWordChars),
		norm:     normalizer{steps: b.steps},
		post:     b.post,
		trunc:    tokenizer.Truncation{MaxLength: b.settings.MaxLength, Left: b.truncateLeft},
		settings: b.settings,
	}
	for _, s := range b.steps {
		if s.lowercaseOnly {
			t.settings.ExtraLowercase = true
			continue
		}
		t.settings.Lowercase, t.settings.StripAccents = s.bert.lowercase, s.bert.stripAccents
		t.settings.CleanText, t.settings.ChineseChars = s.bert.cleanText, s.bert.chineseChars
	}
	t.settings.TruncateLeft = b.truncateLeft
	tokens, err := b.addedTokens()
	if err != nil {
		return nil, err
	}
	var sc scratch
	t.added = tokenizer.NewAddedVocab(tokens, func(s string) string { return string(t.norm.apply(s, &sc)) })
	maxID := int32(0)
	for _, id := range b.vocab {
		maxID = max(maxID, id)
	}
	for _, tok := range tokens {
		maxID = max(maxID, tok.ID)
	}
	for _, id := range b.post.IDs() {
		maxID = max(maxID, id)
	}
	t.vocabSize = int(maxID) + 1
	if t.padID, err = b.resolvePadID(tokens); err != nil {
		return nil, err
	}
	return t, nil
}

// addedTokens gives each added token its id (tokenizer.ResolveAddedTokens).
func (b *builder) addedTokens() ([]*tokenizer.AddedToken, error) {
	return tokenizer.ResolveAddedTokens(b.file, b.added, len(b.vocab), func(s string) (int32, bool) {
		id, ok := b.vocab[s]
		return id, ok
	})
}

func (b *builder) resolvePadID(tokens []*tokenizer.AddedToken) (int32, error) {
	if b.padID != nil {
		return *b.padID, nil
	}
	name := b.padToken
	if name == "" {
		name = "[PAD]"
		b.note("no padding token named: using %q, BERT's", name)
	}
	for _, t := range tokens {
		if t.Content == name {
			return t.ID, nil
		}
	}
	if id, ok := b.vocab[name]; ok {
		return id, nil
	}
	return 0, fmt.Errorf("%s: the padding token %q is not in the vocabulary; set pad_token in tokenizer_config.json", b.file, name)
}

func sortAdded(tokens []tokenizer.AddedTokenJSON) {
	sort.SliceStable(tokens, func(i, j int) bool { return tokens[i].ID < tokens[j].ID })
}
