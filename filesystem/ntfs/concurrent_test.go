package ntfs

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// concurrentVolumes returns the volumes the concurrency test reads: the
// synthetic volume, a generated one of 2,000 files, one with compressed
// files, and the corpus image
// dfir_ntfs/ntfs3.raw when the corpus is there.
func concurrentVolumes(t *testing.T) map[string][]byte {
	vols := map[string][]byte{
		"synthetic": synthVolume(),
		"generated": benchVolume(2000),
	}
	vols["compressed"], _ = compressedVolume()
	if c, ok := testcorpus.Find(); ok {
		f, err := os.Open(filepath.Join(c, "diskimages", "dfir_ntfs", "ntfs3.raw.gz"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		vols["ntfs3.raw"] = img
	}
	return vols
}

// content is what a sequential pass read of one entry.
type content struct {
	sum  [md5.Size]byte
	size int64
	err  bool
}

func entryKey(e *filesystem.Entry) string { return fmt.Sprintf("%s|%d|%s", e.Path, e.Inode, e.Stream) }

// readEntry opens e and hashes its content, reading it through ReadAt
// calls of odd sizes.
func readEntry(fs *FS, e *filesystem.Entry) (content, error) {
	sr, err := fs.Open(e)
	if err != nil {
		return content{err: true}, err
	}
	h := md5.New()
	buf := make([]byte, 3001)
	var off int64
	for {
		n, err := sr.ReadAt(buf, off)
		h.Write(buf[:n])
		off += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return content{}, err
		}
	}
	var c content
	copy(c.sum[:], h.Sum(nil))
	c.size = off
	return c, nil
}

// TestConcurrentWalkOpen walks and reads every entry from four goroutines
// at once, each with its own Walk, sharing one FS, and checks the
// listing and every content against a sequential pass. Run it with -race.
func TestConcurrentWalkOpen(t *testing.T) {
	for name, img := range concurrentVolumes(t) {
		t.Run(name, func(t *testing.T) {
			fs, err := NewFS(bytes.NewReader(img), int64(len(img)))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]content{}
			var order []string
			if err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
				c, _ := readEntry(fs, e)
				want[entryKey(e)] = c
				order = append(order, entryKey(e))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			const workers = 4
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for g := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					i := 0
					err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
						k := entryKey(e)
						if i >= len(order) || order[i] != k {
							return fmt.Errorf("worker %d: entry %d is %s, want %s", g, i, k, order[min(i, len(order)-1)])
						}
						i++
						got, err := readEntry(fs, e)
						if w := want[k]; got != w {
							return fmt.Errorf("worker %d: %s: read %x (%d bytes, error %v), sequential %x (%d bytes, error %v)", g, k, got.sum, got.size, err, w.sum, w.size, w.err)
						}
						fs.Anomalies()
						return nil
					})
					if err == nil && i != len(order) {
						err = fmt.Errorf("worker %d: %d entries, want %d", g, i, len(order))
					}
					errs <- err
				}()
			}
			// One more reader shares single section readers between
			// goroutines, as a pipeline handing one stream to several
			// hashers does.
			wg.Add(1)
			go func() {
				defer wg.Done()
				fs.Walk(context.Background(), func(e *filesystem.Entry) error {
					sr, err := fs.Open(e)
					if err != nil {
						return nil
					}
					var inner sync.WaitGroup
					for range 2 {
						inner.Add(1)
						go func() {
							defer inner.Done()
							io.Copy(io.Discard, io.NewSectionReader(sr, 0, sr.Size()))
						}()
					}
					inner.Wait()
					return nil
				})
			}()
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			t.Logf("%d entries read by %d goroutines", len(order), workers)
		})
	}
}
