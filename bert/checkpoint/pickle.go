package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
)

// UnsafeGlobalError is returned when a pickle names a global outside the
// allowlist. Nothing is imported or called; reading stops.
type UnsafeGlobalError struct {
	Module, Name string
}

// Error names the refused global and the allowlist.
func (e *UnsafeGlobalError) Error() string {
	return fmt.Sprintf("pickle asks for %s.%s; refusing (a weights file needs only %s)",
		e.Module, e.Name, strings.Join(AllowedGlobals(), ", "))
}

// pickleMachine runs the restricted subset of the pickle language.
type pickleMachine struct {
	data      []byte
	pos       int
	stack     []any
	metastack [][]any
	memo      map[uint32]any
	// persistentLoad resolves a BINPERSID id (already checked to be a tuple
	// whose first item is "storage").
	persistentLoad func(pid *pyTuple) (any, error)
}

// unpickle runs one pickle from the start of data and returns its value and
// the number of bytes it used (data may continue with more content).
func unpickle(data []byte, persistentLoad func(pid *pyTuple) (any, error)) (any, int, error) {
	m := &pickleMachine{data: data, memo: map[uint32]any{}, persistentLoad: persistentLoad}
	for {
		start := m.pos
		op, err := m.read(1)
		if err != nil {
			return nil, m.pos, fmt.Errorf("pickle ends at byte %d without STOP", m.pos)
		}
		if op[0] == opStop {
			v, err := m.pop()
			if err != nil {
				return nil, m.pos, fmt.Errorf("pickle byte %d: STOP: %w", start, err)
			}
			return v, m.pos, nil
		}
		if err := m.step(op[0]); err != nil {
			var unsafe *UnsafeGlobalError
			if errors.As(err, &unsafe) {
				return nil, m.pos, err
			}
			return nil, m.pos, fmt.Errorf("pickle byte %d: %s: %w", start, opcodeName(op[0]), err)
		}
	}
}

// step executes one opcode other than STOP.
func (m *pickleMachine) step(op byte) error {
	switch op {
	case opProto:
		_, err := m.read(1)
		return err
	case opGlobal:
		return m.global()
	case opReduce:
		return m.reduce()
	case opNewObj:
		return m.newObj()
	case opBuild:
		return m.build()
	case opBinPersID:
		return m.binPersID()
	case opMark:
		m.metastack = append(m.metastack, m.stack)
		m.stack = nil
		return nil
	case opTuple:
		items, err := m.popMark()
		if err != nil {
			return err
		}
		m.push(&pyTuple{items: items})
		return nil
	case opTuple1, opTuple2, opTuple3:
		return m.smallTuple(int(op-opTuple1) + 1)
	case opEmptyTuple:
		m.push(&pyTuple{})
	case opEmptyList:
		m.push(&pyList{})
	case opEmptyDict:
		m.push(newDict())
	case opEmptySet:
		m.push(&pySet{})
	case opNone:
		m.push(nil)
	case opNewTrue:
		m.push(true)
	case opNewFalse:
		m.push(false)
	case opAppend, opAppends:
		return m.appendItems(op == opAppends)
	case opSetItem, opSetItems:
		return m.setItems(op == opSetItems)
	case opBinGet, opLongBinGet:
		return m.memoGet(op == opLongBinGet)
	case opBinPut, opLongBinPut:
		return m.memoPut(op == opLongBinPut)
	default:
		return m.scalar(op)
	}
	return nil
}

// scalar executes the opcodes that push a number or a string.
func (m *pickleMachine) scalar(op byte) error {
	switch op {
	case opBinInt:
		b, err := m.read(4)
		if err != nil {
			return err
		}
		m.push(int64(int32(binary.LittleEndian.Uint32(b))))
	case opBinInt1:
		b, err := m.read(1)
		if err != nil {
			return err
		}
		m.push(int64(b[0]))
	case opBinInt2:
		b, err := m.read(2)
		if err != nil {
			return err
		}
		m.push(int64(binary.LittleEndian.Uint16(b)))
	case opLong1:
		n, err := m.read(1)
		if err != nil {
			return err
		}
		b, err := m.read(int(n[0]))
		if err != nil {
			return err
		}
		m.push(decodeLong(b))
	case opBinFloat:
		b, err := m.read(8)
		if err != nil {
			return err
		}
		m.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case opBinUnicode:
		n, err := m.read(4)
		if err != nil {
			return err
		}
		b, err := m.read(int(binary.LittleEndian.Uint32(n)))
		if err != nil {
			return err
		}
		m.push(string(b))
	case opShortBinStr:
		n, err := m.read(1)
		if err != nil {
			return err
		}
		b, err := m.read(int(n[0]))
		if err != nil {
			return err
		}
		m.push(string(b))
	default:
		return fmt.Errorf("opcode 0x%02x is not allowed in a weights file; refusing", op)
	}
	return nil
}

// read consumes n bytes.
func (m *pickleMachine) read(n int) ([]byte, error) {
	if n < 0 || n > len(m.data)-m.pos {
		return nil, fmt.Errorf("pickle is truncated: wants %d bytes at byte %d of %d", n, m.pos, len(m.data))
	}
	b := m.data[m.pos : m.pos+n]
	m.pos += n
	return b, nil
}

// readLine consumes bytes up to and including '\n' and returns them without it.
func (m *pickleMachine) readLine() (string, error) {
	rest := m.data[m.pos:]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		return "", fmt.Errorf("pickle is truncated: line at byte %d has no end", m.pos)
	}
	m.pos += i + 1
	return string(rest[:i]), nil
}

func (m *pickleMachine) push(v any) { m.stack = append(m.stack, v) }

func (m *pickleMachine) pop() (any, error) {
	if len(m.stack) == 0 {
		return nil, errors.New("stack is empty")
	}
	v := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return v, nil
}

func (m *pickleMachine) top() (any, error) {
	if len(m.stack) == 0 {
		return nil, errors.New("stack is empty")
	}
	return m.stack[len(m.stack)-1], nil
}

// popMark returns the items pushed since the last MARK and restores the
// stack that MARK saved.
func (m *pickleMachine) popMark() ([]any, error) {
	if len(m.metastack) == 0 {
		return nil, errors.New("no MARK to pop to")
	}
	items := m.stack
	m.stack = m.metastack[len(m.metastack)-1]
	m.metastack = m.metastack[:len(m.metastack)-1]
	return items, nil
}

func (m *pickleMachine) smallTuple(n int) error {
	if len(m.stack) < n {
		return fmt.Errorf("stack holds %d items, needs %d", len(m.stack), n)
	}
	at := len(m.stack) - n
	items := append([]any(nil), m.stack[at:]...)
	m.stack = append(m.stack[:at], &pyTuple{items: items})
	return nil
}

func (m *pickleMachine) appendItems(many bool) error {
	var items []any
	if many {
		var err error
		if items, err = m.popMark(); err != nil {
			return err
		}
	} else {
		v, err := m.pop()
		if err != nil {
			return err
		}
		items = []any{v}
	}
	target, err := m.top()
	if err != nil {
		return err
	}
	list, ok := target.(*pyList)
	if !ok {
		return fmt.Errorf("can only append to a list, not to %s", typeName(target))
	}
	list.items = append(list.items, items...)
	return nil
}

func (m *pickleMachine) setItems(many bool) error {
	var items []any
	if many {
		var err error
		if items, err = m.popMark(); err != nil {
			return err
		}
	} else {
		if len(m.stack) < 2 {
			return errors.New("stack holds fewer than a key and a value")
		}
		items = append([]any(nil), m.stack[len(m.stack)-2:]...)
		m.stack = m.stack[:len(m.stack)-2]
	}
	if len(items)%2 != 0 {
		return fmt.Errorf("%d items do not pair into keys and values", len(items))
	}
	target, err := m.top()
	if err != nil {
		return err
	}
	dict, ok := target.(*pyDict)
	if !ok {
		return fmt.Errorf("can only set items of a dict, not of %s", typeName(target))
	}
	for i := 0; i < len(items); i += 2 {
		dict.set(items[i], items[i+1])
	}
	return nil
}

func (m *pickleMachine) memoGet(long bool) error {
	idx, err := m.memoIndex(long)
	if err != nil {
		return err
	}
	v, ok := m.memo[idx]
	if !ok {
		return fmt.Errorf("memo slot %d was never set", idx)
	}
	m.push(v)
	return nil
}

func (m *pickleMachine) memoPut(long bool) error {
	idx, err := m.memoIndex(long)
	if err != nil {
		return err
	}
	v, err := m.top()
	if err != nil {
		return err
	}
	m.memo[idx] = v
	return nil
}

func (m *pickleMachine) memoIndex(long bool) (uint32, error) {
	if long {
		b, err := m.read(4)
		if err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint32(b), nil
	}
	b, err := m.read(1)
	if err != nil {
		return 0, err
	}
	return uint32(b[0]), nil
}

// decodeLong decodes a little-endian two's complement integer.
func decodeLong(b []byte) any {
	if len(b) == 0 {
		return int64(0)
	}
	if len(b) <= 8 {
		var u uint64
		for i := len(b) - 1; i >= 0; i-- {
			u = u<<8 | uint64(b[i])
		}
		shift := uint(64 - 8*len(b))
		return int64(u<<shift) >> shift
	}
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	n := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}
