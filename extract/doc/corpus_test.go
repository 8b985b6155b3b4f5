package doc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/pangolin-forensics/pangolin/extract"
	"github.com/pangolin-forensics/pangolin/extract/filetype"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/unicode/norm"

	xunicode "golang.org/x/text/encoding/unicode"
)

// Agreement with the oracles is measured by bag of words. Words are
// lower-cased runs of letters, digits and combining marks; each Han, kana,
// Hangul, Thai, Lao, Khmer or Myanmar character is a word of its own,
// since those scripts do not separate words with spaces. For the bags A
// (ours) and B (the oracle's) as multisets, recall is |A ∩ B| / |B| and
// precision |A ∩ B| / |A|; an empty oracle counts as full agreement.

func ownWord(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

func bagOfWords(s string) map[string]int {
	bag := map[string]int{}
	var w []rune
	flush := func() {
		if len(w) > 0 {
			bag[string(w)]++
			w = w[:0]
		}
	}
	for _, r := range norm.NFC.String(s) {
		switch {
		case ownWord(r):
			flush()
			bag[string(r)]++
		case unicode.Is(unicode.Cf, r):
			// Soft hyphens, joiners and byte order marks do not split words.
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			w = append(w, unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return bag
}

// agreement returns recall and precision of ours against theirs.
func agreement(ours, theirs string) (recall, precision float64) {
	a, b := bagOfWords(ours), bagOfWords(theirs)
	var na, nb, both int
	for w, n := range b {
		nb += n
		both += min(n, a[w])
	}
	for _, n := range a {
		na += n
	}
	recall, precision = 1, 1
	if nb > 0 {
		recall = float64(both) / float64(nb)
	}
	if na > 0 {
		precision = float64(both) / float64(na)
	} else if nb > 0 {
		precision = 0
	}
	return recall, precision
}

// textExceptions are corpus files left out of the averages, with the
// reason. They are still read, and must not panic.
var textExceptions = map[string]string{
	"tika-test-documents/testWORD_truncated.docx":             "truncated ZIP: no central directory (LibreOffice gives no output either)",
	"tika-test-documents/testBinControlWord.rtf":              "no LibreOffice output",
	"excelize/encryptAES.xlsx":                                "encrypted (OLE compound file): ErrUnsupported",
	"excelize/encryptSHA1.xlsx":                               "encrypted (OLE compound file): ErrUnsupported",
	"tika-test-documents/protected_normal_case.docx":          "encrypted (OLE compound file): ErrUnsupported",
	"tika-test-documents/protected_upper_case.docx":           "encrypted (OLE compound file): ErrUnsupported",
	"tika-test-documents/testWORD_protected_passtika.docx":    "encrypted (OLE compound file): ErrUnsupported",
	"tika-test-documents/testPPT_protected_passtika.pptx":     "encrypted (OLE compound file): ErrUnsupported",
	"tika-test-documents/testEXCEL_protected_passtika.xlsx":   "encrypted (OLE compound file): ErrUnsupported",
	"tika-test-documents/testEXCEL_protected_passtika_2.xlsx": "encrypted (OLE compound file): ErrUnsupported",
	"tika-test-documents/testODTEncrypted.odt":                "encrypted content.xml",
	"tika-test-documents/testPPT_autodate.pptx":               "date field: LibreOffice renders the date of conversion, the file keeps the date it was saved",
	"tika-test-documents/testWPSAttachment.pptx":              "text only in the preview images (EMF) of embedded OLE objects",
	"tika-test-documents/testPPT_embeded.pptx":                "text of embedded documents, rendered from their previews; embedded packages are not opened",
	"tika-test-documents/testPPT_oleWorkbook.pptx":            "embedded OLE workbook, rendered from its preview image",
	"tika-test-documents/testMSChart-govdocs-428996.pptx":     "MS Graph OLE chart: axis values and legend rendered by LibreOffice",
	"tika-test-documents/testPPT_diagramData.pptx":            "LibreOffice's rendering wraps words inside diagram shapes (\"Presiden t\")",
	"tika-test-documents/testWordArt.pptx":                    "LibreOffice's rendering of WordArt loses letters (\"ere is some red word Ar\")",
	"tika-test-documents/testHTML_charset_utf16le.html":       "w3m ignores the UTF-16 byte order mark and dumps the markup letter by letter",
	"tika-test-documents/protect.xlsx":                        "encrypted with Excel's default password (VelvetSweatshop), which LibreOffice tries; decryption is not implemented: ErrUnsupported",
	"tika-test-documents/protectedFile.xlsx":                  "encrypted with Excel's default password (VelvetSweatshop), which LibreOffice tries; decryption is not implemented: ErrUnsupported",
}

// oracleMixups are LibreOffice outputs the oracle summary lists under the
// wrong file: their names begin with another file's name (the sheets of
// testEXCEL-formats.xlsx and testEXCEL.strict.xlsx, whose own entries list
// them correctly, appear under testEXCEL.xlsx too).
var oracleMixups = map[string]bool{
	"tika-test-documents/testEXCEL.xlsx-formats-Format Examples.csv": true,
	"tika-test-documents/testEXCEL.xlsx.strict-First Sheet.csv":      true,
	"tika-test-documents/testEXCEL.xlsx.strict-Sheet Number 2.csv":   true,
	"tika-test-documents/testEXCEL.xlsx.strict-Sheet3.csv":           true,
}

// formatOf groups a corpus file by the format it is reported under, or "".
func formatOf(name string) string {
	switch strings.ToLower(strings.TrimPrefix(filepath.Ext(name), ".")) {
	case "docx", "docm", "dotx", "dotm":
		return "docx"
	case "xlsx", "xlsm", "xltx":
		return "xlsx"
	case "pptx", "pptm", "ppsx", "potx":
		return "pptx"
	case "odt", "fodt":
		return "odt"
	case "ods", "fods":
		return "ods"
	case "odp", "fodp":
		return "odp"
	case "rtf":
		return "rtf"
	case "html", "htm":
		return "html"
	case "txt", "text", "csv", "md", "test", "tsv":
		return "txt"
	}
	return ""
}

// mimeOf returns the MIME type the pipeline would pass for a corpus file.
func mimeOf(path string, data []byte) string {
	t := filetype.Detect(data[:min(len(data), filetype.HeadSize)])
	if t.MIME != "" {
		return t.MIME
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".rtf":
		return "text/rtf"
	case ".html", ".htm":
		return "text/html"
	case ".fodt":
		return "application/vnd.oasis.opendocument.text-flat-xml"
	case ".fods":
		return "application/vnd.oasis.opendocument.spreadsheet-flat-xml"
	case ".fodp":
		return "application/vnd.oasis.opendocument.presentation-flat-xml"
	}
	return "text/plain"
}

type score struct {
	file              string
	recall, precision float64
	note              string
}

type formatStats struct {
	scores []score
}

func (f *formatStats) summary() (n int, avgR, minR, avgP float64, worst string) {
	minR = 2
	for _, s := range f.scores {
		avgR += s.recall
		avgP += s.precision
		if s.recall < minR {
			minR, worst = s.recall, s.file
		}
	}
	n = len(f.scores)
	if n > 0 {
		avgR /= float64(n)
		avgP /= float64(n)
	}
	return
}

// TestCorpus checks text and metadata against the corpus oracles:
// LibreOffice's text for office files and RTF, w3m's dump for HTML, the
// encoding exiftool reports for plain text, and exiftool's properties.
func TestCorpus(t *testing.T) {
	corpus := testcorpus.Dir(t)
	docs := filepath.Join(corpus, "documents")
	oracle := filepath.Join(docs, "_oracle")
	stats := map[string]*formatStats{}
	add := func(format string, s score) {
		if stats[format] == nil {
			stats[format] = &formatStats{}
		}
		stats[format].scores = append(stats[format].scores, s)
	}
	var excepted []score

	// Office files and RTF against LibreOffice.
	var lo []struct {
		File    string   `json:"file"`
		Outputs []string `json:"outputs"`
	}
	readJSON(t, filepath.Join(oracle, "libreoffice_text_summary.json"), &lo)
	for _, e := range lo {
		format := formatOf(e.File)
		if format == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(docs, e.File))
		if err != nil {
			t.Fatal(err)
		}
		ours, terr := Text(bytes.NewReader(data), int64(len(data)), mimeOf(e.File, data), Limits{})
		var theirs strings.Builder
		for _, o := range e.Outputs {
			if oracleMixups[o] {
				continue
			}
			b, err := os.ReadFile(filepath.Join(oracle, "libreoffice_text", o))
			if err != nil {
				t.Fatal(err)
			}
			theirs.Write(b)
			theirs.WriteByte('\n')
		}
		r, p := agreement(ours, theirs.String())
		s := score{file: e.File, recall: r, precision: p}
		if terr != nil {
			s.note = terr.Error()
		}
		if reason, ok := textExceptions[e.File]; ok {
			s.note = reason + "; " + s.note
			excepted = append(excepted, s)
			continue
		}
		if terr != nil && !errors.Is(terr, ErrTruncated) {
			t.Errorf("%s: %v", e.File, terr)
		}
		add(format, s)
	}

	// HTML against w3m.
	htmlFiles, _ := filepath.Glob(filepath.Join(docs, "*", "*.html"))
	for _, path := range htmlFiles {
		rel, _ := filepath.Rel(docs, path)
		ref, err := os.ReadFile(filepath.Join(oracle, "w3m_dump", rel+".txt"))
		if err != nil {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ours, terr := Text(bytes.NewReader(data), int64(len(data)), "text/html", Limits{})
		if terr != nil {
			t.Errorf("%s: %v", rel, terr)
		}
		r, p := agreement(ours, string(ref))
		if reason, ok := textExceptions[rel]; ok {
			excepted = append(excepted, score{file: rel, recall: r, precision: p, note: reason})
			continue
		}
		add("html", score{file: rel, recall: r, precision: p})
	}

	// Plain text against the encoding exiftool reports (or the file name
	// states), and multilingual samples written in legacy encodings.
	exif := exiftoolByFile(t, filepath.Join(oracle, "exiftool_n_G1.json"))
	for rel, tags := range exif {
		if formatOf(rel) != "txt" {
			continue
		}
		ref, ok := txtReference(rel, tags, docs)
		if !ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(docs, rel))
		if err != nil {
			t.Fatal(err)
		}
		ours, terr := Text(bytes.NewReader(data), int64(len(data)), "text/plain", Limits{})
		if terr != nil {
			t.Errorf("%s: %v", rel, terr)
		}
		r, p := agreement(ours, ref)
		add("txt", score{file: rel, recall: r, precision: p})
	}
	for _, tc := range legacySamples(t, docs) {
		ours, terr := Text(bytes.NewReader(tc.data), int64(len(tc.data)), "text/plain", Limits{})
		if terr != nil {
			t.Errorf("%s: %v", tc.name, terr)
		}
		r, p := agreement(ours, tc.want)
		got := DetectEncoding(tc.data).Name
		s := score{file: tc.name, recall: r, precision: p}
		if got != tc.enc {
			s.note = "detected " + got
		}
		add("txt", s)
	}

	// Report and check.
	formats := make([]string, 0, len(stats))
	for f := range stats {
		formats = append(formats, f)
	}
	sort.Strings(formats)
	t.Logf("text agreement (bag of words): format files avg-recall min-recall avg-precision worst")
	for _, f := range formats {
		n, avgR, minR, avgP, worst := stats[f].summary()
		t.Logf("  %-5s %3d  %6.2f%%  %6.2f%%  %6.2f%%  %s", f, n, 100*avgR, 100*minR, 100*avgP, worst)
		if avgR < 0.95 {
			t.Errorf("%s: average recall %.2f%% below 95%%", f, 100*avgR)
		}
		for _, s := range stats[f].scores {
			if s.recall < 0.9 || s.note != "" {
				t.Logf("      %-60s recall %6.2f%% precision %6.2f%% %s", s.file, 100*s.recall, 100*s.precision, s.note)
			}
		}
	}
	t.Logf("text exceptions (left out of the averages):")
	for _, s := range excepted {
		t.Logf("  %-60s recall %6.2f%%: %s", s.file, 100*s.recall, s.note)
	}

	checkCorpusMetadata(t, docs, exif)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// exiftoolByFile reads exiftool's -G1 -n output keyed by path relative to
// documents/.
func exiftoolByFile(t *testing.T, path string) map[string]map[string]any {
	var list []map[string]any
	readJSON(t, path, &list)
	out := make(map[string]map[string]any, len(list))
	for _, e := range list {
		sf, _ := e["SourceFile"].(string)
		out[strings.TrimPrefix(sf, "./")] = e
	}
	return out
}

// txtReference decodes a corpus text file with the encoding exiftool
// reports, or the one its name states.
func txtReference(rel string, tags map[string]any, docs string) (string, bool) {
	data, err := os.ReadFile(filepath.Join(docs, rel))
	if err != nil {
		return "", false
	}
	var enc encoding.Encoding
	label, _ := tags["File:MIMEEncoding"].(string)
	switch {
	case strings.Contains(rel, "win-1252"):
		enc = charmap.Windows1252
	case strings.Contains(rel, "cp866"):
		enc = charmap.CodePage866
	case label == "us-ascii" || label == "utf-8":
		return string(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})), true
	case label == "iso-8859-1":
		enc = charmap.Windows1252
	case label == "utf-16be":
		enc = xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM)
	case label == "utf-16le":
		enc = xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)
	default:
		return "", false // unknown-8bit or binary: no reference
	}
	b, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return "", false
	}
	return string(b), true
}

type legacySample struct {
	name, enc string
	data      []byte
	want      string
}

// legacySamples writes the corpus's multilingual samples, and a few
// written here, in the legacy encodings of their languages, as
// investigators meet them in old files.
func legacySamples(t *testing.T, docs string) []legacySample {
	lang := filepath.Join(docs, "multilingual", "tika-language-tests")
	var out []legacySample
	addEnc := func(name, encName string, enc encoding.Encoding, text string) {
		b, err := enc.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatalf("%s: encode %s: %v", name, encName, err)
		}
		out = append(out, legacySample{name: name + " as " + encName, enc: encName, data: b, want: text})
	}
	read := func(f string) string {
		b, err := os.ReadFile(filepath.Join(lang, f))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, f := range []string{"fr.test", "es.test", "pt.test", "de.test", "it.test", "da.test", "sv.test", "nl.test", "fi.test"} {
		addEnc(f, "windows-1252", charmap.Windows1252, latin1Only(read(f)))
	}
	addEnc("el.test", "windows-1253", charmap.Windows1253, read("el.test"))
	addEnc("th.test", "windows-874", charmap.Windows874, encodable(charmap.Windows874, read("th.test")))
	addEnc("zh.test", "gb18030", simplifiedchinese.GB18030, read("zh.test"))
	addEnc("ja.test", "shift_jis", japanese.ShiftJIS, jisOnly(read("ja.test")))
	for _, s := range handSamples {
		addEnc(s.name, s.enc, s.e, s.text)
	}
	addEnc("fr.test", "utf-16le (no BOM)", xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM), read("fr.test"))
	out[len(out)-1].enc = "utf-16le"
	addEnc("zh.test", "utf-32le", utf32.UTF32(utf32.LittleEndian, utf32.UseBOM), read("zh.test"))
	return out
}

// latin1Only drops characters windows-1252 cannot encode.
func latin1Only(s string) string {
	return strings.Map(func(r rune) rune {
		if _, ok := charmap.Windows1252.EncodeRune(r); ok {
			return r
		}
		return ' '
	}, s)
}

// encodable drops characters e cannot encode.
func encodable(e encoding.Encoding, s string) string {
	enc := e.NewEncoder()
	return strings.Map(func(r rune) rune {
		if _, err := enc.String(string(r)); err == nil {
			return r
		}
		return ' '
	}, s)
}

func jisOnly(s string) string {
	e := japanese.ShiftJIS.NewEncoder()
	return strings.Map(func(r rune) rune {
		if _, err := e.String(string(r)); err == nil {
			return r
		}
		return ' '
	}, s)
}

// checkCorpusMetadata compares properties with exiftool's where both have
// the field.
func checkCorpusMetadata(t *testing.T, docs string, exif map[string]map[string]any) {
	type tally struct{ compared, agreed, files int }
	per := map[string]*tally{}
	keyFields := map[string]bool{"Creator": true, "Author": true, "LastModifiedBy": true, "CreateDate": true,
		"ModifyDate": true, "Title": true, "Company": true, "Pages": true, "Initial-creator": true,
		"Creation-date": true, "Date": true, "RevisionNumber": true, "Application": true}
	keyAgree := map[string][2]int{}
	var rels []string
	for rel := range exif {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	var mismatches []string
	for _, rel := range rels {
		format := formatOf(rel)
		if format == "" || format == "txt" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(docs, rel))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Metadata(bytes.NewReader(data), int64(len(data)), mimeOf(rel, data))
		if err != nil {
			if _, excepted := textExceptions[rel]; !excepted && !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: metadata: %v", rel, err)
			}
			continue
		}
		theirs := map[string]any{}
		for k, v := range exif[rel] {
			if i := strings.IndexByte(k, ':'); i >= 0 {
				g := k[:i]
				if g == "System" || g == "File" || g == "ExifTool" || g == "ZIP" || g == "HTTP-equiv" {
					continue
				}
				k = k[i+1:]
			}
			theirs[k] = v
		}
		if per[format] == nil {
			per[format] = &tally{}
		}
		tl := per[format]
		tl.files++
		// A field may repeat (ODF keywords, an HTML title and a meta
		// title) where exiftool keeps one value: any of ours may agree.
		ourValues := map[string][]string{}
		var names []string
		for _, f := range m.Fields {
			if _, ok := theirs[f.Name]; !ok || metadataSkip[f.Name] || metadataExceptions[rel+" "+f.Name] != "" {
				continue
			}
			if ourValues[f.Name] == nil {
				names = append(names, f.Name)
			}
			ourValues[f.Name] = append(ourValues[f.Name], f.Value)
		}
		for _, name := range names {
			f := extract.Field{Name: name, Value: ourValues[name][0]}
			v := theirs[name]
			tl.compared++
			agree := false
			for _, ov := range ourValues[name] {
				if sameValue(ov, v) {
					agree, f.Value = true, ov
				}
			}
			if agree {
				tl.agreed++
			} else {
				mismatches = append(mismatches, fmt.Sprintf("%s %s: ours %q exiftool %v", rel, f.Name, f.Value, v))
			}
			if keyFields[f.Name] {
				k := keyAgree[format+" "+f.Name]
				k[0]++
				if agree {
					k[1]++
				}
				keyAgree[format+" "+f.Name] = k
			}
		}
	}
	var formats []string
	for f := range per {
		formats = append(formats, f)
	}
	sort.Strings(formats)
	t.Logf("metadata agreement with exiftool (fields both have):")
	for _, f := range formats {
		tl := per[f]
		rate := 1.0
		if tl.compared > 0 {
			rate = float64(tl.agreed) / float64(tl.compared)
		}
		t.Logf("  %-5s files %3d fields compared %4d agreed %4d (%.2f%%)", f, tl.files, tl.compared, tl.agreed, 100*rate)
		if rate < 0.95 {
			t.Errorf("%s: metadata agreement %.2f%% below 95%%", f, 100*rate)
		}
	}
	var keys []string
	for k := range keyAgree {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("    %-28s %3d/%3d", k, keyAgree[k][1], keyAgree[k][0])
	}
	for _, m := range mismatches {
		t.Logf("  differs: %s", m)
	}
}

// metadataSkip are fields compared with no exiftool field: exiftool
// names every ODF user-defined property "User-defined" and keeps the last
// value, ours keep "name=value" for each.
var metadataSkip = map[string]bool{"User-defined": true}

// metadataExceptions are fields where exiftool is wrong, with the reason.
var metadataExceptions = map[string]string{
	"tika-test-documents/testRTF-ms932.rtf Title": "exiftool decodes the Shift_JIS title (\\fcharset128 font) as windows-1252",
}

// sameValue compares one of our field values with exiftool's -n value:
// dates by their digits, numbers numerically, text exactly (after
// trimming), booleans case-insensitively.
func sameValue(ours string, theirs any) bool {
	var ts string
	switch v := theirs.(type) {
	case json.Number:
		ts = v.String()
	case string:
		ts = v
	case bool:
		ts = strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = fmt.Sprint(p)
		}
		ts = strings.Join(parts, ", ")
	default:
		ts = fmt.Sprint(v)
	}
	ours, ts = strings.TrimSpace(ours), strings.TrimSpace(ts)
	if ours == ts || strings.EqualFold(ours, ts) {
		return true
	}
	if a, err := strconv.ParseFloat(ours, 64); err == nil {
		if b, err := strconv.ParseFloat(ts, 64); err == nil {
			return math.Abs(a-b) < 1e-9
		}
	}
	if looksLikeDate(ours) && looksLikeDate(ts) {
		return dateDigits(ours) == dateDigits(ts)
	}
	return false
}

func looksLikeDate(s string) bool {
	return len(s) >= 10 && unicode.IsDigit(rune(s[0])) && (s[4] == '-' || s[4] == ':')
}

// dateDigits keeps the digits of a date up to the seconds, dropping a zero
// zone ("Z", "+00:00").
func dateDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
		if b.Len() == 14 {
			break
		}
	}
	return b.String()
}
