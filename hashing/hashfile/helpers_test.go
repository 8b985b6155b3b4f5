package hashfile

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// sumsOf returns the md5, sha1, sha256 and sha512 digests of data.
func sumsOf(data []byte) hashing.Sums {
	m := md5.Sum(data)
	s1 := sha1.Sum(data)
	s256 := sha256.Sum256(data)
	s512 := sha512.Sum512(data)
	return hashing.Sums{
		hashing.MD5:    hex.EncodeToString(m[:]),
		hashing.SHA1:   hex.EncodeToString(s1[:]),
		hashing.SHA256: hex.EncodeToString(s256[:]),
		hashing.SHA512: hex.EncodeToString(s512[:]),
	}
}

// hashFile hashes one file with md5, sha1 and sha256, naming it name.
func hashFile(t testing.TB, path, name string) hashing.FileHash {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, s1, s256 := md5.New(), sha1.New(), sha256.New()
	n, err := io.Copy(io.MultiWriter(m, s1, s256), f)
	if err != nil {
		t.Fatal(err)
	}
	return hashing.FileHash{Path: name, Size: n, Sums: hashing.Sums{
		hashing.MD5:    hex.EncodeToString(m.Sum(nil)),
		hashing.SHA1:   hex.EncodeToString(s1.Sum(nil)),
		hashing.SHA256: hex.EncodeToString(s256.Sum(nil)),
	}}
}

// hashTree hashes every regular file below root, sorted by path, naming
// each by joining prefix and its path relative to root.
func hashTree(t testing.TB, root, prefix string) []hashing.FileHash {
	t.Helper()
	var out []hashing.FileHash
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out = append(out, hashFile(t, p, filepath.Join(prefix, rel)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
