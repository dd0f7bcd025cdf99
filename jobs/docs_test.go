package jobs

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/bert/outputs"
)

// TestReferenceDocumentsEveryField checks that docs/jobs.md has a row for every field, under its dotted path,
// that an enumerated field's row lists exactly the parser's values in order, and that no row documents a field
// the parser does not know.
func TestReferenceDocumentsEveryField(t *testing.T) {
	data, err := os.ReadFile("../docs/jobs.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // dotted path → the row's type cell
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			name, rest, _ := strings.Cut(rest, "`")
			cells := strings.Split(strings.ReplaceAll(rest, `\|`, "\x00"), "|")
			if len(cells) > 1 {
				rows[name] = strings.TrimSpace(strings.ReplaceAll(cells[1], "\x00", "|"))
			} else {
				rows[name] = ""
			}
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
			cell, ok := rows[path]
			if !ok {
				t.Errorf("docs/jobs.md has no row for %s", path)
			}
			if values := enumOf(ft); values != nil && ok {
				want := make([]string, len(values))
				for i, v := range values {
					want[i] = "`" + v + "`"
					if v == "" {
						want[i] = "`\"\"`"
					}
				}
				if w := strings.Join(want, " | "); cell != w {
					t.Errorf("docs/jobs.md lists %s as %s, the parser as %s", path, cell, w)
				}
			}
			delete(rows, path)
		}
	}
	walk(reflect.TypeFor[Job](), "")
	for path := range rows {
		t.Errorf("docs/jobs.md documents %s, which the parser does not know", path)
	}
}

// TestHeadColumnsDocumented checks that the reference and the schema name every column a head writes,
// as bert/outputs lists them.
func TestHeadColumnsDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/jobs.md")
	if err != nil {
		t.Fatal(err)
	}
	var row string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "| `model.head` |") {
			row = line
		}
	}
	var schema struct {
		Properties struct {
			Model struct {
				Properties struct {
					Head struct {
						Description string `json:"description"`
					} `json:"head"`
				} `json:"properties"`
			} `json:"model"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	for _, c := range outputs.HeadColumns() {
		if !strings.Contains(row, "`"+c+"`") {
			t.Errorf("docs/jobs.md: the model.head row does not name the column %s", c)
		}
		if !strings.Contains(schema.Properties.Model.Properties.Head.Description, c) {
			t.Errorf("schema.json: model.head's description does not name the column %s", c)
		}
	}
}
