package tokenizer

// PostProcessor lays out the final ids from the sequence ids: tokenizers' TemplateProcessing
// (BertProcessing is the template "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1",
// RobertaProcessing "<s> $A </s>" / "<s> $A </s> </s> $B </s>"). A nil template (no
// post-processor) concatenates the sequences, type 0 for A and 1 for B.
type PostProcessor struct {
	single, pair []templatePiece
}

// templatePiece is a special token (ids) or a sequence (seq 0 for A, 1 for B), with the type
// id its tokens get.
type templatePiece struct {
	ids    []int32
	seq    int
	isSeq  bool
	typeID int32
}

// Added is the number of special-token ids the template adds.
func (p *PostProcessor) Added(pair bool) int {
	n := 0
	for _, piece := range p.template(pair) {
		n += len(piece.ids)
	}
	return n
}

func (p *PostProcessor) template(pair bool) []templatePiece {
	if pair {
		return p.pair
	}
	return p.single
}

// Apply builds the Encoding from the (already truncated) sequence ids a and b.
func (p *PostProcessor) Apply(a, b []int32, pair bool) Encoding {
	tmpl := p.template(pair)
	if tmpl == nil {
		tmpl = []templatePiece{{isSeq: true, seq: 0, typeID: 0}, {isSeq: true, seq: 1, typeID: 1}}
	}
	n := 0
	for _, piece := range tmpl {
		n += len(piece.ids)
		if piece.isSeq {
			n += len(pick(a, b, piece.seq))
		}
	}
	both := make([]int32, 2*n) // one allocation for the two slices
	enc := Encoding{InputIDs: both[:0:n], TokenTypeIDs: both[n : n : 2*n]}
	for _, piece := range tmpl {
		ids := piece.ids
		if piece.isSeq {
			ids = pick(a, b, piece.seq)
		}
		enc.InputIDs = append(enc.InputIDs, ids...)
		for range ids {
			enc.TokenTypeIDs = append(enc.TokenTypeIDs, piece.typeID)
		}
	}
	return enc
}

func pick(a, b []int32, seq int) []int32 {
	if seq == 0 {
		return a
	}
	return b
}

// Truncation is the limit and side of tokenizers' longest_first truncation.
type Truncation struct {
	MaxLength int  // 0: none
	Left      bool // drop ids from the start instead of the end
}

// Apply cuts a and b (b only when pair) to at most room ids together, the way tokenizers'
// longest_first does: the shorter sequence keeps all its ids when the longer can absorb the
// cut; otherwise both get half of room, the first sequence rounded down.
func (t Truncation) Apply(a, b []int32, pair bool, room int) ([]int32, []int32) {
	if !pair {
		return t.cut(a, room), b
	}
	if len(a)+len(b) <= room {
		return a, b
	}
	n1, n2 := len(a), len(b)
	swapped := n1 > n2
	if swapped {
		n1, n2 = n2, n1
	}
	if n1 > room {
		n2 = n1
	} else {
		n2 = max(n1, room-n1)
	}
	if n1+n2 > room {
		n1 = room / 2
		n2 = n1 + room%2
	}
	if swapped {
		n1, n2 = n2, n1
	}
	return t.cut(a, n1), t.cut(b, n2)
}

func (t Truncation) cut(ids []int32, n int) []int32 {
	if len(ids) <= n {
		return ids
	}
	if t.Left {
		return ids[len(ids)-n:]
	}
	return ids[:n]
}

// IDs returns every id the templates can add.
func (p *PostProcessor) IDs() []int32 {
	var ids []int32
	for _, tmpl := range [][]templatePiece{p.single, p.pair} {
		for _, piece := range tmpl {
			ids = append(ids, piece.ids...)
		}
	}
	return ids
}
