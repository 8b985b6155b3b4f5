package evidence

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// sysfs and mountinfo are variables so that tests can point them at fake
// trees.
var (
	sysfsRoot = "/sys"
	mountinfo = "/proc/self/mountinfo"
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
	switch {
	case fi.Mode().IsRegular():
		return f, regularFacts(fi), nil
	case fi.Mode()&os.ModeDevice != 0 && fi.Mode()&os.ModeCharDevice == 0:
		facts, err := blockFacts(f)
		if err != nil {
			f.Close()
			return nil, Facts{}, fmt.Errorf("%s: %w", path, err)
		}
		return f, facts, nil
	}
	f.Close()
	return nil, Facts{}, fmt.Errorf("%s: not a regular file or block device (%v)", path, fi.Mode().Type())
}

// blockFacts asks the kernel for a block device's size and sector sizes,
// and sysfs and mountinfo for the rest.
func blockFacts(f *os.File) (Facts, error) {
	fd := int(f.Fd())
	size, err := unix.IoctlGetUint64(fd, unix.BLKGETSIZE64)
	if err != nil {
		return Facts{}, fmt.Errorf("BLKGETSIZE64: %w", err)
	}
	logical, err := unix.IoctlGetInt(fd, unix.BLKSSZGET)
	if err != nil {
		return Facts{}, fmt.Errorf("BLKSSZGET: %w", err)
	}
	physical, err := unix.IoctlGetUint32(fd, unix.BLKPBSZGET)
	if err != nil {
		physical = uint32(logical)
	}
	facts := Facts{Size: int64(size), LogicalSectorSize: logical, PhysicalSectorSize: int(physical), Device: true}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return facts, nil
	}
	maj, mnr := unix.Major(uint64(st.Rdev)), unix.Minor(uint64(st.Rdev))
	sysfsFacts(&facts, fmt.Sprintf("%d:%d", maj, mnr))
	return facts, nil
}

// sysfsFacts fills in what sysfs tells about the block device dev
// ("major:minor"): the whole disk's model, serial, vendor and removable
// flag, the device's read-only flag, and the writable mounts of the disk
// and its partitions.
func sysfsFacts(facts *Facts, dev string) {
	node, err := filepath.EvalSymlinks(filepath.Join(sysfsRoot, "dev", "block", dev))
	if err != nil {
		return
	}
	disk := node
	if _, err := os.Stat(filepath.Join(node, "partition")); err == nil {
		disk = filepath.Dir(node)
	}
	facts.Model = sysfsString(filepath.Join(disk, "device", "model"))
	facts.Vendor = sysfsString(filepath.Join(disk, "device", "vendor"))
	facts.Serial = sysfsString(filepath.Join(disk, "device", "serial"))
	if facts.Serial == "" {
		facts.Serial = sysfsString(filepath.Join(disk, "serial"))
	}
	facts.Removable = sysfsString(filepath.Join(disk, "removable")) == "1"
	facts.ReadOnly = sysfsString(filepath.Join(node, "ro")) == "1"

	// The device's own mounts and, for a whole disk, its partitions'.
	devs := map[string]bool{dev: true}
	if entries, err := os.ReadDir(disk); err == nil && disk == node {
		for _, e := range entries {
			part := filepath.Join(disk, e.Name())
			if _, err := os.Stat(filepath.Join(part, "partition")); err != nil {
				continue
			}
			if d := sysfsString(filepath.Join(part, "dev")); d != "" {
				devs[d] = true
			}
		}
	}
	if f, err := os.Open(mountinfo); err == nil {
		facts.MountedWritable = writableMounts(f, devs)
		f.Close()
	}
}

// sysfsString reads a small sysfs attribute, trimmed; "" if absent.
func sysfsString(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 4096 {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// writableMounts returns the mount points in a mountinfo file (see
// proc_pid_mountinfo(5)) of devices in devs mounted with "rw".
//
//	36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//	(1)(2)(3)   (4)   (5)        (6)        (7)      (8) (9)  (10)      (11)
func writableMounts(r io.Reader, devs map[string]bool) []string {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || !devs[f[2]] {
			continue
		}
		for _, opt := range strings.Split(f[5], ",") {
			if opt == "rw" {
				out = append(out, unescapeMount(f[4]))
				break
			}
		}
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && allIn(s[i+1:i+4], '0', '7') {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
