package checkpoint

import (
	"math/big"
	"strings"
	"testing"
)

// Pickle fragments for hand-written programs.
const (
	pStorage  = "(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ" // 4 floats
	pRebuild  = "ctorch._utils\n_rebuild_tensor_v2\n"
	pOrdered  = "ccollections\nOrderedDict\n)R"
	pNoHooks  = pOrdered
	pTensorOK = pRebuild + "(" + pStorage + "K\x01K\x03\x85K\x01\x85\x89" + pNoHooks + "tR" // storage[1:4]
)

func TestUnpickleErrors(t *testing.T) {
	tests := []struct {
		name, pickle, want string
	}{
		{"empty", "", "without STOP"},
		{"stop on empty stack", ".", "STOP: stack is empty"},
		{"truncated string", "X\x05\x00\x00\x00ab.", "BINUNICODE: pickle is truncated"},
		{"string length past the end", "X\xff\xff\xff\xff.", "pickle is truncated"},
		{"memo never set", "h\x07.", "memo slot 7 was never set"},
		{"put on empty stack", "q\x00.", "stack is empty"},
		{"tuple without mark", "K\x01t.", "no MARK to pop to"},
		{"tuple2 underflow", "K\x01\x86.", "needs 2"},
		{"setitem on a list", "]K\x01K\x02s.", "can only set items of a dict, not of list"},
		{"odd setitems", "}(K\x01u.", "do not pair"},
		{"append to a dict", "}K\x01a.", "can only append to a list, not to dict"},
		{"reduce a tuple", "))R.", "cannot call a tuple"},
		{"reduce without tuple args", pOrdered[:len(pOrdered)-2] + "K\x01R.", "arguments are a int, not a tuple"},
		{"call a storage type", "ctorch\nFloatStorage\n)R.", "torch.FloatStorage cannot be called"},
		{"ordered dict with args", "ccollections\nOrderedDict\n]\x85R.", "only supported without arguments"},
		{"newobj of a storage", "ctorch\nFloatStorage\n)\x81.", "can only create a collections.OrderedDict"},
		{"build a list", "]}b.", "can only build an OrderedDict, not a list"},
		{"build with a list state", "}]b.", "OrderedDict state is a list"},
		{"persistent id not storage", "X\x01\x00\x00\x00x\x85Q.", `only ("storage", ...) persistent ids`},
		{"persistent id an int", "K\x01Q.", `only ("storage", ...) persistent ids`},
		{"global without newline", "cos\nsys", "line at byte"},
		{"unsafe global", "cos\nsystem\n.", "pickle asks for os.system; refusing"},
		{"unsafe torch global", "ctorch\nload\n.", "pickle asks for torch.load; refusing"},
		{"opcode INST", "ios\nsystem\n.", "INST: opcode 0x69 is not allowed"},
		{"opcode STACK_GLOBAL", "X\x02\x00\x00\x00osX\x06\x00\x00\x00system\x93.", "STACK_GLOBAL: opcode 0x93 is not allowed"},
		{"unknown opcode", "\xff.", "unknown: opcode 0xff is not allowed"},
		{"view past the storage", pRebuild + "(" + pStorage + "K\x00K\x05\x85K\x01\x85\x89" + pNoHooks + "tR.",
			"reads element 4 of a storage of 4 elements"},
		{"negative stride", pRebuild + "(" + pStorage + "K\x03K\x02\x85J\xff\xff\xff\xff\x85\x89" + pNoHooks + "tR.",
			"stride: item 0 -1 is negative"},
		{"size and stride ranks differ", pRebuild + "(" + pStorage + "K\x00K\x02\x85)\x89" + pNoHooks + "tR.",
			"size has 1 dims but stride has 0"},
		{"huge view", pRebuild + "(" + pStorage + "K\x00(J\xff\xff\xff\x7fJ\xff\xff\xff\x7fJ\xff\xff\xff\x7ftK\x00K\x00K\x00\x87\x89" + pNoHooks + "tR.",
			"size overflows"},
		{"too few rebuild args", pRebuild + "(" + pStorage + "tR.", "takes 6 or 7 arguments, got 1"},
		{"storage named twice", "(" + pStorage + strings.Replace(pStorage, "FloatStorage", "HalfStorage", 1) + "t.",
			"is named twice with different types"},
		{"storage view metadata", "(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04K\x01tQ.",
			"storage views"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storages := newStorageTable()
			_, _, err := unpickle([]byte(tc.pickle), storages.load)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestUnpickleStateDict(t *testing.T) {
	// OrderedDict {"a": storage[1:4], "b": the same tensor via the memo}.
	pickle := "\x80\x02" + pOrdered + "(X\x01\x00\x00\x00a" + pTensorOK + "q\x05X\x01\x00\x00\x00bh\x05u" +
		"}X\x09\x00\x00\x00_metadata}sb."
	storages := newStorageTable()
	v, n, err := unpickle([]byte(pickle+"trailing"), storages.load)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(pickle) {
		t.Errorf("used %d bytes, want %d", n, len(pickle))
	}
	entries, err := stateDictEntries(v)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].name != "a" || entries[1].name != "b" || entries[0].ref != entries[1].ref {
		t.Fatalf("entries %+v, want a and b sharing one tensor", entries)
	}
	if r := entries[0].ref; r.offset != 1 || len(r.shape) != 1 || r.shape[0] != 3 || len(storages.order) != 1 {
		t.Errorf("tensor %+v, storages %d", r, len(storages.order))
	}
}

func TestDecodeLong(t *testing.T) {
	tests := []struct {
		bytes string
		want  string
	}{
		{"", "0"},
		{"\xff", "-1"},
		{"\x80", "-128"},
		{"\xff\x00", "255"},
		{"\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", "119547037146038801333356"}, // torch's legacy magic number
		{"\x00\x00\x00\x00\x00\x00\x00\x00\xc0", "-1180591620717411303424"},      // -(1 << 70)
	}
	for _, tc := range tests {
		want, _ := new(big.Int).SetString(tc.want, 10)
		var got *big.Int
		switch v := decodeLong([]byte(tc.bytes)).(type) {
		case int64:
			got = big.NewInt(v)
		case *big.Int:
			got = v
		}
		if got == nil || got.Cmp(want) != 0 {
			t.Errorf("decodeLong(% x) = %v, want %s", tc.bytes, got, tc.want)
		}
	}
}
