package ssdeep

import "errors"

// Parameters of the algorithm, as in libfuzzy.
const (
	// MinBlockSize is the smallest block size; every block size a Hasher
	// chooses is MinBlockSize<<k for k in 0..30.
	MinBlockSize = 3

	// SigLen is the longest a signature can be.
	SigLen = 64

	// MaxSize is the largest input, in bytes, that has a digest: 192 GiB,
	// SigLen times the largest block size.
	MaxSize = uint64(MinBlockSize) << (numSizes - 1) * SigLen

	numSizes = 31 // candidate block sizes MinBlockSize<<0 .. <<30
	window   = 7  // bytes covered by the rolling hash
	fnvPrime = 0x01000193
	fnvInit  = 0x28021967 & 0x3f // the piece hash keeps only 6 bits
)

// ErrTooLarge is returned by [Hasher.Digest] when more than [MaxSize]
// bytes were written.
var ErrTooLarge = errors.New("ssdeep: input larger than 192 GiB")

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// sumHash is the piece hash: FNV-1 over the piece, of which only the low
// 6 bits are ever used, so only they are kept.
func sumHash(h, c byte) byte {
	return byte((uint32(h)*fnvPrime ^ uint32(c)) & 0x3f)
}

// Piece hashes are kept 8 to a uint64, one per byte lane, so that one step
// updates 4 block sizes. Lane 2i holds the piece hash h of block-size index
// i and lane 2i+1 its half hash.
const (
	lanes1  = 0x0101010101010101
	lanes3  = 0x0303030303030303
	lanes3f = 0x3f3f3f3f3f3f3f3f
)

// sumHashLanes is sumHash on every lane of x, all below 64. Modulo 64,
// fnvPrime is 19 = 1+2+16, and 16·h depends only on the low 2 bits of h, so
// no lane can carry into the next.
func sumHashLanes(x, c uint64) uint64 {
	return (x+x<<1+(x&lanes3)<<4)&lanes3f ^ c
}

// roller is the rolling hash over the last [window] bytes: an Adler-like
// sum and position-weighted sum plus a shift/xor hash.
type roller struct {
	win        [window]byte
	h1, h2, h3 uint32
	n          int
}

func (r *roller) roll(c byte) {
	r.h2 += window*uint32(c) - r.h1
	r.h1 += uint32(c) - uint32(r.win[r.n])
	r.win[r.n] = c
	if r.n++; r.n == window {
		r.n = 0
	}
	r.h3 = r.h3<<5 ^ uint32(c)
}

func (r *roller) sum() uint32 { return r.h1 + r.h2 + r.h3 }

// sigState is the signature being built for one block size.
type sigState struct {
	sig [SigLen]byte // sig[:n] is final; sig[n] is the last character written past the end, or 0
	n   int
	// half is the character sig2 would end with had the input ended at
	// the last trigger (0 while n < SigLen/2).
	half byte
}

// Hasher computes an ssdeep hash in one streaming pass (the libfuzzy 2.13+
// algorithm that tracks all block sizes at once, so the input never needs to
// be re-read or buffered whole). Its zero value is not ready: use [New].
// A Hasher is not safe for concurrent use.
type Hasher struct {
	size       uint64 // bytes written, saturated at MaxSize+1
	start, end int    // sigs[start:end] are being built
	lo, hi     int    // lanes[lo:hi] hold the hashes of sigs[start:end]
	rollMask   uint32 // (1<<start)-1
	needLast   bool   // block size index 30 has been reached; last is live
	last       byte   // piece hash of all input, for a digest at index 30
	r          roller
	sigs       [numSizes]sigState
	// lanes holds the piece hashes: for index i, lane 2i hashes the
	// current piece and lane 2i+1 everything after the first SigLen/2-1
	// pieces, which is the last character of a truncated sig2. Lanes
	// outside [2·start, 2·end) hold values below 64 that are never read.
	lanes [(2*numSizes + 7) / 8]uint64
}

// hash returns lane j of h.lanes.
func (h *Hasher) hash(j int) byte { return byte(h.lanes[j/8] >> (j % 8 * 8)) }

// setHash sets lane j of h.lanes to v.
func (h *Hasher) setHash(j int, v byte) {
	sh := j % 8 * 8
	h.lanes[j/8] = h.lanes[j/8]&^(0xff<<sh) | uint64(v)<<sh
}

// setRange records a change of start or end.
func (h *Hasher) setRange(start, end int) {
	h.start, h.end = start, end
	h.lo, h.hi = 2*start/8, (2*end+7)/8
}

// New returns a Hasher for an empty input.
func New() *Hasher {
	h := new(Hasher)
	h.Reset()
	return h
}

// Reset returns h to the state of [New].
func (h *Hasher) Reset() {
	*h = Hasher{}
	h.setRange(0, 1)
	h.setHash(0, fnvInit)
	h.setHash(1, fnvInit)
}

// Size returns the number of bytes written since [New] or [Hasher.Reset],
// or MaxSize+1 if that is more than [MaxSize].
func (h *Hasher) Size() uint64 { return h.size }

// Write adds p to the input. It never returns an error.
func (h *Hasher) Write(p []byte) (int, error) {
	if n := uint64(len(p)); n > MaxSize || h.size > MaxSize-n {
		h.size = MaxSize + 1
	} else {
		h.size += n
	}
	for q := p; len(q) > 0; {
		q = q[h.run(q):]
	}
	return len(p), nil
}

// run feeds bytes from p until one ends a piece, and returns how many it
// fed.
func (h *Hasher) run(p []byte) int {
	// Usually the active lanes fit in 4 words, which then stay in
	// registers; otherwise every active word is updated in memory.
	base := min(h.lo, len(h.lanes)-4)
	fast := h.hi-base <= 4 && !h.needLast
	r, mask := h.r, h.rollMask
	x0, x1, x2, x3 := h.lanes[base], h.lanes[base+1], h.lanes[base+2], h.lanes[base+3]
	for i, c := range p {
		r.roll(c)
		cb := uint64(c&0x3f) * lanes1
		if fast {
			x0 = sumHashLanes(x0, cb)
			x1 = sumHashLanes(x1, cb)
			x2 = sumHashLanes(x2, cb)
			x3 = sumHashLanes(x3, cb)
		} else {
			for w := h.lo; w < h.hi; w++ {
				h.lanes[w] = sumHashLanes(h.lanes[w], cb)
			}
			if h.needLast {
				h.last = sumHash(h.last, c)
			}
		}
		// Block size MinBlockSize<<k triggers when sum%bs == bs-1, that
		// is when sum+1 is a multiple of bs (except where sum+1 wraps
		// to 0).
		t := r.sum() + 1
		if t == 0 || t%MinBlockSize != 0 || (t/MinBlockSize)&mask != 0 {
			continue
		}
		h.r = r
		if fast {
			h.lanes[base], h.lanes[base+1], h.lanes[base+2], h.lanes[base+3] = x0, x1, x2, x3
		}
		h.trigger(t / MinBlockSize >> h.start)
		return i + 1
	}
	h.r = r
	if fast {
		h.lanes[base], h.lanes[base+1], h.lanes[base+2], h.lanes[base+3] = x0, x1, x2, x3
	}
	return len(p)
}

// trigger ends a piece for block-size indexes start, start+1, ... up to
// the first index i for which bit i-start of q is set.
func (h *Hasher) trigger(q uint32) {
	for i := h.start; i < h.end; i++ {
		s := &h.sigs[i]
		if s.n == 0 {
			h.fork()
		}
		s.sig[s.n] = b64[h.hash(2*i)]
		s.half = b64[h.hash(2*i+1)]
		if s.n < SigLen-1 {
			s.n++
			s.sig[s.n] = 0
			h.setHash(2*i, fnvInit)
			if s.n < SigLen/2 {
				h.setHash(2*i+1, fnvInit)
				s.half = 0
			}
		} else {
			// The signature is full: its last character now covers
			// the rest of the input.
			h.reduce()
		}
		if q&1 != 0 {
			break
		}
		q >>= 1
	}
}

// fork starts the next larger block size, as a copy of the largest one,
// which has not yet completed a piece.
func (h *Hasher) fork() {
	if h.end < numSizes {
		e := h.end
		h.sigs[e] = sigState{}
		h.setHash(2*e, h.hash(2*e-2))
		h.setHash(2*e+1, h.hash(2*e-1))
		h.setRange(h.start, e+1)
		return
	}
	if !h.needLast {
		h.needLast = true
		h.last = h.hash(2 * (numSizes - 1))
	}
}

// reduce drops the smallest block size once the input is too long for it
// and the next one already has enough pieces, so neither the initial
// block-size guess nor its adjustment in [Hasher.Digest] can choose it.
func (h *Hasher) reduce() {
	if h.end-h.start < 2 ||
		uint64(MinBlockSize)<<h.start*SigLen >= h.size ||
		h.sigs[h.start+1].n < SigLen/2 {
		return
	}
	h.setRange(h.start+1, h.end)
	h.rollMask = h.rollMask<<1 | 1
}

// Digest returns the digest of the input written so far, or [ErrTooLarge].
// It does not change the state: writing may continue afterwards.
func (h *Hasher) Digest() (Digest, error) {
	if h.size > MaxSize {
		return Digest{}, ErrTooLarge
	}
	// Guess the block size from the input size, then step down to the
	// largest whose signature has at least SigLen/2 pieces.
	bi := h.start
	for uint64(MinBlockSize)<<bi*SigLen < h.size {
		bi++
	}
	bi = min(bi, h.end-1)
	for bi > h.start && h.sigs[bi].n < SigLen/2 {
		bi--
	}
	// A rolling sum of 0 means the input is empty or ended in a window
	// of zero bytes: the unfinished piece is then left out.
	live := h.r.sum() != 0

	s := &h.sigs[bi]
	var b1, b2 [SigLen]byte
	sig1 := append(b1[:0], s.sig[:s.n]...)
	switch {
	case live:
		sig1 = append(sig1, b64[h.hash(2*bi)])
	case s.sig[s.n] != 0:
		sig1 = append(sig1, s.sig[s.n])
	}

	sig2 := b2[:0]
	switch {
	case bi < h.end-1:
		t := &h.sigs[bi+1]
		sig2 = append(sig2, t.sig[:min(t.n, SigLen/2-1)]...)
		switch {
		case live:
			sig2 = append(sig2, b64[h.hash(2*bi+3)])
		case t.half != 0:
			sig2 = append(sig2, t.half)
		}
	case live && bi == 0:
		// Only one block size was ever started.
		sig2 = append(sig2, b64[h.hash(0)])
	case live:
		sig2 = append(sig2, b64[h.last])
	}
	return Digest{
		BlockSize: uint64(MinBlockSize) << bi,
		Sig1:      string(sig1),
		Sig2:      string(sig2),
	}, nil
}

// Sum returns the digest of the input written so far as ssdeep prints it
// before ,"filename": "blocksize:sig1:sig2". It returns "" if more than
// [MaxSize] bytes were written (see [Hasher.Digest]).
func (h *Hasher) Sum() string {
	d, err := h.Digest()
	if err != nil {
		return ""
	}
	return d.String()
}

// Hash returns the ssdeep digest of data, as [Hasher.Sum] does.
func Hash(data []byte) string {
	h := New()
	h.Write(data)
	return h.Sum()
}
