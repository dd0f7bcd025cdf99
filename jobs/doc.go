// Package jobs parses and validates bertbatch job files.
//
// A job file is YAML. Parse and Load read it through yaml.Node, so every problem carries the line and column
// where it sits and the dotted path of the field (for example output.pooling). Parsing is strict: unknown fields,
// wrong types, missing required fields, values outside their set or range and contradictory options are all
// collected and returned together as Problems; a job with any problem is never returned.
//
// Invariants of a returned *Job:
//   - Every field holds an explicit value: defaults are applied by the parser, never by consumers. Fields that
//     do not apply to the job's kind (embedding options when model.head is set, token columns when
//     input.text_column is set) are cleared to their zero value.
//   - Path fields (model.ref when it names a folder, model.cache_dir, input.paths, output.dir) have had their
//     ${VAR} and $VAR references expanded and are absolute: relative paths are resolved against the folder of
//     the job file, so a job runs the same from any working directory (cron, launchd).
//   - Parse reads no file and touches no network; it checks the job file, not the model or the data.
//
// The field set, its defaults, enumerations and ranges are declared once, in the struct tags of types.go; the
// decoder, the JSON Schema test and Hash all read them from there.
package jobs
