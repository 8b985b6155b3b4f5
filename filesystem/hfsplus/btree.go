package hfsplus

import (
	"context"
	"errors"
	"fmt"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// errNotFound is wrapped when a B-tree holds no record with a key.
var errNotFound = errors.New("no such record")

const (
	nodeDescSize = 14
	minNodeSize  = 512
	maxNodeSize  = 32768
	maxTreeDepth = 16
	// maxScan bounds the records a keyed scan looks at.
	maxScan = 1 << 20

	kindLeaf   = -1
	kindIndex  = 0
	kindHeader = 1

	attrBigKeys           = 0x2
	attrVariableIndexKeys = 0x4
)

// btree is one of the B-trees of the volume (catalog, extents overflow,
// attributes), read through its fork.
type btree struct {
	fs          *FS
	st          *extentReader
	what        string
	nodeSize    int
	root        uint32
	firstLeaf   uint32
	totalNodes  uint32
	maxKeyLen   int
	attrs       uint32
	compareType uint8
}

// openBTree reads the header node of the B-tree in st.
//
//	node descriptor = fLink [4] @0, bLink [4] @4, kind [1] @8 (-1 leaf,
//	                  0 index, 1 header, 2 map), height [1] @9, numRecords
//	                  [2] @10, reserved [2] @12; record offsets [2] each
//	                  from the end of the node backwards, one more than
//	                  numRecords (the last is the start of free space)
//	header record   = @14: treeDepth [2] @14, rootNode [4] @16, leafRecords
//	                  [4] @20, firstLeafNode [4] @24, lastLeafNode [4] @28,
//	                  nodeSize [2] @32, maxKeyLength [2] @34, totalNodes [4]
//	                  @36, freeNodes [4] @40, clumpSize [4] @46, btreeType [1]
//	                  @50, keyCompareType [1] @51, attributes [4] @52
func (fs *FS) openBTree(st *extentReader, what string) (*btree, error) {
	if st.size < minNodeSize {
		return nil, filesystem.Malformed(fsName, st.physical(0), "%s of %d bytes holds no header node", what, st.size)
	}
	h := make([]byte, minNodeSize)
	if _, err := st.ReadAt(h, 0); err != nil {
		return nil, fmt.Errorf("hfsplus: read %s header node: %w", what, err)
	}
	at := st.physical(0)
	if int8(h[8]) != kindHeader {
		return nil, filesystem.Malformed(fsName, at, "%s: node 0 is of kind %d, not a header node", what, int8(h[8]))
	}
	t := &btree{
		fs:          fs,
		st:          st,
		what:        what,
		nodeSize:    int(be.Uint16(h[32:])),
		root:        be.Uint32(h[16:]),
		firstLeaf:   be.Uint32(h[24:]),
		totalNodes:  be.Uint32(h[36:]),
		maxKeyLen:   int(be.Uint16(h[34:])),
		compareType: h[51],
		attrs:       be.Uint32(h[52:]),
	}
	if t.nodeSize < minNodeSize || t.nodeSize > maxNodeSize || t.nodeSize&(t.nodeSize-1) != 0 {
		return nil, filesystem.Malformed(fsName, at+32, "%s: node size %d", what, t.nodeSize)
	}
	if n := st.size / int64(t.nodeSize); int64(t.totalNodes) > n {
		fs.anomaly("%s: header says %d nodes, the fork holds %d", what, t.totalNodes, n)
		t.totalNodes = uint32(n)
	}
	return t, nil
}

// node is one B-tree node read and checked.
type node struct {
	num    uint32
	kind   int8
	height uint8
	fLink  uint32
	b      []byte
	offs   []int // start of each record
	table  int   // start of the offset table
}

// readNode reads node n and checks its descriptor and record offsets.
func (t *btree) readNode(n uint32) (*node, error) {
	if n >= t.totalNodes {
		return nil, fmt.Errorf("%s: node %d beyond the %d nodes of the tree", t.what, n, t.totalNodes)
	}
	b := make([]byte, t.nodeSize)
	if _, err := t.st.ReadAt(b, int64(n)*int64(t.nodeSize)); err != nil {
		return nil, fmt.Errorf("%s: read node %d: %w", t.what, n, err)
	}
	nd := &node{num: n, fLink: be.Uint32(b[0:]), kind: int8(b[8]), height: b[9], b: b}
	count := int(be.Uint16(b[10:]))
	nd.table = t.nodeSize - 2*(count+1)
	if nd.table < nodeDescSize {
		return nil, filesystem.Malformed(fsName, t.st.physical(int64(n)*int64(t.nodeSize)), "%s: node %d claims %d records", t.what, n, count)
	}
	nd.offs = make([]int, count)
	for i := range count {
		o := int(be.Uint16(b[t.nodeSize-2*(i+1):]))
		if o < nodeDescSize || o >= nd.table {
			return nil, filesystem.Malformed(fsName, t.st.physical(int64(n)*int64(t.nodeSize)), "%s: node %d: record %d at offset %d", t.what, n, i, o)
		}
		nd.offs[i] = o
	}
	return nd, nil
}

// record returns record i of the node: its key (with the key length
// field) and what follows the key, and its offset in the node.
func (t *btree) record(nd *node, i int) (key, data []byte, err error) {
	start := nd.offs[i]
	end := nd.table
	if i+1 < len(nd.offs) && nd.offs[i+1] > start {
		end = nd.offs[i+1]
	} else if i+1 == len(nd.offs) {
		// The free space offset follows the last record's offset.
		if f := int(be.Uint16(nd.b[nd.table:])); f > start && f <= nd.table {
			end = f
		}
	}
	rec := nd.b[start:end]
	if len(rec) < 2 {
		return nil, nil, fmt.Errorf("%s: node %d: record %d too short", t.what, nd.num, i)
	}
	kl := int(be.Uint16(rec))
	if 2+kl > len(rec) {
		return nil, nil, fmt.Errorf("%s: node %d: record %d: key of %d bytes overflows the record", t.what, nd.num, i, kl)
	}
	key = rec[:2+kl]
	dataStart := 2 + kl
	if nd.kind == kindIndex && t.attrs&attrVariableIndexKeys == 0 && 2+t.maxKeyLen <= len(rec) {
		dataStart = 2 + t.maxKeyLen
	}
	return key, rec[dataStart:], nil
}

// recordOffset returns the volume offset of record i of a node.
func (t *btree) recordOffset(nd *node, i int) int64 {
	return t.st.physical(int64(nd.num)*int64(t.nodeSize) + int64(nd.offs[i]))
}

// scan descends from the root to the leaf where keys not less than the
// target begin (cmp returns the order of a key against the target) and
// calls fn for each leaf record from the first not less than the target,
// in key order, until fn returns false, an error, or the records end.
func (t *btree) scan(cmp func(key []byte) int, fn func(key, data []byte, off int64) (bool, error)) error {
	if t.root == 0 {
		return nil // empty tree
	}
	cur := t.root
	seen := map[uint32]bool{}
	var nd *node
	for level := 0; ; level++ {
		if level > maxTreeDepth || seen[cur] {
			return filesystem.Malformed(fsName, t.st.physical(int64(cur)*int64(t.nodeSize)), "%s: index loops or is deeper than %d levels", t.what, maxTreeDepth)
		}
		seen[cur] = true
		var err error
		if nd, err = t.readNode(cur); err != nil {
			return err
		}
		if nd.kind == kindLeaf {
			break
		}
		if nd.kind != kindIndex {
			return filesystem.Malformed(fsName, t.st.physical(int64(cur)*int64(t.nodeSize)), "%s: node %d of kind %d in the index", t.what, cur, nd.kind)
		}
		if len(nd.offs) == 0 {
			return filesystem.Malformed(fsName, t.st.physical(int64(cur)*int64(t.nodeSize)), "%s: empty index node %d", t.what, cur)
		}
		next := uint32(0)
		for i := range nd.offs {
			key, data, err := t.record(nd, i)
			if err != nil {
				return err
			}
			if len(data) < 4 {
				return fmt.Errorf("%s: node %d: index record %d has no child pointer", t.what, cur, i)
			}
			if i == 0 || cmp(key) <= 0 {
				next = be.Uint32(data)
			} else {
				break
			}
		}
		cur = next
	}
	visited := 0
	for {
		for i := range nd.offs {
			key, data, err := t.record(nd, i)
			if err != nil {
				return err
			}
			if cmp(key) < 0 {
				continue
			}
			if visited++; visited > maxScan {
				return fmt.Errorf("%s: more than %d records scanned", t.what, maxScan)
			}
			more, err := fn(key, data, t.recordOffset(nd, i))
			if err != nil || !more {
				return err
			}
		}
		if nd.fLink == 0 {
			return nil
		}
		if seen[nd.fLink] {
			return filesystem.Malformed(fsName, t.st.physical(int64(nd.num)*int64(t.nodeSize)), "%s: leaf node %d links back to node %d", t.what, nd.num, nd.fLink)
		}
		seen[nd.fLink] = true
		var err error
		if nd, err = t.readNode(nd.fLink); err != nil {
			return err
		}
		if nd.kind != kindLeaf {
			return filesystem.Malformed(fsName, t.st.physical(int64(nd.num)*int64(t.nodeSize)), "%s: leaf chain reaches node %d of kind %d", t.what, nd.num, nd.kind)
		}
	}
}

// leaves calls fn for every leaf node, following the leaf chain from the
// first leaf. A broken chain (a node that cannot be read, is not a leaf,
// or was visited before) ends the walk with an anomaly.
func (t *btree) leaves(ctx context.Context, fn func(nd *node) error) error {
	if t.root == 0 && t.firstLeaf == 0 {
		return nil
	}
	seen := make([]uint64, (t.totalNodes+63)/64)
	for cur := t.firstLeaf; cur != 0; {
		if err := ctx.Err(); err != nil {
			return err
		}
		if cur >= t.totalNodes {
			t.fs.anomaly("%s: leaf chain points to node %d beyond the %d nodes of the tree", t.what, cur, t.totalNodes)
			return nil
		}
		if seen[cur/64]&(1<<(cur%64)) != 0 {
			t.fs.anomaly("%s: leaf chain loops back to node %d", t.what, cur)
			return nil
		}
		seen[cur/64] |= 1 << (cur % 64)
		nd, err := t.readNode(cur)
		if err != nil {
			t.fs.anomaly("%v", err)
			return nil
		}
		if nd.kind != kindLeaf {
			t.fs.anomaly("%s: leaf chain reaches node %d of kind %d", t.what, cur, nd.kind)
			return nil
		}
		if err := fn(nd); err != nil {
			return err
		}
		cur = nd.fLink
	}
	return nil
}
