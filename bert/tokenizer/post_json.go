package tokenizer

import (
	"encoding/json"
	"fmt"
	"math"
)

// templatePieceJSON is one element of a TemplateProcessing template.
type templatePieceJSON struct {
	SpecialToken *struct {
		ID     string `json:"id"`
		TypeID int32  `json:"type_id"`
	} `json:"SpecialToken"`
	Sequence *struct {
		ID     string `json:"id"`
		TypeID int32  `json:"type_id"`
	} `json:"Sequence"`
}

// postProcessorJSON holds the fields of every post-processor type read here.
type postProcessorJSON struct {
	Type          string              `json:"type"`
	Single        []templatePieceJSON `json:"single"`
	Pair          []templatePieceJSON `json:"pair"`
	SpecialTokens map[string]struct {
		IDs []int64 `json:"ids"`
	} `json:"special_tokens"`
	Sep        []json.RawMessage `json:"sep"`
	Cls        []json.RawMessage `json:"cls"`
	Processors []json.RawMessage `json:"processors"`
}

// ReadPostProcessor reads null, TemplateProcessing, BertProcessing, RobertaProcessing,
// ByteLevel (which only trims offsets: no ids change) or a Sequence of these holding at most
// one that adds tokens. notes receives what a caller should log.
func ReadPostProcessor(raw json.RawMessage, file, field string, notes func(string)) (PostProcessor, error) {
	if IsNull(raw) {
		notes(fmt.Sprintf("%s: no %s: no special tokens are added", file, field))
		return PostProcessor{}, nil
	}
	var p postProcessorJSON
	if err := json.Unmarshal(raw, &p); err != nil {
		return PostProcessor{}, fmt.Errorf("%s: %s: %w", file, field, err)
	}
	switch p.Type {
	case "TemplateProcessing":
		special := map[string][]int32{}
		for name, tok := range p.SpecialTokens {
			ids, err := tokenIDs(tok.IDs)
			if err != nil {
				return PostProcessor{}, fmt.Errorf("%s: %s.special_tokens[%q]: %w", file, field, name, err)
			}
			special[name] = ids
		}
		single, err := template(p.Single, special, file, field, "single", false)
		if err != nil {
			return PostProcessor{}, err
		}
		pair, err := template(p.Pair, special, file, field, "pair", true)
		return PostProcessor{single: single, pair: pair}, err
	case "BertProcessing", "RobertaProcessing":
		cls, err := processingToken(p.Cls, file, field+".cls")
		if err != nil {
			return PostProcessor{}, err
		}
		sep, err := processingToken(p.Sep, file, field+".sep")
		if err != nil {
			return PostProcessor{}, err
		}
		if p.Type == "BertProcessing" {
			return BertTemplate(cls, sep), nil
		}
		return robertaTemplate(cls, sep), nil
	case "ByteLevel":
		return PostProcessor{}, nil // trim_offsets moves offsets only
	case "Sequence":
		var out PostProcessor
		found := false
		for i, sub := range p.Processors {
			subField := fmt.Sprintf("%s.processors[%d]", field, i)
			pp, err := ReadPostProcessor(sub, file, subField, notes)
			if err != nil {
				return PostProcessor{}, err
			}
			if pp.single == nil && pp.pair == nil {
				continue
			}
			if found {
				return PostProcessor{}, &UnsupportedError{File: file, Field: subField, Value: "a second processor that adds tokens"}
			}
			out, found = pp, true
		}
		return out, nil
	}
	return PostProcessor{}, &UnsupportedError{File: file, Field: field + ".type", Value: p.Type}
}

// template resolves one TemplateProcessing template; a single template may only use $A.
func template(pieces []templatePieceJSON, special map[string][]int32, file, field, name string, pair bool) ([]templatePiece, error) {
	out := make([]templatePiece, 0, len(pieces))
	for i, p := range pieces {
		at := fmt.Sprintf("%s.%s[%d]", field, name, i)
		switch {
		case p.SpecialToken != nil:
			ids, ok := special[p.SpecialToken.ID]
			if !ok {
				return nil, fmt.Errorf("%s: %s names special token %q, which %s.special_tokens lacks", file, at, p.SpecialToken.ID, field)
			}
			out = append(out, templatePiece{ids: ids, typeID: p.SpecialToken.TypeID})
		case p.Sequence != nil && (p.Sequence.ID == "A" || (pair && p.Sequence.ID == "B")):
			seq := 0
			if p.Sequence.ID == "B" {
				seq = 1
			}
			out = append(out, templatePiece{isSeq: true, seq: seq, typeID: p.Sequence.TypeID})
		case p.Sequence != nil:
			return nil, fmt.Errorf("%s: %s uses sequence %q, which a %s template cannot have", file, at, p.Sequence.ID, name)
		default:
			return nil, fmt.Errorf("%s: %s is neither a SpecialToken nor a Sequence", file, at)
		}
	}
	return out, nil
}

// processingToken reads BertProcessing's ["[CLS]", 101] pair and returns the id.
func processingToken(raw []json.RawMessage, file, field string) (int32, error) {
	var id int64
	if len(raw) != 2 || json.Unmarshal(raw[1], &id) != nil || id < 0 || id > math.MaxInt32 {
		return 0, fmt.Errorf("%s: %s must be [token, id]", file, field)
	}
	return int32(id), nil
}

// BertTemplate is BertProcessing: [CLS] A [SEP] and [CLS] A [SEP] B [SEP], B's part type 1.
func BertTemplate(cls, sep int32) PostProcessor {
	return PostProcessor{
		single: []templatePiece{{ids: []int32{cls}}, {isSeq: true}, {ids: []int32{sep}}},
		pair: []templatePiece{{ids: []int32{cls}}, {isSeq: true}, {ids: []int32{sep}},
			{isSeq: true, seq: 1, typeID: 1}, {ids: []int32{sep}, typeID: 1}},
	}
}

// robertaTemplate is RobertaProcessing: <s> A </s> and <s> A </s> </s> B </s>, every type id 0
// (as tokenizers 0.23.3 gives them).
func robertaTemplate(cls, sep int32) PostProcessor {
	return PostProcessor{
		single: []templatePiece{{ids: []int32{cls}}, {isSeq: true}, {ids: []int32{sep}}},
		pair: []templatePiece{{ids: []int32{cls}}, {isSeq: true}, {ids: []int32{sep, sep}},
			{isSeq: true, seq: 1}, {ids: []int32{sep}}},
	}
}

func tokenIDs(ids []int64) ([]int32, error) {
	out := make([]int32, len(ids))
	for i, id := range ids {
		if id < 0 || id > math.MaxInt32 {
			return nil, fmt.Errorf("id %d is not a token id", id)
		}
		out[i] = int32(id)
	}
	return out, nil
}
