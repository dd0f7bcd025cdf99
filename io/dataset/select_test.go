package dataset

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestSelectRows(t *testing.T) {
	d, err := openPaths(t, tokenSpec("id"), 16, testdata+"/tokens_i32.parquet")
	if err != nil {
		t.Fatal(err)
	}
	c := readAll(t, d, nil)[1] // rows 16..31
	tests := []struct {
		rows    []int
		wantErr string
	}{
		{rows: []int{0, 1, 2}},
		{rows: []int{0, 2, 3, 4, 9, 15}},
		{rows: []int{15}},
		{rows: []int{}},
		{rows: []int{2, 1}, wantErr: "strictly increasing"},
		{rows: []int{1, 1}, wantErr: "strictly increasing"},
		{rows: []int{16}, wantErr: "below 16"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.rows), func(t *testing.T) {
			got, err := SelectRows(nil, c.Record, tc.rows)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			if int(got.NumRows()) != len(tc.rows) || !got.Schema().Equal(c.Record.Schema()) {
				t.Fatalf("got %d rows, schema %v", got.NumRows(), got.Schema())
			}
			for k, r := range tc.rows {
				for col := range int(got.NumCols()) {
					if g, w := value(got.Column(col), k), value(c.Record.Column(col), r); !reflect.DeepEqual(g, w) {
						t.Fatalf("selected row %d (source %d) column %d = %v, want %v", k, r, col, g, w)
					}
				}
			}
		})
	}
}

// TestPassthroughSchemaExact checks that Passthrough returns records with
// exactly the dataset's passthrough schema, whatever the file's field order.
func TestPassthroughSchemaExact(t *testing.T) {
	d, err := openPaths(t, tokenSpec("weight", "input_ids", "id"), 0, testdata+"/tokens_i32.parquet", testdata+"/tokens.arrows")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range readAll(t, d, nil) {
		pt, err := d.Passthrough(c)
		if err != nil {
			t.Fatal(err)
		}
		if !pt.Schema().Equal(d.PassthroughSchema()) {
			t.Fatalf("%s: passthrough schema %v, want %v", c.Unit, pt.Schema(), d.PassthroughSchema())
		}
		pt.Release()
	}
	// The first file decides the type; list item names do not make types differ.
	if got := d.PassthroughSchema().Field(1).Type.String(); got != "list<element: int32, nullable>" {
		t.Fatalf("input_ids passthrough type = %s", got)
	}
}
