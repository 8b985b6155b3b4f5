package evidence

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOpenLeavesFileUntouched reads a file and checks that its bytes,
// modification time and (on Linux, where the open asks for it) access
// time are as before.
func TestOpenLeavesFileUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "evidence.bin")
	if err := os.WriteFile(path, []byte("seized bytes"), 0o444); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f)
	f.Close()
	if err != nil || string(b) != "seized bytes" {
		t.Fatalf("read %q, %v", b, err)
	}
	if _, err := f.Write([]byte("x")); err == nil {
		t.Fatal("evidence file opened writable")
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
