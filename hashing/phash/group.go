package phash

import (
	"cmp"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
)

// Item is a hash with the identifier the caller knows its photo by (an
// evidence path, a catalogue id).
type Item struct {
	ID   string `json:"id"`
	Hash Hash   `json:"hash"`
}

// Group clusters items whose hashes are near-duplicates. Two items are in
// the same group when their distance is at most threshold, or when a chain
// of such pairs joins them (single linkage: the connected components of the
// graph of close pairs). Only groups of two or more items are returned.
// Items keep their input order within a group, and groups are ordered by
// the input position of their first item, so the result depends only on
// the input. Items with the zero hash, images without structure, are never
// grouped: a blank frame says nothing about which photo it is. A negative
// threshold returns nil.
//
// Group uses multi-index hashing: split into m chunks (4 to 8, chosen by
// the number of hashes and the threshold), two hashes within distance t
// agree to within t/m bits on at least one chunk, so each distinct hash is
// compared only with hashes whose chunk lies within that radius. At [DefaultThreshold] this takes about a
// second of processor time for 100,000 hashes, spread over GOMAXPROCS
// threads, and a tenth of that at 8 or less;
// the work grows steeply with the threshold, and beyond about 16 approaches
// comparing all pairs.
func Group(items []Item, threshold int) [][]Item {
	if threshold < 0 {
		return nil
	}
	items = slices.DeleteFunc(slices.Clone(items), func(it Item) bool { return it.Hash == 0 })
	if len(items) < 2 {
		return nil
	}
	// Work on distinct hashes, so that many copies of one photo cost one
	// entry; uniq[k] is a distinct hash and of[i] the index of items[i]'s.
	order := make([]int32, len(items))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		return cmp.Compare(items[a].Hash, items[b].Hash)
	})
	of := make([]int32, len(items))
	var uniq []Hash
	for _, i := range order {
		if h := items[i].Hash; len(uniq) == 0 || uniq[len(uniq)-1] != h {
			uniq = append(uniq, h)
		}
		of[i] = int32(len(uniq) - 1)
	}

	u := newUnionFind(len(uniq))
	if threshold >= 64 {
		for k := 1; k < len(uniq); k++ {
			u.union(0, int32(k))
		}
	} else {
		joinClose(uniq, threshold, u)
	}

	// Collect the components in input order.
	groupOf := make(map[int32]int)
	var groups [][]Item
	size := make([]int32, len(uniq))
	for i := range items {
		size[u.find(of[i])]++
	}
	for i, it := range items {
		root := u.find(of[i])
		if size[root] < 2 {
			continue
		}
		g, ok := groupOf[root]
		if !ok {
			g = len(groups)
			groupOf[root] = g
			groups = append(groups, make([]Item, 0, size[root]))
		}
		groups[g] = append(groups[g], it)
	}
	return groups
}

// chunkPlan returns how many chunks to split hashes into for n distinct
// hashes and a threshold of t bits: 4 to 8 chunks of 64/m bits, whichever
// needs the least work by a simple model. Pigeonhole: two hashes within t
// bits agree to within t/m bits on at least one of m chunks. The work per
// chunk is one visit per pair of buckets within that radius plus one
// comparison per pair of hashes in them.
func chunkPlan(n, t int) int {
	best, bestCost := 4, math.Inf(1)
	for m := 4; m <= 8; m++ {
		width := (64 + m - 1) / m
		ball := 0.0
		for k := 0; k <= t/m && k <= width; k++ {
			ball += binomial(width, k)
		}
		buckets := math.Ldexp(1, width)
		occ := float64(n) / buckets
		cost := float64(m) * buckets * ball / 2 * (8 + occ*occ)
		if cost < bestCost {
			best, bestCost = m, cost
		}
	}
	return best
}

func binomial(n, k int) float64 {
	c := 1.0
	for i := range k {
		c = c * float64(n-i) / float64(i+1)
	}
	return c
}

// joinClose unions every pair of distinct hashes within threshold (0 to
// 63) of each other by multi-index hashing. For each chunk it sorts the
// hashes by chunk value (a counting sort: hs[start[v]:start[v+1]] have
// value v), then compares the hashes of every pair of buckets whose values
// are within the chunk radius. The number of bucket pairs does not depend
// on the number of hashes, and comparing within bucket-ordered copies keeps
// memory access sequential.
func joinClose(uniq []Hash, threshold int, u *unionFind) {
	m := chunkPlan(len(uniq), threshold)
	radius := threshold / m
	hs := make([]Hash, len(uniq))
	ids := make([]int32, len(uniq))
	shift := 0
	for c := range m {
		width := 64 / m
		if c < 64%m {
			width++
		}
		size := 1 << width
		mask := Hash(size - 1)
		var masks []int
		for x := range size {
			if bits.OnesCount(uint(x)) <= radius {
				masks = append(masks, x)
			}
		}
		start := make([]int32, size+1)
		for _, h := range uniq {
			start[int(h>>shift&mask)+1]++
		}
		for v := 1; v < len(start); v++ {
			start[v] += start[v-1]
		}
		next := slices.Clone(start[:size])
		for k, h := range uniq {
			v := h >> shift & mask
			hs[next[v]], ids[next[v]] = h, int32(k)
			next[v]++
		}
		for _, p := range closePairs(start, hs, masks, threshold) {
			u.union(ids[p[0]], ids[p[1]])
		}
		shift += width
	}
}

// closePairs returns the positions in hs of the pairs within threshold in
// buckets whose values differ by one of masks, splitting the bucket values
// among GOMAXPROCS workers. The pairs come out in no particular order,
// which does not change the groups.
func closePairs(start []int32, hs []Hash, masks []int, threshold int) [][2]int32 {
	workers := runtime.GOMAXPROCS(0)
	found := make([][][2]int32, workers)
	var wg sync.WaitGroup
	for wk := range workers {
		wg.Go(func() {
			var out [][2]int32
			for v := wk; v < len(start)-1; v += workers {
				a0, a1 := start[v], start[v+1]
				if a0 == a1 {
					continue
				}
				for _, m := range masks {
					w := v ^ m
					if w < v {
						continue // the pair (w, v) is visited from w
					}
					b0, b1 := start[w], start[w+1]
					for i := a0; i < a1; i++ {
						if w == v {
							b0 = i + 1 // pairs within one bucket once each
						}
						for j := b0; j < b1; j++ {
							if Distance(hs[i], hs[j]) <= threshold {
								out = append(out, [2]int32{i, j})
							}
						}
					}
				}
			}
			found[wk] = out
		})
	}
	wg.Wait()
	return slices.Concat(found...)
}

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct {
	parent []int32
	size   []int32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{make([]int32, n), make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(a, b int32) {
	a, b = u.find(a), u.find(b)
	if a == b {
		return
	}
	if u.size[a] < u.size[b] {
		a, b = b, a
	}
	u.parent[b] = a
	u.size[a] += u.size[b]
}
