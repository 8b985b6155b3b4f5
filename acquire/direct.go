package acquire

import (
	"os"
	"unsafe"
)

// directAlign is the alignment O_DIRECT needs of buffers, lengths and file
// offsets; 4096 covers disks with 512-byte and 4096-byte sectors.
const (
	directAlign = 4096
	directBuf   = 4 << 20
)

// directWriter writes a file sequentially, bypassing the page cache where
// the system allows it (O_DIRECT on Linux). Copying an image through the
// page cache costs about as much CPU as hashing it with MD5; written
// directly, the kernel only moves it. Bytes are staged in an aligned
// buffer and written in whole blocks; a final part that is not a whole
// block goes through the page cache, and so does every write on systems
// or file systems without direct I/O.
type directWriter struct {
	f      *os.File
	direct bool
	buf    []byte // aligned staging buffer, len = bytes staged
}

// newDirectWriter wraps f, positioned at its end, for sequential writes.
func newDirectWriter(f *os.File, offset int64) *directWriter {
	w := &directWriter{f: f}
	if offset%directAlign == 0 && setDirect(f, true) == nil {
		w.direct = true
		raw := make([]byte, directBuf+directAlign)
		shift := (directAlign - int(uintptr(unsafe.Pointer(&raw[0]))%directAlign)) % directAlign
		w.buf = raw[shift : shift : shift+directBuf]
	}
	return w
}

// Write stages p, writing whole buffers as they fill.
func (w *directWriter) Write(p []byte) (int, error) {
	if !w.direct {
		return w.f.Write(p)
	}
	written := 0
	for len(p) > 0 {
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+k]
		p, written = p[k:], written+k
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// flush writes the staged bytes: whole blocks directly, a shorter rest
// through the page cache (after which the file stays buffered, its end no
// longer aligned).
func (w *directWriter) flush() error {
	whole := len(w.buf) / directAlign * directAlign
	if _, err := w.f.Write(w.buf[:whole]); err != nil {
		return err
	}
	rest := w.buf[whole:]
	w.buf = w.buf[:0]
	if len(rest) == 0 {
		return nil
	}
	if err := setDirect(w.f, false); err != nil {
		return err
	}
	w.direct = false
	_, err := w.f.Write(rest)
	return err
}

// Sync writes what is staged and commits the file to stable storage.
func (w *directWriter) Sync() error {
	if w.direct && len(w.buf) > 0 {
		if err := w.flush(); err != nil {
			return err
		}
	}
	return w.f.Sync()
}

// Close syncs and closes the file.
func (w *directWriter) Close() error {
	err := w.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}
