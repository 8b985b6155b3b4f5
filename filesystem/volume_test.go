package filesystem

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/internal/corpusimage"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// mbrEntry writes partition table entry i of sector b.
func mbrEntry(b []byte, i int, boot, typ byte, start, count uint32) {
	e := b[446+16*i:]
	e[0], e[4] = boot, typ
	binary.LittleEndian.PutUint32(e[8:], start)
	binary.LittleEndian.PutUint32(e[12:], count)
	b[510], b[511] = 0x55, 0xAA
}

// gptImage builds a disk of n sectors of ss bytes with a protective MBR,
// primary and backup GPT headers and the given entries.
func gptImage(ss, n int, entries [][3]uint64, names []string) []byte {
	img := make([]byte, ss*n)
	mbrEntry(img, 0, 0, 0xEE, 1, uint32(n-1))
	arr := make([]byte, 128*128)
	for i, e := range entries {
		x := arr[i*128:]
		binary.LittleEndian.PutUint32(x[0:], uint32(e[0])) // type GUID, first field
		x[15] = 1
		binary.LittleEndian.PutUint64(x[32:], e[1])
		binary.LittleEndian.PutUint64(x[40:], e[2])
		for k, c := range utf16.Encode([]rune(names[i])) {
			binary.LittleEndian.PutUint16(x[56+2*k:], c)
		}
	}
	arrSectors := len(arr) / ss
	put := func(lba, alt, arrLBA int) {
		copy(img[arrLBA*ss:], arr)
		h := img[lba*ss:]
		copy(h, "EFI PART")
		binary.LittleEndian.PutUint32(h[8:], 0x00010000)
		binary.LittleEndian.PutUint32(h[12:], 92)
		binary.LittleEndian.PutUint64(h[24:], uint64(lba))
		binary.LittleEndian.PutUint64(h[32:], uint64(alt))
		binary.LittleEndian.PutUint64(h[72:], uint64(arrLBA))
		binary.LittleEndian.PutUint32(h[80:], 128)
		binary.LittleEndian.PutUint32(h[84:], 128)
		binary.LittleEndian.PutUint32(h[88:], crc32.ChecksumIEEE(arr))
		binary.LittleEndian.PutUint32(h[16:], crc32.ChecksumIEEE(h[:92]))
	}
	put(1, n-1, 2)
	put(n-1, 1, n-1-arrSectors)
	return img
}

func TestPartitions(t *testing.T) {
	const mib = 1 << 20
	mbr := make([]byte, 8*mib)
	mbrEntry(mbr, 0, 0x80, 0x0c, 2048, 4096)
	mbrEntry(mbr, 1, 0, 0x05, 8192, 8192)
	// EBR 1 at 8192: logical at +63, link to EBR 2 at base+4096.
	mbrEntry(mbr[8192*512:], 0, 0, 0x83, 63, 1000)
	mbrEntry(mbr[8192*512:], 1, 0, 0x05, 4096, 2000)
	// EBR 2 links back to EBR 1: a loop that must be cut.
	mbrEntry(mbr[(8192+4096)*512:], 0, 0, 0x07, 63, 500)
	mbrEntry(mbr[(8192+4096)*512:], 1, 0, 0x05, 0+1, 10)
	mbrEntry(mbr[(8192+4096)*512:], 2, 0, 0x05, 0, 10)

	gpt := gptImage(512, 4096, [][3]uint64{{0xEBD0A0A2, 2048, 3071}, {0x0FC63DAF, 34, 2047}}, []string{"data", "líñux"})
	gpt4k := gptImage(4096, 512, [][3]uint64{{0xEBD0A0A2, 64, 127}}, []string{"big"})
	badCRC := gptImage(512, 4096, [][3]uint64{{0xEBD0A0A2, 2048, 3071}}, []string{"x"})
	badCRC[512+16] ^= 0xFF // primary header CRC broken: the backup is used

	fatBoot := make([]byte, 4096)
	copy(fatBoot, []byte{0xEB, 0x3C, 0x90, 'm', 'k', 'f', 's', '.', 'f', 'a', 't', 0, 2, 4, 1, 0, 2})
	fatBoot[21] = 0xF8
	fatBoot[510], fatBoot[511] = 0x55, 0xAA

	tests := []struct {
		name string
		img  []byte
		ss   int
		want string
	}{
		{"mbr with extended chain and loop", mbr, 0, "mbr 1048576+2097152 0x0c Win95 FAT32; mbr 4226560+512000 0x83 Linux; mbr 6323712+256000 0x07 NTFS / exFAT"},
		{"gpt 512", gpt, 0, "gpt 17408+1031168 0fc63daf-0000-0000-0000-000000000001 Unknown líñux; gpt 1048576+524288 ebd0a0a2-0000-0000-0000-000000000001 Unknown data"},
		{"gpt 4096 detected", gpt4k, 0, "gpt 262144+262144 ebd0a0a2-0000-0000-0000-000000000001 Unknown big"},
		{"gpt backup header", badCRC, 512, "gpt 1048576+524288 ebd0a0a2-0000-0000-0000-000000000001 Unknown x"},
		{"fat boot sector is no table", fatBoot, 512, "none 0+4096 none whole image"},
		{"empty", nil, 0, "none 0+0 none whole image"},
		{"zeros", make([]byte, 4096), 0, "none 0+4096 none whole image"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := Partitions(bytes.NewReader(tc.img), int64(len(tc.img)), tc.ss)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, p := range parts {
				if p.Index != i {
					t.Errorf("index %d at position %d", p.Index, i)
				}
				s := fmt.Sprintf("%s %d+%d %s %s", p.Scheme, p.Start, p.Length, p.Type, p.Description)
				if p.Name != "" {
					s += " " + p.Name
				}
				got = append(got, s)
			}
			if g := strings.Join(got, "; "); g != tc.want {
				t.Errorf("got  %s\nwant %s", g, tc.want)
			}
		})
	}
	if _, err := Partitions(bytes.NewReader(mbr), int64(len(mbr)), 1000); err == nil {
		t.Error("sector size 1000 accepted")
	}
}

// TestPartitionsCorpus compares the partitions with mmls for every image
// of the corpus TSK can read directly (raw, gzip, tar, E01).
func TestPartitionsCorpus(t *testing.T) {
	corpus := testcorpus.Dir(t)
	for _, row := range corpusimage.Index(t, corpus) {
		switch filepath.Ext(row.Source) {
		case ".qcow2", ".qcow", ".vmdk", ".vhd", ".000", ".dmg":
			continue
		}
		t.Run(row.OracleDir, func(t *testing.T) {
			lines, ok := corpusimage.ToolOutput(t, filepath.Join(corpus, "diskimages", "_oracle", row.OracleDir, "mmls.txt"))
			if !ok {
				t.Skip("no mmls.txt")
			}
			var want []string
			for _, l := range lines {
				f := strings.Fields(l)
				if len(f) < 6 || !strings.HasSuffix(f[0], ":") || f[1] == "Meta" || strings.HasPrefix(f[1], "---") || f[1] == "Slot" {
					continue
				}
				start, _ := strconv.ParseInt(f[2], 10, 64)
				length, _ := strconv.ParseInt(f[4], 10, 64)
				want = append(want, fmt.Sprintf("%d+%d %s", start, length, strings.Join(f[5:], " ")))
			}
			r, size := corpusimage.OpenHead(t, corpus, row, 64<<20)
			parts, err := Partitions(r, size, 512)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range parts {
				desc := p.Name
				switch p.Scheme {
				case "none":
					continue
				case "mbr":
					desc = p.Description + " (" + p.Type + ")"
				}
				got = append(got, fmt.Sprintf("%d+%d %s", p.Start/512, p.Length/512, desc))
			}
			if len(lines) == 0 && len(parts) == 1 && parts[0].Scheme == "none" {
				t.Logf("no volume system, as mmls")
				return
			}
			if g, w := strings.Join(got, "; "), strings.Join(want, "; "); g != w {
				t.Errorf("partitions differ from mmls\ngot  %s\nwant %s", g, w)
			} else {
				t.Logf("%d of %d partitions agree with mmls (start, length, description)", len(got), len(want))
			}
		})
	}
}

// FuzzPartitions checks that no input makes Partitions panic, return
// partitions together with an error, or return them out of order.
func FuzzPartitions(f *testing.F) {
	mbr := make([]byte, 2048)
	mbrEntry(mbr, 0, 0, 0x05, 1, 3)
	mbrEntry(mbr[512:], 0, 0, 0x83, 1, 1)
	mbrEntry(mbr[512:], 1, 0, 0x05, 0, 2)
	f.Add(mbr)
	f.Add(gptImage(512, 64, [][3]uint64{{1, 34, 40}}, []string{"p"}))
	f.Add(make([]byte, 512))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ss := range []int{0, 512, 4096} {
			parts, err := Partitions(bytes.NewReader(b), int64(len(b)), ss)
			if err != nil && parts != nil {
				t.Fatalf("partitions and error: %v", err)
			}
			for i, p := range parts {
				if p.Index != i || p.Start < 0 || p.Length < 0 || (i > 0 && p.Start < parts[i-1].Start) {
					t.Fatalf("partition %d: %+v", i, p)
				}
			}
		}
	})
}
