package jobs

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// fieldSpec is one job-file field as declared by the struct tags in types.go.
type fieldSpec struct {
	index      int    // position in the Go struct
	name       string // YAML key
	required   bool
	def        string // default value as written in the tag
	hasDefault bool
	min, max   int
	hasMin     bool
	hasMax     bool
	pathKind   string // "", "ref", "dir" or "glob"
	hashed     bool
}

var specCache sync.Map // reflect.Type → []fieldSpec

// fieldsOf returns the job-file fields of a struct type in declaration order, skipping yaml:"-" fields.
// Malformed tags are a programming error and panic; TestFieldTags checks every tag once.
func fieldsOf(t reflect.Type) []fieldSpec {
	if cached, ok := specCache.Load(t); ok {
		return cached.([]fieldSpec)
	}
	var specs []fieldSpec
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "-" || name == "" {
			continue
		}
		s := fieldSpec{index: i, name: name, pathKind: sf.Tag.Get("path"), hashed: sf.Tag.Get("hash") != "-"}
		s.required = sf.Tag.Get("required") == "true"
		s.def, s.hasDefault = sf.Tag.Lookup("default")
		s.min, s.hasMin = intTag(sf, "min")
		s.max, s.hasMax = intTag(sf, "max")
		specs = append(specs, s)
	}
	specCache.Store(t, specs)
	return specs
}

func intTag(sf reflect.StructField, key string) (int, bool) {
	v, ok := sf.Tag.Lookup(key)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		panic(fmt.Sprintf("jobs: field %s: bad %s tag %q", sf.Name, key, v))
	}
	return n, true
}

// enumOf returns the accepted spellings of an enumerated field type, or nil.
func enumOf(t reflect.Type) []string {
	if e, ok := reflect.Zero(t).Interface().(enum); ok {
		return e.enumValues()
	}
	return nil
}

// fieldPaths maps every field name to the dotted paths where it is declared, for "belongs under" hints.
func fieldPaths() map[string][]string {
	out := map[string][]string{}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for _, s := range fieldsOf(t) {
			p := joinPath(prefix, s.name)
			out[s.name] = append(out[s.name], p)
			if ft := t.Field(s.index).Type; ft.Kind() == reflect.Struct {
				walk(ft, p)
			}
		}
	}
	walk(reflect.TypeFor[Job](), "")
	return out
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
