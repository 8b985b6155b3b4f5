package hashing

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"sync"

	"lukechampine.com/blake3"
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
	hashes []hash.Hash
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
		h, err := newHash(a)
		if err != nil {
			return nil, err
		}
		m.hashes = append(m.hashes, h)
	}
	return m, nil
}

func newHash(a Algo) (hash.Hash, error) {
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
	return nil, ErrUnknownAlgo
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
		s[a] = hex.EncodeToString(m.hashes[i].Sum(nil))
	}
	return s
}
