package ewf

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

var oracleMD5 = regexp.MustCompile(`(?m)^\s*MD5(?: hash calculated over data)?:\s+([0-9a-f]{32})\s*$`)

// TestCorpus opens every E01 set of the corpus and checks the media MD5
// against the libewf oracle (ewfinfo and ewfverify output).
func TestCorpus(t *testing.T) {
	corpus := filepath.Join(testcorpus.Dir(t), "diskimages")
	f, err := os.Open(filepath.Join(corpus, "_oracle", "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var checked, agreed int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 || !strings.HasSuffix(strings.Fields(cols[1] + " x")[0], ".E01") {
			continue
		}
		oracle, rel := cols[0], strings.Fields(cols[1])[0]
		t.Run(oracle, func(t *testing.T) {
			checked++
			var want []string
			for _, name := range []string{"ewfinfo.txt", "ewfverify.txt"} {
				b, err := os.ReadFile(filepath.Join(corpus, "_oracle", oracle, name))
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range oracleMD5.FindAllStringSubmatch(string(b), -1) {
					want = append(want, m[1])
				}
			}
			if len(want) == 0 {
				t.Fatal("no MD5 in the oracle")
			}
			img, err := Open(filepath.Join(filepath.Dir(corpus), rel))
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			res, err := img.Verify(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range want {
				if res.MD5 != w {
					t.Fatalf("media MD5 %s, oracle says %s", res.MD5, w)
				}
			}
			if !res.OK || res.MD5Check != HashMatch {
				t.Fatalf("Verify: %+v", res)
			}
			agreed++
			info := img.Info()
			t.Logf("%s: %d bytes, %d segments, %d chunks, md5 %s, case %q", rel, img.Size(), len(info.Segments), info.ChunkCount, res.MD5, info.CaseNumber)
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("corpus: %d of %d E01 sets agree with the oracle", agreed, checked)
	if checked == 0 {
		t.Fatal("no E01 set listed in the oracle index")
	}
}
