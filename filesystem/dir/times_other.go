//go:build !linux

package dir

import (
	"io/fs"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// fillTimes has nothing to add beyond the modification time here.
func fillTimes(*filesystem.Entry, fs.FileInfo) {}
