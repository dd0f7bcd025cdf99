package tokenizer

import (
	"fmt"
	"path/filepath"
)

// maxLengthCap is the largest model_max_length taken as a real limit; transformers writes
// 1e30 for "no limit".
const maxLengthCap = 1 << 24

// ModelConfigs is what sentence_bert_config.json and tokenizer_config.json add to a tokenizer:
// the limit and side of truncation the way sentence-transformers and transformers apply them,
// do_lower_case and the padding token's name.
type ModelConfigs struct {
	Files         []string // the files found, in the order read
	MaxLength     int      // 0: no limit
	MaxLengthFrom string
	TruncateLeft  *bool  // truncation_side, when set
	DoLowerCase   bool   // sentence-transformers lowercases every text first
	PadToken      string // tokenizer_config.json pad_token; "" when absent
	Notes         []string
}

// ReadModelConfigs reads the configs beside tokenizer.json in dir. The limit is max_seq_length,
// else model_max_length, else fileMaxLength (tokenizer.json truncation.max_length).
func ReadModelConfigs(dir string, fileMaxLength int) (ModelConfigs, error) {
	var c ModelConfigs
	var sbert struct {
		MaxSeqLength *int  `json:"max_seq_length"`
		DoLowerCase  *bool `json:"do_lower_case"`
	}
	sbertPath := filepath.Join(dir, "sentence_bert_config.json")
	foundSbert, err := ReadJSON(sbertPath, &sbert)
	if err != nil {
		return c, err
	}
	var cfg struct {
		ModelMaxLength *float64   `json:"model_max_length"`
		TruncationSide *string    `json:"truncation_side"`
		PadToken       *TokenName `json:"pad_token"`
	}
	cfgPath := filepath.Join(dir, "tokenizer_config.json")
	foundCfg, err := ReadJSON(cfgPath, &cfg)
	if err != nil {
		return c, err
	}
	if foundSbert {
		c.Files = append(c.Files, sbertPath)
	}
	if foundCfg {
		c.Files = append(c.Files, cfgPath)
	}
	switch {
	case sbert.MaxSeqLength != nil && *sbert.MaxSeqLength > 0:
		c.MaxLength, c.MaxLengthFrom = *sbert.MaxSeqLength, "sentence_bert_config.json max_seq_length"
	case cfg.ModelMaxLength != nil && *cfg.ModelMaxLength >= 1 && *cfg.ModelMaxLength <= maxLengthCap:
		c.MaxLength, c.MaxLengthFrom = int(*cfg.ModelMaxLength), "tokenizer_config.json model_max_length"
	case fileMaxLength > 0:
		c.MaxLength, c.MaxLengthFrom = fileMaxLength, "tokenizer.json truncation.max_length"
	default:
		c.MaxLengthFrom = "none of max_seq_length, model_max_length, truncation.max_length: no limit"
	}
	if fileMaxLength > 0 && c.MaxLength != fileMaxLength {
		c.Notes = append(c.Notes, fmt.Sprintf("tokenizer.json truncates at %d but %s is %d, which sentence-transformers and transformers use; so does bertbatch",
			fileMaxLength, c.MaxLengthFrom, c.MaxLength))
	}
	if side := cfg.TruncationSide; side != nil {
		if *side != "left" && *side != "right" {
			return c, fmt.Errorf("%s: truncation_side must be \"left\" or \"right\", not %q", cfgPath, *side)
		}
		left := *side == "left"
		c.TruncateLeft = &left
	}
	c.DoLowerCase = sbert.DoLowerCase != nil && *sbert.DoLowerCase
	if cfg.PadToken != nil {
		c.PadToken = string(*cfg.PadToken)
	}
	return c, nil
}
