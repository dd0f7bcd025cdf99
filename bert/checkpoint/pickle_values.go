package checkpoint

import "math/big"

// Values on the pickle machine's stack are one of: nil (None), bool, int64,
// *big.Int (integers past 64 bits), float64, string, *pyTuple, *pyList,
// *pyDict, *pySet, pyGlobal, *storageRef or *tensorRef. Containers are
// pointers, so every value is comparable and may key a Go map.

// pyTuple is an immutable Python tuple.
type pyTuple struct{ items []any }

// pyList is a Python list.
type pyList struct{ items []any }

// pySet is an empty Python set (the allowed opcodes cannot fill one).
type pySet struct{}

// pyDict is a Python dict or OrderedDict that keeps insertion order.
type pyDict struct {
	keys  []any
	vals  []any
	index map[any]int
}

func newDict() *pyDict { return &pyDict{index: map[any]int{}} }

// set inserts or replaces key.
func (d *pyDict) set(key, val any) {
	if i, ok := d.index[key]; ok {
		d.vals[i] = val
		return
	}
	d.index[key] = len(d.keys)
	d.keys = append(d.keys, key)
	d.vals = append(d.vals, val)
}

// get looks up key.
func (d *pyDict) get(key any) (any, bool) {
	i, ok := d.index[key]
	if !ok {
		return nil, false
	}
	return d.vals[i], true
}

// pyGlobal is a module attribute the pickle named with GLOBAL and the
// allowlist accepted.
type pyGlobal struct{ module, name string }

func (g pyGlobal) String() string { return g.module + "." + g.name }

// typeName names a value's Python type for error messages without printing
// the value (which may be large or cyclic).
func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case *pyTuple:
		return "tuple"
	case *pyList:
		return "list"
	case *pyDict:
		return "dict"
	case *pySet:
		return "set"
	case pyGlobal:
		return v.String()
	case *storageRef:
		return "storage"
	case *tensorRef:
		return "tensor"
	}
	return "unknown"
}
