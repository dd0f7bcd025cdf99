package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// npyMagic starts every .npy file.
var npyMagic = []byte("\x93NUMPY")

// npyDescrs maps NumPy type codes (without byte order) to dtypes.
var npyDescrs = map[string]DType{
	"f4": F32, "f2": F16, "f8": F64,
	"i8": I64, "i4": I32, "i2": I16, "i1": I8, "u1": U8, "b1": Bool,
}

// parseNPY decodes one .npy file held in data into a row-major
// little-endian tensor. Fortran-ordered arrays are transposed to C order and
// big-endian arrays are byte-swapped (both into new buffers).
func parseNPY(name string, data []byte) (Tensor, error) {
	header, body, err := splitNPY(data)
	if err != nil {
		return Tensor{}, err
	}
	fields, err := parsePyDict(header)
	if err != nil {
		return Tensor{}, fmt.Errorf("header %q: %w", header, err)
	}
	dtype, bigEndian, err := npyDType(fields["descr"])
	if err != nil {
		return Tensor{}, err
	}
	fortran, ok := fields["fortran_order"].(bool)
	if !ok {
		return Tensor{}, errors.New("header has no fortran_order True/False")
	}
	shape, ok := fields["shape"].([]int)
	if !ok {
		return Tensor{}, errors.New("header has no shape tuple")
	}
	numel, err := checkedNumel(shape)
	if err != nil {
		return Tensor{}, fmt.Errorf("shape %v: %w", shape, err)
	}
	size, err := checkedBytes(numel, dtype.Size())
	if err != nil {
		return Tensor{}, fmt.Errorf("shape %v: %w", shape, err)
	}
	if len(body) != size {
		return Tensor{}, fmt.Errorf("holds %d data bytes, shape %v of %s needs %d", len(body), shape, dtype, size)
	}
	if bigEndian && dtype.Size() > 1 {
		body = append([]byte(nil), body...)
		swapBytes(body, dtype.Size())
	}
	if fortran {
		if body, err = viewBytes(body, dtype.Size(), 0, shape, fortranStrides(shape)); err != nil {
			return Tensor{}, err
		}
	}
	return Tensor{Name: name, DType: dtype, Shape: shape, Data: body}, nil
}

// splitNPY checks the magic and version and splits header text from data.
func splitNPY(data []byte) (header string, body []byte, err error) {
	if !bytes.HasPrefix(data, npyMagic) || len(data) < 10 {
		return "", nil, errors.New("not a .npy array (bad magic)")
	}
	major := data[6]
	var headerLen, start int
	switch major {
	case 1:
		headerLen, start = int(binary.LittleEndian.Uint16(data[8:10])), 10
	case 2, 3:
		if len(data) < 12 {
			return "", nil, errors.New(".npy header is truncated")
		}
		headerLen, start = int(binary.LittleEndian.Uint32(data[8:12])), 12
	default:
		return "", nil, fmt.Errorf(".npy format version %d.%d is not supported (want 1, 2 or 3)", major, data[7])
	}
	if headerLen > len(data)-start {
		return "", nil, fmt.Errorf(".npy header length %d runs past the end (%d bytes)", headerLen, len(data))
	}
	return string(data[start : start+headerLen]), data[start+headerLen:], nil
}

// npyDType decodes a descr such as '<f4'.
func npyDType(v any) (DType, bool, error) {
	descr, ok := v.(string)
	if !ok {
		return "", false, errors.New("header has no descr string (structured arrays are not supported)")
	}
	if len(descr) < 2 {
		return "", false, fmt.Errorf("descr %q is not a NumPy type code", descr)
	}
	dtype, ok := npyDescrs[descr[1:]]
	if !ok || !strings.ContainsRune("<>|=", rune(descr[0])) {
		return "", false, fmt.Errorf("descr %q is not supported (want <f4, <f2, <f8, <i8, <i4, <i2, |i1, |u1 or |b1)", descr)
	}
	return dtype, descr[0] == '>', nil
}

// fortranStrides is the column-major stride of shape, in elements.
func fortranStrides(shape []int) []int {
	strides := make([]int, len(shape))
	s := 1
	for i, n := range shape {
		strides[i] = s
		s *= n
	}
	return strides
}

// parsePyDict parses the Python dict literal of a .npy header: str keys;
// values that are str, True/False or a tuple of non-negative ints ([]int).
func parsePyDict(text string) (map[string]any, error) {
	p := &pyLiteral{s: strings.TrimSpace(text)}
	if !p.eat('{') {
		return nil, errors.New("not a dict literal")
	}
	out := map[string]any{}
	for !p.eat('}') {
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if !p.eat(':') {
			return nil, fmt.Errorf("no ':' after key %q", key)
		}
		if out[key], err = p.value(); err != nil {
			return nil, fmt.Errorf("value of %q: %w", key, err)
		}
		if !p.eat(',') && !p.peek('}') {
			return nil, errors.New("entries must be separated by ','")
		}
	}
	return out, nil
}

// pyLiteral is a cursor over a Python literal.
type pyLiteral struct {
	s   string
	pos int
}

func (p *pyLiteral) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\n' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

func (p *pyLiteral) peek(c byte) bool {
	p.skipSpace()
	return p.pos < len(p.s) && p.s[p.pos] == c
}

func (p *pyLiteral) eat(c byte) bool {
	if p.peek(c) {
		p.pos++
		return true
	}
	return false
}

// str reads a quoted string without escapes.
func (p *pyLiteral) str() (string, error) {
	p.skipSpace()
	if p.pos >= len(p.s) || (p.s[p.pos] != '\'' && p.s[p.pos] != '"') {
		return "", fmt.Errorf("expected a quoted string at offset %d", p.pos)
	}
	quote := p.s[p.pos]
	end := strings.IndexByte(p.s[p.pos+1:], quote)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	s := p.s[p.pos+1 : p.pos+1+end]
	p.pos += end + 2
	return s, nil
}

func (p *pyLiteral) value() (any, error) {
	switch {
	case p.peek('\'') || p.peek('"'):
		return p.str()
	case p.eat('('):
		return p.intTuple()
	case strings.HasPrefix(p.s[p.pos:], "True"):
		p.pos += 4
		return true, nil
	case strings.HasPrefix(p.s[p.pos:], "False"):
		p.pos += 5
		return false, nil
	}
	return nil, fmt.Errorf("unsupported literal at offset %d", p.pos)
}

// intTuple reads the rest of a tuple of ints after its '('.
func (p *pyLiteral) intTuple() ([]int, error) {
	dims := []int{}
	for !p.eat(')') {
		p.skipSpace()
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		n, err := strconv.Atoi(p.s[start:p.pos])
		if p.pos < len(p.s) && p.s[p.pos] == 'L' { // Python 2 long suffix
			p.pos++
		}
		if err != nil || len(dims) >= maxDims {
			return nil, fmt.Errorf("shape must be a tuple of at most %d non-negative ints", maxDims)
		}
		dims = append(dims, n)
		if !p.eat(',') && !p.peek(')') {
			return nil, errors.New("shape items must be separated by ','")
		}
	}
	return dims, nil
}
