package ntfs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// FuzzMFTRecord decodes single MFT records: no panic, a nil record on
// error, and every decoded attribute readable through its runs.
func FuzzMFTRecord(f *testing.F) {
	img := synthVolume()
	for n := 0; n < 40; n++ {
		off := 16*tCluster + n*tRecSize
		f.Add(append([]byte(nil), img[off:off+tRecSize]...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := parseRecord(b, 7)
		if err != nil {
			if rec != nil {
				t.Fatalf("record %+v with error %v", rec, err)
			}
			return
		}
		fl := &file{rec: rec, attrs: rec.attrs}
		fl.names()
		fl.siTimes()
		attrs, _ := mergeFragments(rec.attrs)
		vol := make([]byte, 64*512)
		for i := range attrs {
			a := &attrs[i]
			if a.resident {
				continue
			}
			st, err := newStream(bytes.NewReader(vol), int64(len(vol)), 512, a.runs, a.realSize, a.initSize, "fuzz")
			if err != nil {
				continue
			}
			buf := make([]byte, 700)
			st.ReadAt(buf, 0)
			st.ReadAt(buf, a.realSize/2)
			st.physical(a.realSize / 3)
		}
	})
}

// fuzzImage lays fuzz input over the synthetic volume: the first 512
// bytes replace the boot sector and the rest the MFT, so that inputs stay
// small; an input shorter than a boot sector is the whole image.
func fuzzImage(template, b []byte) []byte {
	if len(b) < bootSize {
		return b
	}
	img := append([]byte(nil), template...)
	copy(img, b[:bootSize])
	copy(img[16*tCluster:16*tCluster+40*tRecSize], b[bootSize:])
	return img
}

// FuzzOpen opens small images: no panic, a nil FS on error, and every
// entry Walk gives can be opened or fails with an error.
func FuzzOpen(f *testing.F) {
	template := synthVolume()
	f.Add(append(template[:bootSize:bootSize], template[16*tCluster:16*tCluster+40*tRecSize]...))
	f.Add(template[:100])
	f.Fuzz(func(t *testing.T, in []byte) {
		b := fuzzImage(template, in)
		fs, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if fs != nil {
				t.Fatalf("FS with error %v", err)
			}
			if !errors.Is(err, filesystem.ErrNotFS) && len(b) >= bootSize && string(b[3:11]) != "NTFS    " {
				t.Fatalf("non-NTFS data: %v does not wrap ErrNotFS", err)
			}
			return
		}
		n := 0
		fs.Walk(context.Background(), func(e *filesystem.Entry) error {
			if n++; n > 10000 {
				return io.EOF
			}
			sr, err := fs.Open(e)
			if err != nil {
				return nil
			}
			io.CopyN(io.Discard, sr, 1<<16)
			return nil
		})
		fs.Anomalies()
		fs.Label()
	})
}
