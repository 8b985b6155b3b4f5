package chain

import "golang.org/x/mod/sumdb/tlog"

// frontier is the compact form of an RFC 6962 Merkle tree: the roots of the
// perfect subtrees that the leaves decompose into, largest (leftmost) first.
// It holds at most 64 hashes whatever the tree size, so verification streams
// the ledger in constant memory.
type frontier struct {
	size  int64
	roots []tlog.Hash
}

// add appends a leaf whose record hash is h.
func (f *frontier) add(h tlog.Hash) {
	f.roots = append(f.roots, h)
	// Merge equal-sized subtrees: after adding leaf number size, the number
	// of trailing one bits of size tells how many merges are due.
	for n := f.size; n&1 == 1; n >>= 1 {
		k := len(f.roots)
		f.roots = append(f.roots[:k-2], tlog.NodeHash(f.roots[k-2], f.roots[k-1]))
	}
	f.size++
}

// root returns the RFC 6962 tree hash of the leaves added so far.
func (f *frontier) root() tlog.Hash {
	if len(f.roots) == 0 {
		return tlog.Hash{}
	}
	h := f.roots[len(f.roots)-1]
	for i := len(f.roots) - 2; i >= 0; i-- {
		h = tlog.NodeHash(f.roots[i], h)
	}
	return h
}
