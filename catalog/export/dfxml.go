package export

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/internal/pctenc"
)

// DFXMLNamespace is the namespace of the elements pangolin adds to DFXML
// (prefix "pangolin"); DFXML readers ignore elements they do not know.
const DFXMLNamespace = "https://github.com/pangolin-forensics/pangolin/dfxml"

// DFXMLInfo describes the run and the image for the head of a DFXML
// document. Empty fields are left out.
type DFXMLInfo struct {
	// Program and Version name the producing program (<creator>).
	Program, Version string
	// CommandLine and Start describe the run (<execution_environment>).
	CommandLine string
	Start       time.Time
	// ImageFilename and ImageSize describe the source (<source>); a size
	// of 0 is left out.
	ImageFilename string
	ImageSize     int64
	// Case is the case id (<pangolin:case>). Exhibit is the exhibit id
	// (<dc:identifier>); when set, artefacts of other exhibits are refused.
	Case, Exhibit string
	// Volumes describe the partitions, where known, for <volume>.
	Volumes []DFXMLVolume
}

// DFXMLVolume describes one partition for its <volume> element.
type DFXMLVolume struct {
	// Partition is the partition index, as in [catalog.Artefact].
	Partition int
	// Offset is the partition's start in bytes from the start of the
	// image (<volume offset>, <partition_offset>).
	Offset int64
	// BlockSize is the file system's block or cluster size in bytes
	// (<block_size>); 0 is left out.
	BlockSize int64
	// FSType names the file system, "fat16", "ntfs", "ext4" (<ftype_str>).
	FSType string
}

// WriteDFXML writes arts as a DFXML 1.0 document in the layout of fiwalk
// (The Sleuth Kit), with "\n" line ends and two-space indents:
//
//	<?xml version='1.0' encoding='UTF-8'?>
//	<dfxml xmloutputversion='1.0' version='1.0' xmlns=DFXML xmlns:dc=… xmlns:pangolin=…>
//	  <metadata> <dc:type>Disk Image</dc:type> <dc:identifier>EXHIBIT
//	             <pangolin:case>CASE
//	  <creator version='1.0'> <program> <version>
//	             <execution_environment> <command_line> <start_time>
//	  <source> <image_filename> <image_size>
//	  <volume offset='N'> (offset only when info.Volumes has the partition)
//	    <partition_offset> <block_size> <ftype_str> (when known)
//	    <pangolin:partition_index>  the partition index, from 0
//	    <fileobject> … one per artefact
//	  </volume>
//	</dfxml>
//
// A new <volume> starts whenever the exhibit or partition changes from
// one artefact to the next, so artefacts ordered by partition (the
// catalogue's order) give one <volume> each. Each <fileobject> holds, in
// fiwalk's order:
//
//	<filename>      the path without its leading '/', as fiwalk writes it
//	                ("dir/a.txt", "a.txt:stream"); encoding='percent' when
//	                percent-encoded (see the package documentation)
//	<partition>     the partition index + 1 (fiwalk counts from 1)
//	<id>            1, 2, … in document order
//	<name_type>     r, d, l, v or -
//	<filesize>
//	<alloc>1</alloc> or <unalloc>1</unalloc>, then <alloc_name>1 or 0
//	<inode>
//	<meta_type>     TSK's number: 1 file, 2 folder, 6 link, 10 virtual, 0 other
//	<mode>          permission bits in decimal, as fiwalk (511 for 0777)
//	<mtime> <ctime> <atime> <crtime>  ISO 8601 UTC, "2009-01-02T03:04:05Z",
//	                with the fraction when there is one; absent when zero
//	<link_target>   a symbolic link's target, when the reader found it
//	<hashdigest type='md5'>, 'sha1', 'sha256'  lower-case hex, when known
//	<pangolin:ref>, <pangolin:parent>  the artefact's Ref, and its
//	                archive's when it is an archive member
//
// <parent_object> (the parent folder's inode), <byte_runs>, <nlink>, <uid>
// and <gid> are not written: the catalogue does not keep them. It returns
// the first error of arts or w.
func WriteDFXML(ctx context.Context, w io.Writer, arts iter.Seq2[*catalog.Artefact, error], info DFXMLInfo) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := bufio.NewWriterSize(w, 64<<10)
	dfxmlHead(b, info)
	vols := map[int]DFXMLVolume{}
	for _, v := range info.Volumes {
		vols[v.Partition] = v
	}
	open := false
	var curEx string
	var curPart int
	n := 0
	for a, err := range arts {
		if err != nil {
			return err
		}
		n++
		if err := checkCtx(ctx, n); err != nil {
			return err
		}
		if info.Exhibit != "" && a.Exhibit != info.Exhibit {
			return fmt.Errorf("artefact %s/%s: exhibit %s in the DFXML of exhibit %s", a.Exhibit, a.Ref, a.Exhibit, info.Exhibit)
		}
		if !open || a.Exhibit != curEx || a.Partition != curPart {
			if open {
				b.WriteString("  </volume>\n")
			}
			v, known := vols[a.Partition]
			dfxmlVolume(b, a.Partition, v, known)
			open, curEx, curPart = true, a.Exhibit, a.Partition
		}
		dfxmlFile(b, a, n)
		if b.Buffered() > 32<<10 {
			if err := b.Flush(); err != nil {
				return err
			}
		}
	}
	if open {
		b.WriteString("  </volume>\n")
	}
	b.WriteString("</dfxml>\n")
	return b.Flush()
}

// dfxmlHead writes the document up to the first volume.
func dfxmlHead(b *bufio.Writer, info DFXMLInfo) {
	b.WriteString("<?xml version='1.0' encoding='UTF-8'?>\n" +
		"<dfxml xmloutputversion='1.0' version='1.0'\n" +
		"  xmlns='http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML'\n" +
		"  xmlns:dc='http://purl.org/dc/elements/1.1/'\n" +
		"  xmlns:pangolin='" + DFXMLNamespace + "'>\n" +
		"  <metadata>\n" +
		"    <dc:type>Disk Image</dc:type>\n")
	xmlElem(b, "    ", "dc:identifier", info.Exhibit)
	xmlElem(b, "    ", "pangolin:case", info.Case)
	b.WriteString("  </metadata>\n" +
		"  <creator version='1.0'>\n")
	xmlElem(b, "    ", "program", info.Program)
	xmlElem(b, "    ", "version", info.Version)
	if info.CommandLine != "" || !info.Start.IsZero() {
		b.WriteString("    <execution_environment>\n")
		xmlElem(b, "      ", "command_line", info.CommandLine)
		if !info.Start.IsZero() {
			xmlElem(b, "      ", "start_time", isoTime(info.Start))
		}
		b.WriteString("    </execution_environment>\n")
	}
	b.WriteString("  </creator>\n")
	if info.ImageFilename != "" || info.ImageSize != 0 {
		b.WriteString("  <source>\n")
		xmlElem(b, "    ", "image_filename", info.ImageFilename)
		if info.ImageSize != 0 {
			xmlElem(b, "    ", "image_size", strconv.FormatInt(info.ImageSize, 10))
		}
		b.WriteString("  </source>\n")
	}
}

// dfxmlVolume opens a <volume> and writes what is known of it.
func dfxmlVolume(b *bufio.Writer, part int, v DFXMLVolume, known bool) {
	if !known {
		b.WriteString("  <volume>\n")
	} else {
		off := strconv.FormatInt(v.Offset, 10)
		b.WriteString("  <volume offset='" + off + "'>\n")
		xmlElem(b, "    ", "partition_offset", off)
		if v.BlockSize != 0 {
			xmlElem(b, "    ", "block_size", strconv.FormatInt(v.BlockSize, 10))
		}
		xmlElem(b, "    ", "ftype_str", v.FSType)
	}
	xmlElem(b, "    ", "pangolin:partition_index", strconv.Itoa(part))
}

// dfxmlFile writes one <fileobject>.
func dfxmlFile(b *bufio.Writer, a *catalog.Artefact, id int) {
	const in = "      "
	letter, meta := tskType(a)
	b.WriteString("    <fileobject>\n")
	p, enc := pctenc.Encode(strings.TrimPrefix(fullPath(a), "/"), pctenc.XMLChar)
	b.WriteString(in + "<filename")
	if enc {
		b.WriteString(" encoding='percent'")
	}
	b.WriteString(">")
	xml.EscapeText(b, []byte(p))
	b.WriteString("</filename>\n")
	xmlElem(b, in, "partition", strconv.Itoa(a.Partition+1))
	xmlElem(b, in, "id", strconv.Itoa(id))
	xmlElem(b, in, "name_type", string(letter))
	xmlElem(b, in, "filesize", strconv.FormatInt(a.Size, 10))
	if a.Deleted {
		xmlElem(b, in, "unalloc", "1")
		xmlElem(b, in, "alloc_name", "0")
	} else {
		xmlElem(b, in, "alloc", "1")
		xmlElem(b, in, "alloc_name", "1")
	}
	xmlElem(b, in, "inode", strconv.FormatUint(a.Inode, 10))
	xmlElem(b, in, "meta_type", strconv.Itoa(meta))
	xmlElem(b, in, "mode", strconv.FormatUint(uint64(permBits(a)), 10))
	for _, t := range []struct {
		name string
		t    time.Time
	}{{"mtime", a.Modified}, {"ctime", a.Changed}, {"atime", a.Accessed}, {"crtime", a.Born}} {
		if !t.t.IsZero() {
			xmlElem(b, in, t.name, isoTime(t.t))
		}
	}
	if target := a.Extra["link_target"]; target != "" {
		t, enc := pctenc.Encode(target, pctenc.XMLChar)
		b.WriteString(in + "<link_target")
		if enc {
			b.WriteString(" encoding='percent'")
		}
		b.WriteString(">")
		xml.EscapeText(b, []byte(t))
		b.WriteString("</link_target>\n")
	}
	for _, h := range []struct{ typ, sum string }{{"md5", a.MD5}, {"sha1", a.SHA1}, {"sha256", a.SHA256}} {
		if h.sum != "" {
			b.WriteString(in + "<hashdigest type='" + h.typ + "'>")
			xml.EscapeText(b, []byte(strings.ToLower(h.sum)))
			b.WriteString("</hashdigest>\n")
		}
	}
	xmlElem(b, in, "pangolin:ref", a.Ref)
	xmlElem(b, in, "pangolin:parent", a.Parent)
	b.WriteString("    </fileobject>\n")
}

// isoTime formats t in UTC as ISO 8601 with the fraction when there is
// one: "2009-01-02T03:04:05Z", "2009-01-02T03:04:05.5Z".
func isoTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.999999999Z")
}

// xmlElem writes <name>text</name> on its own line, or nothing for empty
// text. Invalid UTF-8 and characters XML cannot carry become U+FFFD
// (xml.EscapeText).
func xmlElem(b *bufio.Writer, indent, name, text string) {
	if text == "" {
		return
	}
	b.WriteString(indent + "<" + name + ">")
	xml.EscapeText(b, []byte(text))
	b.WriteString("</" + name + ">\n")
}
