package filetype

import (
	"bytes"
	"compress/flate"
	"io"
	"strings"

	"github.com/h2non/filetype/matchers"
)

// zipMimetypes maps the content of a stored "mimetype" first entry, as EPUB
// (OCF 3.3 §4.3) and OpenDocument (ODF 1.3 part 2 §3.3) require it, to a
// type.
var zipMimetypes = map[string]Type{
	typeEPUB.MIME: typeEPUB,
	typeODT.MIME:  typeODT,
	typeODS.MIME:  typeODS,
	typeODP.MIME:  typeODP,
	typeODG.MIME:  typeODG,
}

// ooxmlRules are the library's Office Open XML checks, which look for the
// word/, xl/ or ppt/ folder among the first local file headers.
var ooxmlRules = []rule{
	lib(matchers.Document, matchers.TypeDocx, nil),
	lib(matchers.Document, matchers.TypeXlsx, nil),
	lib(matchers.Document, matchers.TypePptx, nil),
}

// ooxmlContentTypes maps the content type of an Office Open XML package's
// main part, as [Content_Types].xml declares it (ECMA-376 part 2 §10.1), to
// a type. Checked in this order; a macro-enabled type is reported as such.
var ooxmlContentTypes = []struct {
	main string
	t    Type
}{
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", Type{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"}},
	{"application/vnd.ms-word.document.macroEnabled.main+xml", Type{"application/vnd.ms-word.document.macroEnabled.12", "docm"}},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", Type{"application/vnd.openxmlformats-officedocument.wordprocessingml.template", "dotx"}},
	{"application/vnd.ms-word.template.macroEnabledTemplate.main+xml", Type{"application/vnd.ms-word.template.macroEnabled.12", "dotm"}},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", Type{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"}},
	{"application/vnd.ms-excel.sheet.macroEnabled.main+xml", Type{"application/vnd.ms-excel.sheet.macroEnabled.12", "xlsm"}},
	{"application/vnd.ms-excel.sheet.binary.macroEnabled.main", Type{"application/vnd.ms-excel.sheet.binary.macroEnabled.12", "xlsb"}},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", Type{"application/vnd.openxmlformats-officedocument.spreadsheetml.template", "xltx"}},
	{"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", Type{"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"}},
	{"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml", Type{"application/vnd.ms-powerpoint.presentation.macroEnabled.12", "pptm"}},
	{"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml", Type{"application/vnd.openxmlformats-officedocument.presentationml.slideshow", "ppsx"}},
	{"application/vnd.ms-visio.drawing.main+xml", Type{"application/vnd.ms-visio.drawing.main+xml", "vsdx"}},
}

// ooxmlFolders maps the top folder of an Office Open XML package's parts to
// a type, for packages whose [Content_Types].xml cannot be read from the
// head.
var ooxmlFolders = []struct {
	prefix string
	t      Type
}{
	{"word/", ooxmlContentTypes[0].t},
	{"xl/", ooxmlContentTypes[4].t},
	{"ppt/", ooxmlContentTypes[8].t},
}

const (
	zipMaxEntries     = 64       // local headers looked at in the head
	zipMaxInflated    = 64 << 10 // bytes of [Content_Types].xml inflated
	zipLocalHeaderLen = 30
)

// zipContainer matches a ZIP archive (a local file header, an empty archive
// or a spanning marker) and names the container format from the entries
// whose local headers lie in the head, in this order of evidence:
//
//  1. a "mimetype" entry, as EPUB (OCF 3.3 §4.3) and OpenDocument
//     (ODF 1.3 part 2 §3.3) require first and stored, though not every
//     writer complies;
//  2. the main part's content type in [Content_Types].xml, inflated from
//     the head (Office Open XML, including macro-enabled variants);
//  3. the library's Office Open XML check;
//  4. a word/, xl/ or ppt/ entry.
//
// A ZIP local file header is:
//
//	0  signature "PK\x03\x04"
//	4  version needed (2), flags (2)
//	8  compression method (2): 0 stored, 8 deflated
//	10 time (2), date (2), CRC-32 (4)
//	18 compressed size (4), 22 uncompressed size (4)
//	26 name length (2), 28 extra field length (2)
//	30 name, then extra field, then data
func zipContainer(head []byte) (Type, bool) {
	if !matchers.Zip(head) {
		return Type{}, false
	}
	var folder Type
	off := 0
	for range zipMaxEntries {
		i := bytes.Index(head[off:], []byte("PK\x03\x04"))
		if i < 0 {
			break
		}
		off += i
		hdr := off
		name, data, ok := zipEntry(head, hdr)
		if !ok {
			break
		}
		off += zipLocalHeaderLen
		switch {
		case name == "mimetype":
			content := zipContent(head, hdr, data, 256)
			if t, ok := zipMimetypes[string(bytes.TrimSpace(content))]; ok {
				return t, true
			}
		case name == "[Content_Types].xml":
			if t, ok := ooxmlMain(zipContent(head, hdr, data, zipMaxInflated)); ok {
				return t, true
			}
		case (folder == Type{}):
			for _, f := range ooxmlFolders {
				if strings.HasPrefix(name, f.prefix) {
					folder = f.t
				}
			}
		}
	}
	// The library's OOXML check adds 49 to the first entry's compressed
	// size in 32 bits and converts it to int, which goes negative (and
	// panics) where int has 32 bits. No real first entry is that large.
	if size, ok := u32le(head, 18); ok && size < 1<<30 {
		for _, r := range ooxmlRules {
			if t, ok := r(head); ok {
				return t, true
			}
		}
	}
	if (folder != Type{}) {
		return folder, true
	}
	return typeZip, true
}

// zipEntry decodes the local file header at off and returns the entry's
// name and the part of its (possibly compressed) data inside head.
func zipEntry(head []byte, off int) (name string, data []byte, ok bool) {
	nameLen, ok1 := u16le(head, off+26)
	extraLen, ok2 := u16le(head, off+28)
	size, ok3 := u32le(head, off+18)
	if !ok1 || !ok2 || !ok3 {
		return "", nil, false
	}
	nameEnd := off + zipLocalHeaderLen + int(nameLen)
	if nameEnd > len(head) {
		return "", nil, false
	}
	start := nameEnd + int(extraLen)
	if start > len(head) {
		start = len(head)
	}
	end := uint64(start) + uint64(size)
	if size == 0 || end > uint64(len(head)) {
		// Unknown size (data descriptor) or data beyond the head.
		end = uint64(len(head))
	}
	return string(head[off+zipLocalHeaderLen : nameEnd]), head[start:end], true
}

// zipContent returns up to limit bytes of the content of the entry whose
// local header is at off and whose data in the head is data: the data
// itself when stored, as much as inflates from the head when deflated, nil
// for other methods.
func zipContent(head []byte, off int, data []byte, limit int64) []byte {
	method, _ := u16le(head, off+8)
	switch method {
	case 0:
		return data[:min(int64(len(data)), limit)]
	case 8:
		// A stream cut off by the end of the head still yields what was
		// inflated before it; the error says only that.
		r := flate.NewReader(bytes.NewReader(data))
		b, _ := io.ReadAll(io.LimitReader(r, limit))
		r.Close()
		return b
	}
	return nil
}

// ooxmlMain finds the main part's content type in the text of
// [Content_Types].xml.
func ooxmlMain(xml []byte) (Type, bool) {
	for _, c := range ooxmlContentTypes {
		if bytes.Contains(xml, []byte(`"`+c.main+`"`)) {
			return c.t, true
		}
	}
	return Type{}, false
}
