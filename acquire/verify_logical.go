package acquire

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// LogicalCheck is the outcome of [VerifyLogical].
type LogicalCheck struct {
	OK bool `json:"ok"`
	// Container is the container's SHA-256 now; Want is the manifest's.
	Container string `json:"container_sha256"`
	Want      string `json:"want_sha256"`
	Files     int    `json:"files"`
	// Problems names each file or the container that differs.
	Problems []string `json:"problems,omitempty"`
}

// VerifyLogical checks a logical acquisition against its manifest: the
// container's size and SHA-256, then, reading the container once, every
// stored file's hashes, and that every stored file is there.
func VerifyLogical(ctx context.Context, containerPath, manifestPath string) (*LogicalCheck, error) {
	man, err := ReadManifest(manifestPath)
	if err != nil {
		return nil, err
	}
	want := map[string]*Entry{}
	for i := range man.Entries {
		if e := &man.Entries[i]; e.Stored && e.Type == "file" {
			want[e.Path] = e
		}
	}
	check := &LogicalCheck{Want: man.Container.SHA256}
	f, err := os.Open(containerPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	whole, err := hashing.NewMulti(hashing.SHA256)
	if err != nil {
		return nil, err
	}
	tee := io.TeeReader(f, whole)
	tr := tar.NewReader(tee)
	seen := map[string]bool{}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			check.Problems = append(check.Problems, fmt.Sprintf("container unreadable after %d files: %v", check.Files, err))
			break
		}
		e := want[hdr.Name]
		if e == nil || hdr.Typeflag != tar.TypeReg {
			continue
		}
		var algos []hashing.Algo
		for _, a := range hashing.Algos {
			if e.Hashes[a] != "" {
				algos = append(algos, a)
			}
		}
		m, err := hashing.NewMulti(algos...)
		if err != nil {
			return nil, err
		}
		if _, err := m.ReadFrom(tr); err != nil {
			check.Problems = append(check.Problems, fmt.Sprintf("%s: %v", e.Path, err))
			continue
		}
		seen[e.Path] = true
		check.Files++
		sums := m.Sums()
		for _, a := range algos {
			if h := sums[a]; e.Hashes[a] != h {
				check.Problems = append(check.Problems, fmt.Sprintf("%s: %s is %s, the manifest says %s", e.Path, a, h, e.Hashes[a]))
			}
		}
	}
	// Drain what the tar reader left so the container hash covers it all.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return nil, err
	}
	check.Container = whole.Sums()[hashing.SHA256]
	if check.Container != check.Want {
		check.Problems = append(check.Problems, fmt.Sprintf("container SHA-256 is %s, the manifest says %s", check.Container, check.Want))
	}
	for p := range want {
		if !seen[p] {
			check.Problems = append(check.Problems, fmt.Sprintf("%s: in the manifest, not in the container", p))
		}
	}
	check.OK = len(check.Problems) == 0
	return check, nil
}
