package acquire

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// memSource is a source held in memory, to measure the engine rather
// than a disk.
type memSource struct{ *bytes.Reader }

func (memSource) SectorSize() int { return 512 }

// BenchmarkAcquireRaw images 64 MiB from memory into a raw file with md5,
// sha1 and sha256; the figure is MB/s of source.
func BenchmarkAcquireRaw(b *testing.B) {
	const size = 64 << 20
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	src := memSource{bytes.NewReader(data)}
	dir := b.TempDir()
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		base := filepath.Join(dir, "img")
		sink, err := NewRawSink(base, 0)
		if err != nil {
			b.Fatal(err)
		}
		_, err = Acquire(context.Background(), src, sink, Options{Algos: []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256}})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.Remove(base + ".raw")
		b.StartTimer()
	}
}
