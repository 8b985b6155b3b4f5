package media

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/extract"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// mediaExt lists the file name extensions of the formats Video reads.
// Canon CR3 raw files are ISO base media too and are included.
var mediaExt = map[string]bool{
	".mp4": true, ".mov": true, ".m4v": true, ".m4a": true, ".m4b": true,
	".3gp": true, ".3g2": true, ".qt": true, ".cr3": true,
}

// corpusException is a known, explained disagreement with exiftool on one
// corpus file. check is one of oracleChecks, or "error" for a file Video
// refuses (wantErr says with which sentinel).
type corpusException struct {
	file, check, reason string
	wantErr             error
}

var corpusExceptions = []corpusException{
	{
		file:    "exif/tika-test-documents/testMP4_truncated.m4a",
		check:   "error",
		wantErr: ErrTruncated,
		reason: "the 74-byte file is cut inside its moov box, which claims 1,092,862 bytes; " +
			"exiftool reports \"Truncated 'moov' data\" and no QuickTime tags, Video returns ErrTruncated",
	},
	{
		file:  "exif/metadata-extractor-images/mp4/uuid540.mp4",
		check: "CreateDate",
		reason: "exiftool -n gives the XMP packet's xmp:CreateDate (\"2020:01:05 15:04Z\", minute precision, in a " +
			"uuid box) priority; its QuickTime:CreateDate (exiftool_n_G1.json) is \"2020:01:05 15:04:00\", as we read. " +
			"XMP is the XMP extractor's job",
	},
	{
		file:   "exif/exiftool-t-images/CanonRaw.cr3",
		check:  "Make",
		reason: "a Canon CR3 keeps Make in the TIFF IFD0 of its CMT1 box (uuid 85c0b687...), which the exif extractor reads",
	},
	{
		file:   "exif/exiftool-t-images/CanonRaw.cr3",
		check:  "Model",
		reason: "a Canon CR3 keeps Model in the TIFF IFD0 of its CMT1 box, which the exif extractor reads",
	},
}

// loadOracle reads an exiftool -n -json array and indexes it by
// SourceFile ("./dir/name", relative to the oracle's category folder).
func loadOracle(t *testing.T, file string) map[string]map[string]any {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.UseNumber()
	var list []map[string]any
	if err := dec.Decode(&list); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	m := make(map[string]map[string]any, len(list))
	for _, o := range list {
		if s, ok := o["SourceFile"].(string); ok {
			m[s] = o
		}
	}
	return m
}

type formatCount struct {
	files, refused, agree, explained, failed int
	checks                                   map[string]int // agreements per check
}

// TestCorpus runs Video on every MP4-family and QuickTime file of the
// shared corpus and compares GPS, altitude, CreateDate, Make and Model
// with exiftool -n (exif/_oracle/exiftool_n.json). Disagreements fail the
// test unless corpusExceptions explains them; an exception that no longer
// applies fails it too. HEIF images must be refused with ErrNotMedia.
func TestCorpus(t *testing.T) {
	root := testcorpus.Dir(t)
	oracles := map[string]map[string]map[string]any{} // category -> oracle
	oracleFor := func(category string) map[string]map[string]any {
		if o, ok := oracles[category]; ok {
			return o
		}
		var o map[string]map[string]any
		p := filepath.Join(root, category, "_oracle", "exiftool_n.json")
		if _, err := os.Stat(p); err == nil {
			o = loadOracle(t, p)
		}
		oracles[category] = o
		return o
	}
	exceptions := map[[2]string]corpusException{}
	used := map[[2]string]bool{}
	for _, e := range corpusExceptions {
		exceptions[[2]string{e.file, e.check}] = e
	}

	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), "_oracle") {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			ext := strings.ToLower(filepath.Ext(p))
			if mediaExt[ext] || ext == ".heic" || ext == ".heif" {
				rel, _ := filepath.Rel(root, p)
				files = append(files, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)

	counts := map[string]*formatCount{}
	heif := 0
	for _, rel := range files {
		category, inCategory, _ := strings.Cut(rel, "/")
		md, err := videoFile(filepath.Join(root, filepath.FromSlash(rel)))
		ext := strings.ToLower(path.Ext(rel))
		if ext == ".heic" || ext == ".heif" {
			// HEIF images are ISO base media without a movie.
			if !errors.Is(err, ErrNotMedia) {
				t.Errorf("%s: Video error = %v; want ErrNotMedia for a HEIF image", rel, err)
			}
			heif++
			continue
		}
		oracle := oracleFor(category)
		o, ok := oracle["./"+inCategory]
		if !ok {
			t.Logf("%s: no exiftool oracle, not compared", rel)
			continue
		}
		format, _ := o["FileType"].(string)
		c := counts[format]
		if c == nil {
			c = &formatCount{checks: map[string]int{}}
			counts[format] = c
		}
		c.files++
		if err != nil {
			c.refused++
			key := [2]string{rel, "error"}
			if e, ok := exceptions[key]; ok && errors.Is(err, e.wantErr) {
				used[key] = true
				c.explained++
				t.Logf("%s: explained: %v (%s)", rel, err, e.reason)
			} else {
				c.failed++
				t.Errorf("%s: Video: %v", rel, err)
			}
			continue
		}
		diffs := compareOracle(md, o, 1e-7)
		for _, check := range oracleChecks {
			d, bad := diffs[check]
			key := [2]string{rel, check}
			e, explained := exceptions[key]
			switch {
			case !bad && explained:
				t.Errorf("%s: %s agrees with exiftool now; remove its exception (%s)", rel, check, e.reason)
			case !bad:
				c.agree++
				c.checks[check]++
			case explained:
				used[key] = true
				c.explained++
				t.Logf("%s: %s: explained: %s (%s)", rel, check, d, e.reason)
			default:
				c.failed++
				t.Errorf("%s: %s: %s", rel, check, d)
			}
		}
	}
	for key, e := range exceptions {
		if e.check == "error" && !used[key] {
			t.Errorf("%s: expected error %v did not occur (%s)", e.file, e.wantErr, e.reason)
		}
	}

	var formats []string
	for f := range counts {
		formats = append(formats, f)
	}
	sort.Strings(formats)
	total := formatCount{checks: map[string]int{}}
	for _, f := range formats {
		c := counts[f]
		t.Logf("%-4s files %2d (refused %d): checks agreed %2d, explained %d, failed %d; per check %v",
			f, c.files, c.refused, c.agree, c.explained, c.failed, c.checks)
		total.files += c.files
		total.agree += c.agree
		total.explained += c.explained
		total.failed += c.failed
		for k, v := range c.checks {
			total.checks[k] += v
		}
	}
	t.Logf("all  files %2d: checks agreed %d, explained %d, failed %d; per check %v; HEIF refused as not media: %d",
		total.files, total.agree, total.explained, total.failed, total.checks, heif)
	if total.files == 0 {
		t.Error("no media files found in the corpus")
	}
}

// videoFile opens a file read-only and runs Video on it.
func videoFile(name string) (*extract.Metadata, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return Video(f, fi.Size())
}
