package chain

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"sync"

	"filippo.io/edwards25519"
)

// sigItem is one Ed25519 signature to check.
type sigItem struct {
	pub ed25519.PublicKey
	msg []byte
	sig []byte
}

// sigChunk is how many signatures one batch equation checks: large enough
// to share the doublings of the multi-scalar multiplication, small enough
// that a bad signature costs little to find.
const sigChunk = 256

// verifySigs reports for each item whether its signature is valid, using
// all cores.
//
// Signatures are checked in batches with the cofactored verification
// equation [8]([S]B) = [8]R + [8][k]A (RFC 8032 §5.1.7, as ZIP 215 uses it
// for batches), combined with random 128-bit weights: a batch with any
// signature a forger could make passes with probability 2^-128. When a
// batch fails, each of its signatures is re-checked with crypto/ed25519,
// which decides. Keys that are not torsion-free always take that path.
// The batch equation and crypto/ed25519 can differ only on signatures whose
// R was deliberately given a small-order component, which needs the private
// key: such a signature still proves that the key's holder made it.
func verifySigs(items []sigItem) []bool {
	ok := make([]bool, len(items))
	chunks := (len(items) + sigChunk - 1) / sigChunk
	var keys keyCache
	parallel(chunks, func(c int) {
		lo, hi := c*sigChunk, min((c+1)*sigChunk, len(items))
		if batchValid(items[lo:hi], &keys) {
			for i := lo; i < hi; i++ {
				ok[i] = true
			}
			return
		}
		for i := lo; i < hi; i++ {
			ok[i] = len(items[i].pub) == ed25519.PublicKeySize && ed25519.Verify(items[i].pub, items[i].msg, items[i].sig)
		}
	})
	return ok
}

// keyCache decodes each public key once and remembers whether it is a
// torsion-free point.
type keyCache struct {
	mu   sync.Mutex
	keys map[string]*edwards25519.Point // nil: not usable in a batch
}

func (kc *keyCache) point(pub []byte) *edwards25519.Point {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if p, ok := kc.keys[string(pub)]; ok {
		return p
	}
	if kc.keys == nil {
		kc.keys = make(map[string]*edwards25519.Point)
	}
	var p *edwards25519.Point
	if a, err := new(edwards25519.Point).SetBytes(pub); err == nil && torsionFree(a) {
		p = a
	}
	kc.keys[string(pub)] = p
	return p
}

// torsionFree reports whether [ℓ]P is the identity, computed as
// [ℓ-1]P + P.
func torsionFree(p *edwards25519.Point) bool {
	minusOne := edwards25519.NewScalar().Subtract(edwards25519.NewScalar(), scalarOne())
	q := new(edwards25519.Point).ScalarMult(minusOne, p)
	q.Add(q, p)
	return q.Equal(edwards25519.NewIdentityPoint()) == 1
}

func scalarOne() *edwards25519.Scalar {
	var b [32]byte
	b[0] = 1
	s, _ := edwards25519.NewScalar().SetCanonicalBytes(b[:])
	return s
}

// canonicalPoint reports whether b is the canonical encoding of a point's
// y and sign (y < p; no "negative zero" x), as crypto/ed25519 requires of R
// by comparing encodings.
func canonicalPoint(b []byte) bool {
	// y >= p = 2^255-19: top byte 0x7f (sign masked), bytes 1..30 all 0xff,
	// low byte >= 0xed.
	high := b[31]&0x7f == 0x7f && b[0] >= 0xed
	for i := 1; high && i < 31; i++ {
		high = b[i] == 0xff
	}
	if high {
		return false
	}
	// x = 0 only for y = 1 and y = p-1; its sign bit must be clear.
	if b[31]&0x80 != 0 {
		one := b[0] == 1
		minusOne := b[0] == 0xec
		for i := 1; i < 31 && (one || minusOne); i++ {
			one = one && b[i] == 0
			minusOne = minusOne && b[i] == 0xff
		}
		one = one && b[31]&0x7f == 0
		minusOne = minusOne && b[31]&0x7f == 0x7f
		if one || minusOne {
			return false
		}
	}
	return true
}

// batchValid checks all items with one multi-scalar multiplication:
// Σ z_i R_i + Σ_A (Σ z_i k_i) A − (Σ z_i S_i) B, times the cofactor, must
// be the identity. It returns false if any item cannot take part.
func batchValid(items []sigItem, keys *keyCache) bool {
	scalars := make([]*edwards25519.Scalar, 0, len(items)+2)
	points := make([]*edwards25519.Point, 0, len(items)+2)
	bCoeff := edwards25519.NewScalar()
	aCoeff := make(map[*edwards25519.Point]*edwards25519.Scalar)
	weights := make([]byte, 16*len(items))
	if _, err := rand.Read(weights); err != nil {
		return false
	}
	var zb [32]byte
	h := sha512.New()
	var digest [64]byte
	for i, it := range items {
		if len(it.sig) != ed25519.SignatureSize || len(it.pub) != ed25519.PublicKeySize || !canonicalPoint(it.sig[:32]) {
			return false
		}
		A := keys.point(it.pub)
		if A == nil {
			return false
		}
		R, err := new(edwards25519.Point).SetBytes(it.sig[:32])
		if err != nil {
			return false
		}
		S, err := edwards25519.NewScalar().SetCanonicalBytes(it.sig[32:])
		if err != nil {
			return false
		}
		h.Reset()
		h.Write(it.sig[:32])
		h.Write(it.pub)
		h.Write(it.msg)
		k, err := edwards25519.NewScalar().SetUniformBytes(h.Sum(digest[:0]))
		if err != nil {
			return false
		}
		copy(zb[:16], weights[16*i:])
		z, err := edwards25519.NewScalar().SetCanonicalBytes(zb[:])
		if err != nil {
			return false
		}
		bCoeff.MultiplyAdd(z, S, bCoeff)
		acc, ok := aCoeff[A]
		if !ok {
			acc = edwards25519.NewScalar()
			aCoeff[A] = acc
		}
		acc.MultiplyAdd(z, k, acc)
		scalars = append(scalars, z)
		points = append(points, R)
	}
	scalars = append(scalars, bCoeff.Negate(bCoeff))
	points = append(points, edwards25519.NewGeneratorPoint())
	for A, s := range aCoeff {
		scalars = append(scalars, s)
		points = append(points, A)
	}
	sum := new(edwards25519.Point).VarTimeMultiScalarMult(scalars, points)
	return sum.MultByCofactor(sum).Equal(edwards25519.NewIdentityPoint()) == 1
}
