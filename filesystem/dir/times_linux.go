package dir

import (
	"io/fs"
	"syscall"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// fillTimes adds the access and change times and the inode number that
// Linux keeps.
func fillTimes(e *filesystem.Entry, fi fs.FileInfo) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	e.Inode = st.Ino
	e.Accessed = time.Unix(int64(st.Atim.Sec), int64(st.Atim.Nsec)).UTC()
	e.Changed = time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)).UTC()
}
