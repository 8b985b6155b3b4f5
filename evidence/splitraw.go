package evidence

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// maxSegments caps the number of segments of one split set, so that a
// folder crafted with millions of names cannot exhaust file descriptors.
const maxSegments = 100000

// ErrNotFirstSegment is returned by [OpenRaw] for a later segment of a split
// set; the error names the first segment.
var ErrNotFirstSegment = errors.New("not the first segment of a split image")

// Raw is a raw image, single file or split into segments, read as one
// stream of bytes. It is safe for concurrent ReadAt calls.
type Raw struct {
	segs []rawSegment
	size int64
}

type rawSegment struct {
	f    *os.File
	path string
	off  int64 // offset of the segment's first byte in the image
	size int64
}

// OpenRaw opens a raw image read-only (see [Open]). A path whose extension
// is a segment number (image.001, image.000, image.raw.001) or the first of
// a run of letters (image.aa, image.dd.aaa) is the first segment of a split
// set: OpenRaw finds the following segments (.002, .003, … or .ab, .ac, …)
// until the next name does not exist, and fails if a later segment exists
// beyond that gap, naming the missing one. Any other path opens as a single
// raw file. Segments may be empty.
func OpenRaw(path string) (*Raw, error) {
	paths, err := SplitSegments(path)
	if err != nil {
		return nil, err
	}
	r := &Raw{}
	for _, p := range paths {
		f, err := Open(p)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("open raw segment: %w", err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			r.Close()
			return nil, fmt.Errorf("open raw segment: %w", err)
		}
		if !fi.Mode().IsRegular() {
			f.Close()
			r.Close()
			return nil, fmt.Errorf("open raw segment %s: not a regular file", p)
		}
		r.segs = append(r.segs, rawSegment{f: f, path: p, off: r.size, size: fi.Size()})
		r.size += fi.Size()
	}
	return r, nil
}

// SplitSegments returns the paths of the segments of the raw image whose
// first segment is path, in order (see [OpenRaw] for the names it knows).
// For a path that does not name a split set it returns path alone.
func SplitSegments(path string) ([]string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	seq, ok := parseSegmentName(path)
	if !ok {
		return []string{path}, nil
	}
	if seq.index > seq.first {
		prev := seq.name(seq.first)
		if _, err := os.Stat(prev); err == nil {
			return nil, fmt.Errorf("%s: %w; open %s", path, ErrNotFirstSegment, prev)
		}
		return []string{path}, nil
	}
	paths := []string{path}
	for i := seq.index + 1; ; i++ {
		if len(paths) > maxSegments {
			return nil, fmt.Errorf("%s: more than %d segments", path, maxSegments)
		}
		p := seq.name(i)
		if p == "" {
			break
		}
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			break
		} else if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	if missing, later := seq.gap(len(paths)); later != "" {
		return nil, fmt.Errorf("split image %s: segment %s is missing (%s exists)", path, missing, later)
	}
	return paths, nil
}

// segmentName is a split-image name taken apart: prefix (everything up to
// and including the last dot), then the segment number written in digits
// of a given width, or in lower-case letters of a given width.
type segmentName struct {
	prefix string
	width  int
	alpha  bool
	index  int // of the path given
	first  int // 0 for .000 or .aa, else 1
}

func parseSegmentName(path string) (segmentName, bool) {
	dot := strings.LastIndexByte(path, '.')
	if dot < 0 || strings.ContainsAny(path[dot:], `/\`) {
		return segmentName{}, false
	}
	ext := path[dot+1:]
	s := segmentName{prefix: path[:dot+1], width: len(ext)}
	switch {
	case len(ext) >= 3 && allIn(ext, '0', '9'):
		n, err := strconv.Atoi(ext)
		if err != nil {
			return segmentName{}, false
		}
		s.index = n
		s.first = 1
		if n == 0 {
			s.first = 0
		}
	case len(ext) >= 2 && len(ext) <= 4 && ext == strings.Repeat("a", len(ext)):
		s.alpha = true
	default:
		return segmentName{}, false
	}
	return s, true
}

func allIn(s string, lo, hi byte) bool {
	for i := range len(s) {
		if s[i] < lo || s[i] > hi {
			return false
		}
	}
	return true
}

// name returns the path of segment i, or "" past the last name the width
// can spell (letters; digits grow as needed, as .999 is followed by .1000).
func (s segmentName) name(i int) string {
	if !s.alpha {
		return fmt.Sprintf("%s%0*d", s.prefix, s.width, i)
	}
	b := make([]byte, s.width)
	for k := s.width - 1; k >= 0; k-- {
		b[k] = byte('a' + i%26)
		i /= 26
	}
	if i > 0 {
		return ""
	}
	return s.prefix + string(b)
}

// gap looks, after n segments were found, for a later segment of the same
// set in the folder: if there is one, it returns the missing segment and
// the later one.
func (s segmentName) gap(n int) (missing, later string) {
	dir := filepath.Dir(s.prefix)
	base := filepath.Base(s.prefix + "x")
	base = base[:len(base)-1]
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", ""
	}
	var found []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) {
			continue
		}
		ext := name[len(base):]
		if s.alpha {
			if i, ok := alphaIndex(ext); ok && len(ext) == s.width && i > n-1 {
				found = append(found, filepath.Join(dir, name))
			}
			continue
		}
		if len(ext) >= 3 && allIn(ext, '0', '9') {
			if i, err := strconv.Atoi(ext); err == nil && i > s.first+n-1 {
				found = append(found, filepath.Join(dir, name))
			}
		}
	}
	if len(found) == 0 {
		return "", ""
	}
	sort.Strings(found)
	return s.name(s.first + n), found[0]
}

func alphaIndex(ext string) (int, bool) {
	n := 0
	for i := range len(ext) {
		if ext[i] < 'a' || ext[i] > 'z' {
			return 0, false
		}
		n = n*26 + int(ext[i]-'a')
	}
	return n, true
}

// Size returns the image size in bytes: the sum of the segment sizes.
func (r *Raw) Size() int64 { return r.size }

// Segments returns the paths of the segments, in order.
func (r *Raw) Segments() []string {
	out := make([]string, len(r.segs))
	for i, s := range r.segs {
		out[i] = s.path
	}
	return out
}

// ReadAt reads len(p) bytes at image offset off, across segments. It
// returns io.EOF when the read reaches the end of the image, and
// io.ErrUnexpectedEOF, naming the segment, if a segment is shorter than
// it was when opened.
func (r *Raw) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("raw image: negative offset %d", off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	i := sort.Search(len(r.segs), func(i int) bool { return r.segs[i].off+r.segs[i].size > off })
	n := 0
	for n < len(p) && i < len(r.segs) {
		s := r.segs[i]
		rel := off - s.off
		want := min(int64(len(p)-n), s.size-rel)
		if want > 0 {
			k, err := s.f.ReadAt(p[n:n+int(want)], rel)
			n += k
			off += int64(k)
			if k < int(want) {
				if err == nil || err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return n, fmt.Errorf("raw segment %s at offset %d: %w", s.path, rel+int64(k), err)
			}
		}
		i++
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Close closes every segment.
func (r *Raw) Close() error {
	var first error
	for _, s := range r.segs {
		if err := s.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
