package wordpiece

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/bertbatch/bertbatch/bert/tokenizer"
)

// transformersConfig is the part of transformers' tokenizer_config.json (and
// special_tokens_map.json) this package reads.
type transformersConfig struct {
	DoLowerCase          *bool                               `json:"do_lower_case"`
	StripAccents         *bool                               `json:"strip_accents"`
	TokenizeChineseChars *bool                               `json:"tokenize_chinese_chars"`
	ModelMaxLength       *float64                            `json:"model_max_length"`
	TruncationSide       *string                             `json:"truncation_side"`
	UnkToken             *tokenizer.TokenName                `json:"unk_token"`
	SepToken             *tokenizer.TokenName                `json:"sep_token"`
	PadToken             *tokenizer.TokenName                `json:"pad_token"`
	ClsToken             *tokenizer.TokenName                `json:"cls_token"`
	MaskToken            *tokenizer.TokenName                `json:"mask_token"`
	AddedTokensDecoder   map[string]tokenizer.AddedTokenJSON `json:"added_tokens_decoder"`
}

// readVocabTxt builds what transformers' BertTokenizer builds from vocab.txt and
// tokenizer_config.json: BertNormalizer, BertPreTokenizer, WordPiece and BertProcessing.
func (b *builder) readVocabTxt(path string) error {
	b.file = path
	if err := b.readVocabLines(path); err != nil {
		return err
	}
	b.settings.Files = append(b.settings.Files, path)
	dir := filepath.Dir(path)
	var cfg, specialMap transformersConfig
	cfgPath := filepath.Join(dir, "tokenizer_config.json")
	found, err := tokenizer.ReadJSON(cfgPath, &cfg)
	if err != nil {
		return err
	}
	if found {
		b.settings.Files = append(b.settings.Files, cfgPath)
	}
	mapPath := filepath.Join(dir, "special_tokens_map.json")
	if found, err := tokenizer.ReadJSON(mapPath, &specialMap); err != nil {
		return err
	} else if found {
		b.settings.Files = append(b.settings.Files, mapPath)
	}
	lower := b.configBool(cfg.DoLowerCase, "do_lower_case", true)
	chinese := b.configBool(cfg.TokenizeChineseChars, "tokenize_chinese_chars", true)
	b.steps = []normStep{{bert: bertNormalizer{
		cleanText: true, chineseChars: chinese, lowercase: lower,
		stripAccents: tokenizer.OrDefault(cfg.StripAccents, lower),
	}}}
	b.unkToken, b.prefix, b.maxWordChars = b.specialName(cfg.UnkToken, specialMap.UnkToken, "[UNK]"), "##", 100
	cls := b.specialName(cfg.ClsToken, specialMap.ClsToken, "[CLS]")
	sep := b.specialName(cfg.SepToken, specialMap.SepToken, "[SEP]")
	b.padToken = b.specialName(cfg.PadToken, specialMap.PadToken, "[PAD]")
	mask := b.specialName(cfg.MaskToken, specialMap.MaskToken, "[MASK]")
	clsID, okCls := b.vocab[cls]
	sepID, okSep := b.vocab[sep]
	if !okCls || !okSep {
		return fmt.Errorf("%s: the classifier token %q or separator token %q is not in the vocabulary; "+
			"set cls_token and sep_token in tokenizer_config.json", path, cls, sep)
	}
	b.post = tokenizer.BertTemplate(clsID, sepID)
	if len(cfg.AddedTokensDecoder) > 0 {
		return b.addDecoderTokens(cfgPath, cfg.AddedTokensDecoder)
	}
	for _, name := range []string{b.unkToken, sep, cls, b.padToken, mask} {
		if id, ok := b.vocab[name]; ok { // as tokenizers' BertWordPieceTokenizer: specials in the vocabulary
			no := false
			b.added = append(b.added, tokenizer.AddedTokenJSON{ID: int64(id), Content: name, Special: true, Normalized: &no})
		}
	}
	return nil
}

// readVocabLines reads one token per line, the line number being its id; trailing whitespace
// is dropped and a repeated token keeps its last line, as tokenizers' WordPiece.from_file does.
func (b *builder) readVocabLines(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	b.vocab = map[string]int32{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	id := 0
	for ; sc.Scan(); id++ {
		if id > math.MaxInt32 {
			return fmt.Errorf("%s: more lines than token ids", path)
		}
		b.vocab[strings.TrimRightFunc(sc.Text(), unicode.IsSpace)] = int32(id)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if id == 0 {
		return fmt.Errorf("%s: the vocabulary is empty", path)
	}
	return nil
}

// addDecoderTokens takes the added tokens of tokenizer_config.json's added_tokens_decoder.
func (b *builder) addDecoderTokens(path string, decoder map[string]tokenizer.AddedTokenJSON) error {
	for key, tok := range decoder {
		var id int64
		if _, err := fmt.Sscan(key, &id); err != nil {
			return fmt.Errorf("%s: added_tokens_decoder key %q is not a token id", path, key)
		}
		tok.ID = id
		b.added = append(b.added, tok)
	}
	sortAdded(b.added)
	return nil
}

// configBool returns a tokenizer_config.json flag, noting when BertTokenizer's default is used.
func (b *builder) configBool(v *bool, name string, def bool) bool {
	if v == nil {
		b.note("tokenizer_config.json has no %s: using BertTokenizer's default %v", name, def)
		return def
	}
	return *v
}

// specialName picks a special token from tokenizer_config.json, then special_tokens_map.json,
// then BertTokenizer's default.
func (b *builder) specialName(cfg, specialMap *tokenizer.TokenName, def string) string {
	switch {
	case cfg != nil:
		return string(*cfg)
	case specialMap != nil:
		return string(*specialMap)
	}
	return def
}
