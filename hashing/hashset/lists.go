package hashset

import (
	"context"
	"encoding/hex"
	"fmt"
	"iter"
	"path/filepath"
	"regexp"

	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/hashing/hashfile"
)

// Hash lists written by hashing tools, read through package hashfile.
const (
	Hashdeep Format = "hashdeep" // hashdeep's file format
	Sum      Format = "sum"      // md5sum/sha1sum/sha256sum/sha512sum, or BSD "MD5 (file) = …"
)

// sumLine matches the first line of a checksum list, GNU or BSD style.
var sumLine = regexp.MustCompile(`^(\\?[0-9a-fA-F]{32,128} [ *]|(MD5|SHA1|SHA256|SHA512) \()`)

// parseList reads a hashdeep or checksum list and yields every digest of
// the algorithms the store keeps. hashfile holds the whole list in memory;
// such lists are hashes of one collection, not national reference sets.
func parseList(ctx context.Context, path string) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		f, err := evidence.Open(path)
		if err != nil {
			yield(Record{}, err)
			return
		}
		defer f.Close()
		k, err := hashfile.Read(f, filepath.Base(path))
		if err != nil {
			yield(Record{}, err)
			return
		}
		for i, kf := range k.Files {
			if i%4096 == 0 && ctx.Err() != nil {
				yield(Record{}, ctx.Err())
				return
			}
			for _, a := range k.Algos {
				if a.Size() == 0 || kf.Sums[a] == "" {
					continue
				}
				sum, err := hex.DecodeString(kf.Sums[a])
				if err != nil {
					yield(Record{}, &ParseError{File: filepath.Base(path), Line: int64(kf.Line), Err: fmt.Errorf("bad %s digest: %w", a, err)})
					return
				}
				if !yield(Record{Algo: a, Sum: sum}, nil) {
					return
				}
			}
		}
	}
}
