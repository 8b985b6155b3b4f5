package process

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/filesystem"
)

// memImage is an image held in memory.
type memImage struct{ *bytes.Reader }

func (m memImage) Size() int64 { return m.Reader.Size() }

// jpegHead is enough of a JPEG for type detection.
var jpegHead = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00}

func zipOf(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// container builds a logical collection (a tar, as acquire --logical
// writes) holding files; it returns the tar and each path's content.
func container(t testing.TB, n int) ([]byte, map[string][]byte) {
	t.Helper()
	files := map[string][]byte{
		"/photos/IMG_0001.JPG":   append(append([]byte{}, jpegHead...), bytes.Repeat([]byte{7}, 5000)...),
		"/docs/invoice.pdf":      append(append([]byte{}, jpegHead...), []byte("a photo named as a document")...),
		"/docs/empty.txt":        {},
		"/docs/big.bin":          bytes.Repeat([]byte("timber "), 1<<20), // past the hasher's parallel threshold
		"/archive/outer.zip":     nil,
		"/archive/not-a-zip.zip": []byte("PK\x03\x04 but damaged"),
	}
	inner := zipOf(t, map[string][]byte{"deep/scales.jpg": files["/photos/IMG_0001.JPG"], "readme.txt": []byte("ivory")})
	files["/archive/outer.zip"] = zipOf(t, map[string][]byte{"inner.zip": inner, "list.csv": []byte("vessel,imo\n")})
	for i := range n {
		files[fmt.Sprintf("/bulk/%03d/f%05d.txt", i%50, i)] = []byte(strconv.Itoa(i * i))
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	mod := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, p := range slices.Sorted(maps.Keys(files)) {
		if err := tw.WriteHeader(&tar.Header{Name: p[1:], Size: int64(len(files[p])), Mode: 0o644, ModTime: mod, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			t.Fatal(err)
		}
		tw.Write(files[p])
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), files
}

func openDB(t testing.TB, path string) *catalog.DB {
	t.Helper()
	db, err := catalog.OpenDB(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func rows(t testing.TB, db *catalog.DB, q catalog.Query) map[string]*catalog.Artefact {
	t.Helper()
	out := map[string]*catalog.Artefact{}
	for a, err := range db.Artefacts(context.Background(), q) {
		if err != nil {
			t.Fatal(err)
		}
		out[a.Path] = a
	}
	return out
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestLogicalContainer(t *testing.T) {
	img, files := container(t, 20)
	db := openDB(t, filepath.Join(t.TempDir(), catalog.DBFile))
	opts := Options{Exhibit: "EX-1", Source: "evidence/EX-1/EX-1.tar", Identity: "x", Tool: "test", Logical: true}
	res, err := Run(context.Background(), db, memImage{bytes.NewReader(img)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	got := rows(t, db, catalog.Query{})
	for p, content := range files {
		a := got[p]
		if a == nil {
			t.Errorf("%s not catalogued", p)
			continue
		}
		m := md5.Sum(content)
		if a.SHA256 != sha(content) || a.MD5 != hex.EncodeToString(m[:]) || a.Size != int64(len(content)) || a.Error != "" {
			t.Errorf("%s: %+v", p, a)
		}
	}
	if a := got["/docs/invoice.pdf"]; a.MIME != "image/jpeg" || !a.Mismatch {
		t.Errorf("invoice.pdf: mime %q mismatch %v", a.MIME, a.Mismatch)
	}
	if a := got["/photos/IMG_0001.JPG"]; a.MIME != "image/jpeg" || a.Mismatch {
		t.Errorf("IMG_0001.JPG: mime %q mismatch %v", a.MIME, a.Mismatch)
	}
	outer := got["/archive/outer.zip"]
	if outer.Extra["archive"] != "zip" {
		t.Errorf("outer.zip not opened: %v", outer.Extra)
	}
	innerRow := got["/archive/outer.zip/inner.zip"]
	if innerRow == nil || innerRow.Depth != 1 {
		t.Fatalf("inner.zip member missing: %v", innerRow)
	}
	deep := got["/archive/outer.zip/inner.zip/deep/scales.jpg"]
	if deep == nil || deep.Depth != 2 || deep.SHA256 != sha(files["/photos/IMG_0001.JPG"]) || deep.Parent != innerRow.Ref {
		t.Errorf("nested member: %+v", deep)
	}
	if e := got["/archive/not-a-zip.zip"].Extra["archive_error"]; e == "" {
		t.Error("damaged zip not noted")
	}
	if res.State.Artefacts != int64(len(got)) || res.Run.Status != catalog.StatusDone || res.Resumed {
		t.Errorf("result %+v", res)
	}

	// Running again changes nothing and adds no row.
	res2, err := Run(context.Background(), db, memImage{bytes.NewReader(img)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res2.State != res.State || !res2.Resumed || res2.Run.Files != 0 {
		t.Errorf("second run: %+v, first %+v", res2, res)
	}

	// Nesting depth is bounded: with MaxDepth 2 the inner zip is listed
	// but not opened.
	db3 := openDB(t, filepath.Join(t.TempDir(), catalog.DBFile))
	o3 := opts
	o3.MaxDepth = 2
	if _, err := Run(context.Background(), db3, memImage{bytes.NewReader(img)}, o3); err != nil {
		t.Fatal(err)
	}
	got3 := rows(t, db3, catalog.Query{})
	in3 := got3["/archive/outer.zip/inner.zip"]
	if in3 == nil || in3.Extra["archive_error"] == "" || got3["/archive/outer.zip/inner.zip/deep/scales.jpg"] != nil {
		t.Errorf("MaxDepth 2: inner %+v", in3)
	}

	// A changed source is refused.
	o4 := opts
	o4.Identity = "y"
	if _, err := Run(context.Background(), db, memImage{bytes.NewReader(img)}, o4); !errors.Is(err, ErrChangedSource) {
		t.Errorf("changed identity: %v", err)
	}
	o4.Again = true
	if _, err := Run(context.Background(), db, memImage{bytes.NewReader(img)}, o4); err != nil {
		t.Errorf("--again: %v", err)
	}
}

func TestInterruptResume(t *testing.T) {
	img, _ := container(t, 3000)
	opts := Options{Exhibit: "EX-1", Identity: "x", Tool: "test", Logical: true, Batch: 100}
	full := openDB(t, filepath.Join(t.TempDir(), catalog.DBFile))
	want, err := Run(context.Background(), full, memImage{bytes.NewReader(img)}, opts)
	if err != nil {
		t.Fatal(err)
	}

	db := openDB(t, filepath.Join(t.TempDir(), catalog.DBFile))
	ctx, cancel := context.WithCancel(context.Background())
	o := opts
	o.Progress = func(p Progress) {
		if p.Files == 1000 {
			cancel()
		}
	}
	res, err := Run(ctx, db, memImage{bytes.NewReader(img)}, o)
	if !errors.Is(err, context.Canceled) || res.Run.Status != catalog.StatusInterrupted {
		t.Fatalf("cancelled run: %v, %+v", err, res)
	}
	if res.State.Artefacts < 1000 || res.State.Artefacts >= want.State.Artefacts {
		t.Fatalf("cancelled run kept %d of %d rows", res.State.Artefacts, want.State.Artefacts)
	}
	res2, err := Run(context.Background(), db, memImage{bytes.NewReader(img)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res2.State != want.State || !res2.Resumed || res2.Run.Files+res.Run.Files != want.Run.Files {
		t.Errorf("resumed: %+v (+%d), uninterrupted %+v", res2.State, res2.Run.Files, want.State)
	}
}

// TestKill kills a run with SIGKILL (TerminateProcess on Windows) while it
// writes, then resumes it, and checks the catalogue equals an
// uninterrupted run's.
func TestKill(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	img, _ := container(t, 3000)
	imgPath := filepath.Join(t.TempDir(), "c.tar")
	if err := os.WriteFile(imgPath, img, 0o644); err != nil {
		t.Fatal(err)
	}
	killAndResume(t, imgPath, true, 500)
}

// killAndResume processes the image at imgPath in a child process, kills
// it once it has catalogued minRows rows, resumes the run here, and
// checks the catalogue equals an uninterrupted run's. It returns the
// resumed catalogue.
func killAndResume(t *testing.T, imgPath string, logical bool, minRows int64) *catalog.DB {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), catalog.DBFile)
	cmd := exec.Command(os.Args[0], "-test.run=^TestChild$")
	cmd.Env = append(os.Environ(), "PROCESS_TEST_CHILD="+strings.Join([]string{imgPath, dbPath, strconv.FormatBool(logical)}, string(os.PathListSeparator)))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, dbPath)
	deadline := time.Now().Add(120 * time.Second)
	var n int64
	for n < minRows {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("child wrote %d rows in 120 s", n)
		}
		time.Sleep(20 * time.Millisecond)
		st, err := db.State(context.Background(), "EX-1")
		if err == nil {
			n = st.Artefacts
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	before, err := db.State(context.Background(), "EX-1")
	if err != nil {
		t.Fatal(err)
	}

	img, err := evidence.OpenRaw(imgPath)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	opts := Options{Exhibit: "EX-1", Identity: "x", Tool: "test", Logical: logical}
	res, err := Run(context.Background(), db, img, opts)
	if err != nil {
		t.Fatal(err)
	}
	full := openDB(t, filepath.Join(t.TempDir(), catalog.DBFile))
	want, err := Run(context.Background(), full, img, opts)
	if err != nil {
		t.Fatal(err)
	}
	if before.Artefacts >= want.State.Artefacts {
		t.Fatalf("the child finished (%d rows) before it was killed", before.Artefacts)
	}
	if res.State != want.State || !res.Resumed {
		t.Errorf("after kill at %d rows and resume: %+v, want %+v", before.Artefacts, res.State, want.State)
	}
	t.Logf("killed at %d of %d rows; the resumed run read %d entries; catalogue digest equal to an uninterrupted run's", before.Artefacts, want.State.Artefacts, res.Run.Files)
	return db
}

// TestChild is the process killAndResume kills: it processes slowly, a
// commit every 50 rows.
func TestChild(t *testing.T) {
	env := os.Getenv("PROCESS_TEST_CHILD")
	if env == "" {
		t.Skip("run by TestKill")
	}
	args := strings.Split(env, string(os.PathListSeparator))
	img, err := evidence.OpenRaw(args[0])
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, args[1])
	opts := Options{Exhibit: "EX-1", Identity: "x", Tool: "test", Logical: args[2] == "true", Batch: 50,
		Progress: func(Progress) { time.Sleep(time.Millisecond) }}
	Run(context.Background(), db, img, opts)
	io.WriteString(os.Stderr, "child finished before it was killed\n")
}

// panicFS is a file system whose reader has a bug.
type panicFS struct{ filesystem.FS }

func (panicFS) Open(*filesystem.Entry) (*io.SectionReader, error) { panic("index out of range") }

func TestReaderPanicIsContained(t *testing.T) {
	r := &reader{opts: Options{MaxDepth: 8}}
	e := &filesystem.Entry{Path: "/a", Name: "a", Type: filesystem.File, Size: 10}
	a := newArtefact("EX-1", 0, "0/0", "", 0, e)
	group, err := r.safeContent(context.Background(), a, e, panicFS{}, new(sync.Mutex))
	if err != nil || len(group) != 1 || !strings.Contains(group[0].Error, "index out of range") {
		t.Fatalf("got %v, %v", group, err)
	}
}
