package ext

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/evidence/ewf"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// corpusImage is an ext image of the shared corpus with its TSK oracle.
type corpusImage struct {
	oracle string // folder under diskimages/_oracle
	path   string // image under diskimages/
	sector int64  // file system start, in 512-byte sectors
	format string // "raw", "split" or "ewf"
}

var corpusImages = []corpusImage{
	{"plaso__imynd.dd", "plaso/ímynd.dd", 0, "raw"},
	{"plaso__syslog_image.dd", "plaso/syslog_image.dd", 0, "raw"},
	{"plaso__image.E01", "plaso/image.E01", 0, "ewf"},
	{"plaso__image-split.E01", "plaso/image-split.E01", 352, "ewf"},
	{"plaso__tsk_volume_system.raw", "plaso/tsk_volume_system.raw", 352, "raw"},
	{"sleuthkit-test-data__image.dd", "sleuthkit-test-data/image.dd", 0, "raw"},
	{"sleuthkit-test-data__image.E01", "sleuthkit-test-data/image.E01", 0, "ewf"},
	{"dfvfs__ext2.E01", "dfvfs/ext2.E01", 0, "ewf"},
	{"dfvfs_history__image.raw.split", "dfvfs_history/image.raw.000", 0, "split"},
	{"go-ext4__assets_hierarchy_32.ext4", "go-ext4/assets/hierarchy_32.ext4", 0, "raw"},
	{"go-ext4__assets_hierarchy_64.ext4", "go-ext4/assets/hierarchy_64.ext4", 0, "raw"},
	{"go-ext4__jbd2_assets_tiny.ext4", "go-ext4/jbd2/assets/tiny.ext4", 0, "raw"},
}

// sizedReaderAt is an opened evidence image.
type sizedReaderAt interface {
	io.ReaderAt
	Size() int64
	Close() error
}

// openEvidence opens a corpus image in the given format.
func openEvidence(t testing.TB, path, format string) sizedReaderAt {
	t.Helper()
	var img sizedReaderAt
	var err error
	switch format {
	case "ewf":
		img, err = ewf.Open(path)
	default:
		img, err = evidence.OpenRaw(path)
	}
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { img.Close() })
	return img
}

// recoveredHashes reads tsk_recover's hashdeep list: path -> MD5s.
func recoveredHashes(t testing.TB, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "%") || line == "" {
			continue
		}
		f := strings.SplitN(line, ",", 4)
		if len(f) != 4 {
			continue
		}
		p := "/" + strings.TrimPrefix(f[3], "./")
		out[p] = append(out[p], f[1])
	}
	return out
}

// knownDifferences lists where this package and The Sleuth Kit 4.11
// disagree on the corpus, with the reason ours is right.
var knownDifferences = map[string]string{
	// tsk_recover writes zeros for a fast symlink (as icat does); the
	// inode holds the target "a_directory/another_file".
	"/a_link": "fast symlink: TSK returns zeros, we return the target",
}

// TestCorpus compares Walk with fls -r -m and content with tsk_recover's
// hashes on every ext image of the corpus that is raw, split raw or E01.
func TestCorpus(t *testing.T) {
	corpus := testcorpus.Dir(t)
	for _, ci := range corpusImages {
		t.Run(ci.oracle, func(t *testing.T) {
			img := openEvidence(t, filepath.Join(corpus, "diskimages", filepath.FromSlash(ci.path)), ci.format)
			off := ci.sector * 512
			fs, err := NewFS(io.NewSectionReader(img, off, img.Size()-off), img.Size()-off)
			if err != nil {
				t.Fatalf("NewFS: %v", err)
			}
			dir := filepath.Join(corpus, "diskimages", "_oracle", ci.oracle, "fs_at_sector_"+strconv.FormatInt(ci.sector, 10))
			body, err := os.Open(filepath.Join(dir, "fls_bodyfile.txt"))
			if err != nil {
				t.Fatal(err)
			}
			defer body.Close()
			tsk := parseBodyfile(t, body)
			ours := walkAll(t, fs)
			match, diffs := agreement(ours, tsk, fs.Type() != "ext4")
			for _, d := range diffs {
				t.Errorf("fls difference: %s", d)
			}
			hashes := recoveredHashes(t, filepath.Join(dir, "recovered_hashes.txt"))
			hashMatch, hashTotal := 0, 0
			for _, e := range ours {
				want, ok := hashes[e.Path]
				if !ok {
					continue
				}
				hashTotal++
				got, err := md5Of(fs, e)
				if err != nil {
					t.Errorf("Open %s: %v", e.Path, err)
					continue
				}
				found := false
				for _, w := range want {
					found = found || w == got
				}
				switch {
				case found:
					hashMatch++
				case knownDifferences[e.Path] != "":
					t.Logf("%s: known difference: %s", e.Path, knownDifferences[e.Path])
				default:
					t.Errorf("%s: MD5 %s, tsk_recover %v", e.Path, got, want)
				}
			}
			t.Logf("%s (%s): fls %d/%d lines agree; content %d/%d files agree; anomalies %q",
				ci.oracle, fs.Type(), match, len(tsk), hashMatch, hashTotal, fs.Anomalies())
		})
	}
}
