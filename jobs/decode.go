package jobs

import (
	"fmt"
	"reflect"
	"strconv"

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
	// job is the job being checked, the root pathOf names fields from (set by checkJob).
	job *Job
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
		known, byName := make([]string, len(specs)), map[string]fieldSpec{}
		for i, s := range specs {
			known[i], byName[s.name] = s.name, s
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
	case reflect.Pointer:
		v := reflect.New(f.Type().Elem())
		d.decodeField(key, val, v.Elem(), s, path)
		f.Set(v)
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

// resolveAlias follows YAML aliases (*name) to the anchored node.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
