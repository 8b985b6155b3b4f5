package entities

import (
	"crypto/sha256"
	"strings"

	"golang.org/x/crypto/sha3"

	"github.com/pangolin-forensics/pangolin/extract"
)

// findWords walks the text's ASCII letter-and-digit words once and tries
// the entity types that start with one: wallets, IBANs, IMO and MMSI
// numbers.
func (f *finder) findWords() {
	text := f.text
	for i := 0; i < len(text); {
		if !isAlnum(text[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && isAlnum(text[j]) {
			j++
		}
		next := j
		if end := f.word(i, j); end > next {
			next = end
		}
		i = next
	}
}

// word tries the word text[i:j] and returns the end of any entity found
// that reaches past it.
func (f *finder) word(i, j int) int {
	text := f.text
	w := text[i:j]
	n := len(w)
	if n < 3 || !leftOK(text, i) {
		return j
	}
	c0 := w[0]
	switch {
	case n == 42 && c0 == '0' && w[1] == 'x':
		if rightOK(text, j) {
			if v, ok := ethereum(w); ok {
				f.add(extract.Ethereum, i, j, v)
			}
		}
		return j
	case n >= 14 && n <= 90 && (c0 == 'b' || c0 == 'B') && strings.EqualFold(w[:3], "bc1"):
		if rightOK(text, j) && bech32Segwit(w) {
			f.add(extract.Bitcoin, i, j, strings.ToLower(w))
		}
		return j
	case n >= 26 && n <= 35 && (c0 == '1' || c0 == '3'):
		if rightOK(text, j) {
			if v, ok := base58Check(w); ok && (v == 0x00 || v == 0x05) && (v == 0) == (c0 == '1') {
				f.add(extract.Bitcoin, i, j, w)
			}
		}
		return j
	case n == 34 && c0 == 'T':
		if rightOK(text, j) {
			if v, ok := base58Check(w); ok && v == 0x41 {
				f.add(extract.Tron, i, j, w)
			}
		}
		return j
	}
	if n >= 4 && isUpper(c0) && isUpper(w[1]) && isDigit(w[2]) && isDigit(w[3]) {
		if end, ok := f.iban(i); ok {
			return end
		}
	}
	if (c0|0x20 == 'i' || c0|0x20 == 'm') && n >= 3 {
		if end, ok := f.vessel(i, j); ok {
			return end
		}
	}
	return j
}

// ethereum validates a "0x" + 40 hex digit address: all lower-case and
// all upper-case hex are accepted as written; mixed case must carry the
// EIP-55 checksum. It returns the address lower-cased.
func ethereum(w string) (string, bool) {
	h := w[2:]
	hasLower, hasUpper := false, false
	for _, c := range []byte(h) {
		switch {
		case isDigit(c):
		case c >= 'a' && c <= 'f':
			hasLower = true
		case c >= 'A' && c <= 'F':
			hasUpper = true
		default:
			return "", false
		}
	}
	low := strings.ToLower(h)
	if hasLower && hasUpper {
		k := sha3.NewLegacyKeccak256()
		k.Write([]byte(low))
		sum := k.Sum(nil)
		for i, c := range []byte(h) {
			if isDigit(c) {
				continue
			}
			nib := sum[i/2]
			if i%2 == 0 {
				nib >>= 4
			}
			if (nib&0xf >= 8) != isUpper(c) {
				return "", false
			}
		}
	}
	return "0x" + low, true
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var base58Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = int8(i)
	}
	return t
}()

// base58Check decodes a Base58Check string of a 21-byte payload (a
// version byte and a 20-byte hash), verifies its canonical form and its
// 4-byte double-SHA-256 checksum, and returns the version byte.
func base58Check(w string) (byte, bool) {
	var b [25]byte
	for i := 0; i < len(w); i++ {
		d := base58Index[w[i]]
		if d < 0 {
			return 0, false
		}
		carry := uint32(d)
		for k := len(b) - 1; k >= 0; k-- {
			carry += uint32(b[k]) * 58
			b[k] = byte(carry)
			carry >>= 8
		}
		if carry != 0 {
			return 0, false
		}
	}
	// The encoding is canonical: one leading '1' per leading zero byte.
	ones := 0
	for ones < len(w) && w[ones] == '1' {
		ones++
	}
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	if ones != zeros {
		return 0, false
	}
	h1 := sha256.Sum256(b[:21])
	h2 := sha256.Sum256(h1[:])
	if string(h2[:4]) != string(b[21:]) {
		return 0, false
	}
	return b[0], true
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// Checksum constants of BIP-173 (bech32) and BIP-350 (bech32m).
const (
	bech32Const  = 1
	bech32mConst = 0x2bc830a3
)

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

// bech32Segwit validates a mainnet ("bc") segwit address: BIP-173
// bech32 for witness version 0 (20- or 32-byte program), BIP-350
// bech32m for versions 1 to 16 (2- to 40-byte program).
func bech32Segwit(w string) bool {
	if w != strings.ToLower(w) && w != strings.ToUpper(w) {
		return false
	}
	w = strings.ToLower(w)
	if len(w) > 90 || !strings.HasPrefix(w, "bc1") {
		return false
	}
	data := make([]byte, 0, len(w)-3+5)
	// hrp expansion of "bc".
	data = append(data, 'b'>>5, 'c'>>5, 0, 'b'&31, 'c'&31)
	for i := 3; i < len(w); i++ {
		d := strings.IndexByte(bech32Charset, w[i])
		if d < 0 {
			return false
		}
		data = append(data, byte(d))
	}
	vals := data[5:]
	if len(vals) < 7 {
		return false
	}
	chk := bech32Polymod(data)
	ver := vals[0]
	if ver > 16 {
		return false
	}
	if ver == 0 && chk != bech32Const || ver != 0 && chk != bech32mConst {
		return false
	}
	// Convert the program from 5-bit to 8-bit groups, without padding.
	prog := vals[1 : len(vals)-6]
	acc, bits, n := uint32(0), uint(0), 0
	for _, v := range prog {
		acc = acc<<5 | uint32(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			n++
		}
	}
	if bits >= 5 || acc&(1<<bits-1) != 0 {
		return false
	}
	if n < 2 || n > 40 {
		return false
	}
	return ver != 0 || n == 20 || n == 32
}
