//go:build !linux && !windows

package evidence

import (
	"fmt"
	"io"
	"os"
)

func openSource(path string) (*os.File, Facts, error) {
	f, err := Open(path)
	if err != nil {
		return nil, Facts{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Facts{}, err
	}
	if fi.Mode().IsRegular() {
		return f, regularFacts(fi), nil
	}
	if fi.Mode()&os.ModeDevice == 0 {
		f.Close()
		return nil, Facts{}, fmt.Errorf("%s: not a regular file or device (%v)", path, fi.Mode().Type())
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, Facts{}, fmt.Errorf("%s: size: %w", path, err)
	}
	return f, Facts{Size: size, LogicalSectorSize: 512, Device: true}, nil
}
