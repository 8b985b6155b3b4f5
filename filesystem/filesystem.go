// Package filesystem reads volume systems and file systems from evidence
// images without mounting anything: the partition table of a disk (MBR,
// GPT or none) and, inside each partition, every file and folder the file
// system holds, allocated and deleted, with its times and content.
//
// This package defines what every file system reader gives ([FS], [Entry])
// and reads volume systems; each file system has a subpackage (fat, exfat,
// ntfs, ext, iso9660, dir) exposing
//
//	func Open(r io.ReaderAt, size int64) (filesystem.FS, error)
//
// that returns an error wrapping [ErrNotFS] when the bytes are not that file
// system, so that callers can try each in turn.
//
// # Security
//
// Images are attacker-controlled. Readers check every offset and length
// against the image size before using or allocating, cap counts and
// recursion depth ([MaxDepth]), detect cycles (a folder that contains
// itself, a cluster chain that loops), and return errors rather than panic.
package filesystem

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFS is wrapped by a reader's Open when the data is not its file
// system (wrong signature or impossible geometry).
var ErrNotFS = errors.New("not this file system")

// MaxDepth bounds folder nesting a reader follows.
const MaxDepth = 256

// EntryType says what an entry is.
type EntryType string

// Entry types.
const (
	File    EntryType = "file"
	Dir     EntryType = "dir"
	Symlink EntryType = "symlink"
	Other   EntryType = "other" // devices, sockets, FIFOs, volume labels
)

// Entry is one file-system object as the reader found it.
type Entry struct {
	// Path is the full path from the root, '/'-separated, starting with
	// '/'; names are converted to UTF-8 from the file system's encoding.
	// An alternate data stream is "path:stream".
	Path string `json:"path"`
	Name string `json:"name"`
	// Inode is the metadata address as The Sleuth Kit numbers it: inode
	// number (ext), MFT record number (NTFS), directory entry address
	// (FAT, exFAT, ISO 9660).
	Inode uint64    `json:"inode"`
	Type  EntryType `json:"type"`
	Size  int64     `json:"size"`
	// Deleted marks an unallocated entry (deleted, or an orphan).
	Deleted bool `json:"deleted"`
	// Times; zero when the file system does not keep one.
	Modified time.Time `json:"modified,omitzero"`
	Accessed time.Time `json:"accessed,omitzero"`
	Changed  time.Time `json:"changed,omitzero"` // metadata change
	Born     time.Time `json:"born,omitzero"`    // creation
	// Mode holds Unix permission bits where the file system has them.
	Mode uint32 `json:"mode,omitempty"`
	// Stream names an NTFS alternate data stream; "" for the main data.
	Stream string `json:"stream,omitempty"`
	// Offset is the byte offset, in the file system, of the record that
	// describes the entry (directory entry, MFT record, inode), so reports
	// can cite it.
	Offset int64 `json:"offset"`
	// Extra holds reader-specific facts (NTFS $FILE_NAME times, FAT short
	// name, link target).
	Extra map[string]string `json:"extra,omitempty"`
}

// NoContent is the Entry.Extra key by which a reader says that an entry's
// content, though it can be opened, is not data worth reading, and why:
// NTFS's $BadClus:$Bad is a sparse stream as long as the volume, whose
// runs only mark bad clusters. Processing lists such an entry and does not
// hash it.
const NoContent = "no_content"

// FS is an opened file system.
type FS interface {
	// Type names the file system: "fat12", "fat16", "fat32", "exfat",
	// "ntfs", "ext2", "ext3", "ext4", "iso9660", "dir".
	Type() string
	// Label is the volume label, if any.
	Label() string
	// Walk calls fn for every entry, the root's children first, allocated
	// and deleted, folders before their contents. It never visits a folder
	// twice. An error from fn stops the walk and is returned; damage found
	// on the way that does not stop the walk is not an error (it is left
	// out, and a reader may report it through Anomalies).
	Walk(ctx context.Context, fn func(*Entry) error) error
	// Open returns the content of an entry Walk gave: for a deleted entry,
	// what can be recovered (an error if nothing can), as an
	// io.SectionReader of Size bytes. Open, and reads of what it returns,
	// are safe for concurrent use with each other and with Walk, unless a
	// reader's documentation says otherwise (archive's is not).
	Open(e *Entry) (*io.SectionReader, error)
	// Anomalies lists damage the reader met and stepped over.
	Anomalies() []string
}

// Partition is one entry of a volume system.
type Partition struct {
	// Index numbers partitions as mmls lists them (from 0, table order).
	Index int `json:"index"`
	// Start and Length are in bytes from the start of the image.
	Start  int64 `json:"start"`
	Length int64 `json:"length"`
	// Scheme is "mbr", "gpt" or "none" (the whole image).
	Scheme string `json:"scheme"`
	// Type is the partition type: MBR type byte as hex ("0x07"), GPT
	// type GUID; Description is its common name ("NTFS / exFAT",
	// "Linux filesystem").
	Type        string `json:"type"`
	Description string `json:"description"`
	// Name is the GPT partition name.
	Name string `json:"name,omitempty"`
}
