package filetype

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusDir returns the shared test corpus or skips the test.
func corpusDir(t testing.TB) string {
	d, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			t.Skip("corpus not present: repository root (go.mod) not found")
		}
		d = parent
	}
	c := filepath.Join(d, "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(c, "MANIFEST.tsv")); err != nil {
		t.Skip("corpus not present")
	}
	return c
}

// readHead returns the first HeadSize bytes of a file, opened read-only.
func readHead(t testing.TB, path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, HeadSize))
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return b
}

// corpusFiles lists the data files under dir, skipping the oracle folders.
func corpusFiles(t testing.TB, dir string) []string {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), "_oracle") {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// exiftoolOracle reads an exiftool -json array and returns MIMEType and
// FileType by SourceFile (relative to the category folder, "./" removed).
func exiftoolOracle(t testing.TB, path string) map[string][2]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.UseNumber()
	var entries []map[string]any
	if err := dec.Decode(&entries); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	m := make(map[string][2]string, len(entries))
	for _, e := range entries {
		src, _ := e["SourceFile"].(string)
		mime, _ := e["MIMEType"].(string)
		ft, _ := e["FileType"].(string)
		m[strings.TrimPrefix(src, "./")] = [2]string{mime, ft}
	}
	return m
}

// expectedByExtension is what a well-formed file with that extension must
// be detected as.
var expectedByExtension = map[string]string{
	"jpg":  "image/jpeg",
	"jpeg": "image/jpeg",
	"png":  "image/png",
	"gif":  "image/gif",
	"webp": "image/webp",
	"tif":  "image/tiff",
	"tiff": "image/tiff",
	"heic": "image/heic",
	"avif": "image/avif",
	"mov":  "video/quicktime",
	"3gp":  "video/3gpp",
	"3g2":  "video/3gpp2",
	"m4a":  "audio/mp4",
	"cr3":  "image/x-canon-cr3",
	"pdf":  "application/pdf",
	"msg":  "application/vnd.ms-outlook",
	"pst":  "application/vnd.ms-outlook-pst",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"odt":  "application/vnd.oasis.opendocument.text",
	"ods":  "application/vnd.oasis.opendocument.spreadsheet",
	"odp":  "application/vnd.oasis.opendocument.presentation",
	"epub": "application/epub+zip",
	"e01":  "application/x-ewf",
	"e02":  "application/x-ewf",
}

// containerOnly lists extensions whose files may be detected as their
// container (ZIP or OLE) only: the head does not always tell the format
// inside.
var containerOnly = map[string]bool{
	"docx": true, "xlsx": true, "pptx": true, "odt": true, "ods": true,
	"odp": true, "epub": true,
}

// exiftoolFileType maps exiftool FileType values to the extension our
// families use, where the lower-cased name is not already one.
var exiftoolFileType = map[string]string{
	"jpeg":          "jpg",
	"tiff":          "tif",
	"extended webp": "webp",
	"fpx":           "ole", // exiftool reports OLE files it cannot name as FlashPix
}

// TestCorpus checks detection on the shared corpus: every well-formed file
// (one that exiftool identifies as the type its extension claims) must be
// detected as that type, or for the formats in containerOnly as a container
// its name fits. The agreement with exiftool's MIMEType over all files, and
// every name mismatch, are logged.
func TestCorpus(t *testing.T) {
	root := corpusDir(t)
	for _, category := range []string{"exif", "documents", "diskimages"} {
		t.Run(category, func(t *testing.T) {
			dir := filepath.Join(root, category)
			var oracle map[string][2]string
			switch category {
			case "exif":
				oracle = exiftoolOracle(t, filepath.Join(dir, "_oracle", "exiftool_n.json"))
			case "documents":
				oracle = exiftoolOracle(t, filepath.Join(dir, "_oracle", "exiftool.json"))
			}
			var (
				files, checked, detected, mismatches          int
				exact, family, bothText, missed, disagree, na int
			)
			for _, path := range corpusFiles(t, dir) {
				rel, _ := filepath.Rel(dir, path)
				rel = filepath.ToSlash(rel)
				ext := extension(path)
				got := Detect(readHead(t, path))
				files++
				if (got != Type{}) {
					detected++
				}
				if Mismatch(path, got) {
					mismatches++
					t.Logf("mismatch: %s detected as %s", rel, got.MIME)
				}
				ex, inOracle := oracle[rel]
				exMIME, exType := ex[0], strings.ToLower(ex[1])
				if e, ok := exiftoolFileType[exType]; ok {
					exType = e
				}
				if want, ok := expectedByExtension[ext]; ok && (oracle == nil || exType != "" && !Mismatch("x."+ext, Type{exMIME, exType})) {
					// exiftool agrees the file is what its name says.
					checked++
					switch {
					case got.MIME == want:
					case containerOnly[ext] && (got != Type{}) && !Mismatch(path, got):
						// Encrypted OOXML (an OLE file), or an
						// entry order that hides the format.
						t.Logf("container only: %s: %s", rel, got.MIME)
					default:
						t.Errorf("%s: Detect = %q, want %q (exiftool: %s)", rel, got.MIME, want, exMIME)
					}
				}
				if oracle == nil {
					continue
				}
				switch {
				case !inOracle || exMIME == "":
					na++
				case got.MIME == exMIME:
					exact++
				case (got == Type{}) && strings.HasPrefix(exMIME, "text/") ||
					(got == Type{}) && exMIME == "application/xml" ||
					(got == Type{}) && exMIME == "application/rdf+xml" ||
					(got == Type{}) && exMIME == "image/svg+xml":
					bothText++
				case (got == Type{}):
					missed++
					t.Logf("undetected: %s (exiftool: %s %s)", rel, exMIME, ex[1])
				case !Mismatch("x."+exType, got):
					family++
					t.Logf("same family: %s: %s, exiftool %s", rel, got.MIME, exMIME)
				default:
					disagree++
					t.Logf("disagree: %s: %s, exiftool %s %s", rel, got.MIME, exMIME, ex[1])
				}
			}
			t.Logf("%s: %d files, %d detected, %d checked against their extension, %d name mismatches",
				category, files, detected, checked, mismatches)
			if oracle != nil {
				t.Logf("%s vs exiftool MIMEType: %d exact, %d same family, %d text/XML both, "+
					"%d undetected, %d disagree, %d without exiftool MIME type",
					category, exact, family, bothText, missed, disagree, na)
			}
		})
	}
}
