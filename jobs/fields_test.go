package jobs

import (
	"strings"
	"testing"
)

// TestPathOf checks the dotted paths validation names fields by: they come from the yaml tags, so
// renaming a field's key changes them here, in every message and in docs/jobs.md together.
func TestPathOf(t *testing.T) {
	var j Job
	tests := []struct {
		field any
		want  string
	}{
		{&j.Model, "model"},
		{&j.Model.Ref, "model.ref"},
		{&j.Model.Revision, "model.revision"},
		{&j.Model.Head, "model.head"},
		{&j.Input.Paths, "input.paths"},
		{&j.Input.Format, "input.format"},
		{&j.Input.InputIDsColumn, "input.input_ids_column"},
		{&j.Input.TextColumn, "input.text_column"},
		{&j.Output.Dir, "output.dir"},
		{&j.Output.EmbeddingColumn, "output.embedding_column"},
		{&j.Output.WriteTokenIDs, "output.write_token_ids"},
		{&j.Batching.MaxTokens, "batching.max_tokens"},
		{&j.Batching.MaxLength, "batching.max_length"},
		{&j.Workers, "workers"},
		{&j.Mode, "mode"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := pathOf(&j, tt.field); got != tt.want {
				t.Errorf("pathOf = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPathOfRefusesOtherPointers checks that a pointer outside the job, or to a field that is not
// read from the file, is a loud programming error rather than a wrong path.
func TestPathOfRefusesOtherPointers(t *testing.T) {
	var j, other Job
	tests := []struct {
		name  string
		field any
	}{
		{"another job's field", &other.Model.Ref},
		{"a field not in the file", &j.File},
		{"not a pointer", j.Model.Ref},
		{"nil", (*string)(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "does not point to a field of the job") {
					t.Errorf("recovered %v, want a panic naming the mistake", r)
				}
			}()
			pathOf(&j, tt.field)
		})
	}
}
