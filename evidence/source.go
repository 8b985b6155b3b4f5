package evidence

import (
	"fmt"
	"os"
)

// Facts describes a source as an examiner records it before imaging: what
// it is, how large, its sector sizes and, for a device, what the operating
// system says about the hardware. Fields the platform cannot tell are
// left empty.
type Facts struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
	// LogicalSectorSize is the unit the device addresses (512 for files).
	LogicalSectorSize int `json:"logical_sector_size"`
	// PhysicalSectorSize is the unit the medium writes, 512 or 4096.
	PhysicalSectorSize int    `json:"physical_sector_size"`
	Device             bool   `json:"device"`
	Model              string `json:"model,omitempty"`
	Serial             string `json:"serial,omitempty"`
	Vendor             string `json:"vendor,omitempty"`
	Removable          bool   `json:"removable"`
	// ReadOnly reports that the operating system marks the device
	// read-only (a write blocker, a locked SD card, blockdev --setro).
	ReadOnly bool `json:"read_only"`
	// MountedWritable lists the mount points where the device, or one of
	// its partitions, is mounted read-write: the operating system may be
	// changing the evidence while it is imaged.
	MountedWritable []string `json:"mounted_writable,omitempty"`
}

// Source is a file or device opened read-only for imaging. It is safe for
// concurrent ReadAt calls.
type Source struct {
	f     *os.File
	facts Facts
}

// OpenSource opens a file or device for imaging, read-only (see [Open]),
// and gathers its [Facts]: size and sector sizes, and for a block device on
// Linux what sysfs says about it (model, serial, vendor, removable,
// read-only) and whether any of it is mounted writable. On Windows, a
// device is named \\.\PhysicalDriveN.
func OpenSource(path string) (*Source, error) {
	f, facts, err := openSource(path)
	if err != nil {
		return nil, fmt.Errorf("open source: %w", err)
	}
	if facts.LogicalSectorSize <= 0 {
		facts.LogicalSectorSize = 512
	}
	if facts.PhysicalSectorSize <= 0 {
		facts.PhysicalSectorSize = facts.LogicalSectorSize
	}
	facts.Path = path
	return &Source{f: f, facts: facts}, nil
}

// regularFacts returns the facts of a regular file.
func regularFacts(fi os.FileInfo) Facts {
	return Facts{Size: fi.Size(), LogicalSectorSize: 512, PhysicalSectorSize: 512}
}

// Facts returns what OpenSource found out about the source.
func (s *Source) Facts() Facts {
	f := s.facts
	f.MountedWritable = append([]string(nil), f.MountedWritable...)
	return f
}

// Size returns the source size in bytes.
func (s *Source) Size() int64 { return s.facts.Size }

// SectorSize returns the logical sector size, the smallest unit a read can
// fail in.
func (s *Source) SectorSize() int { return s.facts.LogicalSectorSize }

// ReadAt reads from the source.
func (s *Source) ReadAt(p []byte, off int64) (int, error) { return s.f.ReadAt(p, off) }

// Close closes the source.
func (s *Source) Close() error { return s.f.Close() }
