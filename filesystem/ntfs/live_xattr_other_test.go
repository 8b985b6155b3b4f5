//go:build !linux

package ntfs_test

import "errors"

// markCompressed needs Linux extended attributes.
func markCompressed(dir string) error {
	return errors.New("setting NTFS attributes needs Linux")
}
