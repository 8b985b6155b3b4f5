package media

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// meta reads a metadata box. Two layouts exist:
//
//   - QuickTime (Apple, moov/meta): a plain container holding hdlr
//     (handler 'mdta'), keys and ilst. The keys box lists key names; each
//     ilst item's type is the 1-based index of its key.
//   - ISO/iTunes (moov/udta/meta): a full box (version and flags, 4 bytes,
//     then the children), handler 'mdir', and ilst items named by their
//     four-character type ('©too', '©day').
//
// The two are told apart by the child box type at offset 4 of the payload.
func (p *parser) meta(b box, path string, depth int) error {
	start := b.dataOff()
	if b.dataLen() >= 12 {
		h, err := p.rd.readAt(start, 12, path)
		if err != nil {
			return err
		}
		switch string(h[4:8]) {
		case "hdlr", "keys", "ilst", "free", "mhdr":
		default:
			start += 4
		}
	}
	var handler string
	var keys []string
	var lists []box
	err := p.rd.children(start, b.end(), depth, path, func(c box) error {
		cpath := join(path, c.typ)
		switch c.typ {
		case "hdlr":
			// version and flags (4), pre-defined (4), handler type (4)
			if c.dataLen() < 12 {
				return &FormatError{Offset: c.off, Path: cpath, Msg: "handler box too short", Err: ErrMalformed}
			}
			h, err := p.rd.readAt(c.dataOff()+8, 4, cpath)
			if err != nil {
				return err
			}
			handler = string(h)
		case "keys":
			k, err := p.keys(c, cpath)
			if err != nil {
				return err
			}
			keys = append(keys, k...)
		case "ilst":
			lists = append(lists, c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, l := range lists {
		if err := p.ilst(l, join(path, "ilst"), depth+1, handler, keys); err != nil {
			return err
		}
	}
	return nil
}

// keys reads a keys box: version and flags (4), entry count (4), then per
// entry its size (4), namespace (4, 'mdta') and key name (size-8 bytes).
func (p *parser) keys(b box, path string) ([]string, error) {
	if b.dataLen() > maxPayload {
		p.warn("%s at offset %d: %d-byte keys box not read", path, b.off, b.dataLen())
		return nil, nil
	}
	data, err := p.rd.payload(b, path, maxPayload)
	if err != nil {
		return nil, err
	}
	c := cursor{b: data}
	c.take(4)
	count := c.u32()
	if c.bad {
		return nil, &FormatError{Offset: b.off, Path: path, Msg: "keys box too short", Err: ErrMalformed}
	}
	var keys []string
	for i := uint32(0); i < count && len(c.b) > 0; i++ {
		if len(keys) >= maxKeys {
			return nil, &FormatError{Offset: b.off, Path: path, Msg: fmt.Sprintf("more than %d keys", maxKeys), Err: ErrMalformed}
		}
		n := c.u32()
		c.take(4) // namespace
		if n < 8 {
			c.bad = true
		}
		name := c.take(int(min(n-8, math.MaxInt32)))
		if c.bad {
			return nil, &FormatError{Offset: b.off, Path: path, Msg: fmt.Sprintf("key %d runs past the keys box", i+1), Err: ErrMalformed}
		}
		keys = append(keys, string(name))
	}
	return keys, nil
}

// itemNames maps iTunes item list atoms to exiftool's tag names. Items
// not listed (cover art, track numbers, sort orders) are not read.
var itemNames = map[string]string{
	"\xa9nam": "Title",
	"\xa9ART": "Artist",
	"aART":    "AlbumArtist",
	"\xa9alb": "Album",
	"\xa9day": "ContentCreateDate",
	"\xa9too": "Encoder",
	"\xa9cmt": "Comment",
	"\xa9des": "Description",
	"desc":    "Description",
	"\xa9gen": "Genre",
	"\xa9wrt": "Composer",
	"\xa9grp": "Grouping",
	"\xa9lyr": "Lyrics",
	"\xa9enc": "EncodedBy",
	"cprt":    "Copyright",
	"\xa9xyz": "GPSCoordinates",
	"\xa9mak": "Make",
	"\xa9mod": "Model",
	"\xa9swr": "SoftwareVersion",
}

// keyNames maps Keys metadata names, without their "com.apple.quicktime."
// or "com." prefix, to exiftool's tag names. Other keys are named as
// exiftool names unknown ones (see [keyName]); binary ones are skipped.
var keyNames = map[string]string{
	"make":                         "Make",
	"model":                        "Model",
	"software":                     "Software",
	"creationdate":                 "CreationDate",
	"location.ISO6709":             "GPSCoordinates",
	"location.accuracy.horizontal": "LocationAccuracyHorizontal",
	"location.name":                "LocationName",
	"location.body":                "LocationBody",
	"location.note":                "LocationNote",
	"location.role":                "LocationRole",
	"location.date":                "LocationDate",
	"direction.facing":             "CameraDirection",
	"direction.motion":             "CameraMotion",
	"camera.identifier":            "CameraIdentifier",
	"displayname":                  "DisplayName",
	"android.version":              "AndroidVersion",
	"content.identifier":           "ContentIdentifier",
	"author":                       "Author",
	"title":                        "Title",
	"description":                  "Description",
	"comment":                      "Comment",
	"copyright":                    "Copyright",
	"artwork":                      "",
}

// keyName gives a key's exiftool tag name: from keyNames, else the key
// capitalised at each dot ("android.capture.fps" → "AndroidCaptureFps").
// The empty string means "do not read".
func keyName(key string) string {
	if i := strings.IndexByte(key, 0); i >= 0 {
		key = key[:i]
	}
	short := strings.TrimPrefix(key, "com.apple.quicktime.")
	if short == key {
		short = strings.TrimPrefix(key, "com.")
	}
	if n, ok := keyNames[short]; ok {
		return n
	}
	var b strings.Builder
	up := true
	for _, r := range short {
		switch {
		case r == '.' || r == ' ':
			up = true
		case r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			up = false
			b.WriteRune(r)
		}
	}
	if b.Len() < 2 {
		return ""
	}
	return b.String()
}

// ilst reads an item list. Each item is a box holding one or more 'data'
// boxes:
//
//	data box: type indicator (4: type set byte, then a 24-bit type: 1
//	UTF-8, 2 UTF-16BE, 21 signed and 22 unsigned big-endian integer, 23
//	and 24 IEEE float), locale (4), value.
//
// Only the first data box of an item is used.
func (p *parser) ilst(b box, path string, depth int, handler string, keys []string) error {
	return p.rd.children(b.dataOff(), b.end(), depth, path, func(item box) error {
		var name, key string
		src := srcItemList
		if handler == "mdta" {
			idx := binary.BigEndian.Uint32([]byte(item.typ))
			if idx == 0 || uint64(idx) > uint64(len(keys)) {
				p.warn("%s at offset %d: item refers to key %d of %d", path, item.off, idx, len(keys))
				return nil
			}
			key = keys[idx-1]
			name = keyName(key)
			src = srcKeys
		} else {
			name = itemNames[item.typ]
		}
		if name == "" {
			return nil
		}
		ipath := join(path, item.typ)
		var value string
		var found bool
		err := p.rd.children(item.dataOff(), item.end(), depth+1, ipath, func(d box) error {
			if found || d.typ != "data" {
				return nil
			}
			found = true
			if d.dataLen() > maxText {
				p.warn("%s at offset %d: %d-byte value not read", ipath, d.off, d.dataLen())
				return nil
			}
			data, err := p.rd.payload(d, join(ipath, "data"), maxText)
			if err != nil {
				return err
			}
			v, ok := dataValue(data)
			if !ok {
				return nil
			}
			value = v
			return nil
		})
		if err != nil {
			return err
		}
		if value == "" {
			return nil
		}
		p.field(name, value)
		switch name {
		case "Make":
			p.make[src] = first(p.make[src], value)
		case "Model":
			p.model[src] = first(p.model[src], value)
		case "GPSCoordinates":
			p.iso6709(value, src, ipath, item.off)
		case "CreationDate":
			if t, err := parseISODate(value); err == nil {
				if p.keysTime.IsZero() {
					p.keysTime = t
				}
			} else {
				p.warn("%s: creation date %q: %v", ipath, value, err)
			}
		}
		return nil
	})
}

// dataValue formats the payload of a 'data' box as text; ok is false for
// binary values.
func dataValue(data []byte) (string, bool) {
	if len(data) < 8 {
		return "", false
	}
	typ := binary.BigEndian.Uint32(data) & 0xFFFFFF
	v := data[8:]
	switch typ {
	case 1, 4: // UTF-8
		return decodeText(v, false), true
	case 2, 5: // UTF-16BE
		return decodeUTF16(v), true
	case 21, 22:
		var u uint64
		switch len(v) {
		case 1, 2, 3, 4, 8:
			for _, c := range v {
				u = u<<8 | uint64(c)
			}
		default:
			return "", false
		}
		if typ == 22 {
			return strconv.FormatUint(u, 10), true
		}
		shift := 64 - 8*uint(len(v))
		return strconv.FormatInt(int64(u<<shift)>>shift, 10), true
	case 23:
		if len(v) != 4 {
			return "", false
		}
		return strconv.FormatFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(v))), 'g', -1, 32), true
	case 24:
		if len(v) != 8 {
			return "", false
		}
		return strconv.FormatFloat(math.Float64frombits(binary.BigEndian.Uint64(v)), 'g', -1, 64), true
	}
	return "", false
}

// parseISODate parses the ISO 8601 dates of Keys metadata, such as
// "2023-05-14T10:21:33+0200" (Apple writes the zone without a colon),
// "2023-05-14T10:21:33.123-07:00" or "2023-05-14T08:21:33Z". A date
// without a zone is refused: Created must carry one.
func parseISODate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04Z0700",
		"2006-01-02T15:04Z07:00",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 date with a time zone")
}
