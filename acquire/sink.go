package acquire

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"

	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/hashing"
)

// Sink receives the bytes of the medium and stores them in some container
// (raw, split raw, E01).
//
// Acquire calls Write from a single goroutine, in media order, with every
// byte exactly once (unreadable sectors already zero-filled); p is only
// valid during the call and must not be kept. A short write must return an
// error; any Write error ends the acquisition.
//
// Acquire calls Close exactly once. After a complete acquisition, sums
// holds the media hashes (md5 and sha1 are the ones E01 stores) and Close
// finalises the container. After a cancelled or failed acquisition, sums
// is nil: Close must make what was written durable and release its files,
// without finalising, so that a [ResumableSink] can be resumed later.
//
// Segments returns the paths of the files written so far, in order; it is
// complete once Close has returned.
type Sink interface {
	Write(p []byte) (int, error)
	Close(sums hashing.Sums) error
	Segments() []string
}

// ResumableSink is a [Sink] whose progress can be saved, so that an
// interrupted acquisition can continue where it stopped.
//
// State makes everything written so far durable (flush and fsync) and
// returns an opaque description of it, which the sink's own resume
// function (for raw sinks, [ResumeRawSink]) turns back into a sink that
// continues at exactly that point, discarding anything written after it.
// The state must cover every byte given to Write: a sink that cannot save
// part of its buffer must fail rather than save less. Acquire calls State
// between Writes, never concurrently with them, and only when the bytes
// written are a whole number of blocks (see Options.BlockSize).
type ResumableSink interface {
	Sink
	State() ([]byte, error)
}

// SegmentHasher is implemented by sinks that hash each output file as they
// write it. SegmentRefs, called after Close, returns each file's path, size
// and SHA-256. Acquire re-reads the segments of sinks that do not
// implement it.
type SegmentHasher interface {
	SegmentRefs() []chain.Ref
}

// RawSink writes a raw image: one file, or segments of a fixed size, each
// hashed with SHA-256 as it is written. It implements [ResumableSink] and
// [SegmentHasher].
type RawSink struct {
	base  string
	split int64
	done  []chain.Ref   // finished segments
	f     *directWriter // current segment, nil before the first byte
	path  string
	n     int64
	h     hash.Hash
}

// NewRawSink creates a raw sink. With splitSize 0 it writes base+".raw";
// otherwise it writes base+".001", base+".002", … of splitSize bytes each
// (the last one shorter), starting each file when there is a byte to put
// in it. It never replaces an existing file: if a file it would write
// exists, NewRawSink or Write fails.
func NewRawSink(base string, splitSize int64) (*RawSink, error) {
	if splitSize < 0 {
		return nil, fmt.Errorf("raw sink: negative split size %d", splitSize)
	}
	s := &RawSink{base: base, split: splitSize}
	if splitSize > 0 {
		if m, _ := filepath.Glob(globEscape(base) + ".[0-9][0-9][0-9]*"); len(m) > 0 {
			return nil, fmt.Errorf("raw sink: %s exists: %w", m[0], os.ErrExist)
		}
	}
	if err := s.open(0); err != nil {
		return nil, err
	}
	return s, nil
}

// globEscape quotes the pattern characters of a literal path.
func globEscape(s string) string {
	var b []byte
	for i := range len(s) {
		switch s[i] {
		case '*', '?', '[', '\\':
			if filepath.Separator != '\\' {
				b = append(b, '\\')
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

// segmentPath returns the name of segment i (from 0).
func (s *RawSink) segmentPath(i int) string {
	if s.split == 0 {
		return s.base + ".raw"
	}
	return fmt.Sprintf("%s.%03d", s.base, i+1)
}

// open creates segment i, which must not exist.
func (s *RawSink) open(i int) error {
	p := s.segmentPath(i)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("raw sink: %w", err)
	}
	s.f, s.path, s.n, s.h = newDirectWriter(f, 0), p, 0, sha256.New()
	return nil
}

// Write appends p to the image, starting new segments as needed.
func (s *RawSink) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if s.split > 0 && s.n == s.split {
			if err := s.finish(""); err != nil {
				return written, err
			}
			if err := s.open(len(s.done)); err != nil {
				return written, err
			}
		}
		k := len(p)
		if s.split > 0 {
			k = int(min(int64(k), s.split-s.n))
		}
		n, err := s.f.Write(p[:k])
		if s.h != nil {
			s.h.Write(p[:n])
		}
		s.n += int64(n)
		written += n
		if err != nil {
			return written, fmt.Errorf("raw sink: write %s: %w", s.path, err)
		}
		p = p[k:]
	}
	return written, nil
}

// finish syncs and closes the current segment and records its hash: its
// own, or media, the SHA-256 of the whole image, for a single segment
// that reuses it.
func (s *RawSink) finish(media string) error {
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("raw sink: close %s: %w", s.path, err)
	}
	sum := media
	if s.h != nil {
		sum = hex.EncodeToString(s.h.Sum(nil))
	}
	s.done = append(s.done, chain.Ref{Path: s.path, Size: s.n, SHA256: sum})
	s.f = nil
	return nil
}

// Close syncs and closes the current segment. A raw image has nowhere to
// keep sums; a single-file image takes its SHA-256 from them.
func (s *RawSink) Close(sums hashing.Sums) error {
	if s.f == nil {
		return nil
	}
	return s.finish(sums[hashing.SHA256])
}

// reuseMediaSHA256 stops a single-file sink hashing what it writes: the
// engine's SHA-256 of the media is the file's, and is handed to Close.
func (s *RawSink) reuseMediaSHA256() {
	if s.split == 0 && s.n == 0 {
		s.h = nil
	}
}

// Segments returns the paths of the segments written so far.
func (s *RawSink) Segments() []string {
	var out []string
	for _, r := range s.done {
		out = append(out, r.Path)
	}
	if s.f != nil {
		out = append(out, s.path)
	}
	return out
}

// SegmentRefs returns the path, size and SHA-256 of every segment; it is
// complete after Close.
func (s *RawSink) SegmentRefs() []chain.Ref {
	return append([]chain.Ref(nil), s.done...)
}

// rawState is a raw sink's saved progress, as JSON:
//
//	{"base": "EX-001", "split_size": 2147483648,
//	 "done": [{"path": "EX-001.001", "size": 2147483648, "sha256": "…"}],
//	 "current": "EX-001.002", "size": 1048576, "sha256_state": "base64…"}
//
// sha256_state is the current segment's SHA-256 state as Go's
// crypto/sha256 marshals it (encoding.BinaryMarshaler).
type rawState struct {
	Base        string      `json:"base"`
	SplitSize   int64       `json:"split_size"`
	Done        []chain.Ref `json:"done"`
	Current     string      `json:"current"`
	Size        int64       `json:"size"`
	SHA256State []byte      `json:"sha256_state"`
}

// State syncs the current segment and returns the sink's progress.
func (s *RawSink) State() ([]byte, error) {
	if s.f == nil {
		return nil, errors.New("raw sink: closed")
	}
	if err := s.f.Sync(); err != nil {
		return nil, fmt.Errorf("raw sink: sync %s: %w", s.path, err)
	}
	var hs []byte
	if s.h != nil {
		var err error
		if hs, err = s.h.(encoding.BinaryMarshaler).MarshalBinary(); err != nil {
			return nil, fmt.Errorf("raw sink: %w", err)
		}
	}
	return json.Marshal(rawState{Base: s.base, SplitSize: s.split, Done: s.done, Current: s.path, Size: s.n, SHA256State: hs})
}

// ResumeRawSink reopens a raw sink at a state its State method returned:
// it checks that the finished segments are there with their sizes,
// truncates the current segment to the saved size, and removes the
// segments that followed it. The sink then continues where the state
// was saved.
func ResumeRawSink(state []byte) (*RawSink, error) {
	var st rawState
	if err := json.Unmarshal(state, &st); err != nil {
		return nil, fmt.Errorf("raw sink: resume: %w", err)
	}
	s := &RawSink{base: st.Base, split: st.SplitSize, done: st.Done}
	if st.SplitSize < 0 || st.Size < 0 || (st.SplitSize > 0 && st.Size > st.SplitSize) {
		return nil, errors.New("raw sink: resume: bad state")
	}
	for i, r := range st.Done {
		if r.Path != s.segmentPath(i) {
			return nil, fmt.Errorf("raw sink: resume: segment %d is %s, want %s", i+1, r.Path, s.segmentPath(i))
		}
		fi, err := os.Stat(r.Path)
		if err != nil {
			return nil, fmt.Errorf("raw sink: resume: %w", err)
		}
		if fi.Size() != r.Size {
			return nil, fmt.Errorf("raw sink: resume: %s is %d bytes, want %d", r.Path, fi.Size(), r.Size)
		}
	}
	cur := len(st.Done)
	if st.Current != s.segmentPath(cur) {
		return nil, fmt.Errorf("raw sink: resume: current segment is %s, want %s", st.Current, s.segmentPath(cur))
	}
	// A single-file sink saved without a hash state reuses the media's.
	var h hash.Hash
	if len(st.SHA256State) > 0 || st.SplitSize > 0 {
		h = sha256.New()
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st.SHA256State); err != nil {
			return nil, fmt.Errorf("raw sink: resume: %w", err)
		}
	}
	f, err := os.OpenFile(st.Current, os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("raw sink: resume: %w", err)
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() < st.Size {
		err = fmt.Errorf("%s is %d bytes, shorter than the %d saved", st.Current, fi.Size(), st.Size)
	}
	if err == nil {
		err = f.Truncate(st.Size)
	}
	if err == nil {
		_, err = f.Seek(st.Size, 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("raw sink: resume: %w", err)
	}
	s.f, s.path, s.n, s.h = newDirectWriter(f, st.Size), st.Current, st.Size, h
	for i := cur + 1; s.split > 0; i++ {
		err := os.Remove(s.segmentPath(i))
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("raw sink: resume: %w", err)
		}
	}
	return s, nil
}
