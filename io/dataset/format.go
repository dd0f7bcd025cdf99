package dataset

import (
	"fmt"
	"path/filepath"
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

// extensions maps lower-case file extensions to formats for FormatAuto.
var extensions = map[string]Format{
	".parquet": FormatParquet, ".pq": FormatParquet,
	".arrow": FormatArrow, ".feather": FormatArrow, ".ipc": FormatArrow,
	".arrows": FormatArrowStream,
	".csv":    FormatCSV, ".tsv": FormatTSV,
	".jsonl": FormatJSONL, ".ndjson": FormatJSONL, ".json": FormatJSONL,
}

// ParseFormat checks a format name; "" means FormatAuto.
func ParseFormat(s string) (Format, error) {
	if s == "" {
		return FormatAuto, nil
	}
	switch f := Format(s); f {
	case FormatAuto, FormatParquet, FormatArrow, FormatArrowStream, FormatCSV, FormatTSV, FormatJSONL:
		return f, nil
	}
	return "", fmt.Errorf("unknown input format %q; use one of auto, parquet, arrow, arrow_stream, csv, tsv, jsonl", s)
}

// FormatOf returns the format of path from its extension.
func FormatOf(path string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if f, ok := extensions[ext]; ok {
		return f, nil
	}
	return "", fmt.Errorf("%s: cannot tell the format from the extension %q; name the format in the job (input.format) "+
		"or use one of .parquet .pq .arrow .feather .ipc .arrows .csv .tsv .jsonl .ndjson .json", path, ext)
}

// known reports whether path has an extension FormatOf recognises.
func known(path string) bool {
	_, ok := extensions[strings.ToLower(filepath.Ext(path))]
	return ok
}
