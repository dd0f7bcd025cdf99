package parquetio

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// readWithPython runs testdata/read_output.py on paths with $BERTBATCH_PYTHON
// and decodes what pyarrow (and DuckDB, when installed) saw in each file.
func readWithPython(t *testing.T, paths ...string) []pyView {
	t.Helper()
	py := os.Getenv("BERTBATCH_PYTHON")
	if py == "" {
		t.Skip("BERTBATCH_PYTHON is not set; run through `make test` or eval \"$(make env)\" to check the output with pyarrow")
	}
	out, err := exec.Command(py, append([]string{"testdata/read_output.py"}, paths...)...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("read_output.py: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var v []pyView
	if err := json.Unmarshal(out, &v); err != nil || len(v) != len(paths) {
		t.Fatalf("decoding read_output.py's output (%d files): %v\n%s", len(paths), err, out)
	}
	return v
}

// pyView is what read_output.py prints.
type pyView struct {
	Types          map[string]string
	Rows           int
	RowGroups      int `json:"row_groups"`
	Codecs         []string
	KVMetadata     map[string]string `json:"kv_metadata"`
	SchemaMetadata map[string]string `json:"schema_metadata"`
	Columns        map[string][]any
	FixedSize      map[string]struct {
		ListSize        int    `json:"list_size"`
		ValueType       string `json:"value_type"`
		EqualsPaList    bool   `json:"equals_pa_list"`
		MatchesNumpyF16 *bool  `json:"matches_numpy_f16"`
	} `json:"fixed_size"`
	DuckDB *struct {
		Types      map[string]string
		KV         map[string]string
		ArrayCasts map[string][]any `json:"array_casts"`
	}
}
