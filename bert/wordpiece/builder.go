package wordpiece

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"unicode/utf8"
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
	added         []addedTokenJSON
	post          postProcessor
	fileMaxLength int // tokenizer.json truncation.max_length
	truncateLeft  bool
	padID         *int32
	padToken      string
}

func (b *builder) note(format string, args ...any) {
	b.settings.Notes = append(b.settings.Notes, fmt.Sprintf(format, args...))
}

// maxLengthCap is the largest model_max_length taken as a real limit; transformers writes
// 1e30 for "no limit".
const maxLengthCap = 1 << 24

// readModelConfigs applies sentence_bert_config.json and tokenizer_config.json: the truncation
// limit is max_seq_length, else model_max_length, else tokenizer.json's truncation.max_length;
// do_lower_case of sentence-transformers puts a Lowercase step in front of the normalizer.
func (b *builder) readModelConfigs(dir string) error {
	var sbert struct {
		MaxSeqLength *int  `json:"max_seq_length"`
		DoLowerCase  *bool `json:"do_lower_case"`
	}
	sbertPath := filepath.Join(dir, "sentence_bert_config.json")
	foundSbert, err := readJSON(sbertPath, &sbert)
	if err != nil {
		return err
	}
	var cfg transformersConfig
	cfgPath := filepath.Join(dir, "tokenizer_config.json")
	foundCfg, err := readJSON(cfgPath, &cfg)
	if err != nil {
		return err
	}
	if foundSbert {
		b.settings.Files = append(b.settings.Files, sbertPath)
	}
	if foundCfg && !slices.Contains(b.settings.Files, cfgPath) {
		b.settings.Files = append(b.settings.Files, cfgPath)
	}
	switch {
	case sbert.MaxSeqLength != nil && *sbert.MaxSeqLength > 0:
		b.settings.MaxLength, b.settings.MaxLengthFrom = *sbert.MaxSeqLength, "sentence_bert_config.json max_seq_length"
	case cfg.ModelMaxLength != nil && *cfg.ModelMaxLength >= 1 && *cfg.ModelMaxLength <= maxLengthCap:
		b.settings.MaxLength, b.settings.MaxLengthFrom = int(*cfg.ModelMaxLength), "tokenizer_config.json model_max_length"
	case b.fileMaxLength > 0:
		b.settings.MaxLength, b.settings.MaxLengthFrom = b.fileMaxLength, "tokenizer.json truncation.max_length"
	default:
		b.settings.MaxLengthFrom = "none of max_seq_length, model_max_length, truncation.max_length: no limit"
	}
	if b.fileMaxLength > 0 && b.settings.MaxLength != b.fileMaxLength {
		b.note("tokenizer.json truncates at %d but %s is %d, which sentence-transformers and transformers use; so does bertbatch",
			b.fileMaxLength, b.settings.MaxLengthFrom, b.settings.MaxLength)
	}
	if side := cfg.TruncationSide; side != nil {
		if *side != "left" && *side != "right" {
			return fmt.Errorf("%s: truncation_side must be \"left\" or \"right\", not %q", cfgPath, *side)
		}
		b.truncateLeft = *side == "left"
	}
	hasLowercase := slices.ContainsFunc(b.steps, func(s normStep) bool { return s.lowercaseOnly })
	if sbert.DoLowerCase != nil && *sbert.DoLowerCase && !hasLowercase { // as sentence-transformers decides
		b.steps = append([]normStep{{lowercaseOnly: true}}, b.steps...)
		b.note("%s: do_lower_case lowercases every text first, as sentence-transformers does", sbertPath)
	}
	if b.padID == nil && b.padToken == "" && cfg.PadToken != nil {
		b.padToken = string(*cfg.PadToken)
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
		trunc:    truncation{maxLength: b.settings.MaxLength, left: b.truncateLeft},
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
	t.added = newAddedVocab(tokens, &t.norm)
	maxID := int32(0)
	for _, id := range b.vocab {
		maxID = max(maxID, id)
	}
	for _, tok := range tokens {
		maxID = max(maxID, tok.id)
	}
	for _, tmpl := range [][]templatePiece{b.post.single, b.post.pair} {
		for _, p := range tmpl {
			for _, id := range p.ids {
				maxID = max(maxID, id)
			}
		}
	}
	t.vocabSize = int(maxID) + 1
	if t.padID, err = b.resolvePadID(tokens); err != nil {
		return nil, err
	}
	return t, nil
}

// addedTokens gives each added token its id the way tokenizers does (its vocabulary id, else
// the next id after the vocabulary) and refuses a file whose ids say otherwise.
func (b *builder) addedTokens() ([]*addedToken, error) {
	next := int64(len(b.vocab))
	byContent := map[string]*addedToken{}
	var out []*addedToken
	for _, t := range b.added {
		if t.Content == "" {
			continue
		}
		if !utf8.ValidString(t.Content) {
			return nil, fmt.Errorf("%s: added token %q is not valid UTF-8", b.file, t.Content)
		}
		id := next
		if prev, ok := byContent[t.Content]; ok {
			id = int64(prev.id)
		} else if v, ok := b.vocab[t.Content]; ok {
			id = int64(v)
		} else {
			next++
		}
		if id != t.ID || id > math.MaxInt32 {
			return nil, fmt.Errorf("%s: added token %q has id %d, but tokenizers would give it %d; the vocabulary and added tokens disagree",
				b.file, t.Content, t.ID, id)
		}
		tok := &addedToken{content: t.Content, id: int32(id), singleWord: t.SingleWord, lstrip: t.Lstrip,
			rstrip: t.Rstrip, normalized: orDefault(t.Normalized, !t.Special), special: t.Special}
		if prev, ok := byContent[t.Content]; ok {
			*prev = *tok // a later entry for the same content replaces the earlier one
			continue
		}
		byContent[t.Content] = tok
		out = append(out, tok)
	}
	return out, nil
}

func (b *builder) resolvePadID(tokens []*addedToken) (int32, error) {
	if b.padID != nil {
		return *b.padID, nil
	}
	name := b.padToken
	if name == "" {
		name = "[PAD]"
		b.note("no padding token named: using %q, BERT's", name)
	}
	for _, t := range tokens {
		if t.content == name {
			return t.id, nil
		}
	}
	if id, ok := b.vocab[name]; ok {
		return id, nil
	}
	return 0, fmt.Errorf("%s: the padding token %q is not in the vocabulary; set pad_token in tokenizer_config.json", b.file, name)
}

func sortAdded(tokens []addedTokenJSON) {
	sort.SliceStable(tokens, func(i, j int) bool { return tokens[i].ID < tokens[j].ID })
}
