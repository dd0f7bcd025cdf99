package checkpoint

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// zipMagic starts every zip file's first local header.
var zipMagic = []byte("PK\x03\x04")

// readWholeFile reads a file with a single allocation. Its errors name the file.
func readWholeFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, st.Size())
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, fmt.Errorf("%s: reading %d bytes: %w", path, st.Size(), err)
	}
	return buf, nil
}

// openZip opens an in-memory zip archive. Entry names are only looked up,
// never written to disk, so names that leave the archive's root are harmless.
func openZip(buf []byte) (*zip.Reader, error) {
	r, err := zip.NewReader(bytes.NewReader(buf), int64(len(buf)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, err
	}
	return r, nil
}

// zipEntryBytes returns an entry's content. A stored (uncompressed) entry is
// a sub-slice of buf, checked against its CRC-32 when the archive records
// one; a compressed entry is inflated into a new buffer.
func zipEntryBytes(buf []byte, f *zip.File) ([]byte, error) {
	if f.Method == zip.Store {
		off, err := f.DataOffset()
		if err != nil {
			return nil, err
		}
		size := f.CompressedSize64
		if f.UncompressedSize64 != size || off < 0 || size > uint64(len(buf)) || uint64(off) > uint64(len(buf))-size {
			return nil, fmt.Errorf("entry %s: stored data runs past the end of the archive", f.Name)
		}
		data := buf[off : off+int64(size) : off+int64(size)]
		if f.CRC32 != 0 && crc32.ChecksumIEEE(data) != f.CRC32 {
			return nil, fmt.Errorf("entry %s: %w", f.Name, zip.ErrChecksum)
		}
		return data, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("entry %s: %w", f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	if err != nil {
		return nil, fmt.Errorf("entry %s: %w", f.Name, err)
	}
	if uint64(len(data)) != f.UncompressedSize64 {
		return nil, fmt.Errorf("entry %s: holds %d bytes, its header says %d", f.Name, len(data), f.UncompressedSize64)
	}
	return data, nil
}

// swapBytes reverses the byte order of each elemSize-byte element in place.
func swapBytes(data []byte, elemSize int) {
	if elemSize <= 1 {
		return
	}
	for i := 0; i+elemSize <= len(data); i += elemSize {
		e := data[i : i+elemSize]
		for a, b := 0, elemSize-1; a < b; a, b = a+1, b-1 {
			e[a], e[b] = e[b], e[a]
		}
	}
}
