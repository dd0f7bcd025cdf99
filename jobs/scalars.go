package jobs

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Scalar and list decoding: each reads one value node, reports a problem at it when its type, enumeration or
// range is wrong, and stores the value otherwise.

// decodeString reads a scalar as text, accepting enumerations' boolean spellings where the type allows them.
func (d *decoder) decodeString(val *yaml.Node, t reflect.Type, path string) (string, bool) {
	if val.Kind != yaml.ScalarNode {
		d.problem(val, path, "want a string, got %s", describe(val))
		return "", false
	}
	if val.ShortTag() == "!!bool" {
		if _, ok := reflect.Zero(t).Interface().(boolEnum); ok {
			return strings.ToLower(val.Value), true
		}
		d.problem(val, path, "want a string, got the boolean %s; quote it if you mean the text", val.Value)
		return "", false
	}
	return val.Value, true
}

// setString checks an enumeration or resolves a path, then stores the value.
func (d *decoder) setString(val *yaml.Node, f reflect.Value, s fieldSpec, path, str string) {
	if values := enumOf(f.Type()); values != nil && !contains(values, str) {
		d.problem(val, path, "%s", enumMessage(str, values))
		return
	}
	if s.required && str == "" {
		d.problem(val, path, "must not be empty")
		return
	}
	if s.pathKind != "" {
		resolved, err := resolvePath(s.pathKind, str, d.base, d.lookup)
		if err != nil {
			d.problem(val, path, "%v", err)
			return
		}
		str = resolved
	}
	f.SetString(str)
}

func (d *decoder) decodeList(val *yaml.Node, f reflect.Value, s fieldSpec, path string) {
	if val.Kind != yaml.SequenceNode {
		d.problem(val, path, "want a list of strings, got %s", describe(val))
		return
	}
	if s.required && len(val.Content) == 0 {
		d.problem(val, path, "must list at least one entry")
		return
	}
	list := reflect.MakeSlice(f.Type(), len(val.Content), len(val.Content))
	item := s
	item.required = true // list entries are never empty
	for i, n := range val.Content {
		n = resolveAlias(n)
		p := fmt.Sprintf("%s[%d]", path, i)
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
			d.problem(n, p, "empty entry; remove it or give a value")
			continue
		}
		if str, ok := d.decodeString(n, f.Type().Elem(), p); ok {
			d.setString(n, list.Index(i), item, p, str)
		}
	}
	f.Set(list)
}

func (d *decoder) decodeInt(val *yaml.Node, f reflect.Value, s fieldSpec, path string) {
	if val.Kind == yaml.ScalarNode && val.ShortTag() == "!!float" && wholeNumber.MatchString(val.Value) {
		d.problem(val, path, "%s is out of range (%s)", val.Value, rangeText(s)) // too large for an integer
		return
	}
	if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!int" {
		d.problem(val, path, "want a whole number, got %s", describe(val))
		return
	}
	var n int64
	err := val.Decode(&n)
	if err == nil && (s.hasMin && n < int64(s.min) || s.hasMax && n > int64(s.max)) {
		err = fmt.Errorf("out of range")
	}
	if err != nil {
		d.problem(val, path, "%s is out of range (%s)", val.Value, rangeText(s))
		return
	}
	f.SetInt(n)
}

// wholeNumber matches digits that YAML resolved as a float only because they overflow an integer.
var wholeNumber = regexp.MustCompile(`^[-+]?[0-9]+$`)

func rangeText(s fieldSpec) string {
	switch {
	case s.hasMin && s.hasMax:
		return fmt.Sprintf("want %d to %d", s.min, s.max)
	case s.hasMin:
		return fmt.Sprintf("want at least %d", s.min)
	case s.hasMax:
		return fmt.Sprintf("want at most %d", s.max)
	}
	return "too large"
}

// describe names what a node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return kindName(n)
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("the string %q", n.Value)
	case "!!int":
		return "the number " + n.Value
	case "!!float":
		return "the decimal number " + n.Value
	case "!!bool":
		return "the boolean " + n.Value
	}
	return fmt.Sprintf("%q (%s)", n.Value, n.ShortTag())
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a scalar"
}
