package pdf

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/reports/fonts"
)

// WriteTo writes the document to w. It is [Document.Bytes] followed by
// one Write.
func (d *Document) WriteTo(w io.Writer) (int64, error) {
	b, err := d.Bytes()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// Bytes returns the document as a PDF 1.7 file. Equal content and
// Options give equal bytes. Bytes can be called again after more
// content is added; a document with no content is one blank page.
//
// The file holds, in this order: the catalog (object 1), the page tree
// (2), the Info dictionary (3), the resources shared by every page (4),
// then each page and its content stream, then for each face used a
// Type0 font, its CIDFontType2 descendant, font descriptor, subset font
// program, ToUnicode CMap and CIDToGIDMap, then the images. The trailer's
// ID is the MD5 digest of everything before the cross-reference table.
func (d *Document) Bytes() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	d.cur()
	n := len(d.pages)
	footers := make([][]byte, n)
	if d.footer != nil {
		for i := range footers {
			var b bytes.Buffer
			if lines := d.layout(d.footer(i+1, n), styleFooter, contentW); len(lines) > 0 {
				l := lines[0]
				b.WriteString("0.35 g\n")
				d.text(&b, l.glyphs, styleFooter.size, (pageW-l.width)/2, footerY)
			}
			footers[i] = b.Bytes()
		}
	}
	if d.err != nil {
		return nil, d.err
	}

	// Object numbers.
	const catalogN, pagesN, infoN, resN = 1, 2, 3, 4
	next := 5
	pageN := make([]int, n)
	for i := range pageN {
		pageN[i] = next
		next += 2 // page, content
	}
	var used []fonts.Face
	fontN := map[fonts.Face]int{}
	for f, u := range d.faces {
		if u != nil && len(u.entries) > 0 {
			used = append(used, fonts.Face(f))
			fontN[fonts.Face(f)] = next
			next += 6
		}
	}
	imageN := make([]int, len(d.images))
	for i, img := range d.images {
		imageN[i] = next
		next++
		if img.alpha != nil {
			next++
		}
	}

	w := &objWriter{out: []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), offs: map[int]int64{}}
	w.object(catalogN, fmt.Sprintf("<</Type/Catalog/Pages %d 0 R>>", pagesN))
	var kids strings.Builder
	for i, p := range pageN {
		if i > 0 {
			kids.WriteByte(' ')
		}
		fmt.Fprintf(&kids, "%d 0 R", p)
	}
	w.object(pagesN, fmt.Sprintf("<</Type/Pages/Kids[%s]/Count %d>>", kids.String(), n))
	w.object(infoN, d.info())
	var res strings.Builder
	res.WriteString("<<")
	if len(used) > 0 {
		res.WriteString("/Font<<")
		for _, f := range used {
			fmt.Fprintf(&res, "/F%d %d 0 R", f+1, fontN[f])
		}
		res.WriteString(">>")
	}
	if len(imageN) > 0 {
		res.WriteString("/XObject<<")
		for i, o := range imageN {
			fmt.Fprintf(&res, "/Im%d %d 0 R", i+1, o)
		}
		res.WriteString(">>")
	}
	res.WriteString(">>")
	w.object(resN, res.String())
	for i, p := range d.pages {
		w.object(pageN[i], fmt.Sprintf("<</Type/Page/Parent %d 0 R/MediaBox[0 0 %s %s]/Resources %d 0 R/Contents %d 0 R>>",
			pagesN, num(pageW), num(pageH), resN, pageN[i]+1))
		content := append(slices.Clip(p.content.Bytes()), footers[i]...)
		w.stream(pageN[i]+1, "/Filter/FlateDecode", deflate(content))
	}
	for _, f := range used {
		if err := d.writeFont(w, f, fontN[f]); err != nil {
			return nil, err
		}
	}
	for i, img := range d.images {
		writeImage(w, img, imageN[i])
	}
	id := md5.Sum(w.out)
	w.xref(true, fmt.Sprintf("/Size %d/Root %d 0 R/Info %d 0 R/ID[<%x><%x>]", next, catalogN, infoN, id, id))
	return w.out, nil
}

// info returns the Info dictionary. Text strings are UTF-16BE in hex, so
// no input can end a string early.
func (d *Document) info() string {
	var b strings.Builder
	b.WriteString("<<")
	for _, kv := range [][2]string{
		{"Title", d.opts.Title}, {"Author", d.opts.Author},
		{"Subject", d.opts.Subject}, {"Producer", d.opts.Producer},
	} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "/%s%s", kv[0], textString(string(clean(kv[1]))))
		}
	}
	if t := d.opts.Created; !t.IsZero() {
		fmt.Fprintf(&b, "/CreationDate(D:%sZ)", t.UTC().Format("20060102150405"))
	}
	b.WriteString(">>")
	return b.String()
}

// textString encodes s as a PDF text string: hex digits of UTF-16BE with
// a byte order mark.
func textString(s string) string {
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return "<" + hex.EncodeToString(b) + ">"
}

// writeFont writes face's objects, numbered from n: Type0 font,
// CIDFontType2 font, font descriptor, FontFile2, ToUnicode, CIDToGIDMap.
func (d *Document) writeFont(w *objWriter, face fonts.Face, n int) error {
	u := d.faces[face]
	f := u.font
	gids := make([]uint16, len(u.entries))
	for i, e := range u.entries {
		gids[i] = e.gid
	}
	prog, newID, err := f.subset(gids)
	if err != nil {
		return fmt.Errorf("subset %s: %w", face, err)
	}
	sum := sha256.Sum256(prog)
	var tag [6]byte
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	name := string(tag[:]) + "+" + f.psName

	var widths strings.Builder
	cidToGID := make([]byte, 2, 2*len(u.entries)+2)
	fmt.Fprintf(&widths, "[0[%d", f.width(0))
	for _, e := range u.entries {
		fmt.Fprintf(&widths, " %d", f.width(e.gid))
		cidToGID = binary.BigEndian.AppendUint16(cidToGID, newID[e.gid])
	}
	widths.WriteString("]]")

	flags := 32 // nonsymbolic
	if face == fonts.Mono {
		flags |= 1 // fixed pitch
	}
	stemV := 80
	if face == fonts.SansBold {
		stemV = 140
	}
	w.object(n, fmt.Sprintf("<</Type/Font/Subtype/Type0/BaseFont/%s/Encoding/Identity-H/DescendantFonts[%d 0 R]/ToUnicode %d 0 R>>",
		name, n+1, n+4))
	w.object(n+1, fmt.Sprintf("<</Type/Font/Subtype/CIDFontType2/BaseFont/%s/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/FontDescriptor %d 0 R/W%s/CIDToGIDMap %d 0 R>>",
		name, n+2, widths.String(), n+5))
	w.object(n+2, fmt.Sprintf("<</Type/FontDescriptor/FontName/%s/Flags %d/FontBBox[%d %d %d %d]/ItalicAngle 0/Ascent %d/Descent %d/CapHeight %d/StemV %d/FontFile2 %d 0 R>>",
		name, flags, f.scale(f.bbox[0]), f.scale(f.bbox[1]), f.scale(f.bbox[2]), f.scale(f.bbox[3]),
		f.scale(f.ascent), f.scale(f.descent), f.scale(f.capHeight), stemV, n+3))
	w.stream(n+3, fmt.Sprintf("/Length1 %d/Filter/FlateDecode", len(prog)), deflate(prog))
	w.stream(n+4, "/Filter/FlateDecode", deflate(toUnicode(u.entries)))
	w.stream(n+5, "/Filter/FlateDecode", deflate(cidToGID))
	return nil
}

// toUnicode returns a ToUnicode CMap (Adobe Technical Note #5411) mapping
// CID i+1 to the text of entries[i].
func toUnicode(entries []cidKey) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(entries); i += 100 {
		chunk := entries[i:min(i+100, len(entries))]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for j, e := range chunk {
			fmt.Fprintf(&b, "<%04X> <", i+j+1)
			for _, u := range utf16.Encode([]rune(e.text)) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

func writeImage(w *objWriter, img *image, n int) {
	dict := fmt.Sprintf("/Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/%s/BitsPerComponent 8/Filter/%s",
		img.w, img.h, img.space, img.filter)
	data := img.data
	if img.filter == "FlateDecode" {
		data = deflate(data)
	}
	if img.alpha != nil {
		dict += fmt.Sprintf("/SMask %d 0 R", n+1)
	}
	w.stream(n, dict, data)
	if img.alpha != nil {
		w.stream(n+1, fmt.Sprintf("/Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/DeviceGray/BitsPerComponent 8/Filter/FlateDecode",
			img.w, img.h), deflate(img.alpha))
	}
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	z := zlib.NewWriter(&out)
	z.Write(b) // writes to a bytes.Buffer do not fail
	z.Close()
	return out.Bytes()
}

// objWriter appends indirect objects to a file and records their
// offsets for the cross-reference table.
type objWriter struct {
	out  []byte
	offs map[int]int64
}

func (w *objWriter) begin(n int) {
	w.offs[n] = int64(len(w.out))
	w.out = fmt.Appendf(w.out, "%d 0 obj\n", n)
}

// object writes object n with the given body.
func (w *objWriter) object(n int, body string) {
	w.begin(n)
	w.out = append(w.out, body...)
	w.out = append(w.out, "\nendobj\n"...)
}

// stream writes object n as a stream with dictionary entries dict (to
// which it adds Length) and data.
func (w *objWriter) stream(n int, dict string, data []byte) {
	w.begin(n)
	w.out = fmt.Appendf(w.out, "<<%s/Length %d>>\nstream\n", dict, len(data))
	w.out = append(w.out, data...)
	w.out = append(w.out, "\nendstream\nendobj\n"...)
}

// xref writes the cross-reference section for the objects written,
// then the trailer with the entries given and startxref. full adds the
// head of the free list, object 0, as a complete file's first section
// needs.
func (w *objWriter) xref(full bool, trailer string) {
	start := len(w.out)
	nums := make([]int, 0, len(w.offs)+1)
	for n := range w.offs {
		nums = append(nums, n)
	}
	if full {
		nums = append(nums, 0)
	}
	slices.Sort(nums)
	w.out = append(w.out, "xref\n"...)
	for i := 0; i < len(nums); {
		j := i + 1
		for j < len(nums) && nums[j] == nums[j-1]+1 {
			j++
		}
		w.out = fmt.Appendf(w.out, "%d %d\n", nums[i], j-i)
		for _, n := range nums[i:j] {
			if n == 0 {
				w.out = append(w.out, "0000000000 65535 f\r\n"...)
			} else {
				w.out = fmt.Appendf(w.out, "%010d 00000 n\r\n", w.offs[n])
			}
		}
		i = j
	}
	w.out = fmt.Appendf(w.out, "trailer\n<<%s>>\nstartxref\n%d\n%%%%EOF\n", trailer, start)
}
