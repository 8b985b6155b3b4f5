package ntfs_test

import (
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/filesystem/ntfs"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// corpusImage is one NTFS file system of the shared corpus with its TSK
// oracle folder (corpus/diskimages/_oracle/NAME/fs_at_sector_N).
type corpusImage struct {
	file   string // under corpus/diskimages
	oracle string // folder under corpus/diskimages/_oracle
	sector int64  // start of the file system, in 512-byte sectors
}

var corpusImages = []corpusImage{
	{file: "dfir_ntfs/ntfs3.raw.gz", oracle: "dfir_ntfs__ntfs3.raw", sector: 0},
	{file: "dfir_ntfs/ntfs3_attrlist.raw.gz", oracle: "dfir_ntfs__ntfs3_attrlist.raw", sector: 0},
	{file: "dfir_ntfs/ntfs_index.raw.gz", oracle: "dfir_ntfs__ntfs_index.raw", sector: 128},
	{file: "dfir_ntfs/vss_2003.tgz", oracle: "dfir_ntfs__vss_2003.raw", sector: 63},
	{file: "dfir_ntfs/vss_1_vol.tar.gz", oracle: "dfir_ntfs__vss_1_vol.raw", sector: 67584},
	{file: "dfir_ntfs/vss_2_stor.tar.gz", oracle: "dfir_ntfs__vss_2_stor.raw", sector: 67584},
	{file: "dfir_ntfs/vss_3_volstor.tar.gz", oracle: "dfir_ntfs__vss_3_volstor.raw", sector: 2048},
	{file: "dfir_ntfs/vss_3_volstor.tar.gz", oracle: "dfir_ntfs__vss_3_volstor.raw", sector: 4196352},
}

// unpack makes the raw image of file (a .gz, or a tarball holding one
// sparse member) in a temporary folder and returns its path.
func unpack(t *testing.T, dir, file string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(file, ".raw.gz") {
		in, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		zr, err := gzip.NewReader(in)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(file), ".gz"))
		w, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, zr); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// The tarballs hold sparse images of up to 128 GiB; GNU tar restores
	// the holes without writing them.
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("tar not found: cannot unpack the sparse VSS images")
	}
	cmd := exec.Command("tar", "xSzf", file, "-C", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("tar cannot unpack %s here: %v: %s", file, err, out)
	}
	ms, _ := filepath.Glob(filepath.Join(dir, "*.raw"))
	if len(ms) != 1 {
		t.Fatalf("%s: want one .raw member, got %v", file, ms)
	}
	return ms[0]
}

func TestCorpusAgainstTSK(t *testing.T) {
	corpus := testcorpus.Dir(t)
	disk := filepath.Join(corpus, "diskimages")
	unpacked := map[string]string{}
	tmp := t.TempDir()
	for _, ci := range corpusImages {
		oracle := filepath.Join(disk, "_oracle", ci.oracle, "fs_at_sector_"+itoa(ci.sector))
		t.Run(ci.oracle+"@"+itoa(ci.sector), func(t *testing.T) {
			if _, err := os.Stat(oracle); err != nil {
				t.Skipf("no oracle: %v", err)
			}
			img, ok := unpacked[ci.file]
			if !ok {
				img = unpack(t, filepath.Join(tmp, strconv.Itoa(len(unpacked))), filepath.Join(disk, ci.file))
				unpacked[ci.file] = img
			}
			f, err := os.Open(img)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			off := ci.sector * 512
			fs, err := ntfs.Open(io.NewSectionReader(f, off, st.Size()-off), st.Size()-off)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			es := walkAll(t, fs)
			names, slack := readFLS(t, filepath.Join(oracle, "fls_rp.txt"))
			body := readBodyfile(t, filepath.Join(oracle, "fls_bodyfile.txt"))
			hashes := readHashes(t, filepath.Join(oracle, "recovered_hashes.txt"))
			a := compareTSK(t, fs, es, names, slack, body, hashes)
			t.Logf("%s", a)
			for _, d := range a.diffs {
				t.Errorf("%s", d)
			}
			for _, n := range fs.Anomalies() {
				t.Logf("anomaly: %s", n)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// knownMFTDiffs are differences from the TSK listings checked by hand.
//
// orphan.mft: records 44 to 47 (2.txt to 5.txt) are deleted files whose
// $FILE_NAME names parent record 39 with sequence number 1, but record 39
// now has sequence 2 (the folder "n1" was deleted and its record reused by
// a new "n1"). Their parent reference is stale, so they are orphans; TSK
// lists them neither under n1 nor under $OrphanFiles and so loses them.
var knownMFTDiffs = map[string][]string{
	"orphan.mft": {
		"only we list /$OrphanFiles/2.txt (inode 44, deleted true, size 0)",
		"only we list /$OrphanFiles/3.txt (inode 45, deleted true, size 0)",
		"only we list /$OrphanFiles/4.txt (inode 46, deleted true, size 0)",
		"only we list /$OrphanFiles/5.txt (inode 47, deleted true, size 0)",
	},
}

// TestCorpusMFTFiles reads the bare $MFT files of the corpus: the three
// with a TSK listing (fls -r -p -l of the volume they came from) are
// compared by path, deletion and size; the others must walk cleanly.
func TestCorpusMFTFiles(t *testing.T) {
	dir := filepath.Join(testcorpus.Dir(t), "diskimages", "dfir_ntfs")
	mfts, _ := filepath.Glob(filepath.Join(dir, "*.mft"))
	if len(mfts) == 0 {
		t.Skip("no .mft files in the corpus")
	}
	for _, m := range mfts {
		t.Run(filepath.Base(m), func(t *testing.T) {
			f, err := os.Open(m)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			fs, err := ntfs.OpenMFT(f, st.Size())
			if err != nil {
				t.Fatalf("OpenMFT: %v", err)
			}
			es := walkAll(t, fs)
			fls := strings.TrimSuffix(m, ".mft") + ".fls"
			if _, err := os.Stat(fls); err != nil {
				t.Logf("%d entries, no listing to compare", len(es))
				for _, n := range fs.Anomalies() {
					t.Logf("anomaly: %s", n)
				}
				return
			}
			names, slack := readFLS(t, fls)
			a := compareTSK(t, nil, es, names, slack, nil, nil)
			t.Logf("%s", a)
			for _, d := range a.diffs {
				if slices.Contains(knownMFTDiffs[filepath.Base(m)], d) {
					t.Logf("known difference: %s", d)
					continue
				}
				t.Errorf("%s", d)
			}
		})
	}
}
