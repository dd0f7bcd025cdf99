package outdir

import (
	"slices"
	"strings"
)

// diffJobText compares two jobs' canonical texts, one "field=value" line per
// setting (a line without "=" is the text's version), and returns one
// Difference per setting that changed, was added or was removed, in the
// order of want's lines and then have's. It returns nothing when either text
// is missing.
func diffJobText(have, want string) []Difference {
	if have == "" || want == "" {
		return nil
	}
	haveFields, haveOrder := splitJobText(have)
	wantFields, wantOrder := splitJobText(want)
	var diffs []Difference
	for _, field := range wantOrder {
		if old, ok := haveFields[field]; !ok || old != wantFields[field] {
			diffs = append(diffs, Difference{Field: field, Have: orAbsent(old, ok), Want: wantFields[field], Setting: true})
		}
	}
	for _, field := range haveOrder {
		if _, ok := wantFields[field]; !ok {
			diffs = append(diffs, Difference{Field: field, Have: haveFields[field], Want: "(absent)", Setting: true})
		}
	}
	return diffs
}

// splitJobText maps each field of a canonical job text to its value and
// lists the fields in order.
func splitJobText(text string) (map[string]string, []string) {
	fields := map[string]string{}
	var order []string
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		field, value, ok := strings.Cut(l, "=")
		if !ok {
			field, value = "job hash rules", l
		}
		if _, dup := fields[field]; !dup {
			order = append(order, field)
		}
		fields[field] = value
	}
	return fields, slices.Clip(order)
}

func orAbsent(v string, ok bool) string {
	if !ok {
		return "(absent)"
	}
	return v
}
