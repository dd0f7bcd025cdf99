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
	pathKind   string // "", "ref", "dir", "outdir" or "glob"
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

// pathOf returns the dotted path, from the yaml tags, of the field of job that field points to:
// pathOf(j, &j.Model.Revision) is "model.revision". Validation names fields this way, so that a
// renamed field cannot leave a stale path behind. A pointer to no field of job panics.
func pathOf(job *Job, field any) string {
	target := reflect.ValueOf(field)
	if target.Kind() == reflect.Pointer && !target.IsNil() {
		if p, ok := findPath(reflect.ValueOf(job).Elem(), target, ""); ok {
			return p
		}
	}
	panic(fmt.Sprintf("jobs: %T does not point to a field of the job", field))
}

// findPath looks for the field target points to among v's fields, recursively.
func findPath(v reflect.Value, target reflect.Value, prefix string) (string, bool) {
	for _, s := range fieldsOf(v.Type()) {
		f := v.Field(s.index)
		p := joinPath(prefix, s.name)
		if f.Addr().Pointer() == target.Pointer() && f.Type() == target.Type().Elem() {
			return p, true
		}
		if f.Kind() == reflect.Struct {
			if found, ok := findPath(f, target, p); ok {
				return found, true
			}
		}
	}
	return "", false
}
