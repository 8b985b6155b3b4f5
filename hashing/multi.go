package hashing

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	"lukechampine.com/blake3"

	"github.com/pangolin-forensics/pangolin/hashing/phash"
	"github.com/pangolin-forensics/pangolin/hashing/ssdeep"
)

// Multi computes several hashes over one pass of the data. It is an
// io.Writer and an io.ReaderFrom: each byte is read once and fed to every
// algorithm.
//
// Short inputs are hashed inline by the calling goroutine. Once more than
// parallelAfter bytes have been written, each algorithm runs in its own
// goroutine fed with copies of the data in blockSize buffers, so that, on
// several cores, the slowest algorithm alone sets the pace (MD5 on most
// machines). A Multi is not safe for concurrent use.
type Multi struct {
	algos  []Algo
	hashes []digester
	n      int64

	// Parallel mode.
	workers []chan *block
	free    chan *block
	wg      sync.WaitGroup
}

// block is one buffer of data on its way to every algorithm; the last
// algorithm to finish with it returns it to the free list.
type block struct {
	data    []byte
	pending sync.WaitGroup
}

const (
	blockSize     = 1 << 20
	queueDepth    = 8
	parallelAfter = 4 << 20
)

// ErrUnknownAlgo is returned by [NewMulti] for a name it does not know.
var ErrUnknownAlgo = errors.New("unknown hash algorithm")

// NewMulti returns a hasher for the given algorithms.
func NewMulti(algos ...Algo) (*Multi, error) {
	m := &Multi{algos: algos}
	for _, a := range algos {
		h, err := newDigester(a)
		if err != nil {
			return nil, err
		}
		m.hashes = append(m.hashes, h)
	}
	return m, nil
}

// digester is one algorithm's state: fed by Write, read once by digest.
type digester interface {
	io.Writer
	digest() string
}

// New returns a hash.Hash for a cryptographic algorithm (md5, sha1,
// sha256, sha512, blake3), for callers that drive their own hashing.
func New(a Algo) (hash.Hash, error) {
	switch a {
	case MD5:
		return md5.New(), nil
	case SHA1:
		return sha1.New(), nil
	case SHA256:
		return sha256.New(), nil
	case SHA512:
		return sha512.New(), nil
	case BLAKE3:
		return blake3.New(32, nil), nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownAlgo, a)
}

func newDigester(a Algo) (digester, error) {
	switch a {
	case SSDEEP:
		return ssdeepDigest{ssdeep.New()}, nil
	case PHASH:
		return &phashDigest{}, nil
	}
	h, err := New(a)
	if err != nil {
		return nil, err
	}
	return hexDigest{h}, nil
}

type hexDigest struct{ hash.Hash }

func (h hexDigest) digest() string { return hex.EncodeToString(h.Sum(nil)) }

type ssdeepDigest struct{ *ssdeep.Hasher }

func (h ssdeepDigest) digest() string { return h.Sum() }

// maxPhotoSize bounds what the perceptual hash keeps of one file: a photo
// must be decoded whole, so it is held in memory until the end.
const maxPhotoSize = 64 << 20

// phashDigest keeps the start of the data while it can be an image and
// decodes it at the end.
type phashDigest struct {
	buf  []byte
	skip bool
}

func (p *phashDigest) Write(b []byte) (int, error) {
	switch {
	case p.skip:
	case len(p.buf)+len(b) > maxPhotoSize:
		p.skip, p.buf = true, nil
	default:
		p.buf = append(p.buf, b...)
		if len(p.buf) >= 16 && !phash.Sniff(p.buf[:16]) {
			p.skip, p.buf = true, nil
		}
	}
	return len(b), nil
}

func (p *phashDigest) digest() string {
	if p.skip || len(p.buf) == 0 {
		return ""
	}
	h, err := phash.Decode(bytes.NewReader(p.buf), int64(len(p.buf)))
	if err != nil {
		return ""
	}
	return h.String()
}

// Write hashes p. It never returns an error.
func (m *Multi) Write(p []byte) (int, error) {
	n := len(p)
	if m.inline(n) {
		for _, h := range m.hashes {
			h.Write(p)
		}
		m.n += int64(n)
		return n, nil
	}
	for len(p) > 0 {
		b := m.get()
		k := copy(b.data[:cap(b.data)], p)
		b.data = b.data[:k]
		m.send(b)
		p = p[k:]
	}
	m.n += int64(n)
	return n, nil
}

// ReadFrom hashes everything r yields until io.EOF. Once the stream
// proves long it reads straight into the buffers the algorithms consume.
func (m *Multi) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	var small []byte
	for {
		var k int
		var err error
		if m.inline(0) {
			if small == nil {
				small = make([]byte, 64<<10)
			}
			k, err = io.ReadFull(r, small)
			m.Write(small[:k])
		} else {
			b := m.get()
			k, err = io.ReadFull(r, b.data[:cap(b.data)])
			b.data = b.data[:k]
			m.n += int64(k)
			if k > 0 {
				m.send(b)
			} else {
				m.free <- b
			}
		}
		total += int64(k)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// inline reports whether the next n bytes are hashed by the caller's
// goroutine.
func (m *Multi) inline(n int) bool {
	return m.workers == nil && (len(m.hashes) < 2 || m.n+int64(n) <= parallelAfter)
}

// get returns a free buffer, starting the workers on first use.
func (m *Multi) get() *block {
	if m.workers == nil {
		m.start()
	}
	return <-m.free
}

func (m *Multi) start() {
	m.free = make(chan *block, queueDepth)
	for range queueDepth {
		m.free <- &block{data: make([]byte, 0, blockSize)}
	}
	for _, h := range m.hashes {
		ch := make(chan *block, queueDepth)
		m.workers = append(m.workers, ch)
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			for b := range ch {
				h.Write(b.data)
				b.pending.Done()
			}
		}()
	}
}

// send hands b to every algorithm and arranges for it to come back to the
// free list when all are done.
func (m *Multi) send(b *block) {
	b.pending.Add(len(m.workers))
	for _, ch := range m.workers {
		ch <- b
	}
	go func() {
		b.pending.Wait()
		m.free <- b
	}()
}

// Size returns the number of bytes hashed.
func (m *Multi) Size() int64 { return m.n }

// Sums waits for every algorithm to finish and returns the hex digests. The
// Multi must not be written to afterwards.
func (m *Multi) Sums() Sums {
	if m.workers != nil {
		for _, ch := range m.workers {
			close(ch)
		}
		m.wg.Wait()
		m.workers = nil
	}
	s := make(Sums, len(m.algos))
	for i, a := range m.algos {
		s[a] = m.hashes[i].digest()
	}
	return s
}
