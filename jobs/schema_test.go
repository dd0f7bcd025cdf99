package jobs

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// schemaNode is the part of JSON Schema that schema.json uses.
type schemaNode struct {
	Schema               string                 `json:"$schema"`
	ID                   string                 `json:"$id"`
	Title                string                 `json:"title"`
	UniqueItems          bool                   `json:"uniqueItems"`
	Type                 string                 `json:"type"`
	Description          string                 `json:"description"`
	Enum                 []any                  `json:"enum"`
	Default              json.RawMessage        `json:"default"`
	Minimum              *int                   `json:"minimum"`
	Maximum              *int                   `json:"maximum"`
	MinLength            *int                   `json:"minLength"`
	MinItems             *int                   `json:"minItems"`
	Items                *schemaNode            `json:"items"`
	Properties           map[string]*schemaNode `json:"properties"`
	Required             []string               `json:"required"`
	AdditionalProperties *bool                  `json:"additionalProperties"`
}

const notHashed = "Not part of the job hash."

// TestSchemaInSync walks schema.json beside the Go types and fails on any difference in fields, types,
// enumerations, defaults, ranges or required fields.
func TestSchemaInSync(t *testing.T) {
	var root schemaNode
	dec := json.NewDecoder(bytes.NewReader(Schema()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	if root.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %q, want draft 2020-12", root.Schema)
	}
	compareObject(t, "(root)", &root, reflect.TypeFor[Job]())
}

func compareObject(t *testing.T, path string, n *schemaNode, rt reflect.Type) {
	t.Helper()
	if n.Type != "object" || n.AdditionalProperties == nil || *n.AdditionalProperties {
		t.Errorf("%s: want type object with additionalProperties false", path)
	}
	var names, required []string
	for _, s := range fieldsOf(rt) {
		names = append(names, s.name)
		if s.required {
			required = append(required, s.name)
		}
	}
	for name := range n.Properties {
		if !slices.Contains(names, name) {
			t.Errorf("%s: schema has %q, the parser does not", path, name)
		}
	}
	if !sameSet(n.Required, required) {
		t.Errorf("%s: schema requires %v, the parser %v", path, n.Required, required)
	}
	for _, s := range fieldsOf(rt) {
		p := strings.TrimPrefix(joinPath(path, s.name), "(root).")
		prop := n.Properties[s.name]
		if prop == nil {
			t.Errorf("%s: the parser has it, schema.json does not", p)
			continue
		}
		compareField(t, p, prop, s, rt.Field(s.index).Type)
	}
}

func compareField(t *testing.T, path string, n *schemaNode, s fieldSpec, ft reflect.Type) {
	t.Helper()
	if ft.Kind() == reflect.Pointer {
		if s.hasDefault || n.Default != nil {
			t.Errorf("%s: an optional (pointer) field has no default, in the parser or the schema", path)
		}
		ft = ft.Elem()
	}
	if n.Description == "" {
		t.Errorf("%s: no description", path)
	}
	if ft.Kind() != reflect.Struct && strings.Contains(n.Description, notHashed) == s.hashed {
		t.Errorf("%s: description must say %q exactly when the field is tagged hash:\"-\"", path, notHashed)
	}
	if values := enumOf(ft); values != nil {
		if want := schemaEnum(ft, values); !reflect.DeepEqual(n.Enum, want) {
			t.Errorf("%s: enum %v, the parser %v", path, n.Enum, want)
		}
	} else if n.Enum != nil {
		t.Errorf("%s: schema has an enum, the parser does not", path)
	}
	compareDefault(t, path, n, s, ft)
	wantType := map[reflect.Kind]string{reflect.Struct: "object", reflect.Int: "integer", reflect.Bool: "boolean",
		reflect.Slice: "array", reflect.String: "string"}[ft.Kind()]
	if enumOf(ft) != nil {
		wantType = "" // enumerations carry their values, not a type
	}
	if n.Type != wantType {
		t.Errorf("%s: type %q, want %q", path, n.Type, wantType)
	}
	if !sameBound(n.Minimum, s.min, s.hasMin) || !sameBound(n.Maximum, s.max, s.hasMax) {
		t.Errorf("%s: schema range [%v, %v], parser tags min %q max %q", path, deref(n.Minimum), deref(n.Maximum),
			tagOr(s.hasMin, s.min), tagOr(s.hasMax, s.max))
	}
	switch ft.Kind() {
	case reflect.Struct:
		compareObject(t, path, n, ft)
	case reflect.Slice:
		if n.Items == nil || n.Items.Type != "string" || n.Items.MinLength == nil || *n.Items.MinLength != 1 {
			t.Errorf("%s: items must be non-empty strings (the parser refuses empty entries)", path)
		}
		if s.required != (n.MinItems != nil && *n.MinItems == 1) {
			t.Errorf("%s: minItems 1 exactly when required", path)
		}
	case reflect.String:
		if s.required && (n.MinLength == nil || *n.MinLength != 1) {
			t.Errorf("%s: required string without minLength 1", path)
		}
	}
}

// compareDefault checks that the schema's default is the tag's default, typed as JSON.
func compareDefault(t *testing.T, path string, n *schemaNode, s fieldSpec, ft reflect.Type) {
	t.Helper()
	if !s.hasDefault {
		if n.Default != nil {
			t.Errorf("%s: schema has default %s, the parser none", path, n.Default)
		}
		return
	}
	var want any = s.def
	switch {
	case ft.Kind() == reflect.Int:
		want, _ = strconv.Atoi(s.def)
	case ft.Kind() == reflect.Bool, isBoolEnum(ft) && (s.def == "true" || s.def == "false"):
		want = s.def == "true"
	case ft.Kind() == reflect.Slice:
		want = []any{}
	}
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(n.Default, wantJSON) {
		t.Errorf("%s: schema default %s, the parser %s", path, n.Default, wantJSON)
	}
}

// schemaEnum is the enum schema.json must list: the parser's spellings, with YAML booleans as JSON booleans.
func schemaEnum(ft reflect.Type, values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
		if isBoolEnum(ft) && (v == "true" || v == "false") {
			out[i] = v == "true"
		}
	}
	return out
}

func isBoolEnum(ft reflect.Type) bool {
	_, ok := reflect.Zero(ft).Interface().(boolEnum)
	return ok
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func sameBound(schema *int, tag int, hasTag bool) bool {
	return (schema != nil) == hasTag && (schema == nil || *schema == tag)
}

func deref(p *int) any {
	if p == nil {
		return "none"
	}
	return *p
}

func tagOr(has bool, v int) string {
	if !has {
		return "none"
	}
	return strconv.Itoa(v)
}
