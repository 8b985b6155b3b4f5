package evidence

import (
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Device I/O control codes from winioctl.h.
const (
	ioctlDiskGetLengthInfo      = 0x0007405c
	ioctlDiskGetDriveGeometryEx = 0x000700a0
)

// diskGeometry is DISK_GEOMETRY, the head of DISK_GEOMETRY_EX.
type diskGeometry struct {
	Cylinders         int64
	MediaType         uint32
	TracksPerCylinder uint32
	SectorsPerTrack   uint32
	BytesPerSector    uint32
}

func openSource(path string) (*os.File, Facts, error) {
	if !isWindowsDevice(path) {
		f, err := Open(path)
		if err != nil {
			return nil, Facts{}, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, Facts{}, err
		}
		if !fi.Mode().IsRegular() {
			f.Close()
			return nil, Facts{}, fmt.Errorf("%s: not a regular file or device", path)
		}
		return f, regularFacts(fi), nil
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, Facts{}, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return nil, Facts{}, fmt.Errorf("%s: %w", path, err)
	}
	var size int64
	var n uint32
	if err := windows.DeviceIoControl(h, ioctlDiskGetLengthInfo, nil, 0,
		(*byte)(unsafe.Pointer(&size)), uint32(unsafe.Sizeof(size)), &n, nil); err != nil {
		windows.CloseHandle(h)
		return nil, Facts{}, fmt.Errorf("%s: IOCTL_DISK_GET_LENGTH_INFO: %w", path, err)
	}
	facts := Facts{Size: size, LogicalSectorSize: 512, Device: true}
	var geo [32]uint64 // DISK_GEOMETRY_EX with room for its trailing data, 8-byte aligned
	if err := windows.DeviceIoControl(h, ioctlDiskGetDriveGeometryEx, nil, 0,
		(*byte)(unsafe.Pointer(&geo[0])), uint32(unsafe.Sizeof(geo)), &n, nil); err == nil && n >= uint32(unsafe.Sizeof(diskGeometry{})) {
		g := (*diskGeometry)(unsafe.Pointer(&geo[0]))
		if g.BytesPerSector != 0 {
			facts.LogicalSectorSize = int(g.BytesPerSector)
		}
	}
	return os.NewFile(uintptr(h), path), facts, nil
}

// isWindowsDevice reports whether path names a device such as
// \\.\PhysicalDrive1 or \\.\E: rather than a file.
func isWindowsDevice(path string) bool {
	return strings.HasPrefix(path, `\\.\`) || strings.HasPrefix(path, `//./`)
}
