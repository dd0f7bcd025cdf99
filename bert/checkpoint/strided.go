package checkpoint

import "fmt"

// maxExpandedBytes bounds the copy of a strided view that addresses more
// bytes than its storage holds (a broadcast view with zero strides).
const maxExpandedBytes = 1 << 30

// viewBytes returns the elements of a strided view of data in row-major
// order. A row-major contiguous view is returned as a sub-slice of data; any
// other view is copied. The view must already be bounds-checked against data.
func viewBytes(data []byte, elemSize, offset int, shape, stride []int) ([]byte, error) {
	numel, err := checkedNumel(shape)
	if err != nil {
		return nil, err
	}
	if numel == 0 {
		return []byte{}, nil
	}
	if isRowMajor(shape, stride) {
		begin, end := offset*elemSize, (offset+numel)*elemSize
		return data[begin:end:end], nil
	}
	size, err := checkedBytes(numel, elemSize)
	if err != nil {
		return nil, err
	}
	if size > len(data) && size > maxExpandedBytes {
		return nil, fmt.Errorf("strided view of %d bytes expands a %d-byte storage past the %d-byte limit", size, len(data), maxExpandedBytes)
	}
	out := make([]byte, 0, size)
	index := make([]int, len(shape))
	last := len(shape) - 1
	for {
		pos := offset
		for d, i := range index[:last] {
			pos += i * stride[d]
		}
		for i := 0; i < shape[last]; i++ {
			at := (pos + i*stride[last]) * elemSize
			out = append(out, data[at:at+elemSize]...)
		}
		d := last - 1
		for ; d >= 0; d-- {
			index[d]++
			if index[d] < shape[d] {
				break
			}
			index[d] = 0
		}
		if d < 0 {
			return out, nil
		}
	}
}

// isRowMajor reports whether stride is the C-order stride of shape, ignoring
// dimensions of size 1.
func isRowMajor(shape, stride []int) bool {
	want := 1
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] != 1 && stride[d] != want {
			return false
		}
		want *= shape[d]
	}
	return true
}
