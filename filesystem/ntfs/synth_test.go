package ntfs

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

const (
	inUse    = recordInUse
	dirInUse = recordInUse | recordIsDir
)

// named builds the usual attributes of a record called name in parent.
func named(parent uint64, pseq uint16, name string, more ...tAttr) []tAttr {
	return append([]tAttr{
		{typ: attrStandardInfo, value: siValue(testTime)},
		{typ: attrFileName, value: fnValue(parent, pseq, name, 1, fnTime)},
	}, more...)
}

func fill(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }

// synthVolume is a 40 KiB volume exercising the cases the reader must
// handle. Records:
//
//	 3 $Volume, label "SYNTH"
//	 5 root folder
//	24 /hello.txt resident, with a DOS name and an ADS "secret"
//	25 /docs folder
//	26 /docs/big.bin non-resident: 2 clusters, 2 sparse, 1 cluster
//	27 /docs/gone.txt deleted, resident
//	28 lost.txt deleted, parent record 20 (unused): an orphan
//	29 /frag.bin $DATA in two fragments in extension records 30 and 31;
//	   its $ATTRIBUTE_LIST also names 29 itself and 30 twice
//	32, 33 folders A and B, deleted, each the other's parent: a cycle
//	34 torn record (bad update sequence number)
//	35 /selfloop.txt, $ATTRIBUTE_LIST naming only itself
//	36 /stale.txt, parent reference to docs with the wrong sequence
//	37 /$Extend/$Quota-like record with a named $INDEX_ROOT "$Q"
func synthVolume() []byte {
	big := append(fill(1024, 'a'), fill(412, 'c')...)
	attrList := bytes.Join([][]byte{
		attrListEntry(attrStandardInfo, 0, 29),
		attrListEntry(attrFileName, 0, 29),
		attrListEntry(attrData, 0, 30),
		attrListEntry(attrData, 2, 31),
		attrListEntry(attrData, 0, 30),
	}, nil)
	v := tVolume{clusters: 80, mftLCN: 16, nrec: 40, data: map[int64][]byte{
		60: fill(1024, 'a'),
		64: fill(512, 'c'),
		70: fill(1024, '1'),
		74: fill(1024, '2'),
	}}
	v.records = []tRecord{
		{num: 3, seq: 3, flags: inUse, attrs: named(5, 5, "$Volume",
			tAttr{typ: attrVolumeName, value: utf16le("SYNTH")},
			tAttr{typ: attrData, value: []byte{}})},
		{num: 5, seq: 5, flags: dirInUse, attrs: named(5, 5, ".")},
		{num: 24, seq: 1, flags: inUse, attrs: []tAttr{
			{typ: attrStandardInfo, value: siValue(testTime)},
			{typ: attrFileName, value: fnValue(5, 5, "HELLO~1.TXT", namespaceDOS, fnTime)},
			{typ: attrFileName, value: fnValue(5, 5, "hello.txt", 1, fnTime)},
			{typ: attrData, value: []byte("hello, world\n")},
			{typ: attrData, name: "secret", value: []byte("hidden\n")},
		}},
		{num: 25, seq: 2, flags: dirInUse, attrs: named(5, 5, "docs")},
		{num: 26, seq: 1, flags: inUse, attrs: named(25, 2, "big.bin",
			tAttr{typ: attrData, runs: []tRun{{2, 60}, {2, -1}, {1, 64}}, lastVCN: 4, size: int64(len(big)) + 1024})},
		{num: 27, seq: 2, flags: 0, attrs: named(25, 2, "gone.txt", tAttr{typ: attrData, value: []byte("deleted\n")})},
		{num: 28, seq: 2, flags: 0, attrs: named(20, 1, "lost.txt", tAttr{typ: attrData, value: []byte("lost\n")})},
		{num: 29, seq: 1, flags: inUse, attrs: named(5, 5, "frag.bin", tAttr{typ: attrAttributeList, value: attrList})},
		{num: 30, seq: 1, flags: inUse, base: 29, attrs: []tAttr{
			{typ: attrData, runs: []tRun{{2, 70}}, lastVCN: 1, size: 2048}}},
		{num: 31, seq: 1, flags: inUse, base: 29, attrs: []tAttr{
			{typ: attrData, runs: []tRun{{2, 74}}, startVCN: 2, lastVCN: 3}}},
		{num: 32, seq: 3, flags: recordIsDir, attrs: named(33, 2, "A")},
		{num: 33, seq: 3, flags: recordIsDir, attrs: named(32, 2, "B")},
		{num: 34, seq: 1, flags: inUse, attrs: named(5, 5, "torn.txt")},
		{num: 35, seq: 1, flags: inUse, attrs: named(5, 5, "selfloop.txt",
			tAttr{typ: attrAttributeList, value: attrListEntry(attrData, 0, 35)},
			tAttr{typ: attrData, value: []byte("loop\n")})},
		{num: 36, seq: 1, flags: inUse, attrs: named(25, 1, "stale.txt", tAttr{typ: attrData, value: []byte{}})},
		{num: 37, seq: 1, flags: inUse, attrs: named(5, 5, "$Quota",
			tAttr{typ: attrIndexRoot, name: "$Q", value: fill(32, 'q')})},
	}
	img := v.build()
	// Tear record 34: change the last two bytes of its first block.
	torn := v.mftLCN*tCluster + 34*tRecSize + fixupStride - 2
	binary.LittleEndian.PutUint16(img[torn:], 0xBEEF)
	return img
}

// want is an expected entry and its content.
type want struct {
	path    string
	inode   uint64
	typ     filesystem.EntryType
	deleted bool
	size    int64
	content string
}

func TestSyntheticVolume(t *testing.T) {
	img := synthVolume()
	fs, err := NewFS(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	if fs.Label() != "SYNTH" || fs.Type() != "ntfs" || fs.Serial() != 0x1234ABCD {
		t.Errorf("label %q type %q serial %#x", fs.Label(), fs.Type(), fs.Serial())
	}
	bigContent := string(fill(1024, 'a')) + string(make([]byte, 1024)) + string(fill(412, 'c'))
	wants := []want{
		{"/$MFT", 0, filesystem.File, false, 40 * tRecSize, ""},
		{"/$Quota:$Q", 37, filesystem.File, false, 32, strings.Repeat("q", 32)},
		{"/$Volume", 3, filesystem.File, false, 0, ""},
		{"/docs", 25, filesystem.Dir, false, 0, ""},
		{"/docs/big.bin", 26, filesystem.File, false, 2460, bigContent},
		{"/docs/gone.txt", 27, filesystem.File, true, 8, "deleted\n"},
		{"/frag.bin", 29, filesystem.File, false, 2048, strings.Repeat("1", 1024) + strings.Repeat("2", 1024)},
		{"/hello.txt", 24, filesystem.File, false, 13, "hello, world\n"},
		{"/hello.txt:secret", 24, filesystem.File, false, 7, "hidden\n"},
		{"/selfloop.txt", 35, filesystem.File, false, 5, "loop\n"},
		{"/$OrphanFiles", 40, filesystem.Dir, false, 0, ""},
		{"/$OrphanFiles/lost.txt", 28, filesystem.File, true, 5, "lost\n"},
		{"/$OrphanFiles/B", 33, filesystem.Dir, true, 0, ""},
		{"/$OrphanFiles/B/A", 32, filesystem.Dir, true, 0, ""},
		{"/$OrphanFiles/stale.txt", 36, filesystem.File, true, 0, ""},
	}
	var got []*filesystem.Entry
	if err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
		got = append(got, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(wants) {
		for _, e := range got {
			t.Logf("got %s %d", e.Path, e.Inode)
		}
		t.Logf("anomalies: %q", fs.Anomalies())
		t.Fatalf("%d entries, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		e := got[i]
		t.Run(w.path, func(t *testing.T) {
			if e.Path != w.path || e.Inode != w.inode || e.Type != w.typ || e.Deleted != w.deleted || e.Size != w.size {
				t.Fatalf("got %s inode %d %s deleted %v size %d, want %+v", e.Path, e.Inode, e.Type, e.Deleted, e.Size, w)
			}
			if e.Inode < 40 && e.Offset != 16*tCluster+int64(e.Inode)*tRecSize {
				t.Errorf("offset %d", e.Offset)
			}
			sr, err := fs.Open(e)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			b, err := io.ReadAll(sr)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if w.content != "" && string(b) != w.content {
				t.Errorf("content %q, want %q", trim(b), trim([]byte(w.content)))
			}
			if int64(len(b)) != w.size {
				t.Errorf("read %d bytes, size %d", len(b), w.size)
			}
		})
	}
	hello := got[7]
	if !hello.Modified.Equal(time.Date(2020, 1, 2, 3, 4, 5, 123456700, time.UTC)) || hello.Extra["fn_modified"] != "2020-01-02T02:04:05.1234567Z" {
		t.Errorf("times: SI %v, FN %v", hello.Modified, hello.Extra)
	}
	if hello.Stream != "" || got[8].Stream != "secret" || got[8].Name != "hello.txt:secret" {
		t.Errorf("streams: %q %q %q", hello.Stream, got[8].Stream, got[8].Name)
	}
	var tornSeen bool
	for _, a := range fs.Anomalies() {
		tornSeen = tornSeen || strings.Contains(a, "MFT record 34") && strings.Contains(a, "torn")
	}
	if !tornSeen {
		t.Errorf("no anomaly for the torn record 34: %q", fs.Anomalies())
	}
}

func trim(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

func TestWalkStops(t *testing.T) {
	img := synthVolume()
	fs, err := NewFS(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	err = fs.Walk(context.Background(), func(*filesystem.Entry) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("Walk returned %v after %d entries", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := fs.Walk(ctx, func(*filesystem.Entry) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Walk with a cancelled context: %v", err)
	}
}

func TestNotNTFS(t *testing.T) {
	good := synthVolume()
	cases := map[string]func(b []byte){
		"zeros":          func(b []byte) { clear(b[:512]) },
		"oem":            func(b []byte) { copy(b[3:], "EXFAT   ") },
		"signature":      func(b []byte) { b[0x1FE] = 0 },
		"sector size":    func(b []byte) { binary.LittleEndian.PutUint16(b[0x0B:], 300) },
		"cluster size":   func(b []byte) { b[0x0D] = 3 },
		"record size":    func(b []byte) { b[0x40] = 0xE0 },
		"MFT outside":    func(b []byte) { binary.LittleEndian.PutUint64(b[0x30:], 1<<40) },
		"no sectors":     func(b []byte) { binary.LittleEndian.PutUint64(b[0x28:], 0) },
		"huge clusters":  func(b []byte) { b[0x0D] = 0xF0 },
		"odd record len": func(b []byte) { b[0x40] = 3 },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			b := append([]byte(nil), good...)
			mut(b)
			fs, err := Open(bytes.NewReader(b), int64(len(b)))
			if !errors.Is(err, filesystem.ErrNotFS) || fs != nil {
				t.Errorf("Open = %v, %v; want ErrNotFS", fs, err)
			}
		})
	}
	if _, err := Open(bytes.NewReader(good[:100]), 100); !errors.Is(err, filesystem.ErrNotFS) {
		t.Errorf("short image: %v", err)
	}
}

func TestOpenMFTFile(t *testing.T) {
	img := synthVolume()
	mft := img[16*tCluster : 16*tCluster+40*tRecSize]
	fs, err := OpenMFT(bytes.NewReader(mft), int64(len(mft)))
	if err != nil {
		t.Fatal(err)
	}
	if fs.Label() != "SYNTH" {
		t.Errorf("label %q", fs.Label())
	}
	var big, hello *filesystem.Entry
	if err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
		switch e.Path {
		case "/docs/big.bin":
			big = e
		case "/hello.txt":
			hello = e
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if big == nil || hello == nil || big.Size != 2460 || hello.Offset != 24*tRecSize {
		t.Fatalf("big %+v hello %+v", big, hello)
	}
	if _, err := fs.Open(big); !errors.Is(err, errNoVolume) {
		t.Errorf("non-resident content of a bare MFT: %v", err)
	}
	if sr, err := fs.Open(hello); err != nil || sr.Size() != 13 {
		t.Errorf("resident content: %v", err)
	}
	if _, err := OpenMFT(bytes.NewReader(img[:4096]), 4096); !errors.Is(err, filesystem.ErrNotFS) {
		t.Errorf("boot sector as an MFT file: %v", err)
	}
}
