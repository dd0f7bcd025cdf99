package tokenizer

import "sort"

// Trie holds a vocabulary as a byte trie, so that the entries starting at a position are
// found in one walk instead of one map lookup per candidate length. Node 0 is the root.
type Trie struct {
	nodes []trieNode
	edges []trieEdge
}

type trieNode struct {
	first, end int32 // the node's edges are edges[first:end], sorted by byte
	id         int32 // token id when the path to this node is a vocabulary entry, else -1
}

type trieEdge struct {
	b     byte
	child int32
}

// NewTrie builds the trie of vocab; node 0 is the root.
func NewTrie(vocab map[string]int32) Trie {
	keys := make([]string, 0, len(vocab))
	for k := range vocab {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var t Trie
	t.build(keys, 0, vocab)
	return t
}

// build adds the node for the sorted keys that share their first depth bytes and returns its index.
func (t *Trie) build(keys []string, depth int, vocab map[string]int32) int32 {
	n := int32(len(t.nodes))
	t.nodes = append(t.nodes, trieNode{id: -1})
	if len(keys) > 0 && len(keys[0]) == depth {
		t.nodes[n].id = vocab[keys[0]]
		keys = keys[1:]
	}
	type group struct {
		b    byte
		keys []string
	}
	var groups []group
	for len(keys) > 0 {
		b := keys[0][depth]
		j := sort.Search(len(keys), func(i int) bool { return keys[i][depth] > b })
		groups = append(groups, group{b, keys[:j]})
		keys = keys[j:]
	}
	first := int32(len(t.edges))
	t.edges = append(t.edges, make([]trieEdge, len(groups))...)
	t.nodes[n].first, t.nodes[n].end = first, first+int32(len(groups))
	for i, g := range groups {
		child := t.build(g.keys, depth+1, vocab)
		t.edges[first+int32(i)] = trieEdge{b: g.b, child: child}
	}
	return n
}

// Child returns the node reached from n by byte b, or -1.
func (t *Trie) Child(n int32, b byte) int32 {
	edges := t.edges[t.nodes[n].first:t.nodes[n].end]
	lo, hi := 0, len(edges)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch {
		case edges[mid].b < b:
			lo = mid + 1
		case edges[mid].b > b:
			hi = mid
		default:
			return edges[mid].child
		}
	}
	return -1
}

// Walk returns the node reached from n by s, or -1.
func (t *Trie) Walk(n int32, s string) int32 {
	for i := 0; i < len(s) && n >= 0; i++ {
		n = t.Child(n, s[i])
	}
	return n
}

// ID is the token id of node n: the id of the entry its path spells, or -1.
func (t *Trie) ID(n int32) int32 { return t.nodes[n].id }
