package jobs

import (
	"strings"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "plain/path", want: "plain/path"},
		{in: "${DATA}/in", want: "/srv/data/in"},
		{in: "$DATA/in", want: "/srv/data/in"},
		{in: "$HOME$DATA", want: "/home/u/srv/data"},
		{in: "${HOME}x", want: "/home/ux"},
		{in: "$HOMEx", err: "environment variable HOMEx is not set"},
		{in: "cost$$5", want: "cost$5"},
		{in: "$$DATA", want: "$DATA"},
		{in: "$$$DATA", want: "$/srv/data"},
		{in: "a_${DATA}_b", want: "a_/srv/data_b"},
		{in: "${NOPE}", err: "environment variable NOPE is not set"},
		{in: "$A/$B/$A", err: "environment variables A, B are not set"},
		{in: "$EMPTY/x", err: "environment variable EMPTY is empty"},
		{in: "$NOPE/$EMPTY", err: "environment variable NOPE is not set; environment variable EMPTY is empty"},
		{in: "x$", err: "a $ ends the value"},
		{in: "$-x", err: "a $ is not followed by a variable name"},
		{in: "$1", err: "a $ is not followed by a variable name"},
		{in: "${DATA", err: "unclosed ${"},
		{in: "${}", err: "${} is not a variable name"},
		{in: "${1A}", err: "${1A} is not a variable name"},
		{in: "${A-b}", err: "${A-b} is not a variable name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := expandEnv(tt.in, lookupTestEnv)
			switch {
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("got %q, %v; want error containing %q", got, err, tt.err)
			case tt.err == "" && (err != nil || got != tt.want):
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestEnvInPathFields checks that expansion applies to every path field and nowhere else.
func TestEnvInPathFields(t *testing.T) {
	src := "model: {ref: $DATA/model, dtype: float32}\n" +
		"input: {paths: [\"${DATA}/in/*.parquet\", \"lit$$eral\"], text_column: $DATA}\n" +
		"output: {dir: \"${HOME}/out\"}\n"
	j := mustParse(t, src)
	if j.Model.Ref != "/srv/data/model" {
		t.Errorf("model.ref = %q", j.Model.Ref)
	}
	if j.Input.Paths[0] != "/srv/data/in/*.parquet" || j.Input.Paths[1] != "/jobs/lit$eral" {
		t.Errorf("input.paths = %q", j.Input.Paths)
	}
	if j.Output.Dir != "/home/u/out" {
		t.Errorf("output.dir = %q", j.Output.Dir)
	}
	if j.Input.TextColumn != "$DATA" {
		t.Errorf("input.text_column = %q; column names are not expanded", j.Input.TextColumn)
	}
	j = mustParse(t, "model: {ref: org/m, cache_dir: $HOME/.cache/hf}\ninput: {paths: [d]}\noutput: {dir: o}\n")
	if j.Model.CacheDir != "/home/u/.cache/hf" {
		t.Errorf("model.cache_dir = %q", j.Model.CacheDir)
	}
}
