package parquetio

import (
	"fmt"

	"github.com/apache/arrow-go/v18/parquet/compress"
)

// DefaultCompression is the codec used when none is named.
const DefaultCompression = "zstd"

// codecs maps codec names to Parquet codecs. "lz4" is LZ4_RAW, the LZ4
// codec current readers (pyarrow, DuckDB, Spark) write and read.
var codecs = map[string]compress.Compression{
	"zstd":   compress.Codecs.Zstd,
	"snappy": compress.Codecs.Snappy,
	"gzip":   compress.Codecs.Gzip,
	"lz4":    compress.Codecs.Lz4Raw,
	"none":   compress.Codecs.Uncompressed,
}

// ParseCompression returns the codec named name; "" means DefaultCompression.
func ParseCompression(name string) (compress.Compression, error) {
	if name == "" {
		name = DefaultCompression
	}
	c, ok := codecs[name]
	if !ok {
		return 0, fmt.Errorf("unknown Parquet compression %q; use one of zstd, snappy, gzip, lz4, none", name)
	}
	return c, nil
}
