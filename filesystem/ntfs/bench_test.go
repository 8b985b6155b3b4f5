package ntfs

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// benchImageEnv names a real NTFS image BenchmarkWalk lists instead of
// the generated one, e.g. the fs.ntfs scripts/bench-fs.sh builds.
const benchImageEnv = "PANGOLIN_NTFS_BENCH_IMAGE"

// Geometry of the generated benchmark volume: what mkntfs gives a small
// volume (4 KiB clusters, 1 KiB records).
const (
	bCluster = 4096
	bRecSize = 1024
)

// benchVolume builds, in memory, a volume holding files files of 1 to 4
// KiB in 200 folders, as scripts/benchdata's "tiny" set: each file has
// $STANDARD_INFORMATION, a Win32 and a DOS $FILE_NAME and one
// non-resident $DATA run, as Windows writes them. File i holds the
// bytes i+j mod 251, for j from 0.
func benchVolume(files int) []byte {
	const dirs = 200
	nrec := firstUserRecord + dirs + files
	mftLCN := int64(4)
	mftClusters := (int64(nrec)*bRecSize + bCluster - 1) / bCluster
	dataLCN := mftLCN + mftClusters
	clusters := dataLCN + int64(files) + 16
	img := make([]byte, clusters*bCluster)
	copy(img[3:], "NTFS    ")
	binary.LittleEndian.PutUint16(img[0x0B:], 512)
	img[0x0D] = bCluster / 512
	binary.LittleEndian.PutUint64(img[0x28:], uint64(clusters*bCluster/512))
	binary.LittleEndian.PutUint64(img[0x30:], uint64(mftLCN))
	binary.LittleEndian.PutUint64(img[0x38:], 2)
	img[0x40] = 0xF6 // 2^10-byte records
	img[0x44] = 1
	img[0x1FE], img[0x1FF] = 0x55, 0xAA
	put := func(r tRecord) {
		copy(img[mftLCN*bCluster+int64(r.num)*bRecSize:], encodeRecord(r, bRecSize))
	}
	put(tRecord{num: 0, seq: 1, flags: inUse, attrs: []tAttr{
		{typ: attrStandardInfo, value: siValue(testTime)},
		{typ: attrFileName, value: fnValue(5, 5, "$MFT", 3, fnTime)},
		{typ: attrData, runs: []tRun{{mftClusters, mftLCN}}, lastVCN: uint64(mftClusters - 1), size: int64(nrec) * bRecSize},
	}})
	put(tRecord{num: 3, seq: 3, flags: inUse, attrs: named(5, 5, "$Volume", tAttr{typ: attrVolumeName, value: utf16le("BENCH")})})
	put(tRecord{num: 5, seq: 5, flags: dirInUse, attrs: named(5, 5, ".")})
	for d := range dirs {
		put(tRecord{num: uint64(firstUserRecord + d), seq: 1, flags: dirInUse, attrs: named(5, 5, fmt.Sprintf("d%03d", d))})
	}
	for i := range files {
		d := uint64(firstUserRecord + i%dirs)
		size := int64(1024 + (i*37)%3072)
		long := fmt.Sprintf("file-%05d.bin", i)
		short := fmt.Sprintf("FILE-%03d.BIN", i%1000)
		data := img[(dataLCN+int64(i))*bCluster:][:size]
		for j := range data {
			data[j] = byte((i + j) % 251)
		}
		put(tRecord{num: uint64(firstUserRecord + dirs + i), seq: 1, flags: inUse, attrs: []tAttr{
			{typ: attrStandardInfo, value: siValue(testTime)},
			{typ: attrFileName, value: fnValue(d, 1, short, namespaceDOS, fnTime)},
			{typ: attrFileName, value: fnValue(d, 1, long, 1, fnTime)},
			{typ: attrData, runs: []tRun{{1, dataLCN + int64(i)}}, size: size},
		}})
	}
	return img
}

var benchImage struct {
	once sync.Once
	r    io.ReaderAt
	size int64
	err  error
}

// benchFS opens the benchmark volume: the image named by
// PANGOLIN_NTFS_BENCH_IMAGE, or a generated one of 20,000 files.
func benchFS(b *testing.B) *FS {
	b.Helper()
	benchImage.once.Do(func() {
		if p := os.Getenv(benchImageEnv); p != "" {
			data, err := os.ReadFile(p)
			benchImage.r, benchImage.size, benchImage.err = bytes.NewReader(data), int64(len(data)), err
			return
		}
		img := benchVolume(20000)
		benchImage.r, benchImage.size = bytes.NewReader(img), int64(len(img))
	})
	if benchImage.err != nil {
		b.Fatal(benchImage.err)
	}
	fs, err := NewFS(benchImage.r, benchImage.size)
	if err != nil {
		b.Fatal(err)
	}
	return fs
}

// BenchmarkWalk lists every entry of a 20,000-file volume, as
// `pangolin ls -r` does.
func BenchmarkWalk(b *testing.B) {
	fs := benchFS(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		if err := fs.Walk(context.Background(), func(*filesystem.Entry) error {
			n++
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "entries")
}
