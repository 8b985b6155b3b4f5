//go:build !linux

package acquire

import (
	"errors"
	"os"
)

// setDirect reports that direct I/O is not used on this system: images are
// written through the page cache.
func setDirect(*os.File, bool) error { return errors.ErrUnsupported }
