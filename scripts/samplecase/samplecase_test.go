package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image/jpeg"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/extract"
	"github.com/pangolin-forensics/pangolin/extract/doc"
	"github.com/pangolin-forensics/pangolin/extract/email"
	"github.com/pangolin-forensics/pangolin/extract/entities"
	"github.com/pangolin-forensics/pangolin/extract/exif"
	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/filesystem/fat"
	"github.com/pangolin-forensics/pangolin/index"
)

// TestSample writes the sample and reads it back with pangolin's own
// readers (and with The Sleuth Kit's fls when it is installed).
func TestSample(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	var notes bytes.Buffer
	if err := generate(dir, &notes); err != nil {
		t.Fatal(err)
	}
	t.Logf("written in %v; notes: %q", time.Since(start).Round(time.Millisecond), notes.String())
	card, err := cardFiles()
	if err != nil {
		t.Fatal(err)
	}
	laptop, err := laptopFiles(card)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("same every run", func(t *testing.T) {
		again := t.TempDir()
		if err := generate(again, io.Discard); err != nil {
			t.Fatal(err)
		}
		if a, b := tree(t, dir), tree(t, again); !slices.Equal(a, b) {
			t.Errorf("two runs differ:\n%s\n--\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	})

	img, err := os.ReadFile(filepath.Join(dir, "phone-card.dd"))
	if err != nil {
		t.Fatal(err)
	}
	cardFS, err := fat.Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	if cardFS.Type() != "fat16" {
		t.Errorf("card is %s", cardFS.Type())
	}
	byPath := map[string]*filesystem.Entry{}
	err = cardFS.Walk(context.Background(), func(e *filesystem.Entry) error {
		byPath[e.Path] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) []byte {
		e := byPath["/"+p]
		if e == nil {
			t.Fatalf("%s not on the card", p)
		}
		sr, err := cardFS.Open(e)
		if err != nil {
			t.Fatalf("open %s: %v", p, err)
		}
		b, err := io.ReadAll(sr)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		return b
	}

	t.Run("card", func(t *testing.T) {
		for _, f := range card {
			e := byPath["/"+f.path]
			if e == nil {
				t.Errorf("%s not listed", f.path)
				continue
			}
			if e.Deleted != f.deleted {
				t.Errorf("%s: deleted %v", f.path, e.Deleted)
			}
			if !bytes.Equal(read(f.path), f.data) {
				t.Errorf("%s: content differs from what was written", f.path)
			}
			if got, want := e.Modified.Format(time.DateTime), f.at.Format(time.DateTime); got[:16] != want[:16] {
				t.Errorf("%s: modified %s, want %s", f.path, got, want)
			}
		}
		if a := cardFS.Anomalies(); len(a) > 0 {
			t.Errorf("anomalies: %q", a)
		}
	})

	t.Run("photos", func(t *testing.T) {
		deleted := 0
		for _, s := range cardShots {
			b := read("DCIM/Camera/" + s.name)
			md, err := exif.Photo(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if md.Make != "samsung" || md.Model != "SM-A515F" {
				t.Errorf("%s: camera %q %q", s.name, md.Make, md.Model)
			}
			if md.Created.Sub(s.taken) < 0 || md.Created.Sub(s.taken) >= time.Second {
				t.Errorf("%s: taken %v, want %v", s.name, md.Created, s.taken)
			}
			if _, err := jpeg.Decode(bytes.NewReader(md.Thumbnail)); err != nil {
				t.Errorf("%s: thumbnail: %v", s.name, err)
			}
			switch g := md.GPS; {
			case s.gps == nil:
				if g != nil {
					t.Errorf("%s: position %+v, want none", s.name, g)
				}
			case g == nil:
				t.Errorf("%s: no position", s.name)
			case math.Abs(g.Latitude-s.gps.Latitude) > 1e-5 || math.Abs(g.Longitude-s.gps.Longitude) > 1e-5:
				t.Errorf("%s: position %f,%f, want %f,%f", s.name, g.Latitude, g.Longitude, s.gps.Latitude, s.gps.Longitude)
			}
			if s.deleted {
				deleted++
			}
		}
		if deleted != 1 {
			t.Errorf("%d deleted photos, want 1", deleted)
		}
	})

	t.Run("fls", func(t *testing.T) {
		if _, err := exec.LookPath("fls"); err != nil {
			t.Skip("fls not installed: comparison with The Sleuth Kit skipped")
		}
		out, err := exec.Command("fls", "-r", "-p", filepath.Join(dir, "phone-card.dd")).Output()
		if err != nil {
			t.Fatalf("fls: %v", err)
		}
		var want, got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			head, p, _ := strings.Cut(l, ":\t")
			if !strings.HasPrefix(p, "$") {
				want = append(want, p+map[bool]string{true: " deleted"}[strings.Contains(head, "*")])
			}
		}
		for p, e := range byPath {
			if !strings.HasPrefix(e.Name, "$") {
				got = append(got, p[1:]+map[bool]string{true: " deleted"}[e.Deleted])
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("listing:\n%s\nfls -r -p:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("laptop", func(t *testing.T) {
		for _, f := range laptop {
			b, err := os.ReadFile(filepath.Join(dir, "laptop", filepath.FromSlash(f.path)))
			if !hostileNames && strings.Contains(f.path, "<") {
				if err == nil {
					t.Errorf("%s written on Windows", f.path)
				}
				continue
			}
			if err != nil || !bytes.Equal(b, f.data) {
				t.Errorf("%s: %v, or content differs", f.path, err)
			}
		}
		shared := "Pictures/" + cardShots[sharedShot].name
		if !bytes.Equal(laptop[slices.IndexFunc(laptop, func(f file) bool { return f.path == shared })].data, read("DCIM/Camera/"+cardShots[sharedShot].name)) {
			t.Errorf("%s differs from the card's copy", shared)
		}
		h := laptop[slices.IndexFunc(laptop, func(f file) bool { return f.path == "Pictures/"+hostileShot.name })].data
		md, err := exif.Photo(bytes.NewReader(h), int64(len(h)))
		if err != nil {
			t.Fatal(err)
		}
		fields := map[string]string{}
		for _, f := range md.Fields {
			fields[f.Name] = f.Value
		}
		if fields["Artist"] != hostileArtist || fields["ImageDescription"] != hostileDescription {
			t.Errorf("hostile photo: Artist %q, ImageDescription %q", fields["Artist"], fields["ImageDescription"])
		}
	})

	// Both exhibits name the same phone, wallet and container, in every
	// kind of document the extractors read.
	texts := func(files []file) string {
		var all []string
		for _, f := range files {
			all = append(all, textOf(t, f))
		}
		return strings.Join(all, "\n")
	}
	cardText, laptopText := texts(card), texts(laptop)
	t.Run("links", func(t *testing.T) {
		for name, text := range map[string]string{"card": cardText, "laptop": laptopText} {
			found := map[string]bool{}
			for _, e := range entities.Find(text, entities.Options{Types: []string{extract.Phone, extract.Bitcoin}}) {
				found[e.Value] = true
			}
			for _, want := range []string{"+254712345678", wallet} {
				if !found[want] {
					t.Errorf("%s: %s not found", name, want)
				}
			}
			if !strings.Contains(text, container) {
				t.Errorf("%s: container %s not found", name, container)
			}
		}
		for _, want := range []string{"pembe za ndovu", "magamba ya kakakuona", "ngà voi", "vảy tê tê", "象牙", "穿山甲鳞片", "งาช้าง", "เกล็ดตัวนิ่ม",
			"ivoire", "marfil", "marfim", "IMO " + vesselIMO, "Booking " + container, "Mzigo uko tayari"} {
			if !strings.Contains(strings.ToLower(cardText), strings.ToLower(want)) {
				t.Errorf("card: %q not found", want)
			}
		}
		for _, want := range []string{"Rosewood", "Dalbergia"} {
			if !strings.Contains(laptopText, want) {
				t.Errorf("laptop: %q not found", want)
			}
		}
	})

	t.Run("keywords", func(t *testing.T) {
		f, err := os.Open(filepath.Join(dir, "keywords.terms"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		terms, err := index.ParseTerms(f)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, term := range terms {
			kinds[term.Kind]++
			if term.Field != "" {
				kinds["field"]++
			}
			if term.Label == "Totoaba" && strings.Contains(strings.ToLower(cardText+laptopText), term.Text) {
				t.Errorf("%q is meant to find nothing", term.Text)
			}
		}
		if kinds[index.TermPhrase] == 0 || kinds[index.TermWildcard] == 0 || kinds[index.TermRegexp] == 0 || kinds["field"] == 0 {
			t.Errorf("kinds of terms: %v", kinds)
		}
	})
}

// textOf returns the text of one of the sample's files as pangolin's
// extractors read it.
func textOf(t *testing.T, f file) string {
	t.Helper()
	r := bytes.NewReader(f.data)
	switch path.Ext(f.path) {
	case ".jpg":
		return ""
	case ".eml":
		m, err := email.ParseEML(r, r.Size(), email.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		s := m.Subject + "\n" + m.Text
		for _, a := range m.Attachments {
			ar, err := a.Open()
			if err != nil {
				t.Fatalf("%s: %s: %v", f.path, a.Name, err)
			}
			b, err := io.ReadAll(ar)
			if err != nil {
				t.Fatalf("%s: %s: %v", f.path, a.Name, err)
			}
			s += "\n" + string(b)
		}
		return s
	}
	mime := map[string]string{
		".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		".html": "text/html",
	}[path.Ext(f.path)]
	if mime == "" {
		mime = "text/plain; charset=utf-8"
	}
	s, err := doc.Text(r, r.Size(), mime, doc.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", f.path, err)
	}
	return s
}

// tree lists the files under dir with their SHA-256 digests, and the
// times of the laptop's files.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		line := fmt.Sprintf("%s %x", rel, sha256.Sum256(b))
		if strings.HasPrefix(rel, "laptop") {
			line += " " + info.ModTime().UTC().Format(time.RFC3339)
		}
		out = append(out, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
