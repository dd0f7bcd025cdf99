package jobs

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestReferenceDocumentsEveryField checks that docs/jobs.md has a row for every field, under its dotted path,
// and no row for a field the parser does not know.
func TestReferenceDocumentsEveryField(t *testing.T) {
	data, err := os.ReadFile("../docs/jobs.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			name, _, _ := strings.Cut(rest, "`")
			rows[name] = true
		}
	}
	var walk func(rt reflect.Type, prefix string)
	walk = func(rt reflect.Type, prefix string) {
		for _, s := range fieldsOf(rt) {
			path, ft := joinPath(prefix, s.name), rt.Field(s.index).Type
			if ft.Kind() == reflect.Struct {
				walk(ft, path)
				continue
			}
			if !rows[path] {
				t.Errorf("docs/jobs.md has no row for %s", path)
			}
			delete(rows, path)
		}
	}
	walk(reflect.TypeFor[Job](), "")
	for path := range rows {
		t.Errorf("docs/jobs.md documents %s, which the parser does not know", path)
	}
}
