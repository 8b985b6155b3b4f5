package media

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/extract"
)

// topLevel lists the box types a QuickTime or ISO base media file may
// start with. A file whose first box is of another type is not media.
var topLevel = map[string]bool{
	"ftyp": true, "moov": true, "mdat": true, "free": true, "skip": true,
	"wide": true, "pnot": true, "uuid": true, "junk": true, "PICT": true,
	"pdin": true, "styp": true, "sidx": true, "moof": true, "meta": true,
	"prfl": true,
}

// parser holds what has been read so far from one file.
type parser struct {
	rd *reader
	md *extract.Metadata

	timescale uint32 // from mvhd, for track durations
	mvhdSeen  bool
	mvhdTime  time.Time // mvhd creation time; zero when unknown
	keysTime  time.Time // Keys creationdate, with its zone

	// Candidate values by source; [parser.finish] picks among them.
	gps   [numSources]*extract.GPS
	make  [numSources]string
	model [numSources]string
}

// Sources of device and position data, in order of preference: Apple's
// Keys metadata is the richest (it has the local time zone and the
// accuracy), then the QuickTime user data atoms, the 3GPP 'loci' box, the
// iTunes item list and last the maker-specific TAGS atom.
const (
	srcKeys = iota
	srcUserData
	srcLoci
	srcItemList
	srcTags
	numSources
)

// Video reads the metadata of an ISO base media file (MP4, M4V, M4A, 3GP,
// 3G2) or QuickTime movie (MOV) of the given size: the movie, track and
// media headers, the user data atoms, Apple's Keys metadata and the 3GPP
// location box. It returns an error wrapping [ErrNotMedia] when the file
// does not have that structure, and a [*FormatError] wrapping
// [ErrTruncated] or [ErrMalformed] when the structure is broken; the
// Metadata is nil whenever the error is not.
func Video(r io.ReaderAt, size int64) (*extract.Metadata, error) {
	if size < 0 {
		return nil, fmt.Errorf("media: negative size %d", size)
	}
	p := &parser{
		rd: &reader{r: r, size: size},
		md: &extract.Metadata{Format: "quicktime"},
	}
	if err := p.top(); err != nil {
		return nil, err
	}
	p.finish()
	return p.md, nil
}

// top walks the top-level boxes. mdat and other large boxes are skipped by
// their size, never read. A box other than moov that runs past the end of
// the file (a recording cut short) ends the walk with a warning; a moov
// that does is an error, because the metadata in it is incomplete.
func (p *parser) top() error {
	size := p.rd.size
	var sawFtyp, sawMoov, cutMdat bool
	off := int64(0)
	for off < size {
		if size-off < 8 {
			p.warn("%d bytes after the last box at offset %d", size-off, off)
			break
		}
		b, err := p.rd.next(off, size, "")
		if pe, ok := err.(*pastEndError); ok {
			if off == 0 && !topLevel[b.typ] {
				return &FormatError{Offset: 0, Msg: "no ftyp or moov box", Err: ErrNotMedia}
			}
			if b.typ == "moov" {
				return &FormatError{Offset: off, Path: "moov", Msg: fmt.Sprintf("box size %d runs past the end of the file (%d bytes missing)", b.size, pe.want), Err: ErrTruncated}
			}
			p.warn("truncated file: %q box at offset %d runs past the end of the file (%d bytes missing)", printable(b.typ), off, pe.want)
			cutMdat = b.typ == "mdat"
			break
		}
		if err != nil {
			if !sawFtyp && !sawMoov {
				return &FormatError{Offset: off, Msg: "no ftyp or moov box (" + err.Error() + ")", Err: ErrNotMedia}
			}
			return err
		}
		if off == 0 && !topLevel[b.typ] {
			return &FormatError{Offset: 0, Msg: fmt.Sprintf("no ftyp or moov box: file starts with %q", printable(b.typ)), Err: ErrNotMedia}
		}
		switch b.typ {
		case "ftyp":
			if !sawFtyp {
				sawFtyp = true
				if err := p.ftyp(b); err != nil {
					return err
				}
			}
		case "moov":
			if sawMoov {
				p.warn("second moov box at offset %d ignored", off)
				break
			}
			sawMoov = true
			if err := p.container(b, "moov", 1); err != nil {
				return err
			}
		}
		off = b.end()
	}
	if !sawMoov {
		// No movie: a HEIF image, a fragment, or a recording whose moov
		// was never written or lies beyond a cut-off mdat.
		if cutMdat {
			return &FormatError{Offset: off, Path: "mdat", Msg: "no moov box before the end of the file, which cuts the mdat box short", Err: ErrTruncated}
		}
		return &FormatError{Offset: 0, Msg: "no moov box", Err: ErrNotMedia}
	}
	return nil
}

// ftyp reads the file type box: major brand (4), minor version (4),
// compatible brands (4 each).
func (p *parser) ftyp(b box) error {
	data, err := p.rd.payload(b, "ftyp", 4096)
	if err != nil {
		return err
	}
	if len(data) >= 4 {
		p.field("MajorBrand", string(data[:4]))
	}
	return nil
}

// container walks the children of b, dispatching on the types this
// package reads. Containers are entered wherever they appear, so a file
// that nests them oddly is still read, and one that nests them without
// end fails at maxDepth.
func (p *parser) container(b box, path string, depth int) error {
	parent := b.typ
	return p.rd.children(b.dataOff(), b.end(), depth, path, func(c box) error {
		cpath := join(path, c.typ)
		switch c.typ {
		case "trak", "mdia", "udta":
			return p.container(c, cpath, depth+1)
		case "meta":
			return p.meta(c, cpath, depth+1)
		case "mvhd":
			if parent == "moov" {
				return p.mvhd(c, cpath)
			}
		case "tkhd":
			return p.mediaHeader(c, cpath, "Track")
		case "mdhd":
			return p.mediaHeader(c, cpath, "Media")
		default:
			if parent == "udta" {
				return p.userData(c, cpath)
			}
		}
		return nil
	})
}

// Seconds between 1904-01-01 (the QuickTime epoch) and 1970-01-01.
const epoch1904 = (66*365 + 17) * 24 * 3600

// qtTime converts a QuickTime time stamp (seconds since 1904-01-01 UTC)
// to a time and its exiftool text. Zero means unknown. Some encoders count
// from 1970 instead; like exiftool, a value before 1970 is taken as Unix
// time, and patched reports that it was.
func qtTime(v uint64) (t time.Time, text string, patched bool) {
	if v == 0 {
		return time.Time{}, "0000:00:00 00:00:00", false
	}
	if v > math.MaxInt64/2 {
		return time.Time{}, strconv.FormatUint(v, 10), false
	}
	s := int64(v)
	if s >= epoch1904 {
		s -= epoch1904
	} else {
		patched = true
	}
	t = time.Unix(s, 0).UTC()
	if t.Year() > 9999 {
		return time.Time{}, strconv.FormatUint(v, 10), false
	}
	return t, t.Format("2006:01:02 15:04:05"), patched
}

// fullHeader reads the version of a full box and its create time, modify
// time, timescale (mvhd and mdhd only) and duration:
//
//	version 0: version (1), flags (3), creation (4), modification (4), ...
//	version 1: version (1), flags (3), creation (8), modification (8), ...
//
// followed for mvhd and mdhd by timescale (4), duration (4 or 8); tkhd has
// track ID (4), reserved (4), duration (4 or 8) instead.
type header struct {
	created, modified uint64
	timescale         uint32
	duration          uint64
}

func readHeader(data []byte, track bool) (header, bool) {
	c := cursor{b: data}
	version := c.u8()
	c.take(3)
	var h header
	if version == 1 {
		h.created, h.modified = c.u64(), c.u64()
	} else {
		h.created, h.modified = uint64(c.u32()), uint64(c.u32())
	}
	if track {
		c.take(8)
	} else {
		h.timescale = c.u32()
	}
	if version == 1 {
		h.duration = c.u64()
	} else {
		h.duration = uint64(c.u32())
	}
	return h, !c.bad
}

// mvhd reads the movie header (ISO/IEC 14496-12 §8.2.2).
func (p *parser) mvhd(b box, path string) error {
	data, err := p.rd.payload(b, path, 4096)
	if err != nil {
		return err
	}
	h, ok := readHeader(data, false)
	if !ok {
		return &FormatError{Offset: b.off, Path: path, Msg: fmt.Sprintf("movie header of %d bytes too short", len(data)), Err: ErrMalformed}
	}
	if p.mvhdSeen {
		p.warn("second mvhd box at offset %d ignored", b.off)
		return nil
	}
	p.mvhdSeen = true
	p.timescale = h.timescale
	created, text, patched := qtTime(h.created)
	p.field("CreateDate", text)
	p.mvhdTime = created
	_, text, patched2 := qtTime(h.modified)
	p.field("ModifyDate", text)
	if patched || patched2 {
		p.warn("mvhd time counted from 1970 instead of 1904 (patched)")
	}
	p.field("TimeScale", strconv.FormatUint(uint64(h.timescale), 10))
	if h.timescale != 0 {
		p.field("Duration", seconds(h.duration, h.timescale))
	}
	return nil
}

// mediaHeader reads a track header (tkhd, §8.3.2) or media header (mdhd,
// §8.4.2), naming its fields with the prefix "Track" or "Media".
func (p *parser) mediaHeader(b box, path, prefix string) error {
	data, err := p.rd.payload(b, path, 4096)
	if err != nil {
		return err
	}
	h, ok := readHeader(data, prefix == "Track")
	if !ok {
		return &FormatError{Offset: b.off, Path: path, Msg: fmt.Sprintf("header of %d bytes too short", len(data)), Err: ErrMalformed}
	}
	_, text, _ := qtTime(h.created)
	p.field(prefix+"CreateDate", text)
	_, text, _ = qtTime(h.modified)
	p.field(prefix+"ModifyDate", text)
	scale := h.timescale
	if prefix == "Track" {
		scale = p.timescale
	} else {
		p.field("MediaTimeScale", strconv.FormatUint(uint64(scale), 10))
	}
	if scale != 0 {
		p.field(prefix+"Duration", seconds(h.duration, scale))
	}
	return nil
}

func seconds(d uint64, scale uint32) string {
	return strconv.FormatFloat(float64(d)/float64(scale), 'f', -1, 64)
}

// userDataNames maps QuickTime user data atoms to exiftool's tag names.
// Atoms starting with '©' hold international text (see [intlText]).
var userDataNames = map[string]string{
	"\xa9xyz": "GPSCoordinates",
	"\xa9mak": "Make",
	"\xa9mod": "Model",
	"\xa9swr": "SoftwareVersion",
	"\xa9day": "ContentCreateDate",
	"\xa9nam": "Title",
	"\xa9cmt": "Comment",
	"\xa9des": "Description",
	"\xa9inf": "Information",
	"\xa9fmt": "Format",
	"\xa9too": "Encoder",
	"\xa9enc": "EncoderID",
	"\xa9aut": "Author",
	"\xa9ART": "Artist",
	"\xa9cpy": "Copyright",
	"\xa9req": "Requirements",
	"\xa9src": "SourceCredits",
	"\xa9prd": "Producer",
}

// userData reads one atom of a udta box.
func (p *parser) userData(b box, path string) error {
	switch b.typ {
	case "loci":
		return p.loci(b, path)
	case "TAGS":
		return p.tags(b, path)
	case "\xa9mdl":
		// DJI: a plain string without the international text header.
		data, err := p.rd.readAt(b.dataOff(), min(b.dataLen(), 256), path)
		if err != nil {
			return err
		}
		v := cString(data)
		p.field("Model", v)
		p.model[srcUserData] = first(p.model[srcUserData], v)
		return nil
	}
	name, ok := userDataNames[b.typ]
	if !ok {
		return nil
	}
	if b.dataLen() > maxText {
		p.warn("%s at offset %d: %d-byte text not read", path, b.off, b.dataLen())
		return nil
	}
	data, err := p.rd.payload(b, path, maxText)
	if err != nil {
		return err
	}
	v, ok := intlText(data)
	if !ok {
		// Some writers put an iTunes-style 'data' box here instead.
		if v, ok = dataBoxText(data); !ok {
			p.warn("%s at offset %d: unreadable text", path, b.off)
			return nil
		}
	}
	p.field(name, v)
	switch name {
	case "GPSCoordinates":
		p.iso6709(v, srcUserData, path, b.off)
	case "Make":
		p.make[srcUserData] = first(p.make[srcUserData], v)
	case "Model":
		p.model[srcUserData] = first(p.model[srcUserData], v)
	}
	return nil
}

// intlText decodes the first string of a QuickTime international text
// atom: text size (2), language code (2), text; repeated per language. A
// language code below 0x400 is a Macintosh language code and the text is
// in Mac OS Roman; above, a packed ISO 639-2 code and the text is UTF-8
// (or UTF-16 after a byte order mark).
func intlText(data []byte) (string, bool) {
	c := cursor{b: data}
	n := int(c.u16())
	lang := c.u16()
	text := c.take(n)
	if c.bad {
		return "", false
	}
	return decodeText(text, lang < 0x400), true
}

// dataBoxText reads a payload that is one iTunes 'data' box.
func dataBoxText(data []byte) (string, bool) {
	if len(data) < 16 || string(data[4:8]) != "data" {
		return "", false
	}
	n := binary.BigEndian.Uint32(data)
	if n < 16 || uint64(n) > uint64(len(data)) {
		return "", false
	}
	return dataValue(data[8:n])
}

// loci reads a 3GPP location box (3GPP TS 26.244 §8.1.2.3):
//
//	version and flags (4), pad bit and packed language (2),
//	name (NUL-terminated UTF-8, or UTF-16 after a BOM, ending in two NULs),
//	role (1), longitude (4), latitude (4), altitude (4): signed 16.16
//	fixed point, degrees and metres,
//	astronomical body (string), additional notes (string).
func (p *parser) loci(b box, path string) error {
	if b.dataLen() > maxText {
		p.warn("%s at offset %d: %d-byte location box not read", path, b.off, b.dataLen())
		return nil
	}
	data, err := p.rd.payload(b, path, maxText)
	if err != nil {
		return err
	}
	c := cursor{b: data}
	c.take(6)
	name, ok := locString(&c)
	role := c.u8()
	lon := fixed(c.u32())
	lat := fixed(c.u32())
	alt := fixed(c.u32())
	if !ok || c.bad {
		p.warn("%s at offset %d: location box of %d bytes too short", path, b.off, len(data))
		return nil
	}
	body, _ := locString(&c)
	roles := []string{"shooting", "real", "fictional", "reserved"}
	rs := fmt.Sprintf("unknown(%d)", role)
	if int(role) < len(roles) {
		rs = roles[role]
	}
	if name == "" {
		name = "(none)"
	}
	v := fmt.Sprintf("%s Role=%s Lat=%s Lon=%s Alt=%s", name, rs, ftoa(lat), ftoa(lon), ftoa(alt))
	if body != "" {
		v += " Body=" + body
	}
	p.field("LocationInformation", v)
	if body != "" && !strings.EqualFold(body, "earth") {
		p.warn("%s: position on %q, not Earth", path, body)
		return nil
	}
	if g := newGPS(lat, lon, &alt); g != nil && p.gps[srcLoci] == nil {
		p.gps[srcLoci] = g
	} else if g == nil {
		p.warn("%s: position %s %s out of range", path, ftoa(lat), ftoa(lon))
	}
	return nil
}

func fixed(v uint32) float64 { return float64(int32(v)) / 65536 }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// locString reads a NUL-terminated string of a 3GPP box.
func locString(c *cursor) (string, bool) {
	if len(c.b) >= 2 && c.b[0] == 0xFE && c.b[1] == 0xFF {
		for i := 2; i+1 < len(c.b); i += 2 {
			if c.b[i] == 0 && c.b[i+1] == 0 {
				s := decodeText(c.b[:i], false)
				c.take(i + 2)
				return s, true
			}
		}
		c.bad = true
		return "", false
	}
	for i, ch := range c.b {
		if ch == 0 {
			s := decodeText(c.b[:i], false)
			c.take(i + 1)
			return s, true
		}
	}
	c.bad = true
	return "", false
}

// tags reads the maker-specific TAGS atom of Pentax, Nikon, Fujifilm,
// Olympus, Sanyo, Kodak and Minolta cameras, which starts with the make as
// a NUL-terminated string. The rest is the maker's binary layout, not read.
func (p *parser) tags(b box, path string) error {
	n := min(b.dataLen(), 32)
	data, err := p.rd.readAt(b.dataOff(), n, path)
	if err != nil {
		return err
	}
	v := cString(data)
	for _, m := range []string{"PENTAX", "NIKON", "FUJIFILM", "OLYMPUS", "SANYO", "EASTMAN KODAK", "KONICA MINOLTA", "MINOLTA"} {
		if strings.HasPrefix(v, m) {
			v = strings.TrimSpace(v)
			p.field("Make", v)
			p.make[srcTags] = first(p.make[srcTags], v)
			break
		}
	}
	return nil
}

// cString returns data up to its first NUL.
func cString(data []byte) string {
	if i := strings.IndexByte(string(data), 0); i >= 0 {
		data = data[:i]
	}
	return decodeText(data, false)
}

// iso6709 records a GPS candidate from an ISO 6709 string.
func (p *parser) iso6709(v string, src int, path string, off int64) {
	lat, lon, alt, err := ParseISO6709(v)
	if err != nil {
		p.warn("%s at offset %d: %v", path, off, err)
		return
	}
	if g := newGPS(lat, lon, alt); g != nil && p.gps[src] == nil {
		p.gps[src] = g
	}
}

// newGPS builds a position, or returns nil when it is out of range.
func newGPS(lat, lon float64, alt *float64) *extract.GPS {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return nil
	}
	g := &extract.GPS{Latitude: lat, Longitude: lon, Altitude: alt}
	if lat == 0 && lon == 0 {
		g.Suspicious = "0,0: a receiver without a fix writes zeros"
	}
	return g
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// field appends a field, dropping NULs.
func (p *parser) field(name, value string) {
	value = strings.ReplaceAll(value, "\x00", "")
	p.md.Fields = append(p.md.Fields, extract.Field{Name: name, Value: value})
}

// warn records a problem that does not stop the parse as a "Warning"
// field, as exiftool does, so that reports can show it.
func (p *parser) warn(format string, args ...any) {
	p.md.Fields = append(p.md.Fields, extract.Field{Name: "Warning", Value: fmt.Sprintf(format, args...)})
}

// finish picks the device, position and creation time among the sources.
func (p *parser) finish() {
	for src := range numSources {
		if p.md.Make == "" {
			p.md.Make = strings.TrimSpace(p.make[src])
		}
		if p.md.Model == "" {
			p.md.Model = strings.TrimSpace(p.model[src])
		}
		if p.md.GPS == nil {
			p.md.GPS = p.gps[src]
		}
	}
	switch {
	case !p.keysTime.IsZero():
		p.md.Created = p.keysTime
	case !p.mvhdTime.IsZero():
		p.md.Created = p.mvhdTime
	}
}
