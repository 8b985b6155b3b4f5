package ssdeep

import (
	"bytes"
	"fmt"
	"math"
	"math/bits"
)

// Compare parses two digests and returns their match score from 0 (no
// similarity found) to 100 (identical signatures), the score of libfuzzy's
// fuzzy_compare and so of ssdeep -m, -d, -k and -x. Digests whose block
// sizes differ by more than a factor of two score 0. An error means a or b
// is not a digest [Parse] accepts.
func Compare(a, b string) (int, error) {
	da, err := Parse(a)
	if err != nil {
		return 0, fmt.Errorf("first digest: %w", err)
	}
	db, err := Parse(b)
	if err != nil {
		return 0, fmt.Errorf("second digest: %w", err)
	}
	return da.Compare(db), nil
}

// Compare returns the match score of d and e as [Compare] does. The score
// is symmetric, and 100 when d == e. A digest that was not made by [Parse]
// or a [Hasher] and has a signature longer than [SigLen] once runs of more
// than three identical characters are cut scores 0 (libfuzzy reports an
// error for it).
func (d Digest) Compare(e Digest) int {
	var buf [4][SigLen]byte
	d1, ok1 := squeeze(buf[0][:0], d.Sig1)
	d2, ok2 := squeeze(buf[1][:0], d.Sig2)
	e1, ok3 := squeeze(buf[2][:0], e.Sig1)
	e2, ok4 := squeeze(buf[3][:0], e.Sig2)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0
	}
	b := d.BlockSize
	if b == e.BlockSize && bytes.Equal(d1, e1) && bytes.Equal(d2, e2) {
		return 100
	}
	// Compare the signatures made at the same block size: with equal
	// block sizes both pairs (taking the better), otherwise the one pair
	// that overlaps.
	switch {
	case b == e.BlockSize:
		s := score(d1, e1, b)
		if b <= math.MaxUint64/2 {
			s = max(s, score(d2, e2, 2*b))
		}
		return s
	case b <= math.MaxUint64/2 && 2*b == e.BlockSize:
		return score(e1, d2, e.BlockSize)
	case b%2 == 0 && b/2 == e.BlockSize:
		return score(d1, e2, b)
	}
	return 0
}

// squeeze appends s to dst, leaving out every character that would make a
// run of more than three identical characters. It reports false if the
// result would be longer than SigLen.
func squeeze(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if n := len(dst); n >= 3 && s[i] == dst[n-1] && s[i] == dst[n-2] && s[i] == dst[n-3] {
			continue
		}
		if len(dst) == SigLen {
			return dst, false
		}
		dst = append(dst, s[i])
	}
	return dst, true
}

// score rates two signatures of block size bs, each at most SigLen long.
func score(s1, s2 []byte, bs uint64) int {
	if !commonSubstring(s1, s2) {
		return 0
	}
	n := uint64(len(s1) + len(s2))
	// The edit distance is at most n, so the score is 0..100.
	sc := 100 - 100*(uint64(indelDistance(s1, s2))*SigLen/n)/SigLen
	// Small block sizes mean small inputs, where a few matching pieces
	// say little: cap the score by the length of the shorter signature.
	if bs < (99+window)/window*MinBlockSize {
		sc = min(sc, bs/MinBlockSize*uint64(min(len(s1), len(s2))))
	}
	return int(sc)
}

// commonSubstring reports whether s1 and s2 share a substring of [window]
// characters.
func commonSubstring(s1, s2 []byte) bool {
	if len(s2) < window {
		return false
	}
	for i := 0; i+window <= len(s1); i++ {
		if bytes.Contains(s2, s1[i:i+window]) {
			return true
		}
	}
	return false
}

// indelDistance returns the edit distance between s1 and s2 when inserting
// or deleting a character costs 1 and replacing one costs 2, which is
// len(s1)+len(s2)-2·LCS. The longest common subsequence is computed with the
// bit-vector method of Allison and Dix (1986) and Crochemore et al. (2001);
// s1 must be at most 64 long.
func indelDistance(s1, s2 []byte) int {
	var match [256]uint64 // bit i set: s1[i] is that character
	for i, c := range s1 {
		match[c] |= 1 << i
	}
	v := ^uint64(0)
	for _, c := range s2 {
		u := v & match[c]
		v = (v + u) | (v - u)
	}
	// Each 0 among the low len(s1) bits is one character of the LCS.
	lcs := bits.OnesCount64(^v & (1<<len(s1) - 1))
	return len(s1) + len(s2) - 2*lcs
}
