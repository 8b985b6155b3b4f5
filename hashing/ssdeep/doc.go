// Package ssdeep computes context-triggered piecewise hashes (CTPH, also
// called fuzzy hashes) that are byte-for-byte identical to those of the
// ssdeep tool and its library libfuzzy (version 2.14.1), and compares them
// with the same scores as ssdeep's -m, -d, -k and -x modes.
//
// A fuzzy hash lets an examiner find files that are similar rather than
// identical: an edited document, a truncated download, a photo with a new
// metadata block. See J. Kornblum, "Identifying almost identical files using
// context triggered piecewise hashing", Digital Investigation 3S (2006).
//
// # Format
//
// A digest is printed as
//
//	blocksize:sig1:sig2
//
// where blocksize is a decimal number (3·2^k for hashes this package makes),
// sig1 is at most 64 characters of the base64 alphabet
// (A–Z a–z 0–9 + /), one per piece of the input cut at a point where a
// rolling hash over 7 bytes hits blocksize-1 modulo blocksize, and sig2 is
// the same for twice the block size, truncated to at most 32 characters.
// The empty input hashes to "3::". ssdeep prints a digest followed by
// ,"filename" (with " escaped as \"); that suffix is not part of the
// digest and [Parse] does not accept it.
//
// # Algorithm
//
// [Hasher] tracks every candidate block size at once (the libfuzzy 2.13+
// engine), so it reads its input once, does not need its length in advance
// and holds under 3 KiB whatever the input size. A block size is dropped once
// a larger one is certain to be chosen. Inputs longer than [MaxSize] bytes
// (192 GiB) have no digest, as in libfuzzy.
//
// [Compare] removes runs of more than three identical characters from both
// signatures, then scores the signatures of equal block size: 0 unless they
// share a substring of 7 characters, otherwise 100 minus the scaled
// insert/delete edit distance, capped for very small block sizes.
//
// # What it leaves to others
//
// The package hashes bytes and compares digests. Reading files, naming them,
// ssdeep's output and hash-set file formats, and indexing digests for fast
// search among many belong to the callers (hashing and its hashfile and
// hashset packages). libfuzzy's optional digest flags (eliminating sequences
// when hashing, untruncated sig2) are not offered: ssdeep never uses them.
//
// # Security
//
// Digests come from hash sets and reports that may be hostile. [Parse]
// checks the whole string against the format above and returns a
// [*ParseError] for anything else; it reads no length it did not check,
// allocates nothing beyond the returned strings and never panics. [Compare]
// is [Parse] on both arguments followed by [Digest.Compare], which works in
// fixed space (two 64-character signatures, a 64-bit bit-vector edit
// distance). The Hasher accepts any bytes.
//
// libfuzzy's fuzzy_compare is more lenient than [Parse]: it skips leading
// blanks and accepts a sign in the block size, stops the second signature
// at a comma and accepts any bytes as signature characters. Such strings
// are rejected here; for every pair of strings that [Parse] accepts,
// [Compare] returns the same score as fuzzy_compare.
package ssdeep
