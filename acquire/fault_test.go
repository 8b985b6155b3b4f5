package acquire

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/hashing"
)

// faultSource wraps a source and makes reads that touch configured sectors
// fail, fail a few times then succeed, or come back short.
type faultSource struct {
	Source
	bad       []Range // reads touching these always fail with EIO
	short     []Range // reads touching these return half the bytes and no error
	transient []Range // reads touching these fail the first flaky times
	flaky     int

	mu    sync.Mutex
	tries map[int64]int // failed attempts by read offset, for transient ranges

	// blockAt, if >= 0, makes a read at or beyond that offset wait for
	// unblock to be closed.
	blockAt int64
	unblock chan struct{}
	// onRead, if set, is called before each read with its offset.
	onRead func(off int64)
}

func newFaultSource(src Source) *faultSource {
	return &faultSource{Source: src, blockAt: -1, tries: map[int64]int{}}
}

func touches(rs []Range, off, n int64) bool {
	for _, r := range rs {
		if off < r.Offset+r.Length && r.Offset < off+n {
			return true
		}
	}
	return false
}

func (f *faultSource) ReadAt(p []byte, off int64) (int, error) {
	if f.onRead != nil {
		f.onRead(off)
	}
	if f.blockAt >= 0 && off >= f.blockAt {
		<-f.unblock
	}
	n := int64(len(p))
	switch {
	case touches(f.bad, off, n):
		return 0, &os.PathError{Op: "read", Path: "/dev/sdz", Err: syscall.EIO}
	case touches(f.short, off, n):
		k, _ := f.Source.ReadAt(p[:len(p)/2], off)
		return k, nil
	case touches(f.transient, off, n):
		f.mu.Lock()
		f.tries[off]++
		t := f.tries[off]
		f.mu.Unlock()
		if t <= f.flaky {
			return 0, &os.PathError{Op: "read", Path: "/dev/sdz", Err: syscall.EAGAIN}
		}
	}
	return f.Source.ReadAt(p, off)
}

// makeSource writes size pseudo-random bytes to a read-only file in dir
// with an old modification time, and returns its path and content.
func makeSource(t testing.TB, dir string, size int, seed uint64) (string, []byte) {
	t.Helper()
	data := make([]byte, size)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	r.Read(data)
	path := filepath.Join(dir, "seized.dd")
	if err := os.WriteFile(path, data, 0o444); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// openSource opens path as evidence and closes it with the test.
func openSource(t testing.TB, path string) *evidence.Source {
	t.Helper()
	src, err := evidence.OpenSource(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// checkUntouched fails the test if the file at path no longer holds data
// or its modification time changed.
func checkUntouched(t *testing.T, path string, data []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("source %s changed", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC); !fi.ModTime().Equal(want) {
		t.Errorf("source modification time changed to %v", fi.ModTime())
	}
}

// sumsOf hashes b with every media algorithm, independently of the
// package's own hashers.
func sumsOf(b []byte) hashing.Sums {
	m, s1, s256, s512 := md5.Sum(b), sha1.Sum(b), sha256.Sum256(b), sha512.Sum512(b)
	return hashing.Sums{
		hashing.MD5:    hex.EncodeToString(m[:]),
		hashing.SHA1:   hex.EncodeToString(s1[:]),
		hashing.SHA256: hex.EncodeToString(s256[:]),
		hashing.SHA512: hex.EncodeToString(s512[:]),
	}
}

// readSegments concatenates the files a sink wrote.
func readSegments(t *testing.T, paths []string) []byte {
	t.Helper()
	var out []byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

var errEIO = (&os.PathError{Op: "read", Path: "/dev/sdz", Err: syscall.EIO}).Error()
