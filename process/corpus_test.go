package process

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/catalog/export"
	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/filesystem/all"
	"github.com/pangolin-forensics/pangolin/internal/corpusimage"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

type sized struct {
	io.ReaderAt
	size int64
}

func (s sized) Size() int64 { return s.size }

// TestCorpus processes every disk image of the shared corpus and checks
// that the catalogue holds, for every entry, what the file-system reader
// gives when walked and read on its own (the pipeline loses and alters
// nothing), and logs how many of the files The Sleuth Kit recovered
// (tsk_recover, hashed by hashdeep) have the same path and MD5 in the
// catalogue. The readers' own tests compare them with TSK entry by entry
// and explain the differences.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	corpus := testcorpus.Dir(t)
	var agree, total int
	for _, row := range corpusimage.Index(t, corpus) {
		t.Run(row.OracleDir, func(t *testing.T) {
			r, size := corpusimage.Open(t, corpus, row)
			img := sized{r, size}
			db := openDB(t, filepath.Join(t.TempDir(), catalog.DBFile))
			res, err := Run(context.Background(), db, img, Options{Exhibit: "EX", Identity: "x", Tool: "test"})
			if err != nil {
				t.Fatalf("process: %v", err)
			}
			rows := map[string]*catalog.Artefact{}
			for a, err := range db.Artefacts(context.Background(), catalog.Query{Exhibits: []string{"EX"}}) {
				if err != nil {
					t.Fatal(err)
				}
				rows[a.Ref] = a
			}

			// The pipeline against the readers.
			vols, err := all.Volumes(img, size)
			if err != nil {
				t.Fatal(err)
			}
			defer all.CloseVolumes(vols)
			top := 0
			for _, v := range vols {
				if v.FS == nil {
					continue
				}
				var ord int64
				err := v.FS.Walk(context.Background(), func(e *filesystem.Entry) error {
					ref := strconv.Itoa(v.Index) + "/" + strconv.FormatInt(ord, 10)
					ord++
					top++
					a := rows[ref]
					if a == nil || a.Path != e.Path || a.Deleted != e.Deleted || a.Size != e.Size {
						t.Errorf("%s: reader %s (deleted %v, %d bytes), catalogue %+v", ref, e.Path, e.Deleted, e.Size, a)
						return nil
					}
					if e.Type != filesystem.File || e.Extra[filesystem.NoContent] != "" {
						return nil
					}
					want := ""
					if sr, err := v.FS.Open(e); err == nil {
						h := md5.New()
						if _, err := io.Copy(h, sr); err == nil {
							want = hex.EncodeToString(h.Sum(nil))
						}
					}
					if a.MD5 != want {
						t.Errorf("%s %s: catalogue MD5 %q, reader %q (%s)", ref, e.Path, a.MD5, want, a.Error)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}

			// The catalogue against tsk_recover.
			byStart := map[int64][]*catalog.Artefact{}
			for _, v := range res.Volumes {
				for _, a := range rows {
					if a.Partition == v.Partition && a.Depth == 0 {
						byStart[v.Start] = append(byStart[v.Start], a)
					}
				}
			}
			dirs, _ := filepath.Glob(filepath.Join(corpus, "diskimages", "_oracle", row.OracleDir, "fs_at_sector_*"))
			a, n := 0, 0
			for _, d := range dirs {
				sector, _ := strconv.ParseInt(strings.TrimPrefix(filepath.Base(d), "fs_at_sector_"), 10, 64)
				oracle := recovered(t, filepath.Join(d, "recovered_hashes.txt"))
				ours := map[string]string{}
				for _, art := range byStart[sector*512] {
					ours[art.Path] = art.MD5
				}
				for p, sum := range oracle {
					n++
					if ours[p] == sum {
						a++
					} else if testing.Verbose() {
						t.Logf("differs from tsk_recover: %s (ours %q, TSK %s)", p, ours[p], sum)
					}
				}
			}
			t.Logf("%d entries (%d artefacts with archive members); tsk_recover files with equal path and MD5: %d of %d", top, len(rows), a, n)
			agree += a
			total += n
		})
	}
	t.Logf("all images: %d of %d files TSK recovered have the same path and MD5 in the catalogue", agree, total)
}

// recovered reads recovered_hashes.txt (hashdeep -c md5,sha256 -l inside
// tsk_recover's folder): "/path" -> MD5.
func recovered(t *testing.T, path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "%") {
			continue
		}
		f := strings.SplitN(line, ",", 4) // size,md5,sha256,path
		if len(f) == 4 {
			out["/"+strings.TrimPrefix(f[3], "./")] = f[1]
		}
	}
	return out
}

// dfxmlFile is what the fiwalk comparison reads of a <fileobject>.
type dfxmlFile struct {
	Filename string `xml:"filename"`
	NameType string `xml:"name_type"`
	Filesize int64  `xml:"filesize"`
	Inode    uint64 `xml:"inode"`
	Hashes   []struct {
		Type  string `xml:"type,attr"`
		Value string `xml:",chardata"`
	} `xml:"hashdigest"`
}

func (f dfxmlFile) md5() string {
	for _, h := range f.Hashes {
		if strings.EqualFold(h.Type, "md5") {
			return h.Value
		}
	}
	return ""
}

// readDFXML returns the regular files of a DFXML document by name.
func readDFXML(t *testing.T, r io.Reader) map[string]dfxmlFile {
	t.Helper()
	out := map[string]dfxmlFile{}
	dec := xml.NewDecoder(r)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "fileobject" {
			var f dfxmlFile
			if err := dec.DecodeElement(&f, &se); err != nil {
				t.Fatal(err)
			}
			if f.NameType == "r" {
				out[f.Filename] = f
			}
		}
	}
}

// TestDFXMLAgainstFiwalk processes The Sleuth Kit's test image.dd and
// compares the regular files of pangolin's DFXML export with the DFXML
// fiwalk wrote for the same image (TSK's own expected output).
func TestDFXMLAgainstFiwalk(t *testing.T) {
	corpus := testcorpus.Dir(t)
	oracle, err := os.Open(filepath.Join(corpus, "diskimages", "_oracle_upstream_tsk", "test", "fiwalk", "image_dd.xml"))
	if err != nil {
		t.Skip("fiwalk oracle not in the corpus")
	}
	defer oracle.Close()
	want := readDFXML(t, oracle)
	r, size := corpusimage.Open(t, corpus, corpusimage.Row{Source: "diskimages/sleuthkit-test-data/image.dd"})
	db := openDB(t, filepath.Join(t.TempDir(), catalog.DBFile))
	if _, err := Run(context.Background(), db, sized{r, size}, Options{Exhibit: "EX", Identity: "x", Tool: "test"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.WriteDFXML(context.Background(), &buf, db.Artefacts(context.Background(), catalog.Query{}), export.DFXMLInfo{Program: "pangolin", Exhibit: "EX"}); err != nil {
		t.Fatal(err)
	}
	got := readDFXML(t, &buf)
	agree := 0
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: in fiwalk's DFXML, not in pangolin's", name)
		case g.Filesize != w.Filesize || g.Inode != w.Inode || g.md5() != w.md5():
			t.Errorf("%s: pangolin size %d inode %d md5 %s; fiwalk %d, %d, %s", name, g.Filesize, g.Inode, g.md5(), w.Filesize, w.Inode, w.md5())
		default:
			agree++
		}
	}
	t.Logf("%d of %d regular files equal fiwalk's (name, size, inode, MD5)", agree, len(want))
}
