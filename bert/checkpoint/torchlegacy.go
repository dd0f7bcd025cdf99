package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
)

// legacyMagic is the number torch.save writes first in the legacy format.
var legacyMagic, _ = new(big.Int).SetString("1950a86a20f9469cfc6c", 16)

// legacyProtocol is the only legacy protocol version PyTorch writes.
const legacyProtocol = 1001

// readTorchLegacy reads the legacy layout: five pickles in a row (magic
// number, protocol version, sys_info, the state dict, the list of storage
// keys), then each listed storage as an 8-byte element count followed by its
// raw elements.
func readTorchLegacy(buf []byte) ([]namedTensor, error) {
	pos := 0
	next := func(what string, load func(*pyTuple) (any, error)) (any, error) {
		v, n, err := unpickle(buf[pos:], load)
		if err != nil {
			return nil, fmt.Errorf("%s pickle at byte %d: %w", what, pos, err)
		}
		pos += n
		return v, nil
	}
	magic, err := next("magic number", nil)
	if err != nil || !isLegacyMagic(magic) {
		return nil, errors.New("not a PyTorch checkpoint: neither a zip archive nor the legacy torch.save format")
	}
	protocol, err := next("protocol version", nil)
	if err != nil {
		return nil, err
	}
	if protocol != int64(legacyProtocol) {
		return nil, fmt.Errorf("legacy protocol version is %v, want %d", protocol, legacyProtocol)
	}
	sysInfo, err := next("sys_info", nil)
	if err != nil {
		return nil, err
	}
	if _, ok := sysInfo.(*pyDict); !ok {
		return nil, fmt.Errorf("sys_info is a %s, not a dict", typeName(sysInfo))
	}
	storages := newStorageTable()
	value, err := next("state dict", storages.load)
	if err != nil {
		return nil, err
	}
	entries, err := stateDictEntries(value)
	if err != nil {
		return nil, err
	}
	keyList, err := next("storage key list", nil)
	if err != nil {
		return nil, err
	}
	keys, err := stringList(keyList)
	if err != nil {
		return nil, fmt.Errorf("storage key list: %w", err)
	}
	if err := readLegacyStorages(buf[pos:], keys, storages); err != nil {
		return nil, err
	}
	return entries, nil
}

func isLegacyMagic(v any) bool {
	n, ok := v.(*big.Int)
	return ok && n.Cmp(legacyMagic) == 0
}

// stringList converts a pickled list of str.
func stringList(v any) ([]string, error) {
	list, ok := v.(*pyList)
	if !ok {
		return nil, fmt.Errorf("is a %s, not a list", typeName(v))
	}
	out := make([]string, len(list.items))
	for i, item := range list.items {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("item %d is a %s, not a str", i, typeName(item))
		}
		out[i] = s
	}
	return out, nil
}

// readLegacyStorages attaches each listed storage's data, read in list order
// from rest. PyTorch writes counts and elements little-endian whatever the
// machine (sys_info only records the writer's byte order). Every storage the
// state dict uses must be listed.
func readLegacyStorages(rest []byte, keys []string, storages *storageTable) error {
	pos := 0
	for _, key := range keys {
		s, ok := storages.byKey[key]
		if !ok {
			return fmt.Errorf("storage %q is listed but no tensor uses it", key)
		}
		if s.data != nil {
			return fmt.Errorf("storage %q is listed twice", key)
		}
		if len(rest)-pos < 8 {
			return fmt.Errorf("storage %q: file ends before its element count", key)
		}
		count := binary.LittleEndian.Uint64(rest[pos:])
		pos += 8
		if count != uint64(s.numel) {
			return fmt.Errorf("storage %q: file holds %d elements, the pickle says %d", key, count, s.numel)
		}
		size := s.numel * s.dtype.Size()
		if len(rest)-pos < size {
			return fmt.Errorf("storage %q: file ends inside its %d data bytes", key, size)
		}
		s.data = rest[pos : pos+size : pos+size]
		pos += size
	}
	for _, s := range storages.order {
		if s.data == nil {
			return fmt.Errorf("storage %q is used by a tensor but missing from the storage key list", s.key)
		}
	}
	return nil
}
