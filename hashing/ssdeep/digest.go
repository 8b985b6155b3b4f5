package ssdeep

import (
	"errors"
	"fmt"
	"strconv"
)

// Digest is a parsed ssdeep hash.
type Digest struct {
	// BlockSize is the block size of Sig1; Sig2 is for twice that.
	BlockSize uint64 `json:"block_size"`
	// Sig1 and Sig2 are the signatures: at most [SigLen] characters of
	// the base64 alphabet each.
	Sig1 string `json:"sig1"`
	Sig2 string `json:"sig2"`
}

// String formats d as "blocksize:sig1:sig2", the inverse of [Parse].
func (d Digest) String() string {
	return strconv.FormatUint(d.BlockSize, 10) + ":" + d.Sig1 + ":" + d.Sig2
}

// ErrFormat is the cause of every [ParseError].
var ErrFormat = errors.New("malformed ssdeep digest")

// ParseError reports a malformed digest and the byte offset in it where the
// problem was found.
type ParseError struct {
	Offset int    // byte offset in the input
	Msg    string // what is wrong there
}

// Error describes the problem and where it is.
func (e *ParseError) Error() string {
	return fmt.Sprintf("ssdeep: parse digest at byte %d: %s", e.Offset, e.Msg)
}

// Unwrap returns [ErrFormat].
func (e *ParseError) Unwrap() error { return ErrFormat }

// maxDigestLen is the length of the longest digest Parse accepts: a 20-digit
// block size, two colons and two full signatures.
const maxDigestLen = 20 + 1 + SigLen + 1 + SigLen

// Parse parses a digest "blocksize:sig1:sig2". The block size is a decimal
// number from 1 to 2^64-1 without sign or leading zeros; each signature is 0
// to [SigLen] characters of the base64 alphabet. Nothing may precede or
// follow, not even blanks or ssdeep's ,"filename". Errors are *[ParseError].
func Parse(s string) (Digest, error) {
	if len(s) > maxDigestLen {
		return Digest{}, &ParseError{maxDigestLen, "longer than " + strconv.Itoa(maxDigestLen) + " bytes"}
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	switch {
	case i == 0:
		return Digest{}, &ParseError{0, "block size is not a decimal number"}
	case s[0] == '0':
		return Digest{}, &ParseError{0, "block size is zero or has a leading zero"}
	}
	bs, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		return Digest{}, &ParseError{0, "block size does not fit in 64 bits"}
	}
	d := Digest{BlockSize: bs}
	sigs := [2]*string{&d.Sig1, &d.Sig2}
	for _, sig := range sigs {
		if i == len(s) || s[i] != ':' {
			return Digest{}, &ParseError{i, "want ':' after the block size or first signature"}
		}
		i++
		j := i
		for j < len(s) && isB64(s[j]) {
			j++
		}
		if j-i > SigLen {
			return Digest{}, &ParseError{i + SigLen, "signature longer than " + strconv.Itoa(SigLen) + " characters"}
		}
		*sig = s[i:j]
		i = j
	}
	if i != len(s) {
		return Digest{}, &ParseError{i, fmt.Sprintf("unexpected %q after the second signature", s[i])}
	}
	return d, nil
}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}
