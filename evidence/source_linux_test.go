package evidence

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWritableMounts(t *testing.T) {
	const info = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
36 22 8:17 / /media/card rw,nosuid,nodev shared:2 - vfat /dev/sdb1 rw,fmask=0022
37 22 8:18 / /media/ro\040part ro,nosuid shared:3 - vfat /dev/sdb2 ro
38 22 8:19 / /media/my\040stick rw shared:4 - exfat /dev/sdb3 rw
39 22 8:16 / /mnt/whole rw - ext4 /dev/sdb rw
short line
`
	got := writableMounts(strings.NewReader(info), map[string]bool{"8:16": true, "8:17": true, "8:18": true, "8:19": true})
	want := []string{"/media/card", "/media/my stick", "/mnt/whole"}
	if !slices.Equal(got, want) {
		t.Errorf("writable mounts %q, want %q", got, want)
	}
}

// TestSysfsFacts reads a fake sysfs tree laid out as the kernel does for
// a USB card reader with one partition.
func TestSysfsFacts(t *testing.T) {
	root := t.TempDir()
	disk := filepath.Join(root, "devices", "usb1", "block", "sdb")
	files := map[string]string{
		"device/model":     "SD/MMC Reader   \n",
		"device/vendor":    "Generic \n",
		"removable":        "1\n",
		"ro":               "0\n",
		"dev":              "8:16\n",
		"sdb1/partition":   "1\n",
		"sdb1/dev":         "8:17\n",
		"sdb1/ro":          "1\n",
		"queue/rotational": "0\n",
	}
	for name, content := range files {
		p := filepath.Join(disk, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "dev", "block"), 0o755); err != nil {
		t.Fatal(err)
	}
	for dev, target := range map[string]string{"8:16": disk, "8:17": filepath.Join(disk, "sdb1")} {
		if err := os.Symlink(target, filepath.Join(root, "dev", "block", dev)); err != nil {
			t.Fatal(err)
		}
	}
	mi := filepath.Join(root, "mountinfo")
	if err := os.WriteFile(mi, []byte("36 22 8:17 / /media/card rw,nosuid shared:2 - vfat /dev/sdb1 rw\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	oldSys, oldMI := sysfsRoot, mountinfo
	sysfsRoot, mountinfo = root, mi
	defer func() { sysfsRoot, mountinfo = oldSys, oldMI }()

	var whole Facts
	sysfsFacts(&whole, "8:16")
	if whole.Model != "SD/MMC Reader" || whole.Vendor != "Generic" || !whole.Removable || whole.ReadOnly ||
		!slices.Equal(whole.MountedWritable, []string{"/media/card"}) {
		t.Errorf("disk facts %+v", whole)
	}
	var part Facts
	sysfsFacts(&part, "8:17")
	if part.Model != "SD/MMC Reader" || !part.Removable || !part.ReadOnly || len(part.MountedWritable) != 1 {
		t.Errorf("partition facts %+v", part)
	}
}

// TestOpenSourceLoop images a loop device, where the machine lets us make
// one (root, with loop devices).
func TestOpenSourceLoop(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	if _, err := exec.LookPath("losetup"); err != nil {
		t.Skip("no losetup")
	}
	path := filepath.Join(t.TempDir(), "card.img")
	if err := os.WriteFile(path, make([]byte, 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", "--read-only", path).Output()
	if err != nil {
		t.Skipf("no loop device: %v", err)
	}
	dev := strings.TrimSpace(string(out))
	defer exec.Command("losetup", "--detach", dev).Run()
	src, err := OpenSource(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f := src.Facts()
	if !f.Device || f.Size != 3<<20 || f.LogicalSectorSize != 512 || f.PhysicalSectorSize < 512 || !f.ReadOnly {
		t.Errorf("loop device facts %+v", f)
	}
}
