package ntfs_test

import (
	"encoding/binary"
	"syscall"
)

// markCompressed sets FILE_ATTRIBUTE_COMPRESSED on a folder of a volume
// ntfs-3g mounts, through its system.ntfs_attrib_be extended attribute,
// so that files created in it are LZNT1-compressed.
func markCompressed(dir string) error {
	const name = "system.ntfs_attrib_be"
	b := make([]byte, 4)
	if _, err := syscall.Getxattr(dir, name, b); err != nil {
		return err
	}
	binary.BigEndian.PutUint32(b, binary.BigEndian.Uint32(b)|0x800)
	return syscall.Setxattr(dir, name, b, 0)
}
