package chain

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"testing"

	"filippo.io/edwards25519"
)

// TestVerifySigsMatchesStdlib checks batch verification against
// crypto/ed25519 on a mix of valid signatures by several keys and every
// kind of bad one, in batches of every size up to a few chunks.
func TestVerifySigsMatchesStdlib(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(1, 2))
	var keys []ed25519.PrivateKey
	for range 3 {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		keys = append(keys, priv)
	}
	smallOrder := make([]byte, 32) // the identity point: a small-order key
	smallOrder[0] = 1
	mutations := []func(it *sigItem){
		func(it *sigItem) {},
		func(it *sigItem) { it.msg = append(bytes.Clone(it.msg), 'x') },
		func(it *sigItem) { it.sig = bytes.Clone(it.sig); it.sig[rng.IntN(32)] ^= 1 << rng.IntN(8) },
		func(it *sigItem) { it.sig = bytes.Clone(it.sig); it.sig[32+rng.IntN(32)] ^= 1 << rng.IntN(8) },
		func(it *sigItem) { it.sig = bytes.Clone(it.sig); it.sig[63] |= 0xf0 }, // S >= L
		func(it *sigItem) { it.sig = it.sig[:63] },
		func(it *sigItem) { it.pub = keys[(rng.IntN(2)+1)%3].Public().(ed25519.PublicKey) },
		func(it *sigItem) { it.pub = smallOrder },
		func(it *sigItem) { it.pub = it.pub[:31] },
	}
	for _, n := range []int{1, 2, 7, sigChunk - 1, sigChunk, sigChunk + 1, 3*sigChunk + 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			items := make([]sigItem, n)
			for i := range items {
				k := keys[rng.IntN(len(keys))]
				msg := []byte(fmt.Sprintf("entry %d", i))
				items[i] = sigItem{k.Public().(ed25519.PublicKey), msg, ed25519.Sign(k, msg)}
				if rng.IntN(40) == 0 {
					mutations[1+rng.IntN(len(mutations)-1)](&items[i])
				}
			}
			got := verifySigs(items)
			for i, it := range items {
				want := len(it.pub) == 32 && ed25519.Verify(it.pub, it.msg, it.sig)
				if got[i] != want {
					t.Fatalf("item %d: batch says %v, crypto/ed25519 %v", i, got[i], want)
				}
			}
		})
	}
	for i, m := range mutations {
		k := keys[0]
		it := sigItem{k.Public().(ed25519.PublicKey), []byte("m"), ed25519.Sign(k, []byte("m"))}
		m(&it)
		want := len(it.pub) == 32 && ed25519.Verify(it.pub, it.msg, it.sig)
		if got := verifySigs([]sigItem{it})[0]; got != want {
			t.Errorf("mutation %d alone: batch %v, crypto/ed25519 %v", i, got, want)
		}
	}
}

// TestCanonicalPoint checks the encoding test against decoding and
// re-encoding, on random strings and the edge values.
func TestCanonicalPoint(t *testing.T) {
	var cases [][]byte
	for range 20000 {
		b := make([]byte, 32)
		rand.Read(b)
		cases = append(cases, b)
	}
	// y = p .. 2^255-1, y = 1 and p-1 with both signs, y = 0.
	for _, low := range []byte{0xec, 0xed, 0xee, 0xff} {
		for _, top := range []byte{0x7f, 0xff} {
			b := bytes.Repeat([]byte{0xff}, 32)
			b[0], b[31] = low, top
			cases = append(cases, b)
		}
	}
	for _, top := range []byte{0x00, 0x80} {
		for _, low := range []byte{0, 1} {
			b := make([]byte, 32)
			b[0], b[31] = low, top
			cases = append(cases, b)
		}
	}
	for _, b := range cases {
		p, err := new(edwards25519.Point).SetBytes(b)
		if err != nil {
			continue
		}
		want := bytes.Equal(p.Bytes(), b)
		if got := canonicalPoint(b); got != want {
			t.Fatalf("%x: canonicalPoint %v, re-encoding says %v", b, got, want)
		}
	}
}
