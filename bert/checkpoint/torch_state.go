package checkpoint

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// maxDims bounds the rank of a tensor read from a pickle.
const maxDims = 64

// storageRef is a typed PyTorch storage named by a persistent id. Its data is
// attached after the pickle has run.
type storageRef struct {
	key   string
	dtype DType
	numel int
	data  []byte
}

// tensorRef is a view of a storage, as _rebuild_tensor_v2 describes it.
type tensorRef struct {
	storage *storageRef
	offset  int
	shape   []int
	stride  []int
}

// storageTable resolves storage persistent ids, one storageRef per key, so
// tensors that share a storage (tied weights, views) share its data.
type storageTable struct {
	byKey map[string]*storageRef
	order []*storageRef
	// maxNumel, when positive, bounds each storage's element count.
	maxNumel int
}

func newStorageTable() *storageTable { return &storageTable{byKey: map[string]*storageRef{}} }

// load implements the pickle machine's persistentLoad for both the zip layout
// ("storage", type, key, location, numel) and the legacy layout, which adds a
// view_metadata item that must be None.
func (s *storageTable) load(pid *pyTuple) (any, error) {
	items := pid.items
	if len(items) != 5 && len(items) != 6 {
		return nil, fmt.Errorf("storage id has %d items, want 5 or 6", len(items))
	}
	if len(items) == 6 && items[5] != nil {
		return nil, errors.New("storage views (checkpoints from PyTorch before 1.0) are not supported; re-save the model with a current PyTorch")
	}
	g, ok := items[1].(pyGlobal)
	dtype, known := storageTypes[g.String()]
	if !ok || !known {
		return nil, fmt.Errorf("storage type is a %s, not a typed torch storage", typeName(items[1]))
	}
	key, ok := items[2].(string)
	if !ok {
		return nil, fmt.Errorf("storage key is a %s, not a str", typeName(items[2]))
	}
	if _, ok := items[3].(string); !ok {
		return nil, fmt.Errorf("storage %q: location is a %s, not a str", key, typeName(items[3]))
	}
	numel, err := nonNegativeInt(items[4])
	if err != nil {
		return nil, fmt.Errorf("storage %q: element count: %w", key, err)
	}
	if s.maxNumel > 0 && numel > s.maxNumel {
		return nil, fmt.Errorf("storage %q: %d elements is over the limit of %d", key, numel, s.maxNumel)
	}
	if _, err := checkedBytes(numel, dtype.Size()); err != nil {
		return nil, fmt.Errorf("storage %q: %w", key, err)
	}
	if prev, ok := s.byKey[key]; ok {
		if prev.dtype != dtype || prev.numel != numel {
			return nil, fmt.Errorf("storage %q is named twice with different types or sizes (%s×%d, %s×%d)",
				key, prev.dtype, prev.numel, dtype, numel)
		}
		return prev, nil
	}
	ref := &storageRef{key: key, dtype: dtype, numel: numel}
	s.byKey[key] = ref
	s.order = append(s.order, ref)
	return ref, nil
}

// rebuildTensorV2 checks the arguments of torch._utils._rebuild_tensor_v2:
// (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).
func rebuildTensorV2(args []any) (*tensorRef, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 takes 6 or 7 arguments, got %d", len(args))
	}
	storage, ok := args[0].(*storageRef)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2: storage is a %s", typeName(args[0]))
	}
	offset, err := nonNegativeInt(args[1])
	if err != nil {
		return nil, fmt.Errorf("_rebuild_tensor_v2: storage offset: %w", err)
	}
	shape, err := intTuple(args[2])
	if err != nil {
		return nil, fmt.Errorf("_rebuild_tensor_v2: size: %w", err)
	}
	stride, err := intTuple(args[3])
	if err != nil {
		return nil, fmt.Errorf("_rebuild_tensor_v2: stride: %w", err)
	}
	if len(stride) != len(shape) {
		return nil, fmt.Errorf("_rebuild_tensor_v2: size has %d dims but stride has %d", len(shape), len(stride))
	}
	if _, ok := args[4].(bool); !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2: requires_grad is a %s, not a bool", typeName(args[4]))
	}
	ref := &tensorRef{storage: storage, offset: offset, shape: shape, stride: stride}
	if err := ref.checkBounds(); err != nil {
		return nil, err
	}
	return ref, nil
}

// rebuildParameter unwraps torch._utils._rebuild_parameter(data, requires_grad, hooks).
func rebuildParameter(args []any) (*tensorRef, error) {
	if len(args) != 3 {
		return nil, fmt.Errorf("_rebuild_parameter takes 3 arguments, got %d", len(args))
	}
	t, ok := args[0].(*tensorRef)
	if !ok {
		return nil, fmt.Errorf("_rebuild_parameter: data is a %s, not a tensor", typeName(args[0]))
	}
	return t, nil
}

// checkBounds verifies that every element the view addresses lies inside its storage.
func (t *tensorRef) checkBounds() error {
	numel, err := checkedNumel(t.shape)
	if err != nil {
		return fmt.Errorf("tensor size %v: %w", t.shape, err)
	}
	if numel == 0 {
		return nil
	}
	last := uint64(t.offset)
	for i, n := range t.shape {
		hi, span := bits.Mul64(uint64(n-1), uint64(t.stride[i]))
		sum, carry := bits.Add64(last, span, 0)
		if hi != 0 || carry != 0 || sum > math.MaxInt64 {
			return fmt.Errorf("tensor size %v with stride %v: %w", t.shape, t.stride, errOverflow)
		}
		last = sum
	}
	if last >= uint64(t.storage.numel) {
		return fmt.Errorf("tensor of size %v, stride %v at offset %d reads element %d of a storage of %d elements",
			t.shape, t.stride, t.offset, last, t.storage.numel)
	}
	return nil
}

// nonNegativeInt converts a pickled int to a non-negative Go int.
func nonNegativeInt(v any) (int, error) {
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("is a %s, not an int that fits 64 bits", typeName(v))
	}
	if n < 0 {
		return 0, fmt.Errorf("%d is negative", n)
	}
	return int(n), nil
}

// intTuple converts a pickled tuple of non-negative ints.
func intTuple(v any) ([]int, error) {
	t, ok := v.(*pyTuple)
	if !ok {
		return nil, fmt.Errorf("is a %s, not a tuple", typeName(v))
	}
	if len(t.items) > maxDims {
		return nil, fmt.Errorf("has %d dims, more than %d", len(t.items), maxDims)
	}
	out := make([]int, len(t.items))
	for i, item := range t.items {
		n, err := nonNegativeInt(item)
		if err != nil {
			return nil, fmt.Errorf("item %d %w", i, err)
		}
		out[i] = n
	}
	return out, nil
}

// namedTensor is one entry of a state dict.
type namedTensor struct {
	name string
	ref  *tensorRef
}

// stateDictEntries checks that a pickle's value is a dict of tensors by str
// name and returns its entries in order.
func stateDictEntries(v any) ([]namedTensor, error) {
	dict, ok := v.(*pyDict)
	if !ok {
		return nil, fmt.Errorf("the pickle holds a %s, not a state dict (a dict of tensors); save model.state_dict()", typeName(v))
	}
	entries := make([]namedTensor, 0, len(dict.keys))
	for i, key := range dict.keys {
		name, ok := key.(string)
		if !ok {
			return nil, fmt.Errorf("state dict key #%d is a %s, not a str", i, typeName(key))
		}
		ref, ok := dict.vals[i].(*tensorRef)
		if !ok {
			return nil, fmt.Errorf("state dict entry %q is a %s, not a tensor (nested state dicts are not supported)", name, typeName(dict.vals[i]))
		}
		entries = append(entries, namedTensor{name: name, ref: ref})
	}
	return entries, nil
}
