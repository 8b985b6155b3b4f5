package export

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
)

// The structs below read DFXML back as a consumer would.

type xDFXML struct {
	XMLName          xml.Name  `xml:"http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML dfxml"`
	XMLOutputVersion string    `xml:"xmloutputversion,attr"`
	Type             string    `xml:"metadata>type"`
	Identifier       string    `xml:"metadata>identifier"`
	Case             string    `xml:"metadata>case"`
	Program          string    `xml:"creator>program"`
	Version          string    `xml:"creator>version"`
	CommandLine      string    `xml:"creator>execution_environment>command_line"`
	StartTime        string    `xml:"creator>execution_environment>start_time"`
	ImageFilename    string    `xml:"source>image_filename"`
	ImageSize        int64     `xml:"source>image_size"`
	Volumes          []xVolume `xml:"volume"`
}

type xVolume struct {
	Offset          *int64        `xml:"offset,attr"`
	PartitionOffset int64         `xml:"partition_offset"`
	BlockSize       int64         `xml:"block_size"`
	FType           string        `xml:"ftype_str"`
	Index           int           `xml:"partition_index"`
	Files           []xFileobject `xml:"fileobject"`
}

type xFilename struct {
	Encoding string `xml:"encoding,attr"`
	Name     string `xml:",chardata"`
}

type xHash struct {
	Type string `xml:"type,attr"`
	Sum  string `xml:",chardata"`
}

type xFileobject struct {
	Filename   xFilename `xml:"filename"`
	Partition  int       `xml:"partition"`
	ID         int       `xml:"id"`
	NameType   string    `xml:"name_type"`
	Filesize   int64     `xml:"filesize"`
	Alloc      string    `xml:"alloc"`
	Unalloc    string    `xml:"unalloc"`
	AllocName  string    `xml:"alloc_name"`
	Inode      uint64    `xml:"inode"`
	MetaType   int       `xml:"meta_type"`
	Mode       uint32    `xml:"mode"`
	Mtime      string    `xml:"mtime"`
	Ctime      string    `xml:"ctime"`
	Atime      string    `xml:"atime"`
	Crtime     string    `xml:"crtime"`
	LinkTarget string    `xml:"link_target"`
	Hashes     []xHash   `xml:"hashdigest"`
	Ref        string    `xml:"https://github.com/pangolin-forensics/pangolin/dfxml ref"`
	Parent     string    `xml:"https://github.com/pangolin-forensics/pangolin/dfxml parent"`
}

func dfxmlFixture(t *testing.T) ([]*catalog.Artefact, DFXMLInfo) {
	arts := []*catalog.Artefact{
		{Exhibit: "EX-001", Ref: "0/0", Partition: 0, Path: "/dir", Inode: 3, Type: "dir", Size: 2048,
			Modified: ts(t, "2009-01-02T03:04:05Z")},
		{Exhibit: "EX-001", Ref: "0/1", Partition: 0, Path: "/dir/a & <b>.txt", Inode: 4, Type: "file", Size: 6,
			Modified: ts(t, "2009-01-02T03:04:05.25Z"), Accessed: ts(t, "2009-01-02T00:00:00Z"), Born: ts(t, "2009-01-01T01:02:03Z"),
			MD5: "D41D8CD98F00B204E9800998ECF8427E", SHA1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
			SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{Exhibit: "EX-001", Ref: "0/2", Partition: 0, Path: "/bad\x01name\xff%.txt", Inode: 5, Type: "file", Deleted: true},
		{Exhibit: "EX-001", Ref: "2/0", Partition: 2, Path: "/etc/passwd", Inode: 12, Type: "file", Mode: 0o644,
			Changed: ts(t, "2010-05-06T07:08:09.123456789Z")},
		{Exhibit: "EX-001", Ref: "2/1", Partition: 2, Path: "/lnk", Inode: 13, Type: "symlink", Mode: 0o777,
			Extra: map[string]string{"link_target": "/etc/passwd"}},
		{Exhibit: "EX-001", Ref: "2/1/0", Parent: "2/1", Depth: 1, Partition: 2, Path: "/a.zip/in.txt", Type: "file"},
		{Exhibit: "EX-001", Ref: "3/0", Partition: 3, Path: "/$MBR", Inode: 99, Type: "other", Extra: map[string]string{"virtual": "true"}},
	}
	info := DFXMLInfo{
		Program: "pangolin", Version: "0.1.0", CommandLine: "pangolin export dfxml --exhibit EX-001",
		Start:         ts(t, "2024-01-02T03:04:05Z"),
		ImageFilename: "evidence/EX-001/disk.E01", ImageSize: 1 << 30,
		Case: "OP-THUNDER", Exhibit: "EX-001",
		Volumes: []DFXMLVolume{{Partition: 0, Offset: 1048576, BlockSize: 4096, FSType: "fat32"}, {Partition: 2, Offset: 5 << 20, FSType: "ext4"}},
	}
	return arts, info
}

func TestWriteDFXML(t *testing.T) {
	arts, info := dfxmlFixture(t)
	var buf bytes.Buffer
	if err := WriteDFXML(context.Background(), &buf, seq(arts...), info); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "<?xml version='1.0' encoding='UTF-8'?>\n<dfxml xmloutputversion='1.0'") {
		t.Errorf("document starts %q", buf.String()[:80])
	}
	var doc xDFXML
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	off := func(n int64) *int64 { return &n }
	want := xDFXML{
		XMLName:          doc.XMLName,
		XMLOutputVersion: "1.0", Type: "Disk Image", Identifier: "EX-001", Case: "OP-THUNDER",
		Program: "pangolin", Version: "0.1.0", CommandLine: info.CommandLine, StartTime: "2024-01-02T03:04:05Z",
		ImageFilename: "evidence/EX-001/disk.E01", ImageSize: 1 << 30,
		Volumes: []xVolume{
			{Offset: off(1048576), PartitionOffset: 1048576, BlockSize: 4096, FType: "fat32", Index: 0, Files: []xFileobject{
				{Filename: xFilename{Name: "dir"}, Partition: 1, ID: 1, NameType: "d", Filesize: 2048, Alloc: "1", AllocName: "1",
					Inode: 3, MetaType: 2, Mode: 511, Mtime: "2009-01-02T03:04:05Z", Ref: "0/0"},
				{Filename: xFilename{Name: "dir/a & <b>.txt"}, Partition: 1, ID: 2, NameType: "r", Filesize: 6, Alloc: "1", AllocName: "1",
					Inode: 4, MetaType: 1, Mode: 511, Mtime: "2009-01-02T03:04:05.25Z", Atime: "2009-01-02T00:00:00Z", Crtime: "2009-01-01T01:02:03Z",
					Hashes: []xHash{{"md5", "d41d8cd98f00b204e9800998ecf8427e"}, {"sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
						{"sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}, Ref: "0/1"},
				{Filename: xFilename{Encoding: "percent", Name: "bad%01name%FF%25.txt"}, Partition: 1, ID: 3, NameType: "r", Unalloc: "1", AllocName: "0",
					Inode: 5, MetaType: 1, Mode: 511, Ref: "0/2"},
			}},
			{Offset: off(5 << 20), PartitionOffset: 5 << 20, FType: "ext4", Index: 2, Files: []xFileobject{
				{Filename: xFilename{Name: "etc/passwd"}, Partition: 3, ID: 4, NameType: "r", Alloc: "1", AllocName: "1",
					Inode: 12, MetaType: 1, Mode: 0o644, Ctime: "2010-05-06T07:08:09.123456789Z", Ref: "2/0"},
				{Filename: xFilename{Name: "lnk"}, Partition: 3, ID: 5, NameType: "l", Alloc: "1", AllocName: "1",
					Inode: 13, MetaType: 6, Mode: 0o777, LinkTarget: "/etc/passwd", Ref: "2/1"},
				{Filename: xFilename{Name: "a.zip/in.txt"}, Partition: 3, ID: 6, NameType: "r", Alloc: "1", AllocName: "1",
					MetaType: 1, Mode: 511, Ref: "2/1/0", Parent: "2/1"},
			}},
			{Index: 3, Files: []xFileobject{
				{Filename: xFilename{Name: "$MBR"}, Partition: 4, ID: 7, NameType: "v", Alloc: "1", AllocName: "1",
					Inode: 99, MetaType: 10, Mode: 0, Ref: "3/0"},
			}},
		},
	}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("got\n%+v\nwant\n%+v\n%s", doc, want, buf.String())
	}
	xmllint(t, buf.Bytes())
}

// xmllint checks well-formedness with xmllint when it is installed.
func xmllint(t *testing.T, doc []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Log("xmllint not installed: well-formedness checked by encoding/xml only")
		return
	}
	p := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(p, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", p).CombinedOutput(); err != nil {
		t.Errorf("xmllint: %v\n%s", err, out)
	}
}

func TestWriteDFXMLEdges(t *testing.T) {
	a := &catalog.Artefact{Exhibit: "EX-002", Ref: "0/0", Path: "/a", Type: "file"}
	tests := []struct {
		name string
		arts func() ([]*catalog.Artefact, bool)
		info DFXMLInfo
		want string // error text, "" for none
	}{
		{"other exhibit refused", func() ([]*catalog.Artefact, bool) { return []*catalog.Artefact{a}, false }, DFXMLInfo{Exhibit: "EX-001"}, "exhibit EX-002"},
		{"iterator error", func() ([]*catalog.Artefact, bool) { return []*catalog.Artefact{a}, true }, DFXMLInfo{}, "boom"},
		{"empty", func() ([]*catalog.Artefact, bool) { return nil, false }, DFXMLInfo{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arts, fail := tt.arts()
			src := seq(arts...)
			if fail {
				src = failAfter(arts...)
			}
			var buf bytes.Buffer
			err := WriteDFXML(context.Background(), &buf, src, tt.info)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				var doc xDFXML
				if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
					t.Fatalf("%v\n%s", err, buf.String())
				}
				xmllint(t, buf.Bytes())
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("volume per change", func(t *testing.T) {
		arts := []*catalog.Artefact{
			{Exhibit: "A", Partition: 0, Path: "/1"}, {Exhibit: "B", Partition: 0, Path: "/2"}, {Exhibit: "B", Partition: 0, Path: "/3"},
		}
		var buf bytes.Buffer
		if err := WriteDFXML(context.Background(), &buf, seq(arts...), DFXMLInfo{}); err != nil {
			t.Fatal(err)
		}
		var doc xDFXML
		if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Volumes) != 2 || len(doc.Volumes[1].Files) != 2 {
			t.Errorf("got %d volumes, want 2 (A, B)", len(doc.Volumes))
		}
	})
	t.Run("writer error", func(t *testing.T) {
		arts, info := dfxmlFixture(t)
		err := WriteDFXML(context.Background(), failWriter{}, seq(arts...), info)
		if !errors.Is(err, errBoom) {
			t.Fatalf("got %v", err)
		}
	})
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errBoom }

func TestISOTime(t *testing.T) {
	for _, c := range []struct {
		in   time.Time
		want string
	}{
		{ts(t, "2009-01-02T03:04:05Z"), "2009-01-02T03:04:05Z"},
		{ts(t, "2009-01-02T03:04:05.1Z"), "2009-01-02T03:04:05.1Z"},
		{ts(t, "2009-01-02T04:04:05+01:00"), "2009-01-02T03:04:05Z"},
	} {
		if got := isoTime(c.in); got != c.want {
			t.Errorf("isoTime(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
