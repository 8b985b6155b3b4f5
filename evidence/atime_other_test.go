//go:build !linux

package evidence

import (
	"os"
	"time"
)

func accessTime(os.FileInfo) (time.Time, bool) { return time.Time{}, false }
