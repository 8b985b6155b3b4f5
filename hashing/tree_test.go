package hashing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestHashTree(t *testing.T) {
	files := map[string]string{"a.txt": "a", "b/empty": "", "b/c/d.bin": "ivory", "z": "zz"}
	for i := range 300 {
		files[fmt.Sprintf("many/%03d", i)] = fmt.Sprint(i)
	}
	root := writeTree(t, files)
	if runtime.GOOS != "windows" {
		if err := os.Symlink(filepath.Join(root, "a.txt"), filepath.Join(root, "link")); err != nil {
			t.Fatal(err)
		}
	}
	for _, jobs := range []int{1, 2, 7} {
		var got []FileHash
		var last Progress
		err := HashTree(context.Background(), []string{root, filepath.Join(root, "a.txt"), filepath.Join(root, "missing")},
			TreeOptions{Algos: []Algo{MD5, SHA256}, Recursive: true, Jobs: jobs, Progress: func(p Progress) { last = p }},
			func(fh FileHash) error { got = append(got, fh); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(files)+2 || last.Files != int64(len(got)) || last.Errors != 1 {
			t.Fatalf("jobs=%d: %d results, progress %+v", jobs, len(got), last)
		}
		// Walk order: lexical inside the folder, then the other arguments.
		for i := 1; i < len(files); i++ {
			if got[i-1].Path >= got[i].Path {
				t.Fatalf("jobs=%d: %s before %s", jobs, got[i-1].Path, got[i].Path)
			}
		}
		for _, fh := range got[:len(files)] {
			rel, _ := filepath.Rel(root, fh.Path)
			want := reference([]byte(files[filepath.ToSlash(rel)]))
			if fh.Err != nil || fh.Sums[MD5] != want[MD5] || fh.Sums[SHA256] != want[SHA256] || fh.Size != int64(len(files[filepath.ToSlash(rel)])) {
				t.Fatalf("%s: %+v", rel, fh)
			}
		}
		if !errors.Is(got[len(got)-1].Err, os.ErrNotExist) {
			t.Fatalf("missing file: %v", got[len(got)-1].Err)
		}
	}
}

func TestHashTreeFolderWithoutRecursion(t *testing.T) {
	root := writeTree(t, map[string]string{"a": "a"})
	var got []FileHash
	if err := HashTree(context.Background(), []string{root}, TreeOptions{Algos: []Algo{MD5}}, func(fh FileHash) error {
		got = append(got, fh)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !errors.Is(got[0].Err, ErrIsDir) {
		t.Fatalf("got %+v", got)
	}
}

func TestHashTreeStops(t *testing.T) {
	files := map[string]string{}
	for i := range 500 {
		files[fmt.Sprintf("%03d", i)] = "x"
	}
	root := writeTree(t, files)
	stop := errors.New("enough")
	n := 0
	err := HashTree(context.Background(), []string{root}, TreeOptions{Algos: []Algo{MD5}, Recursive: true, Jobs: 2},
		func(FileHash) error {
			if n++; n == 10 {
				return stop
			}
			return nil
		})
	if !errors.Is(err, stop) || n != 10 {
		t.Fatalf("err %v after %d files", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := HashTree(ctx, []string{root}, TreeOptions{Algos: []Algo{MD5}, Recursive: true}, func(FileHash) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
