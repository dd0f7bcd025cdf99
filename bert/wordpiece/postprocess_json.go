package wordpiece

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

// readPostProcessor reads null, TemplateProcessing or BertProcessing.
func (b *builder) readPostProcessor(raw json.RawMessage) error {
	if isNull(raw) {
		b.note("%s: no post_processor: no [CLS]/[SEP] are added", b.file)
		return nil
	}
	var p struct {
		Type          string              `json:"type"`
		Single        []templatePieceJSON `json:"single"`
		Pair          []templatePieceJSON `json:"pair"`
		SpecialTokens map[string]struct {
			IDs []int64 `json:"ids"`
		} `json:"special_tokens"`
		Sep []json.RawMessage `json:"sep"`
		Cls []json.RawMessage `json:"cls"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("%s: post_processor: %w", b.file, err)
	}
	switch p.Type {
	case "TemplateProcessing":
		special := map[string][]int32{}
		for name, tok := range p.SpecialTokens {
			ids, err := tokenIDs(tok.IDs)
			if err != nil {
				return fmt.Errorf("%s: post_processor.special_tokens[%q]: %w", b.file, name, err)
			}
			special[name] = ids
		}
		var err error
		if b.post.single, err = b.template(p.Single, special, "single", false); err != nil {
			return err
		}
		b.post.pair, err = b.template(p.Pair, special, "pair", true)
		return err
	case "BertProcessing":
		cls, err := b.bertProcessingToken(p.Cls, "cls")
		if err != nil {
			return err
		}
		sep, err := b.bertProcessingToken(p.Sep, "sep")
		if err != nil {
			return err
		}
		b.post = bertTemplate(cls, sep)
		return nil
	}
	return &UnsupportedError{File: b.file, Field: "post_processor.type", Value: p.Type}
}

// template resolves one TemplateProcessing template; a single template may only use $A.
func (b *builder) template(pieces []templatePieceJSON, special map[string][]int32, name string, pair bool) ([]templatePiece, error) {
	out := make([]templatePiece, 0, len(pieces))
	for i, p := range pieces {
		field := fmt.Sprintf("post_processor.%s[%d]", name, i)
		switch {
		case p.SpecialToken != nil:
			ids, ok := special[p.SpecialToken.ID]
			if !ok {
				return nil, fmt.Errorf("%s: %s names special token %q, which post_processor.special_tokens lacks", b.file, field, p.SpecialToken.ID)
			}
			out = append(out, templatePiece{ids: ids, typeID: p.SpecialToken.TypeID})
		case p.Sequence != nil && (p.Sequence.ID == "A" || (pair && p.Sequence.ID == "B")):
			seq := 0
			if p.Sequence.ID == "B" {
				seq = 1
			}
			out = append(out, templatePiece{isSeq: true, seq: seq, typeID: p.Sequence.TypeID})
		case p.Sequence != nil:
			return nil, fmt.Errorf("%s: %s uses sequence %q, which a %s template cannot have", b.file, field, p.Sequence.ID, name)
		default:
			return nil, fmt.Errorf("%s: %s is neither a SpecialToken nor a Sequence", b.file, field)
		}
	}
	return out, nil
}

// bertProcessingToken reads BertProcessing's ["[CLS]", 101] pair and returns the id.
func (b *builder) bertProcessingToken(raw []json.RawMessage, field string) (int32, error) {
	var id int64
	if len(raw) != 2 || json.Unmarshal(raw[1], &id) != nil || id < 0 || id > math.MaxInt32 {
		return 0, fmt.Errorf("%s: post_processor.%s must be [token, id]", b.file, field)
	}
	return int32(id), nil
}

// bertTemplate is BertProcessing: [CLS] A [SEP] and [CLS] A [SEP] B [SEP], B's part type 1.
func bertTemplate(cls, sep int32) postProcessor {
	return postProcessor{
		single: []templatePiece{{ids: []int32{cls}}, {isSeq: true}, {ids: []int32{sep}}},
		pair: []templatePiece{{ids: []int32{cls}}, {isSeq: true}, {ids: []int32{sep}},
			{isSeq: true, seq: 1, typeID: 1}, {ids: []int32{sep}, typeID: 1}},
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
