package filesystem

import "fmt"

// FormatError reports a malformed structure at a byte offset of a file
// system, so that a report can say where the damage is. It unwraps to its
// cause: [ErrNotFS] when a reader rejects the data as not its file system.
type FormatError struct {
	FS     string // the reader: "fat", "exfat", "ext", "iso9660"
	Offset int64  // byte offset in the file system
	Msg    string
	Err    error // cause, or nil
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s: offset %d: %s", e.FS, e.Offset, e.Msg)
}

// Unwrap returns the cause.
func (e *FormatError) Unwrap() error { return e.Err }

// NotFS returns a FormatError that wraps [ErrNotFS]: the data at off is not
// the reader's file system.
func NotFS(fs string, off int64, format string, args ...any) error {
	return &FormatError{FS: fs, Offset: off, Msg: fmt.Sprintf(format, args...), Err: ErrNotFS}
}

// Malformed returns a FormatError for damage at off.
func Malformed(fs string, off int64, format string, args ...any) error {
	return &FormatError{FS: fs, Offset: off, Msg: fmt.Sprintf(format, args...)}
}
