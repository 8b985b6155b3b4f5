package hashing

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMulti measures one pass of md5+sha1+sha256 (hashdeep's default
// set) and of each algorithm alone over 256 MiB held in memory.
func BenchmarkMulti(b *testing.B) {
	data := make([]byte, 256<<20)
	rand.NewChaCha8([32]byte{}).Read(data)
	for _, tc := range []struct {
		name  string
		algos []Algo
	}{
		{"md5+sha1+sha256", []Algo{MD5, SHA1, SHA256}},
		{"md5", []Algo{MD5}}, {"sha1", []Algo{SHA1}}, {"sha256", []Algo{SHA256}},
		{"sha512", []Algo{SHA512}}, {"blake3", []Algo{BLAKE3}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				m, _ := NewMulti(tc.algos...)
				m.Write(data)
				m.Sums()
			}
		})
	}
}
