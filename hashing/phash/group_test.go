package phash

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// flip returns h with n distinct random bits flipped.
func flip(rng *rand.Rand, h Hash, n int) Hash {
	for _, b := range rng.Perm(64)[:n] {
		h ^= 1 << b
	}
	return h
}

func TestGroupKnownClusters(t *testing.T) {
	a := Hash(0x0123456789abcdef)
	b := Hash(0x7edcba9876543210)
	c := Hash(0x55aa55aa0ff00ff0)
	items := []Item{
		{"a0", a},
		{"lone1", 0x3333333333333333},
		{"b0", b},
		{"a1", a ^ 0xff},       // 8 from a0
		{"a2", a ^ 0xffff},     // 8 from a1, 16 from a0: joined through a1
		{"c0", c},              // a group of identical hashes
		{"blank1", 0},          // blank frames are never grouped
		{"b1", b ^ 0x1},        // 1 from b0
		{"c1", c},              // identical to c0
		{"lone2", b ^ 0xffff0}, // 16 from b0, 15 from b1
		{"blank2", 0},
		{"c2", c},
	}
	want := [][]string{{"a0", "a1", "a2"}, {"b0", "b1"}, {"c0", "c1", "c2"}}
	got := names(Group(items, 8))
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Group(8) = %v, want %v", got, want)
	}
	if got := Group(items, -1); got != nil {
		t.Errorf("Group(-1) = %v, want nil", got)
	}
	if got := names(Group(items, 0)); !slices.EqualFunc(got, [][]string{{"c0", "c1", "c2"}}, slices.Equal) {
		t.Errorf("Group(0) = %v", got)
	}
	if got := Group(items, 64); len(got) != 1 || len(got[0]) != len(items)-2 {
		t.Errorf("Group(64) = %v, want one group of all non-blank items", names(got))
	}
}

func names(groups [][]Item) [][]string {
	var out [][]string
	for _, g := range groups {
		var n []string
		for _, it := range g {
			n = append(n, it.ID)
		}
		out = append(out, n)
	}
	return out
}

// groupOracle is Group by comparing all pairs.
func groupOracle(items []Item, threshold int) [][]Item {
	var live []Item
	for _, it := range items {
		if it.Hash != 0 {
			live = append(live, it)
		}
	}
	u := newUnionFind(len(live))
	for i := range live {
		for j := i + 1; j < len(live); j++ {
			if Distance(live[i].Hash, live[j].Hash) <= threshold {
				u.union(int32(i), int32(j))
			}
		}
	}
	var groups [][]Item
	index := map[int32]int{}
	for i, it := range live {
		r := u.find(int32(i))
		g, ok := index[r]
		if !ok {
			g = len(groups)
			index[r] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], it)
	}
	return slices.DeleteFunc(groups, func(g []Item) bool { return len(g) < 2 })
}

// TestGroupOracle compares Group with all-pairs comparison on clustered
// random hashes at every threshold from 0 to 24.
func TestGroupOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var items []Item
	for c := range 60 {
		base := Hash(rng.Uint64())
		for k := range 1 + rng.IntN(5) {
			items = append(items, Item{fmt.Sprintf("c%d-%d", c, k), flip(rng, base, rng.IntN(14))})
		}
	}
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	for th := 0; th <= 24; th++ {
		got, want := Group(items, th), groupOracle(items, th)
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("threshold %d: Group = %v, want %v", th, names(got), names(want))
		}
	}
}

// TestGroupLarge groups 100,000 random hashes with 1,000 planted
// near-duplicates at the default threshold.
func TestGroupLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	items := make([]Item, 0, 101_000)
	for i := range 100_000 {
		items = append(items, Item{fmt.Sprint("r", i), Hash(rng.Uint64())})
	}
	for i := range 1000 {
		items = append(items, Item{fmt.Sprint("d", i), flip(rng, items[i].Hash, 2*rng.IntN(DefaultThreshold/2+1))})
	}
	// The best of up to three runs, as the machine may be busy.
	var groups [][]Item
	elapsed := time.Duration(math.MaxInt64)
	for range 3 {
		start := time.Now()
		groups = Group(items, DefaultThreshold)
		elapsed = min(elapsed, time.Since(start))
		if elapsed < 2*time.Second {
			break
		}
	}
	t.Logf("grouped %d hashes in %v: %d groups", len(items), elapsed, len(groups))
	if elapsed > 2*time.Second {
		t.Errorf("took %v, want under 2 s", elapsed)
	}
	in := map[string]int{}
	for g, grp := range groups {
		for _, it := range grp {
			in[it.ID] = g + 1
		}
	}
	for i := range 1000 {
		if a, b := in[fmt.Sprint("r", i)], in[fmt.Sprint("d", i)]; a == 0 || a != b {
			t.Fatalf("planted pair %d not grouped", i)
		}
	}
	// Random 64-bit hashes within 12 bits of each other are rare, about
	// 2e-7 a pair, but there are 5e9 pairs: expect about 1,000 more groups.
	if len(groups) < 1000 || len(groups) > 3000 {
		t.Errorf("%d groups, want 1,000 to 3,000", len(groups))
	}
}
