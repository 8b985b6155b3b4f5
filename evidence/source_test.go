package evidence

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestOpenSourceFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seized.img")
	data := bytes.Repeat([]byte("sector!\n"), 1000)
	if err := os.WriteFile(path, data, 0o444); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	src, err := OpenSource(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Facts{Path: path, Size: int64(len(data)), LogicalSectorSize: 512, PhysicalSectorSize: 512}
	got := src.Facts()
	if got.Path != want.Path || got.Size != want.Size || got.LogicalSectorSize != 512 ||
		got.PhysicalSectorSize != 512 || got.Device || got.MountedWritable != nil {
		t.Errorf("facts %+v, want %+v", got, want)
	}
	if src.Size() != int64(len(data)) || src.SectorSize() != 512 {
		t.Errorf("size %d, sector size %d", src.Size(), src.SectorSize())
	}
	p := make([]byte, 16)
	if n, err := src.ReadAt(p, 8); n != 16 || err != nil || string(p) != "sector!\nsector!\n" {
		t.Errorf("ReadAt = %d, %v, %q", n, err, p)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(old) {
		t.Errorf("modification time changed to %v", fi.ModTime())
	}
	if at, ok := accessTime(fi); ok && noATime != 0 && !at.Equal(old) {
		t.Errorf("access time changed to %v", at)
	}
}

func TestOpenSourceNotFile(t *testing.T) {
	if _, err := OpenSource(t.TempDir()); err == nil {
		t.Error("opened a folder as a source")
	}
	if _, err := OpenSource(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("opened a missing source")
	}
}
