package jobs

import (
	_ "embed"
	"slices"
)

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of job files, for editor completion and checks. A test keeps it
// in step with the parser: same fields, types, enumerations, defaults, ranges and required fields.
func Schema() []byte { return slices.Clone(schemaJSON) }
