// Package all opens whatever file system a partition holds by trying each
// reader pangolin has, most specific signature first.
package all

import (
	"errors"
	"fmt"
	"io"

	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/filesystem/archive"
	"github.com/pangolin-forensics/pangolin/filesystem/exfat"
	"github.com/pangolin-forensics/pangolin/filesystem/ext"
	"github.com/pangolin-forensics/pangolin/filesystem/fat"
	"github.com/pangolin-forensics/pangolin/filesystem/hfsplus"
	"github.com/pangolin-forensics/pangolin/filesystem/iso9660"
	"github.com/pangolin-forensics/pangolin/filesystem/ntfs"
)

// readers are tried in this order. NTFS before FAT: an NTFS boot sector
// also has the BPB fields a FAT check looks at. ext's superblock sits at
// 1024 and ISO 9660's descriptors at 32768, clear of boot sectors; HFS+'s
// volume header sits at 1024 too, with a signature ("H+", "HX") no ext
// superblock has there.
var readers = []struct {
	name string
	open func(io.ReaderAt, int64) (filesystem.FS, error)
}{
	{"ntfs", ntfs.Open},
	{"exfat", exfat.Open},
	{"fat", fat.Open},
	{"ext", ext.Open},
	{"iso9660", iso9660.Open},
	{"hfsplus", hfsplus.Open},
	{"archive", func(r io.ReaderAt, size int64) (filesystem.FS, error) {
		return archive.Open(r, size, archive.DefaultLimits)
	}},
}

// Open returns the file system in r (or the archive: ZIP, TAR, gzip), or
// an error wrapping
// filesystem.ErrNotFS when no reader recognises it; a reader that
// recognises its file system but finds it damaged returns that error.
// The result may hold temporary files: close it if it is an io.Closer.
func Open(r io.ReaderAt, size int64) (filesystem.FS, error) {
	for _, rd := range readers {
		fs, err := rd.open(r, size)
		if err == nil {
			return fs, nil
		}
		if !errors.Is(err, filesystem.ErrNotFS) {
			return nil, fmt.Errorf("%s: %w", rd.name, err)
		}
	}
	return nil, fmt.Errorf("%w: no known file system (FAT, exFAT, NTFS, ext2/3/4, ISO 9660, HFS+, ZIP, TAR, gzip)", filesystem.ErrNotFS)
}

// Volume is one partition of an image with the file system found in it.
type Volume struct {
	filesystem.Partition
	// FS is the open file system; nil when Err says why there is none.
	FS  filesystem.FS
	Err error
}

// Volumes reads the partition table of the image in r (MBR, GPT, or none)
// and opens the file system of each partition. A partition whose file
// system is unknown or damaged has Err set and does not stop the others.
// Close the result with [CloseVolumes].
func Volumes(r io.ReaderAt, size int64) ([]*Volume, error) {
	parts, err := filesystem.Partitions(r, size, 0)
	if err != nil {
		return nil, err
	}
	vols := make([]*Volume, len(parts))
	for i, p := range parts {
		vols[i] = &Volume{Partition: p}
		vols[i].FS, vols[i].Err = Open(io.NewSectionReader(r, p.Start, p.Length), p.Length)
	}
	return vols, nil
}

// CloseVolumes closes the file systems that hold resources (archives'
// temporary files).
func CloseVolumes(vols []*Volume) {
	for _, v := range vols {
		if c, ok := v.FS.(io.Closer); ok {
			c.Close()
		}
	}
}
