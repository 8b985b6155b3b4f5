package acquire

import (
	"context"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"os"
	"slices"
	"time"

	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/atomicfile"
)

// ErrNotResumable is returned when an acquisition must save its state but
// an algorithm's state cannot be saved (blake3: lukechampine.com/blake3
// does not implement encoding.BinaryMarshaler).
var ErrNotResumable = errors.New("hash state cannot be saved")

// stateVersion is the version of the state file format this package
// writes; it refuses files of other versions.
const stateVersion = 1

// State is an interrupted acquisition's progress, saved as JSON in
// Options.StatePath:
//
//	{"version": 1, "size": 8004829184, "sector_size": 512,
//	 "block_size": 1048576, "offset": 67108864,
//	 "algos": ["md5", "sha1", "sha256"],
//	 "hashes": {"md5": "base64…", …},
//	 "bad_ranges": [{"offset": 4096, "length": 512, "error": "…"}],
//	 "sink": "base64…", "start": "2026-11-26T21:58:07.123456789Z"}
//
// offset is the number of bytes of the source read, hashed and made
// durable in the sink; hashes holds each algorithm's state after exactly
// those bytes, as Go's crypto packages marshal it
// (encoding.BinaryMarshaler); sink is the sink's own state (see
// [ResumableSink]). Readers must ignore fields they do not know.
type State struct {
	Version    int                     `json:"version"`
	Size       int64                   `json:"size"`
	SectorSize int                     `json:"sector_size"`
	BlockSize  int                     `json:"block_size"`
	Offset     int64                   `json:"offset"`
	Algos      []hashing.Algo          `json:"algos"`
	Hashes     map[hashing.Algo][]byte `json:"hashes"`
	BadRanges  []Range                 `json:"bad_ranges"`
	Sink       []byte                  `json:"sink"`
	Start      time.Time               `json:"start"`
}

// LoadState reads a state file that [Acquire] saved.
func LoadState(path string) (*State, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("acquire: load state: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("acquire: load state %s: %w", path, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("acquire: load state %s: version %d, want %d", path, st.Version, stateVersion)
	}
	return &st, nil
}

// Resumable reports, with an error wrapping [ErrNotResumable] naming the
// algorithm, whether an acquisition hashing with algos can save its state.
func Resumable(algos []hashing.Algo) error {
	for _, a := range algos {
		h, err := newHasher(a)
		if err != nil {
			return err
		}
		if _, ok := h.h.(encoding.BinaryMarshaler); !ok {
			return fmt.Errorf("acquire: %s: %w", a, ErrNotResumable)
		}
	}
	return nil
}

// checkpoint waits for the hashers to catch up with the sink, makes the
// sink durable and saves the state.
func (e *engine) checkpoint() error {
	st := State{
		Version: stateVersion, Size: e.size, SectorSize: e.sectorSize, BlockSize: e.blockSize,
		Offset: e.done, Hashes: map[hashing.Algo][]byte{}, BadRanges: e.bad, Start: e.start,
	}
	for _, h := range e.hashers {
		h.sync()
		b, err := h.h.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil {
			return fmt.Errorf("acquire: save %s state: %w", h.algo, err)
		}
		st.Algos = append(st.Algos, h.algo)
		st.Hashes[h.algo] = b
	}
	sink, err := e.sink.(ResumableSink).State()
	if err != nil {
		return fmt.Errorf("acquire: save sink state: %w", err)
	}
	st.Sink = sink
	b, err := json.MarshalIndent(st, "", "\t")
	if err != nil {
		return fmt.Errorf("acquire: save state: %w", err)
	}
	if err := atomicfile.Write(e.opts.StatePath, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("acquire: save state: %w", err)
	}
	return nil
}

// restore continues from a saved state.
func (e *engine) restore(st *State) error {
	if st.Size != e.size {
		return fmt.Errorf("acquire: resume: source is %d bytes, the saved acquisition %d", e.size, st.Size)
	}
	if st.Offset < 0 || st.Offset > st.Size || st.Offset%int64(e.sectorSize) != 0 && st.Offset != st.Size {
		return fmt.Errorf("acquire: resume: bad offset %d", st.Offset)
	}
	var algos []hashing.Algo
	for _, h := range e.hashers {
		algos = append(algos, h.algo)
	}
	if !slices.Equal(algos, st.Algos) {
		return fmt.Errorf("acquire: resume: algorithms %v, the saved acquisition %v", algos, st.Algos)
	}
	for _, h := range e.hashers {
		u, ok := h.h.(encoding.BinaryUnmarshaler)
		if !ok {
			return fmt.Errorf("acquire: resume: %s: %w", h.algo, ErrNotResumable)
		}
		if err := u.UnmarshalBinary(st.Hashes[h.algo]); err != nil {
			return fmt.Errorf("acquire: resume: %s state: %w", h.algo, err)
		}
	}
	e.done = st.Offset
	e.addBad(st.BadRanges)
	e.start = st.Start
	return nil
}

// hasher is one algorithm, fed by its own goroutine.
type hasher struct {
	algo hashing.Algo
	h    hash.Hash
	in   chan hashJob
	quit chan struct{}
}

// hashJob is a block to hash or, with b nil, a request to signal on
// synced once everything before it is hashed.
type hashJob struct {
	b      *block
	synced chan<- struct{}
}

func newHasher(a hashing.Algo) (*hasher, error) {
	h, err := hashing.New(a)
	if err != nil {
		return nil, fmt.Errorf("acquire: %w (media hashes: md5, sha1, sha256, sha512, blake3)", err)
	}
	return &hasher{algo: a, h: h}, nil
}

func (h *hasher) start(depth int) {
	h.in = make(chan hashJob, depth)
	h.quit = make(chan struct{})
	go func() {
		defer close(h.quit)
		for j := range h.in {
			if j.b != nil {
				h.h.Write(j.b.data)
				j.b.release()
			}
			if j.synced != nil {
				j.synced <- struct{}{}
			}
		}
	}()
}

// sync returns once every block sent so far is hashed.
func (h *hasher) sync() {
	c := make(chan struct{})
	h.in <- hashJob{synced: c}
	<-c
}

// stop ends the goroutine.
func (h *hasher) stop() {
	close(h.in)
	<-h.quit
}

// sum returns the hex digest; call it after sync.
func (h *hasher) sum() string { return hex.EncodeToString(h.h.Sum(nil)) }

// hashFile reads a file and returns its path, size and SHA-256.
func hashFile(ctx context.Context, path string) (chain.Ref, error) {
	fh := hashing.HashFile(ctx, path, hashing.SHA256)
	if fh.Err != nil {
		return chain.Ref{}, fh.Err
	}
	return chain.Ref{Path: path, Size: fh.Size, SHA256: fh.Sums[hashing.SHA256]}, nil
}
