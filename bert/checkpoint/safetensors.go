package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"sort"
	"unicode/utf8"
)

// MaxSafetensorsHeader is the largest header the reference safetensors reader accepts.
const MaxSafetensorsHeader = 100_000_000

// TensorInfo is one tensor entry of a safetensors header. Begin and End are byte
// offsets relative to the start of the data section, End exclusive.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int
	Begin int64
	End   int64
}

// ParseSafetensorsHeader parses and validates the JSON header of a safetensors
// file whose data section is dataLen bytes long. It applies the reference
// reader's rules: known dtypes, non-negative shapes, offsets that start at 0,
// are contiguous without gaps or overlap, end exactly at dataLen, and span
// numel×dtype size bytes (overflow-checked). The result is sorted by offset.
// The optional "__metadata__" entry must map strings to strings.
func ParseSafetensorsHeader(header []byte, dataLen int64) ([]TensorInfo, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, fmt.Errorf("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, fmt.Errorf("header does not start with '{'")
	}
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(header, &entries); err != nil {
		return nil, nil, fmt.Errorf("header is not a JSON object: %w", err)
	}
	var metadata map[string]string
	infos := make([]TensorInfo, 0, len(entries))
	for name, raw := range entries {
		if name == "__metadata__" {
			if err := json.Unmarshal(raw, &metadata); err != nil {
				return nil, nil, fmt.Errorf("__metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		info, err := parseTensorEntry(name, raw)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		infos = append(infos, info)
	}
	sort.Slice(infos, func(i, j int) bool {
		a, b := infos[i], infos[j]
		if a.Begin != b.Begin {
			return a.Begin < b.Begin
		}
		if a.End != b.End {
			return a.End < b.End
		}
		return a.Name < b.Name
	})
	if err := validateOffsets(infos, dataLen); err != nil {
		return nil, nil, err
	}
	return infos, metadata, nil
}

// parseTensorEntry decodes {dtype, shape, data_offsets}, matching keys exactly.
func parseTensorEntry(name string, raw json.RawMessage) (TensorInfo, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return TensorInfo{}, fmt.Errorf("entry is not a JSON object with dtype, shape and data_offsets")
	}
	for _, key := range []string{"dtype", "shape", "data_offsets"} {
		if _, ok := fields[key]; !ok {
			return TensorInfo{}, fmt.Errorf("entry has no %q field", key)
		}
	}
	var dtypeName string
	if err := json.Unmarshal(fields["dtype"], &dtypeName); err != nil {
		return TensorInfo{}, fmt.Errorf("dtype is not a string")
	}
	dtype, err := parseDType(dtypeName)
	if err != nil {
		return TensorInfo{}, err
	}
	var dims []uint64
	if err := json.Unmarshal(fields["shape"], &dims); err != nil || dims == nil {
		return TensorInfo{}, fmt.Errorf("shape must be a list of non-negative integers")
	}
	shape := make([]int, len(dims))
	for i, d := range dims {
		if d > math.MaxInt64 {
			return TensorInfo{}, fmt.Errorf("shape dimension %d is too large", d)
		}
		shape[i] = int(d)
	}
	var offsets []uint64
	if err := json.Unmarshal(fields["data_offsets"], &offsets); err != nil || len(offsets) != 2 {
		return TensorInfo{}, fmt.Errorf("data_offsets must be two non-negative integers [begin, end)")
	}
	if offsets[0] > math.MaxInt64 || offsets[1] > math.MaxInt64 {
		return TensorInfo{}, fmt.Errorf("data_offsets %v are too large", offsets)
	}
	return TensorInfo{Name: name, DType: dtype, Shape: shape, Begin: int64(offsets[0]), End: int64(offsets[1])}, nil
}

// validateOffsets checks that sorted entries tile [0, dataLen) exactly and that
// each spans numel × dtype size bytes.
func validateOffsets(infos []TensorInfo, dataLen int64) error {
	var next int64
	for _, info := range infos {
		if info.Begin != next || info.End < info.Begin {
			return fmt.Errorf("tensor %q: data_offsets [%d, %d) do not continue at byte %d (offsets must be sorted, contiguous and without overlap)",
				info.Name, info.Begin, info.End, next)
		}
		numel, err := checkedNumel(info.Shape)
		if err != nil {
			return fmt.Errorf("tensor %q: shape %v: %w", info.Name, info.Shape, err)
		}
		want, err := checkedBytes(numel, info.DType.Size())
		if err != nil {
			return fmt.Errorf("tensor %q: shape %v: %w", info.Name, info.Shape, err)
		}
		if info.End-info.Begin != int64(want) {
			return fmt.Errorf("tensor %q: data_offsets span %d bytes but shape %v of %s needs %d",
				info.Name, info.End-info.Begin, info.Shape, info.DType, want)
		}
		next = info.End
	}
	if next != dataLen {
		return fmt.Errorf("tensors end at data byte %d but the data section holds %d bytes", next, dataLen)
	}
	return nil
}

// ReadSafetensors reads every tensor of a safetensors file with one read of its
// data section; the tensors' Data share that buffer. It returns the tensors by
// name and the header's __metadata__ (nil when absent).
func ReadSafetensors(path string) (map[string]Tensor, map[string]string, error) {
	tensors, metadata, err := readSafetensors(path)
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &pathErr):
		return nil, nil, err
	case err != nil:
		return nil, nil, fmt.Errorf("%s: %w (the file is damaged or not safetensors)", path, err)
	}
	return tensors, metadata, nil
}

func readSafetensors(path string) (map[string]Tensor, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	var prefix [8]byte
	if _, err := io.ReadFull(f, prefix[:]); err != nil {
		return nil, nil, fmt.Errorf("reading the 8-byte header length (file is %d bytes): %w", size, err)
	}
	n := binary.LittleEndian.Uint64(prefix[:])
	if n > MaxSafetensorsHeader {
		return nil, nil, fmt.Errorf("header length %d is over the %d-byte limit", n, MaxSafetensorsHeader)
	}
	if int64(n)+8 > size {
		return nil, nil, fmt.Errorf("header length %d runs past the end of the %d-byte file", n, size)
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(f, header); err != nil {
		return nil, nil, fmt.Errorf("reading the header: %w", err)
	}
	dataLen := size - 8 - int64(n)
	infos, metadata, err := ParseSafetensorsHeader(header, dataLen)
	if err != nil {
		return nil, nil, err
	}
	data := make([]byte, dataLen)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, nil, fmt.Errorf("reading %d data bytes: %w", dataLen, err)
	}
	tensors := make(map[string]Tensor, len(infos))
	for _, info := range infos {
		tensors[info.Name] = Tensor{
			Name:  info.Name,
			DType: info.DType,
			Shape: info.Shape,
			Data:  data[info.Begin:info.End:info.End],
		}
	}
	return tensors, metadata, nil
}
