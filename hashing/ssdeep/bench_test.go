package ssdeep

import "testing"

func BenchmarkHasher(b *testing.B) {
	data := genRandom(1, 64<<20)
	h := New()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		h.Reset()
		h.Write(data)
		h.Sum()
	}
}

func BenchmarkCompare(b *testing.B) {
	x := Hash(genText(1, 1<<20))
	y := Hash(genText(1, 1<<20-5000))
	for b.Loop() {
		Compare(x, y)
	}
}
