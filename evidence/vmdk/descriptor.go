package vmdk

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// descriptor is a parsed descriptor: its key=value pairs and extent lines.
type descriptor struct {
	keys    map[string]string // keys lower-cased, values unquoted
	extents []extentLine
}

// extentLine is one extent line of a descriptor.
type extentLine struct {
	access  string // RW, RDONLY, NOACCESS
	sectors int64
	typ     string // FLAT, SPARSE, ZERO, VMFS, ...
	file    string
	offset  int64 // sectors, for flat extents
	line    int
}

var extentRE = regexp.MustCompile(`^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Za-z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$`)

// isDescriptor reports whether b starts like a text descriptor.
func isDescriptor(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	const sig = "# disk descriptorfile"
	return len(b) >= len(sig) && strings.EqualFold(string(b[:len(sig)]), sig)
}

// parseDescriptor parses descriptor text; name is used in errors.
func parseDescriptor(b []byte, name string) (*descriptor, error) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i] // embedded descriptors are NUL-padded
	}
	d := &descriptor{keys: map[string]string{}}
	off := 0
	for n, raw := range strings.Split(string(b), "\n") {
		lineOff := off
		off += len(raw) + 1
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' {
			continue
		}
		if m := extentRE.FindStringSubmatch(line); m != nil {
			if len(d.extents) >= maxExtents {
				return nil, &FormatError{File: name, Offset: int64(lineOff), Msg: fmt.Sprintf("more than %d extents", maxExtents)}
			}
			sectors, err := strconv.ParseInt(m[2], 10, 64)
			if err != nil || sectors > maxSize/sector {
				return nil, &FormatError{File: name, Offset: int64(lineOff), Msg: fmt.Sprintf("extent size %q out of range", m[2])}
			}
			e := extentLine{access: m[1], sectors: sectors, typ: strings.ToUpper(m[3]), file: m[4], line: n + 1}
			if m[5] != "" {
				e.offset, err = strconv.ParseInt(m[5], 10, 64)
				if err != nil || e.offset > maxSize/sector {
					return nil, &FormatError{File: name, Offset: int64(lineOff), Msg: fmt.Sprintf("extent offset %q out of range", m[5])}
				}
			}
			d.extents = append(d.extents, e)
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue // tolerate lines later versions may add
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		d.keys[k] = v
	}
	return d, nil
}

// differencing returns a DifferencingError when the descriptor names a
// parent.
func (d *descriptor) differencing() error {
	p, ok := d.keys["parentcid"]
	if !ok || strings.EqualFold(p, "ffffffff") {
		return nil
	}
	return &DifferencingError{Parent: d.keys["parentfilenamehint"], ParentCID: p}
}

// safeName returns the path of the extent file name inside dir, or
// ErrUnsafeName when name is not a plain file name: extent names come from
// evidence, so a descriptor may not reach outside its folder.
func safeName(dir, name string) (string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") || !filepath.IsLocal(name) || filepath.IsAbs(name) || filepath.VolumeName(name) != "" {
		return "", fmt.Errorf("%w: %q", ErrUnsafeName, name)
	}
	return filepath.Join(dir, name), nil
}
