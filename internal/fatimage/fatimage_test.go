package fatimage_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/filesystem/fat"
	"github.com/pangolin-forensics/pangolin/internal/fatimage"
)

// TestFATSize checks the FAT size New works out against the sizes
// mkfs.fat gives the same geometry.
func TestFATSize(t *testing.T) {
	tests := []struct {
		l    fatimage.Layout
		want int
	}{
		{fatimage.Layout{Bits: 12, Sectors: 2880, RootEntries: 224}, 9},
		{fatimage.Layout{Bits: 16, Sectors: 8192}, 32},
		{fatimage.Layout{Bits: 16, Sectors: 16384, SectorsPerCluster: 2}, 32},
		{fatimage.Layout{Bits: 32, Sectors: 66700}, 513},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("fat%d-%d", tc.l.Bits, tc.l.Sectors), func(t *testing.T) {
			b := fatimage.New(tc.l).Bytes()
			got := int(binary.LittleEndian.Uint16(b[22:]))
			if tc.l.Bits == 32 {
				got = int(binary.LittleEndian.Uint32(b[36:]))
			}
			if got != tc.want {
				t.Errorf("%d sectors a FAT, want %d", got, tc.want)
			}
		})
	}
}

// TestRead builds images with folders that outgrow their first cluster,
// files of several clusters with their own times, and a deleted file,
// and reads them back with filesystem/fat, fls and fsck.fat where
// installed.
func TestRead(t *testing.T) {
	layouts := []fatimage.Layout{
		{Bits: 12, Sectors: 4096, SectorsPerCluster: 2, RootEntries: 64, Label: "EVIDENCE"},
		{Bits: 16, Sectors: 40000, SectorsPerCluster: 4, Label: "EVIDENCE", Serial: 0x1234ABCD},
	}
	for _, l := range layouts {
		t.Run(fmt.Sprintf("fat%d", l.Bits), func(t *testing.T) {
			m := fatimage.New(l)
			type want struct {
				data    []byte
				at      time.Time
				deleted bool
			}
			files := map[string]want{}
			root := m.Root()
			root.Label("EVIDENCE")
			logs := root.Mkdir("Patrol logs", "PATROL~1")
			at := time.Date(2023, 3, 4, 5, 6, 8, 0, time.UTC)
			for i := range 40 { // 3 slots each: 120 slots, 4 or 2 clusters
				at = at.Add(time.Hour + 2*time.Second)
				m.Times = fatimage.Times{Created: at, Modified: at, Accessed: at}
				name := fmt.Sprintf("patrol log %02d.txt", i)
				data := bytes.Repeat([]byte(fmt.Sprintf("ranger post %d, ", i)), 50*i)
				e := logs.File(name, fmt.Sprintf("PATROL~%d.TXT", i+1), data)
				// Files 20 and 31 have their long and short entries
				// in two clusters of the folder.
				deleted := i == 20 || i == 31
				if deleted {
					m.Remove(e)
				}
				files["/Patrol logs/"+name] = want{data, at, deleted}
			}
			img := m.Bytes()
			fs, err := fat.Open(bytes.NewReader(img), int64(len(img)))
			if err != nil {
				t.Fatal(err)
			}
			if fs.Type() != fmt.Sprintf("fat%d", l.Bits) || fs.Label() != "EVIDENCE" {
				t.Errorf("type %s, label %q", fs.Type(), fs.Label())
			}
			var listed []string
			err = fs.Walk(context.Background(), func(e *filesystem.Entry) error {
				if e.Type != filesystem.File || strings.HasPrefix(e.Name, "$") {
					return nil
				}
				listed = append(listed, e.Path)
				w, ok := files[e.Path]
				if !ok {
					t.Errorf("unexpected %s", e.Path)
					return nil
				}
				if e.Deleted != w.deleted {
					t.Errorf("%s: deleted %v", e.Path, e.Deleted)
				}
				if !e.Modified.Equal(w.at) || !e.Born.Equal(w.at) {
					t.Errorf("%s: modified %v, born %v, want %v", e.Path, e.Modified, e.Born, w.at)
				}
				sr, err := fs.Open(e)
				if err != nil {
					t.Fatalf("open %s: %v", e.Path, err)
				}
				if b, err := io.ReadAll(sr); err != nil || !bytes.Equal(b, w.data) {
					t.Errorf("%s: content differs (%v)", e.Path, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(listed) != len(files) {
				t.Errorf("%d files listed, want %d", len(listed), len(files))
			}
			if a := fs.Anomalies(); len(a) > 0 {
				t.Errorf("anomalies: %q", a)
			}
			path := filepath.Join(t.TempDir(), "img")
			if err := os.WriteFile(path, img, 0o600); err != nil {
				t.Fatal(err)
			}
			deleted := map[string]bool{}
			for p, w := range files {
				deleted[p] = w.deleted
			}
			compareFLS(t, path, deleted)
			fsck(t, path)
		})
	}
}

// compareFLS checks that fls -r -p lists the files and their
// deleted flags as wanted, when The Sleuth Kit is installed.
func compareFLS(t *testing.T, path string, deleted map[string]bool) {
	t.Helper()
	if _, err := exec.LookPath("fls"); err != nil {
		t.Log("fls not installed: comparison with The Sleuth Kit skipped")
		return
	}
	out, err := exec.Command("fls", "-r", "-p", path).Output()
	if err != nil {
		t.Fatalf("fls: %v", err)
	}
	var got, want []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		head, p, _ := strings.Cut(l, ":\t")
		if strings.HasPrefix(head, "r/r") && !strings.HasPrefix(p, "$") && !strings.HasSuffix(p, "(Volume Label Entry)") {
			got = append(got, fmt.Sprintf("/%s %v", p, strings.Contains(head, "*")))
		}
	}
	for p, d := range deleted {
		want = append(want, fmt.Sprintf("%s %v", p, d))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("fls -r -p:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// fsck runs fsck.fat -n on the image when dosfstools is installed: it
// must find nothing to repair.
func fsck(t *testing.T, path string) {
	t.Helper()
	if _, err := exec.LookPath("fsck.fat"); err != nil {
		t.Log("fsck.fat not installed: check skipped")
		return
	}
	if out, err := exec.Command("fsck.fat", "-n", path).CombinedOutput(); err != nil {
		t.Errorf("fsck.fat -n: %v\n%s", err, out)
	}
}
