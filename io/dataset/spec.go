package dataset

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is what a model-input column holds, which decides the types accepted.
type Kind int

// Column kinds.
const (
	// KindTokens holds token ids: list, large_list or fixed_size_list of any
	// integer type (CSV and JSON Lines: "[101, 2023]" text or JSON arrays).
	KindTokens Kind = iota + 1
	// KindText holds text: string, large_string or string_view.
	KindText
)

// String names the kind for error messages.
func (k Kind) String() string {
	switch k {
	case KindTokens:
		return "token ids (a list of integers)"
	case KindText:
		return "text (string)"
	}
	return "unknown kind"
}

// Column is one model-input column the caller reads.
type Column struct {
	// Name is the column name; an empty Name is ignored.
	Name string
	Kind Kind
	// Required columns must exist in every file; others are read when present.
	Required bool
}

// Spec names the columns to read.
type Spec struct {
	// Columns are the model inputs.
	Columns []Column
	// Passthrough columns are copied to the output unchanged, in this order.
	// Hive partition keys may be named here.
	Passthrough []string
}

// accepts reports whether typ is acceptable for kind k.
func (k Kind) accepts(typ arrow.DataType) bool {
	switch k {
	case KindTokens:
		l, ok := typ.(arrow.ListLikeType)
		if !ok || typ.ID() == arrow.MAP {
			return false
		}
		switch typ.ID() {
		case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST:
			return arrow.IsInteger(l.Elem().ID())
		}
	case KindText:
		switch typ.ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
			return true
		}
	}
	return false
}

// tokenColumns lists the names of the token columns in s.
func (s Spec) tokenColumns() []string {
	var names []string
	for _, c := range s.Columns {
		if c.Name != "" && c.Kind == KindTokens {
			names = append(names, c.Name)
		}
	}
	return names
}
