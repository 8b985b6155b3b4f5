// Package evidence opens sources of evidence for reading, never for
// writing. Every byte pangolin reads from a seized file or device comes
// through here: [Open] for files, [OpenSource] for a device or file to be
// imaged (with its size, sector sizes and, for devices, model, serial and
// mount state), [OpenRaw] for raw and split raw images as one
// io.ReaderAt. E01 images are read by the subpackage ewf.
package evidence

import "os"

// Open opens path read-only. On Linux it asks the kernel not to update the
// file's access time (O_NOATIME), which would otherwise change the
// evidence's metadata, falling back to a plain read-only open where the
// caller may not use that flag (files it does not own, as a non-root user).
func Open(path string) (*os.File, error) {
	if f, err := os.OpenFile(path, os.O_RDONLY|noATime, 0); err == nil || noATime == 0 {
		return f, err
	}
	return os.Open(path)
}
