package jsonlio

import (
	"bufio"
	"bytes"
	"io"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/inputfile"
)

// NewFingerprinter returns a fingerprinter of the JSON Lines file path: the
// SHA-256 of a row range's bytes (chunk.MethodText). Rows are the non-blank
// lines, as Read counts them; blank lines before a row belong to it.
func NewFingerprinter(path string) chunk.Fingerprinter {
	return chunk.NewTextRows(path, func() (chunk.RowBounds, error) {
		f, err := inputfile.Open(path)
		if err != nil {
			return nil, err
		}
		return &lineBounds{f: f, br: bufio.NewReaderSize(f, 1<<16)}, nil
	})
}

// lineBounds finds the rows of a JSON Lines file.
type lineBounds struct {
	f      inputfile.File
	br     *bufio.Reader
	offset int64
	lineNo int
}

func (b *lineBounds) First() int64 { return 0 }

func (b *lineBounds) Next() (int64, error) {
	for {
		line, err := b.br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return 0, err
		}
		b.offset += int64(len(line))
		if b.lineNo++; b.lineNo == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(line)) > 0 {
			return b.offset, nil
		}
		if err == io.EOF {
			return 0, io.EOF
		}
	}
}

func (b *lineBounds) Close() error { return b.f.Close() }
