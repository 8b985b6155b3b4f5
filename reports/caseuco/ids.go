package caseuco

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
)

// uuidNamespaceURL is RFC 9562's name space for URLs.
var uuidNamespaceURL = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// uuidRoot is the name space of all pangolin CASE/UCO identifiers; each
// case has its own beneath it.
var uuidRoot = uuid5(uuidNamespaceURL, []byte("https://github.com/pangolin-forensics/pangolin/reports/caseuco"))

// uuid5 returns the version 5 (SHA-1, name-based) UUID of name in the name
// space ns (RFC 9562, section 5.5).
func uuid5(ns [16]byte, name []byte) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write(name)
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

// appendUUID appends u in its 8-4-4-4-12 hex form.
func appendUUID(b []byte, u [16]byte) []byte {
	for i, part := range [][]byte{u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]} {
		if i > 0 {
			b = append(b, '-')
		}
		b = hex.AppendEncode(b, part)
	}
	return b
}

// idMaker makes node identifiers (see the package documentation):
// "kb:" + kind + "-" + readable + "-" + UUID, the UUID made from the kind
// and the key parts, each length-prefixed so that no two keys share a name.
type idMaker struct {
	ns   [16]byte
	name []byte
	out  []byte
}

func newIDMaker(caseID string) *idMaker {
	return &idMaker{ns: uuid5(uuidRoot, []byte(caseID))}
}

func (m *idMaker) id(kind, readable string, key ...string) string {
	m.name = append(m.name[:0], kind...)
	for _, k := range key {
		m.name = binary.AppendUvarint(append(m.name, 0), uint64(len(k)))
		m.name = append(m.name, k...)
	}
	m.out = append(append(m.out[:0], "kb:"...), kind...)
	m.out = append(m.out, '-')
	if r := appendReadable(m.out, readable); len(r) > len(m.out) {
		m.out = append(r, '-')
	}
	m.out = appendUUID(m.out, uuid5(m.ns, m.name))
	return string(m.out)
}

// maxReadable bounds the readable part of an identifier.
const maxReadable = 48

// appendReadable appends the IRI-safe readable form of s: ASCII letters,
// digits, '.' and '_' kept, every run of other bytes one '-', no '-' at
// either end, at most maxReadable bytes.
func appendReadable(b []byte, s string) []byte {
	start, dash := len(b), false
	for i := 0; i < len(s) && len(b)-start < maxReadable; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' {
			if dash && len(b) > start {
				b = append(b, '-')
			}
			b, dash = append(b, c), false
			continue
		}
		dash = true
	}
	return b
}
