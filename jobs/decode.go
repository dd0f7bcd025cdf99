package jobs

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder fills a Job from a yaml.Node tree, driven by the field specs of types.go, collecting problems instead
// of stopping at the first.
type decoder struct {
	file     string
	base     string // folder relative paths are resolved against
	lookup   func(string) (string, bool)
	problems Problems
	// given maps the dotted path of every field present in the file to its value node.
	given     map[string]*yaml.Node
	elsewhere map[string][]string
}

func newDecoder(file, base string, lookup func(string) (string, bool)) *decoder {
	return &decoder{file: file, base: base, lookup: lookup, given: map[string]*yaml.Node{}, elsewhere: fieldPaths()}
}

// problem records a problem at node n (nil: no position).
func (d *decoder) problem(n *yaml.Node, path, format string, args ...any) {
	p := Problem{File: d.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	d.problems = append(d.problems, p)
}

// decodeStruct fills the struct v from mapping m. m is nil when the section is absent; at is the node that
// problems about missing fields point to.
func (d *decoder) decodeStruct(m, at *yaml.Node, v reflect.Value, prefix string) {
	specs := fieldsOf(v.Type())
	present := map[string]bool{}
	if m != nil {
		known := make([]string, len(specs))
		for i, s := range specs {
			known[i] = s.name
		}
		byName := map[string]fieldSpec{}
		for _, s := range specs {
			byName[s.name] = s
		}
		firstAt := map[string]*yaml.Node{}
		for i := 0; i+1 < len(m.Content); i += 2 {
			key, val := m.Content[i], resolveAlias(m.Content[i+1])
			if !d.checkKey(key, prefix, firstAt) {
				continue
			}
			s, ok := byName[key.Value]
			if !ok {
				d.problem(key, joinPath(prefix, key.Value), "%s", unknownFieldMessage(key.Value, prefix, known, d.elsewhere))
				continue
			}
			path := joinPath(prefix, s.name)
			present[s.name] = true
			d.given[path] = val
			d.decodeField(key, val, v.Field(s.index), s, path)
		}
	}
	for _, s := range specs {
		if s.required && !present[s.name] {
			d.problem(at, joinPath(prefix, s.name), "missing required field")
		}
	}
}

// checkKey reports keys that are not plain field names or repeat an earlier key; it returns whether to go on.
func (d *decoder) checkKey(key *yaml.Node, prefix string, firstAt map[string]*yaml.Node) bool {
	if key.Kind != yaml.ScalarNode {
		d.problem(key, prefix, "field names must be plain words, not a %s", kindName(key))
		return false
	}
	if key.ShortTag() == "!!merge" {
		d.problem(key, prefix, "merge keys (<<) are not supported; write the fields out")
		return false
	}
	if first, dup := firstAt[key.Value]; dup {
		d.problem(key, joinPath(prefix, key.Value), "given twice (first at line %d); keep one", first.Line)
		return false
	}
	firstAt[key.Value] = key
	return true
}

// applyDefaults sets every field of struct v that has a default, sections included.
func applyDefaults(v reflect.Value) {
	for _, s := range fieldsOf(v.Type()) {
		f := v.Field(s.index)
		if f.Kind() == reflect.Struct {
			applyDefaults(f)
			continue
		}
		if !s.hasDefault {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString(s.def)
		case reflect.Int:
			n, err := strconv.Atoi(s.def)
			if err != nil {
				panic(fmt.Sprintf("jobs: field %s: bad default %q", s.name, s.def))
			}
			f.SetInt(int64(n))
		case reflect.Bool:
			f.SetBool(s.def == "true")
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		}
	}
}

// decodeField decodes the value node of one field; key locates problems about a missing value.
func (d *decoder) decodeField(key, val *yaml.Node, f reflect.Value, s fieldSpec, path string) {
	if val.Kind == yaml.ScalarNode && val.ShortTag() == "!!null" {
		d.problem(key, path, "has no value; give one or remove the field")
		return
	}
	switch f.Kind() {
	case reflect.Struct:
		if val.Kind != yaml.MappingNode {
			d.problem(val, path, "want a mapping of fields, got %s", describe(val))
			return
		}
		d.decodeStruct(val, key, f, path)
	case reflect.Slice:
		d.decodeList(val, f, s, path)
	case reflect.String:
		if str, ok := d.decodeString(val, f.Type(), path); ok {
			d.setString(val, f, s, path, str)
		}
	case reflect.Int:
		d.decodeInt(val, f, s, path)
	case reflect.Bool:
		if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!bool" {
			d.problem(val, path, "want true or false, got %s", describe(val))
			return
		}
		var b bool
		if err := val.Decode(&b); err != nil {
			d.problem(val, path, "want true or false, got %s", describe(val))
			return
		}
		f.SetBool(b)
	default:
		panic("jobs: unsupported field kind at " + path)
	}
}

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

// resolveAlias follows YAML aliases (*name) to the anchored node.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
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

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
