// Command benchdata writes the generated data sets that `make bench` runs
// pangolin and the reference tools over. It is not part of pangolin.
//
//	go run ./scripts/benchdata small DIR   # 50,000 files of 1-64 KiB
//	go run ./scripts/benchdata large DIR   # 20 files of 100 MiB
//	go run ./scripts/benchdata tiny DIR    # 20,000 files of 1-4 KiB
//	go run ./scripts/benchdata million DIR # 1,000,000 files of 0-64 bytes
//	go run ./scripts/benchdata photos DIR [N] # N (2000) JPEGs with EXIF GPS
//	go run ./scripts/benchdata random FILE # 2 GiB of random bytes
//	go run ./scripts/benchdata mixed FILE  # 2 GiB: zeros, then text
package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	if len(os.Args) == 4 && os.Args[1] == "photos" {
		n, err := strconv.Atoi(os.Args[3])
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "benchdata: photo count %q is not a positive number\n", os.Args[3])
			os.Exit(2)
		}
		photoCount = n
	} else if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: benchdata small|large|tiny|million DIR, benchdata photos DIR [N], or benchdata random|mixed FILE")
		os.Exit(2)
	}
	run := runTree
	if os.Args[1] == "random" || os.Args[1] == "mixed" {
		run = runImage
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "benchdata:", err)
		os.Exit(1)
	}
}

// imageSize is the size of the single-file sources imaging is timed on.
const imageSize = 2 << 30

// runImage writes a 2 GiB source: random bytes, or half zeros and half
// text, like a disk with empty space and documents.
func runImage(kind, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	src := rand.NewChaCha8([32]byte{5})
	words := []string{"ivory ", "rosewood ", "pangolin ", "scales ", "shipment ", "Mombasa ", "Hai Phong ", "invoice ", "kg ", "container\n"}
	rng := rand.New(rand.NewPCG(5, 6))
	buf := make([]byte, 1<<20)
	for off := int64(0); off < imageSize; off += int64(len(buf)) {
		switch {
		case kind == "random":
			src.Read(buf)
		case off < imageSize/2:
			clear(buf)
		default:
			buf = buf[:0]
			for len(buf) < 1<<20 {
				buf = append(buf, words[rng.IntN(len(words))]...)
			}
			buf = buf[:1<<20]
		}
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

func runTree(kind, dir string) error {
	rng := rand.New(rand.NewPCG(1, 2))
	src := rand.NewChaCha8([32]byte{3})
	var count, minSize, maxSize int
	switch kind {
	case "small":
		count, minSize, maxSize = 50000, 1<<10, 64<<10
	case "large":
		count, minSize, maxSize = 20, 100<<20, 100<<20
	case "tiny":
		count, minSize, maxSize = 20000, 1<<10, 4<<10
	case "million":
		count, minSize, maxSize = 1_000_000, 0, 64
	case "photos":
		return writePhotos(dir, photoCount)
	default:
		return fmt.Errorf("unknown set %q", kind)
	}
	buf := make([]byte, maxSize)
	for i := range count {
		size := minSize + rng.IntN(maxSize-minSize+1)
		src.Read(buf[:size])
		// 100 files a folder, as a phone dump or disk would spread them.
		p := filepath.Join(dir, fmt.Sprintf("d%03d", i/100), fmt.Sprintf("f%05d.bin", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, buf[:size], 0o644); err != nil {
			return err
		}
	}
	return nil
}
