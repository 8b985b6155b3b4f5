package media

import (
	"bytes"
	"encoding/binary"
	"time"
)

// Helpers that build boxes byte by byte, for tests.

func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// bx builds a box with a 32-bit size.
func bx(typ string, parts ...[]byte) []byte {
	body := cat(parts...)
	return cat(u32(uint32(8+len(body))), []byte(typ), body)
}

// bx64 builds a box with a 64-bit largesize.
func bx64(typ string, parts ...[]byte) []byte {
	body := cat(parts...)
	return cat(u32(1), []byte(typ), u64(uint64(16+len(body))), body)
}

// rawBox builds a box header with any size value.
func rawBox(size uint32, typ string, parts ...[]byte) []byte {
	return cat(u32(size), []byte(typ), cat(parts...))
}

func ftyp(major string, compat ...string) []byte {
	parts := [][]byte{[]byte(major), u32(0)}
	for _, c := range compat {
		parts = append(parts, []byte(c))
	}
	return bx("ftyp", parts...)
}

// qt converts a time to QuickTime seconds since 1904.
func qt(t time.Time) uint64 { return uint64(t.Unix() + epoch1904) }

// mvhd0 is a version 0 movie header (100 bytes of payload).
func mvhd0(created, modified uint64, scale, dur uint32) []byte {
	return bx("mvhd", []byte{0, 0, 0, 0}, u32(uint32(created)), u32(uint32(modified)), u32(scale), u32(dur), make([]byte, 80))
}

// mvhd1 is a version 1 movie header with 64-bit times.
func mvhd1(created, modified uint64, scale uint32, dur uint64) []byte {
	return bx("mvhd", []byte{1, 0, 0, 0}, u64(created), u64(modified), u32(scale), u64(dur), make([]byte, 80))
}

func tkhd0(created, modified uint64, dur uint32) []byte {
	return bx("tkhd", []byte{0, 0, 0, 7}, u32(uint32(created)), u32(uint32(modified)), u32(1), u32(0), u32(dur), make([]byte, 60))
}

func mdhd0(created, modified uint64, scale, dur uint32) []byte {
	return bx("mdhd", []byte{0, 0, 0, 0}, u32(uint32(created)), u32(uint32(modified)), u32(scale), u32(dur), u16(0x55c4), u16(0))
}

// itext is a QuickTime international text atom payload: size (2),
// language (2, packed "eng"), text.
func itext(s string) []byte { return cat(u16(uint16(len(s))), u16(0x15c7), []byte(s)) }

func hdlr(handler string) []byte {
	return bx("hdlr", u32(0), u32(0), []byte(handler), make([]byte, 12), []byte{0})
}

func keysBox(names ...string) []byte {
	parts := [][]byte{u32(0), u32(uint32(len(names)))}
	for _, n := range names {
		parts = append(parts, u32(uint32(8+len(n))), []byte("mdta"), []byte(n))
	}
	return bx("keys", parts...)
}

// data builds a 'data' box with a well-known type.
func data(typ uint32, v []byte) []byte { return bx("data", u32(typ), u32(0), v) }

func text(s string) []byte { return data(1, []byte(s)) }

// keyed builds Apple Keys metadata (moov/meta) from key, value pairs.
func keyed(kv ...string) []byte {
	var names []string
	var items [][]byte
	for i := 0; i+1 < len(kv); i += 2 {
		names = append(names, kv[i])
		items = append(items, rawItem(uint32(len(names)), text(kv[i+1])))
	}
	return bx("meta", hdlr("mdta"), keysBox(names...), bx("ilst", items...))
}

func rawItem(idx uint32, parts ...[]byte) []byte {
	body := cat(parts...)
	return cat(u32(uint32(8+len(body))), u32(idx), body)
}

// loci builds a 3GPP location box.
func loci(name string, lat, lon, alt float64) []byte {
	fx := func(f float64) []byte { return u32(uint32(int32(f * 65536))) }
	return bx("loci", u32(0), u16(0x15c7), []byte(name), []byte{0}, []byte{0}, fx(lon), fx(lat), fx(alt), []byte("earth\x00"), []byte("\x00"))
}
