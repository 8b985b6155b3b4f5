package hashfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// Format names a hash list format.
type Format string

// The formats this package writes. [Read] recognises [Hashdeep], [Sum],
// [BSD], [JSON] and [SSDEEP]; [CSV] and [DFXML] are written only.
const (
	// Hashdeep is hashdeep's own file format, version 1.0.
	Hashdeep Format = "hashdeep"
	// Sum is the output of md5sum, sha1sum, sha256sum and sha512sum:
	// "HEX  PATH", one algorithm per file.
	Sum Format = "sum"
	// BSD is the tagged output of BSD md5 and of coreutils' --tag:
	// "SHA256 (PATH) = HEX".
	BSD Format = "bsd"
	// CSV is a header "path,size,md5,..." followed by RFC 4180 rows.
	CSV Format = "csv"
	// JSON is JSON Lines, one object a line with a message_type field.
	JSON Format = "json"
	// DFXML is Digital Forensics XML as hashdeep -d writes it.
	DFXML Format = "dfxml"
	// SSDEEP is the ssdeep tool's own list of similarity digests,
	// `ssdeep,1.1--blocksize:hash:hash,filename` and then `DIGEST,"NAME"`
	// lines, which `ssdeep -m` and `-k` read.
	SSDEEP Format = "ssdeep"
)

// Formats lists the formats [NewWriter] accepts.
var Formats = []Format{Hashdeep, Sum, BSD, CSV, JSON, DFXML, SSDEEP}

// ParseFormat returns the format named s (case-insensitive).
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, g := range Formats {
		if f == g {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown hash list format %q (known: hashdeep, sum, bsd, csv, json, dfxml, ssdeep)", s)
}

// Algorithms that hashdeep lists but pangolin does not compute. [Read]
// keeps their columns so that an audit can still compare the others.
const (
	Tiger     hashing.Algo = "tiger"
	Whirlpool hashing.Algo = "whirlpool"
)

// hexLen returns the length of a's digest in hex digits, or 0.
func hexLen(a hashing.Algo) int {
	switch a {
	case Tiger:
		return 48
	case Whirlpool:
		return 128
	}
	return 2 * a.Size()
}

// hashdeepAlgo returns the algorithm a hashdeep column header names, such
// as "sha-256", or "" when hashdeep does not know it.
func hashdeepAlgo(col string) hashing.Algo {
	switch strings.ToLower(col) {
	case "md5":
		return hashing.MD5
	case "sha1", "sha-1":
		return hashing.SHA1
	case "sha256", "sha-256":
		return hashing.SHA256
	case "tiger":
		return Tiger
	case "whirlpool":
		return Whirlpool
	}
	return ""
}

// bsdTag returns the tag BSD md5 and coreutils --tag write for a, or "".
func bsdTag(a hashing.Algo) string {
	switch a {
	case hashing.MD5:
		return "MD5"
	case hashing.SHA1:
		return "SHA1"
	case hashing.SHA256:
		return "SHA256"
	case hashing.SHA512:
		return "SHA512"
	}
	return ""
}

// bsdAlgo is the inverse of bsdTag.
func bsdAlgo(tag string) hashing.Algo {
	for _, a := range []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256, hashing.SHA512} {
		if bsdTag(a) == tag {
			return a
		}
	}
	return ""
}

// ssdeepHeader is the first line of an ssdeep list.
const ssdeepHeader = "ssdeep,1.1--blocksize:hash:hash,filename"

// isHex reports whether s is a non-empty string of hex digits.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// ErrName is returned by [Writer.Write] for a path the format cannot
// represent, such as a name with a newline in a hashdeep file. Nothing is
// written for that file and the writer stays usable.
var ErrName = errors.New("path cannot be represented in this format")
