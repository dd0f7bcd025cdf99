package checkpoint

import (
	"errors"
	"fmt"
	"sort"
)

const (
	globalOrderedDict     = "collections.OrderedDict"
	globalRebuildTensorV2 = "torch._utils._rebuild_tensor_v2"
	globalRebuildParam    = "torch._utils._rebuild_parameter"
)

// storageTypes maps the typed storage classes a state dict names to dtypes.
var storageTypes = map[string]DType{
	"torch.FloatStorage":    F32,
	"torch.HalfStorage":     F16,
	"torch.BFloat16Storage": BF16,
	"torch.DoubleStorage":   F64,
	"torch.LongStorage":     I64,
	"torch.IntStorage":      I32,
	"torch.ShortStorage":    I16,
	"torch.CharStorage":     I8,
	"torch.ByteStorage":     U8,
	"torch.BoolStorage":     Bool,
}

// AllowedGlobals lists, sorted, every global a PyTorch pickle may name.
func AllowedGlobals() []string {
	names := []string{globalOrderedDict, globalRebuildTensorV2, globalRebuildParam}
	for name := range storageTypes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func isAllowedGlobal(full string) bool {
	if _, ok := storageTypes[full]; ok {
		return true
	}
	return full == globalOrderedDict || full == globalRebuildTensorV2 || full == globalRebuildParam
}

// global executes GLOBAL: "module\nname\n", checked against the allowlist.
func (m *pickleMachine) global() error {
	module, err := m.readLine()
	if err != nil {
		return err
	}
	name, err := m.readLine()
	if err != nil {
		return err
	}
	g := pyGlobal{module: module, name: name}
	if !isAllowedGlobal(g.String()) {
		return &UnsafeGlobalError{Module: module, Name: name}
	}
	m.push(g)
	return nil
}

// reduce executes REDUCE: call an allowed function with a tuple of arguments.
func (m *pickleMachine) reduce() error {
	rawArgs, err := m.pop()
	if err != nil {
		return err
	}
	fn, err := m.top()
	if err != nil {
		return err
	}
	args, ok := rawArgs.(*pyTuple)
	if !ok {
		return fmt.Errorf("arguments are a %s, not a tuple", typeName(rawArgs))
	}
	g, ok := fn.(pyGlobal)
	if !ok {
		return fmt.Errorf("cannot call a %s", typeName(fn))
	}
	var result any
	switch g.String() {
	case globalOrderedDict:
		if len(args.items) != 0 {
			return errors.New("collections.OrderedDict is only supported without arguments")
		}
		result = newDict()
	case globalRebuildTensorV2:
		result, err = rebuildTensorV2(args.items)
	case globalRebuildParam:
		result, err = rebuildParameter(args.items)
	default:
		err = fmt.Errorf("%s cannot be called", g)
	}
	if err != nil {
		return err
	}
	m.stack[len(m.stack)-1] = result
	return nil
}

// newObj executes NEWOBJ, which may only create an OrderedDict.
func (m *pickleMachine) newObj() error {
	rawArgs, err := m.pop()
	if err != nil {
		return err
	}
	cls, err := m.pop()
	if err != nil {
		return err
	}
	if _, ok := rawArgs.(*pyTuple); !ok {
		return fmt.Errorf("arguments are a %s, not a tuple", typeName(rawArgs))
	}
	if g, ok := cls.(pyGlobal); !ok || g.String() != globalOrderedDict {
		return fmt.Errorf("can only create a collections.OrderedDict, not a %s", typeName(cls))
	}
	m.push(newDict())
	return nil
}

// build executes BUILD, which may only set attributes of an OrderedDict (a
// state dict's _metadata); the attributes are not needed and are dropped.
func (m *pickleMachine) build() error {
	state, err := m.pop()
	if err != nil {
		return err
	}
	inst, err := m.top()
	if err != nil {
		return err
	}
	if _, ok := inst.(*pyDict); !ok {
		return fmt.Errorf("can only build an OrderedDict, not a %s", typeName(inst))
	}
	if _, ok := state.(*pyDict); !ok {
		return fmt.Errorf("OrderedDict state is a %s, not a dict", typeName(state))
	}
	return nil
}

// binPersID executes BINPERSID: only ("storage", ...) ids are resolved.
func (m *pickleMachine) binPersID() error {
	pid, err := m.pop()
	if err != nil {
		return err
	}
	tuple, ok := pid.(*pyTuple)
	if !ok || len(tuple.items) == 0 || tuple.items[0] != "storage" {
		return errors.New(`only ("storage", ...) persistent ids are allowed`)
	}
	if m.persistentLoad == nil {
		return errors.New("persistent ids are not expected in this pickle")
	}
	v, err := m.persistentLoad(tuple)
	if err != nil {
		return err
	}
	m.push(v)
	return nil
}
