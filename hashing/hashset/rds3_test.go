package hashset

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// makeRDS3 writes an SQLite database shaped like an NSRL RDSv3
// publication: a METADATA table and the FILE view over it, with rows of
// upper-case hex as NIST publishes them.
func makeRDS3(t *testing.T, dir string, rows [][3]string) string {
	t.Helper()
	const name = "RDS_2024.03.1_modern_minimal.db"
	p := filepath.Join(t.TempDir(), name)
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE METADATA (object_id INTEGER NOT NULL, package_id INTEGER NOT NULL,
			sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL,
			crc32 VARCHAR, file_name VARCHAR NOT NULL, file_size INTEGER NOT NULL)`,
		`CREATE VIEW FILE AS SELECT sha256, sha1, md5, crc32, file_name, file_size, package_id FROM METADATA`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range rows {
		if _, err := db.Exec(`INSERT INTO METADATA VALUES (?, 1, ?, ?, ?, NULL, ?, 0)`,
			i, strings.ToUpper(r[0]), strings.ToUpper(r[1]), strings.ToUpper(r[2]), "f"); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	if err := os.Rename(p, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

func dirListing(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.Name()+" "+fi.Mode().String()+" "+fi.ModTime().String())
	}
	return out
}

func TestRDS3(t *testing.T) {
	var rows [][3]string
	for _, w := range []string{"alpha", "beta", "gamma", "alpha"} {
		m, s1, s256 := sums(w)
		rows = append(rows, [3]string{s256, s1, m})
	}
	m, _, s256 := sums("md5-less")
	rows = append(rows, [3]string{s256, "", m})

	src := filepath.Join(t.TempDir(), "evidence dir?#%")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	path := makeRDS3(t, src, rows)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	listing := dirListing(t, src)

	s := openStore(t)
	info, err := s.Import(context.Background(), "nsrl", KnownGood, path, Auto, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != NSRLRDS3 {
		t.Errorf("format = %q", info.Format)
	}
	want := map[hashing.Algo]int64{hashing.SHA256: 4, hashing.SHA1: 3, hashing.MD5: 4}
	if !maps(info.Counts, want) || info.Records != 14 {
		t.Errorf("counts = %v records %d, want %v and 14", info.Counts, info.Records, want)
	}
	_, s1, s256b := sums("gamma")
	if !has(t, s, hashing.SHA1, s1, "nsrl") || !has(t, s, hashing.SHA256, s256b, "nsrl") || !has(t, s, hashing.MD5, m, "nsrl") {
		t.Error("digest from the database not found")
	}

	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(before, after) {
		t.Error("import changed the source database")
	}
	if got := dirListing(t, src); !slices.Equal(listing, got) {
		t.Errorf("source folder changed:\nbefore %v\nafter  %v", listing, got)
	}
}

func TestRDS3Errors(t *testing.T) {
	m, s1, _ := sums("x")
	dir := t.TempDir()
	path := makeRDS3(t, dir, [][3]string{{strings.Repeat("0", 64), s1, m}, {"nothex", s1, m}})
	s := openStore(t)
	_, err := s.Import(context.Background(), "nsrl", KnownGood, path, NSRLRDS3, nil)
	if err == nil || !strings.Contains(err.Error(), `RDS_2024.03.1_modern_minimal.db FILE row 2: bad SHA-256 "NOTHEX"`) {
		t.Errorf("err = %v", err)
	}
	notRDS := writeFile(t, "x.db", "SQLite format 3\x00 but not really")
	if _, err := s.Import(context.Background(), "nsrl", KnownGood, notRDS, NSRLRDS3, nil); err == nil {
		t.Error("import of a broken database succeeded")
	}
	if _, err := s.Import(context.Background(), "nsrl", KnownGood, filepath.Join(dir, "missing.db"), NSRLRDS3, nil); err == nil {
		t.Error("import of a missing database succeeded")
	}
	if l, _ := s.List(); len(l) != 0 {
		t.Errorf("sets after failed imports: %v", l)
	}
}
