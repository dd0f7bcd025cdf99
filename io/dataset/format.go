package dataset

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Format is an input file format.
type Format string

// Formats. FormatArrow and FormatArrowStream both read Arrow IPC; which
// container a file uses is detected from its first bytes.
const (
	FormatAuto        Format = "auto"
	FormatParquet     Format = "parquet"
	FormatArrow       Format = "arrow"
	FormatArrowStream Format = "arrow_stream"
	FormatCSV         Format = "csv"
	FormatTSV         Format = "tsv"
	FormatJSONL       Format = "jsonl"
)

// Formats returns every format name, FormatAuto first, in documentation order. It is the one list
// of formats: the job parser, its JSON Schema and the job reference derive theirs from it.
func Formats() []Format {
	return []Format{FormatAuto, FormatParquet, FormatArrow, FormatArrowStream, FormatCSV, FormatTSV, FormatJSONL}
}

// Delimited reports whether f is a delimited text format (CSV, TSV): its cells are scalars, so it
// can hold text but not token-id lists.
func (f Format) Delimited() bool { return f == FormatCSV || f == FormatTSV }

// extensions maps lower-case file extensions to formats for FormatAuto, in the order messages
// list them.
var extensions = []struct {
	ext    string
	format Format
}{
	{".parquet", FormatParquet}, {".pq", FormatParquet},
	{".arrow", FormatArrow}, {".feather", FormatArrow}, {".ipc", FormatArrow},
	{".arrows", FormatArrowStream},
	{".csv", FormatCSV}, {".tsv", FormatTSV},
	{".jsonl", FormatJSONL}, {".ndjson", FormatJSONL}, {".json", FormatJSONL},
}

// ParseFormat checks a format name; "" means FormatAuto.
func ParseFormat(s string) (Format, error) {
	if s == "" {
		return FormatAuto, nil
	}
	if f := Format(s); slices.Contains(Formats(), f) {
		return f, nil
	}
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown input format %q; use one of %s", s, strings.Join(names, ", "))
}

// FormatOf returns the format of path from its extension.
func FormatOf(path string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if f, ok := formatOfExtension(ext); ok {
		return f, nil
	}
	known := make([]string, len(extensions))
	for i, e := range extensions {
		known[i] = e.ext
	}
	return "", fmt.Errorf("%s: cannot tell the format from the extension %q; name the format in the job (input.format) "+
		"or use one of %s", path, ext, strings.Join(known, " "))
}

func formatOfExtension(ext string) (Format, bool) {
	for _, e := range extensions {
		if e.ext == ext {
			return e.format, true
		}
	}
	return "", false
}
