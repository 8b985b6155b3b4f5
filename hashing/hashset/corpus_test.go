package hashset

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// legacyLines returns the SHA-1 and MD5 of each data line of an
// NSRLFile.txt, read naively for comparison.
func legacyLines(t *testing.T, path string) (sha1s, md5s map[string]bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sha1s, md5s = map[string]bool{}, map[string]bool{}
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		fields := strings.Split(sc.Text(), ",")
		sha1s[strings.ToLower(strings.Trim(fields[0], `"`))] = true
		md5s[strings.ToLower(strings.Trim(fields[1], `"`))] = true
	}
	return sha1s, md5s
}

func TestCorpus(t *testing.T) {
	root := testcorpus.Dir(t)
	ctx := context.Background()
	s := openStore(t)

	small := filepath.Join(root, "hashsets", "hashdeep-testfiles", "nsrlfile.txt")
	info, err := s.Import(ctx, "hashdeep-nsrl", KnownGood, small, Auto, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != NSRLLegacy || info.Counts[hashing.SHA1] != 2 || info.Counts[hashing.MD5] != 2 {
		t.Errorf("nsrlfile.txt: %+v", info)
	}
	if !has(t, s, hashing.SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "hashdeep-nsrl") ||
		!has(t, s, hashing.MD5, "1a86e99cd4191117bfb48492e6049dcb", "hashdeep-nsrl") {
		t.Error("nsrlfile.txt: a digest of its lines is missing")
	}

	zipPath := filepath.Join(root, "hashsets", "hashdeep-sample-hashes", "nsrl", "RDS-000001-20.zip")
	info, err = s.Import(ctx, "rds-sample", KnownGood, zipPath, NSRLLegacy, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The same NSRLFile.txt ships unzipped as NSRL-2.0.txt beside the zip.
	sha1s, md5s := legacyLines(t, filepath.Join(filepath.Dir(zipPath), "NSRL-2.0.txt"))
	if info.Counts[hashing.SHA1] != int64(len(sha1s)) || info.Counts[hashing.MD5] != int64(len(md5s)) {
		t.Errorf("RDS zip counts %v, the text has %d SHA-1 and %d MD5", info.Counts, len(sha1s), len(md5s))
	}
	t.Logf("RDS-000001-20.zip: %d records, %d distinct SHA-1, %d distinct MD5", info.Records, info.Counts[hashing.SHA1], info.Counts[hashing.MD5])
	for h := range sha1s {
		if !has(t, s, hashing.SHA1, h, "rds-sample") {
			t.Errorf("SHA-1 %s missing", h)
		}
	}
	for h := range md5s {
		if !has(t, s, hashing.MD5, h, "rds-sample") {
			t.Errorf("MD5 %s missing", h)
		}
	}
	m, err := s.Lookup(hashing.SHA1, mustHex(t, "da39a3ee5e6b4b0d3255bfef95601890afd80709"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("empty file's SHA-1 is in %v", m)
}
