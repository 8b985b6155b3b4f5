// Package hashing computes the hashes examiners prove integrity with and
// sort evidence by: several cryptographic hashes over one read of the data,
// over files and trees of files in parallel. Subpackages hold the formats
// other tools read and write (hashfile), known-file hash sets (hashset),
// context-triggered piecewise hashes compatible with ssdeep (ssdeep) and
// perceptual photo hashes (phash).
package hashing

import (
	"fmt"
	"slices"
	"strings"
)

// Algo names a hash algorithm as examiners and tools write it.
type Algo string

// Cryptographic algorithms computed by [Multi].
const (
	MD5    Algo = "md5"
	SHA1   Algo = "sha1"
	SHA256 Algo = "sha256"
	SHA512 Algo = "sha512"
	BLAKE3 Algo = "blake3"
)

// Similarity digests, also computed by [Multi] from the same single read.
const (
	// SSDEEP is the context-triggered piecewise hash of the ssdeep tool
	// ("blocksize:sig1:sig2"), for finding files that are alike.
	SSDEEP Algo = "ssdeep"
	// PHASH is a 64-bit perceptual hash of a photo (16 hex digits), empty
	// for files that are not images pangolin decodes.
	PHASH Algo = "phash"
)

// Algos lists the cryptographic algorithms in their canonical order, the
// order in which output columns appear.
var Algos = []Algo{MD5, SHA1, SHA256, SHA512, BLAKE3}

// allAlgos is every algorithm [Multi] computes, in column order.
var allAlgos = []Algo{MD5, SHA1, SHA256, SHA512, BLAKE3, SSDEEP, PHASH}

// Size returns the digest length of a in bytes, or 0 for an unknown name
// or a similarity digest (which is text of varying length).
func (a Algo) Size() int {
	switch a {
	case MD5:
		return 16
	case SHA1:
		return 20
	case SHA256, BLAKE3:
		return 32
	case SHA512:
		return 64
	}
	return 0
}

// ByHexLength returns the algorithm whose digest is n hex digits long, as
// hash lists name them implicitly: md5 (32), sha1 (40), sha256 (64) or
// sha512 (128); "" for any other length. (BLAKE3's 64 digits read as
// sha256, as every list tool takes them.)
func ByHexLength(n int) Algo {
	switch n {
	case 32:
		return MD5
	case 40:
		return SHA1
	case 64:
		return SHA256
	case 128:
		return SHA512
	}
	return ""
}

// ParseAlgos parses a comma-separated list such as "md5,sha1,sha256" into
// algorithms in canonical order, without duplicates.
func ParseAlgos(s string) ([]Algo, error) {
	want := map[Algo]bool{}
	for _, f := range strings.Split(s, ",") {
		a := Algo(strings.ToLower(strings.TrimSpace(f)))
		if a == "" {
			continue
		}
		if !slices.Contains(allAlgos, a) {
			return nil, fmt.Errorf("unknown hash algorithm %q (known: md5, sha1, sha256, sha512, blake3, ssdeep, phash)", a)
		}
		want[a] = true
	}
	var out []Algo
	for _, a := range allAlgos {
		if want[a] {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no hash algorithm in %q", s)
	}
	return out, nil
}

// Sums holds hex digests by algorithm.
type Sums map[Algo]string

// FileHash is the result of hashing one file.
type FileHash struct {
	// Path is the file's path as the caller named it or as the walk found
	// it below a named folder, in the operating system's form.
	Path string `json:"path"`
	Size int64  `json:"size"`
	Sums Sums   `json:"sums"`
	// Sets names the known-file hash sets the file is in, as "kind:name"
	// (for example "known-bad:ivory-photos"), when the caller looked it up.
	Sets []string `json:"hashsets,omitempty"`
	// Err is set when the file could not be read; Size and Sums are then
	// incomplete.
	Err error `json:"-"`
}
