package hashset

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLegacyZip(t *testing.T) {
	m, s1, _ := sums("zipped")
	p := filepath.Join(t.TempDir(), "RDS.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range []struct{ name, body string }{
		{"NSRLMfg.txt", "x"},
		{"RDS/NSRLFile.txt", legacyHeader + "\n" + `"` + s1 + `","` + m + `","0","z",1,1,"WIN",""` + "\n" + `"bad","` + m + `"` + ",1\n"},
	} {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	zw.Close()
	f.Close()
	s := openStore(t)
	_, err = s.Import(context.Background(), "rds", KnownGood, p, Auto, nil)
	if err == nil || !strings.Contains(err.Error(), `RDS.zip/RDS/NSRLFile.txt line 3: bad SHA-1 "bad"`) {
		t.Fatalf("err = %v", err)
	}
	noFile := filepath.Join(t.TempDir(), "empty.zip")
	f, _ = os.Create(noFile)
	zip.NewWriter(f).Close()
	f.Close()
	if _, err := s.Import(context.Background(), "rds", KnownGood, noFile, NSRLLegacy, nil); err == nil || !strings.Contains(err.Error(), "no NSRLFile.txt") {
		t.Errorf("err = %v", err)
	}
}
