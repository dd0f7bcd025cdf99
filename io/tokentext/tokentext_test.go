package tokentext

import (
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    []int64
		null    bool
		wantErr string
	}{
		{in: "[101, 2023, 102]", want: []int64{101, 2023, 102}},
		{in: " [101,2023,102] ", want: []int64{101, 2023, 102}},
		{in: "[ 101 2023  102]", want: []int64{101, 2023, 102}},
		{in: "[-1, 9223372036854775807]", want: []int64{-1, 9223372036854775807}},
		{in: "[]", want: []int64{}},
		{in: "[  ]", want: []int64{}},
		{in: "", null: true},
		{in: "   ", null: true},
		{in: "101 102", wantErr: "in brackets"},
		{in: "[101, x]", wantErr: `"x" is not an integer`},
		{in: "[101,,102]", wantErr: "empty item after comma 1"},
		{in: "[1.5]", wantErr: `"1.5" is not an integer`},
		{in: "[9223372036854775808]", wantErr: "not an integer"},
		{in: "[" + strings.Repeat("1, ", 50) + "x]", wantErr: "…"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Parse(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if tc.null != (got == nil) || !slices.Equal(got, tc.want) {
				t.Fatalf("Parse(%q) = %#v, want %#v (null %v)", tc.in, got, tc.want, tc.null)
			}
		})
	}
}
