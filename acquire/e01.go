package acquire

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pangolin-forensics/pangolin/evidence/ewf"
	"github.com/pangolin-forensics/pangolin/hashing"
)

// E01Sink writes the image as an EWF (E01) segment set through package
// evidence/ewf. The media MD5 and SHA-1 the engine computes are stored in
// the set's hash and digest sections, so both must be among the
// acquisition's algorithms.
type E01Sink struct {
	w    *ewf.Writer
	base string
	opts ewf.WriterOptions
}

// e01State is the resumable state of an E01Sink: everything needed to
// reopen the writer where it stood.
type e01State struct {
	Format  string            `json:"format"`
	Base    string            `json:"base"`
	Options ewf.WriterOptions `json:"options"`
	Writer  ewf.State         `json:"writer"`
}

// NewE01Sink creates base.E01 (and further segments as needed).
func NewE01Sink(base string, opts ewf.WriterOptions) (*E01Sink, error) {
	w, err := ewf.Create(base, opts)
	if err != nil {
		return nil, err
	}
	return &E01Sink{w: w, base: base, opts: opts}, nil
}

// ResumeE01Sink reopens an E01 sink at a state its State method saved.
func ResumeE01Sink(state []byte) (*E01Sink, error) {
	var st e01State
	if err := json.Unmarshal(state, &st); err != nil || st.Format != "e01" {
		return nil, fmt.Errorf("acquire: not an E01 sink state")
	}
	w, err := ewf.Resume(st.Base, st.Writer, st.Options)
	if err != nil {
		return nil, err
	}
	return &E01Sink{w: w, base: st.Base, opts: st.Options}, nil
}

// IsE01State reports whether a saved sink state is an E01 sink's.
func IsE01State(state []byte) bool {
	var st e01State
	return json.Unmarshal(state, &st) == nil && st.Format == "e01"
}

// Write adds media bytes.
func (s *E01Sink) Write(p []byte) (int, error) { return s.w.Write(p) }

// Close finishes the set with the media hashes; without hashes (an
// interrupted acquisition) it only makes what was written durable, for a
// resume.
func (s *E01Sink) Close(sums hashing.Sums) error {
	if sums == nil {
		_, err := s.w.State()
		return err
	}
	md5, err1 := hex.DecodeString(sums[hashing.MD5])
	sha1, err2 := hex.DecodeString(sums[hashing.SHA1])
	if err := errors.Join(err1, err2); err != nil || len(md5) == 0 || len(sha1) == 0 {
		return errors.New("acquire: an E01 image needs the md5 and sha1 of the media")
	}
	return s.w.Close(md5, sha1)
}

// Segments lists the segment files written so far.
func (s *E01Sink) Segments() []string { return s.w.Segments() }

// State flushes and syncs the set and returns the state to resume from.
func (s *E01Sink) State() ([]byte, error) {
	st, err := s.w.State()
	if err != nil {
		return nil, err
	}
	return json.Marshal(e01State{Format: "e01", Base: s.base, Options: s.opts, Writer: st})
}
