package ssdeep

import (
	"fmt"
	"math/bits"
)

// This file generates the test inputs. The generator is defined here, not
// taken from math/rand, so that testdata/hashes.golden stays valid across Go
// releases.

// rng is SplitMix64 (Steele, Lea and Flood, 2014).
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng { return &rng{seed} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// intn returns a number in [0, n); n must be positive.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// logSize returns a size from 0 to 2^maxBits-1, spread evenly over the
// powers of two.
func (r *rng) logSize(maxBits int) int {
	b := r.intn(maxBits + 1)
	if b == 0 {
		return 0
	}
	return 1<<(b-1) + r.intn(1<<(b-1))
}

func (r *rng) bytes(b []byte) {
	for i := range b {
		b[i] = byte(r.next())
	}
}

func genRandom(seed uint64, n int) []byte {
	b := make([]byte, n)
	newRNG(seed).bytes(b)
	return b
}

// genText returns n bytes of text-like data: words from a small vocabulary,
// spaces, punctuation and line breaks, so pieces repeat as in real text.
func genText(seed uint64, n int) []byte {
	r := newRNG(seed)
	vocab := make([]string, 300)
	for i := range vocab {
		w := make([]byte, 1+r.intn(9))
		for j := range w {
			w[j] = 'a' + byte(r.intn(26))
		}
		vocab[i] = string(w)
	}
	b := make([]byte, 0, n+16)
	for len(b) < n {
		b = append(b, vocab[r.intn(len(vocab))]...)
		switch r.intn(20) {
		case 0:
			b = append(b, ".\n"...)
		case 1:
			b = append(b, ", "...)
		default:
			b = append(b, ' ')
		}
	}
	return b[:n]
}

// genPattern repeats a random chunk of 1 to 400 bytes.
func genPattern(seed uint64, n int) []byte {
	r := newRNG(seed)
	p := make([]byte, 1+r.intn(400))
	r.bytes(p)
	b := make([]byte, n)
	for i := range b {
		b[i] = p[i%len(p)]
	}
	return b
}

// genRun is n copies of one byte.
func genRun(seed uint64, n int) []byte {
	c := byte(newRNG(seed).next())
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}

// genZeroTail is random data ending in 1 to 64 zero bytes; seven or more
// leave the rolling hash at 0, which changes how the digest ends.
func genZeroTail(seed uint64, n int) []byte {
	b := genRandom(seed, n)
	z := min(n, 1+newRNG(^seed).intn(64))
	clear(b[n-z:])
	return b
}

// genMixed concatenates segments of random data, text, runs and zeros.
func genMixed(seed uint64, n int) []byte {
	r := newRNG(seed)
	b := make([]byte, 0, n)
	for len(b) < n {
		k := min(n-len(b), 1+r.intn(max(n/4, 16)))
		s := r.next()
		switch r.intn(4) {
		case 0:
			b = append(b, genRandom(s, k)...)
		case 1:
			b = append(b, genText(s, k)...)
		case 2:
			b = append(b, genRun(s, k)...)
		default:
			b = append(b, make([]byte, k)...)
		}
	}
	return b
}

// genSparse is zeros with a few random bytes scattered in them.
func genSparse(seed uint64, n int) []byte {
	r := newRNG(seed)
	b := make([]byte, n)
	for range n/500 + 1 {
		if n > 0 {
			b[r.intn(n)] = byte(r.next())
		}
	}
	return b
}

type kind struct {
	name string
	gen  func(seed uint64, n int) []byte
}

var kinds = []kind{
	{"random", genRandom},
	{"text", genText},
	{"pattern", genPattern},
	{"zerotail", genZeroTail},
	{"mixed", genMixed},
	{"run", genRun},
	{"sparse", genSparse},
}

type input struct {
	name string
	data []byte
}

// goldenInputs are the inputs of testdata/hashes.golden.
func goldenInputs() []input {
	sizes := []int{0, 1, 2, 7, 63, 64, 65, 191, 192, 193, 3000, 4095, 4096, 4097, 12287, 12288, 12289, 100000}
	var in []input
	for ki, k := range kinds[:5] {
		for si, n := range sizes {
			seed := uint64(1000*ki + si)
			in = append(in, input{fmt.Sprintf("%s-%d", k.name, n), k.gen(seed, n)})
		}
	}
	return in
}
