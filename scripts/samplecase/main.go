// Command samplecase writes the evidence of a made-up sample case, for
// `make demo` and end-to-end tests. It is not part of pangolin.
//
//	go run ./scripts/samplecase OUTDIR
//
// It writes, into OUTDIR (made if missing, its files of the same names
// overwritten):
//
//   - phone-card.dd: the raw image of a suspect phone's microSD card, FAT16,
//     with geotagged photos (one of them deleted, its content intact),
//     documents in eight languages, and email;
//   - laptop/: the files of a second exhibit, acquired logically, that
//     share a phone number, a Bitcoin address, a container number and a
//     photo with the card, and a photo whose name and metadata are markup,
//     to show that reports escape evidence;
//   - keywords.terms: a keyword list for the sample, in the format of
//     index.ParseTerms;
//   - README.txt: what is in the sample and which facts a report on it
//     should show.
//
// The same program writes the same bytes and file times every run, on
// every machine, and needs no tool outside Go (no mkfs, no mtools): the
// card is built by internal/fatimage, the photos by internal/testphoto,
// the Word documents by internal/testdocx.
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/internal/testphoto"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: samplecase OUTDIR")
		os.Exit(2)
	}
	if err := generate(os.Args[1], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "samplecase:", err)
		os.Exit(1)
	}
}

// hostileNames reports whether the file system takes the hostile photo's
// name: Windows does not allow '<' and '>' in file names.
var hostileNames = runtime.GOOS != "windows"

// generate writes the sample into out; notes says what it left out.
func generate(out string, notes io.Writer) error {
	card, err := cardFiles()
	if err != nil {
		return err
	}
	laptop, err := laptopFiles(card)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "phone-card.dd"), buildCard(card), 0o644); err != nil {
		return err
	}
	for _, f := range laptop {
		if !hostileNames && f.path == "Pictures/"+hostileShot.name {
			fmt.Fprintf(notes, "samplecase: laptop/%s not written: Windows does not allow < and > in file names\n", f.path)
			continue
		}
		p := filepath.Join(out, "laptop", filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return err
		}
		if err := os.Chtimes(p, f.at, f.at); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(out, "keywords.terms"), []byte(expand(keywords)), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "README.txt"), []byte(readme(card)), 0o644)
}

// cardFiles returns the card's files in the order the phone wrote them.
func cardFiles() ([]file, error) {
	var files []file
	for i, s := range cardShots {
		b, err := s.jpeg(i, phone, "", "")
		if err != nil {
			return nil, err
		}
		files = append(files, file{"DCIM/Camera/" + s.name, b, s.taken, s.deleted})
	}
	docs, err := documents(cardTexts, cardDocx)
	if err != nil {
		return nil, err
	}
	files = append(files, docs...)
	for _, m := range cardMail {
		b, err := m.bytes()
		if err != nil {
			return nil, err
		}
		files = append(files, file{m.path, b, m.at, false})
	}
	slices.SortStableFunc(files, func(a, b file) int { return a.at.Compare(b.at) })
	return files, nil
}

// documents returns an exhibit's text documents and Word document.
func documents(texts []text, d docx) ([]file, error) {
	var files []file
	for _, t := range texts {
		files = append(files, file{t.path, []byte(expand(t.body)), t.at, false})
	}
	b, err := d.bytes()
	if err != nil {
		return nil, err
	}
	return append(files, file{d.path, b, d.at, false}), nil
}

// laptopFiles returns the laptop's files; card is the card's, one of
// whose photos the laptop holds too.
func laptopFiles(card []file) ([]file, error) {
	files, err := documents(laptopTexts, laptopDocx)
	if err != nil {
		return nil, err
	}
	shared := cardShots[sharedShot]
	i := slices.IndexFunc(card, func(f file) bool { return f.path == "DCIM/Camera/"+shared.name })
	files = append(files, file{"Pictures/" + shared.name, card[i].data, time.Date(2023, 9, 16, 8, 10, 0, 0, eat), false})
	tecno := testphoto.Camera{Make: "TECNO", Model: "TECNO CAMON 18", Software: "CH6n-H6914ABC-S-GL-221017V410"}
	b, err := hostileShot.jpeg(len(cardShots), tecno, hostileArtist, hostileDescription)
	if err != nil {
		return nil, err
	}
	files = append(files, file{"Pictures/" + hostileShot.name, b, hostileShot.taken, false})
	return files, nil
}

// The hostile photo's EXIF Artist and ImageDescription.
const (
	hostileArtist      = `<script>document.title='pwned'</script>`
	hostileDescription = `"><svg onload=alert(2)>`
)

// keywords is the sample's keyword list, before [expand].
const keywords = `# Keyword list for the sample case that scripts/samplecase writes.
# Format: see index.ParseTerms and index/testdata/environmental-crime.terms
# ("Label<TAB>term"; "field:term" searches a field: the phone numbers and
# wallets found in the files, tags, names). The Totoaba terms find
# nothing in the sample: a report shows them with no hits rather than
# leaving them out.
Ivory	ivory
Ivory	ivoire
Ivory	marfil
Ivory	marfim
Ivory	pembe za ndovu
Ivory	ngà voi
Ivory	象牙
Ivory	งาช้าง
Pangolin	pangolin*
Pangolin	magamba ya kakakuona
Pangolin	vảy tê tê
Pangolin	穿山甲鳞片
Pangolin	เกล็ดตัวนิ่ม
Rosewood	rosewood
Rosewood	Dalbergia
Rosewood	bois de rose
Rosewood	gỗ trắc
Rosewood	红木
Shark fin	aleta de tiburón
Shark fin	鱼翅
Vessel	"IMO {imo}"
Container	/msku\d{7}/
Wallet	{wallet}
Wallet	bitcoin:{wallet}
Suspect phone	phone:+254712345678
Totoaba	totoaba
Totoaba	fish maw
`

// readme returns README.txt: one paragraph, wrapped at 72 columns.
func readme(card []file) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Sample case written by scripts/samplecase (go run ./scripts/samplecase OUTDIR). "+
		"Every person, company, vessel and event in it is made up; the identifiers are only well-formed. "+
		"It has two exhibits: phone-card.dd, the raw image (%d MiB, FAT16, no partition table) of the microSD card of a suspect's phone, a %s %s; "+
		"and laptop/, the files of the suspect's contact's laptop, acquired logically. "+
		"The card's DCIM/Camera holds %d photos with EXIF dates, time zones, thumbnails and, but for one, GPS positions: ",
		cardLayout.Sectors*512>>20, phone.Make, phone.Model, len(cardShots))
	for i, s := range cardShots {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s, %s", s.name, s.taken.Format("2006-01-02 15:04:05 -07:00"))
		if s.gps != nil {
			fmt.Fprintf(&b, ", %s (%.4f, %.4f)", s.place, s.gps.Latitude, s.gps.Longitude)
		} else {
			fmt.Fprintf(&b, ", %s, no position", s.place)
		}
		if s.deleted {
			b.WriteString(", DELETED")
		}
	}
	deleted := cardShots[slices.IndexFunc(cardShots, func(s shot) bool { return s.deleted })]
	shared := cardShots[sharedShot]
	i := slices.IndexFunc(card, func(f file) bool { return f.path == "DCIM/Camera/"+shared.name })
	fmt.Fprintf(&b, ". DCIM/Camera/%s, two tusks, was deleted: its entry is marked 0xE5 and its clusters are intact, "+
		"so a report lists it as deleted and still shows its position and thumbnail. "+
		"Suva and Apia lie either side of the antimeridian, 10 degrees apart: a map must not draw them 350 degrees apart. "+
		"Documents/ holds notes in English, French, Spanish, Portuguese, Swahili, Vietnamese, Chinese and Thai (.txt, one .html, one .docx), "+
		"and Mail/ three messages (.eml), one with a base64 attachment. "+
		"The phone number %s (on the laptop also written %s) and the Bitcoin address %s are on both exhibits, "+
		"and so are container %s and the photo %s (the same bytes, SHA-256 %x, is laptop/Pictures/%s): "+
		"a report links the two exhibits by them. "+
		"The fishing vessel IMO %s is named in Documents/contacts.txt and Documents/pedido.txt. "+
		"laptop/Documents/Invoice KTL-2023-0147.docx is a shipping invoice for rosewood (Dalbergia melanoxylon) in container %s. "+
		"laptop/Pictures/%s has the EXIF Artist %s and ImageDescription %s: a report that runs them, or shows them other than as text, fails",
		deleted.name, phoneNumber, "+254712345678", wallet, container, shared.name, sha256.Sum256(card[i].data), shared.name,
		vesselIMO, container, hostileShot.name, hostileArtist, hostileDescription)
	if !hostileNames {
		b.WriteString(" (on Windows, whose file names cannot hold < and >, this file is not written)")
	}
	b.WriteString(". keywords.terms is a keyword list for the sample; its Totoaba terms find nothing.")
	return wrap(b.String(), 72)
}

// wrap breaks s into lines of at most width columns at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		l := len([]rune(w))
		if n > 0 && n+1+l > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += l
	}
	b.WriteByte('\n')
	return b.String()
}
