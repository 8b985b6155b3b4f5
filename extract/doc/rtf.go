package doc

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/extract"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// RTF, as in Microsoft's "Rich Text Format (RTF) Specification, version
// 1.9.1" (2008). A document is a group {\rtf1 ...} of control words
// (\word or \wordN, ended by a space that belongs to the word or by any
// other non-letter), control symbols (\ followed by one non-letter), groups
// in braces, and text bytes in the code page in force. A group that starts
// with \* is a destination a reader may ignore when it does not know it.

const (
	maxRTFDepth   = 512
	maxRTFWord    = 32
	maxRTFPending = 4096
)

// rtfDest is where the text of the current group goes.
type rtfDest uint8

const (
	destText     rtfDest = iota
	destSkip             // ignored
	destFontTbl          // font table: \fN, \fcharsetN, \cpgN
	destInfo             // the \info group
	destInfoText         // an \info text field (\title, \author...)
	destInfoTime         // an \info date (\creatim...)
)

type rtfState struct {
	dest  rtfDest
	uc    int // bytes that stand in for each \uN (\ucN, default 1)
	font  int
	field string // info field name for destInfoText and destInfoTime
	star  bool   // the group began with \*
	first bool   // no control word seen yet in this group
	// upr marks an \upr group (Word 97): its first child group holds the
	// ANSI form of its text, skipped for the Unicode form in \*\ud.
	upr     bool
	uprKids int
}

// rtfInfoText maps \info text destinations to exiftool's names.
var rtfInfoText = map[string]string{
	"title": "Title", "subject": "Subject", "author": "Author", "operator": "LastModifiedBy",
	"keywords": "Keywords", "comment": "Comment", "doccomm": "Comments", "company": "Company",
	"category": "Category", "manager": "Manager", "hlinkbase": "HyperlinkBase",
}

// rtfInfoTime maps \info date destinations to exiftool's names.
var rtfInfoTime = map[string]string{
	"creatim": "CreateDate", "revtim": "ModifyDate", "printim": "LastPrinted", "buptim": "BackupTime",
}

// rtfInfoNumber maps \info numeric control words to exiftool's names.
var rtfInfoNumber = map[string]string{
	"version": "RevisionNumber", "vern": "InternalVersionNumber", "edmins": "TotalEditTime",
	"nofpages": "Pages", "nofwords": "Words", "nofchars": "Characters",
	"nofcharsws": "CharactersWithSpaces", "id": "InternalIDNumber",
}

// rtfSkipDest are destinations whose content is not document text.
var rtfSkipDest = map[string]bool{
	"colortbl": true, "stylesheet": true, "listtable": true, "listoverridetable": true,
	"revtbl": true, "rsidtbl": true, "generator": true, "xmlnstbl": true, "themedata": true,
	"colorschememapping": true, "datastore": true, "latentstyles": true, "pict": true,
	"objdata": true, "fldinst": true, "filetbl": true, "pgdsctbl": true, "bkmkstart": true,
	"bkmkend": true, "private": true, "pntext": true, "pntxta": true, "pntxtb": true,
	"atnid": true, "atnauthor": true, "atndate": true, "xe": true, "tc": true, "txe": true,
	"sn": true, "sv": true, "nonshppict": true, "userprops": true, "docvar": true,
	"template": true, "fchars": true, "lchars": true, "listtext": true, "protusertbl": true,
	"blipuid": true, "wgrffmtfilter": true, "mmathPr": true, "passwordhash": true,
	"pgptbl": true, "defchp": true, "defpap": true, "objclass": true, "objname": true,
	"falt": true, "panose": true, "fname": true, "listpicture": true,
}

// rtfSymbols are control words that stand for text.
var rtfSymbols = map[string]string{
	"par": "\n", "line": "\n", "sect": "\n", "page": "\n", "row": "\n", "nestrow": "\n",
	"tab": "\t", "cell": "\t", "nestcell": "\t",
	"emdash": "—", "endash": "–", "bullet": "•", "lquote": "‘", "rquote": "’",
	"ldblquote": "“", "rdblquote": "”", "emspace": " ", "enspace": " ", "qmspace": " ",
}

type rtfReader struct {
	br       *bufio.Reader
	off      int64
	stack    []rtfState
	overflow int // groups opened beyond maxRTFDepth
	st       rtfState
	ansicpg  int
	deff     int
	fonts    map[int]int // font number -> code page
	fontNum  int
	pending  []byte // text bytes not yet decoded
	pendCP   int
	ucSkip   int
	hiSurr   rune // a high surrogate from \uN waiting for its pair
	out      *sink
	m        *extract.Metadata
	field    strings.Builder
	tm       [6]int // \yr \mo \dy \hr \min \sec
	infoDone bool
	decoders map[int]*encoding.Decoder
}

// readRTF reads an RTF document: metadata always, text when wantText.
// With wantText false it stops after the \info group.
func readRTF(r io.Reader, lim Limits, wantText bool) (*extract.Metadata, *sink, error) {
	p := &rtfReader{
		br:       bufio.NewReader(io.LimitReader(r, lim.MaxInput)),
		st:       rtfState{uc: 1},
		ansicpg:  1252,
		fonts:    map[int]int{},
		m:        &extract.Metadata{Format: "rtf"},
		decoders: map[int]*encoding.Decoder{},
	}
	if wantText {
		p.out = newSink(lim.MaxText)
	}
	head, err := p.br.Peek(5)
	if err != nil || string(head) != "{\\rtf" {
		return nil, p.out, &FormatError{Msg: "no {\\rtf header"}
	}
	err = p.run()
	if err == errFull {
		err = nil
	}
	if err != nil {
		return nil, p.out, err
	}
	for _, f := range p.m.Fields {
		switch f.Name {
		case "Author":
			p.m.Author = f.Value
		case "LastModifiedBy":
			p.m.LastAuthor = f.Value
		case "CreateDate":
			p.m.Created, p.m.CreatedLocal = parseW3CDTF(f.Value)
		case "ModifyDate":
			p.m.Modified, _ = parseW3CDTF(f.Value)
		}
	}
	return p.m, p.out, nil
}

func (p *rtfReader) readByte() (byte, error) {
	c, err := p.br.ReadByte()
	if err == nil {
		p.off++
	}
	return c, err
}

func (p *rtfReader) run() error {
	for {
		c, err := p.readByte()
		if err == io.EOF {
			return p.flush()
		}
		if err != nil {
			return err
		}
		switch c {
		case '{':
			if err := p.flush(); err != nil {
				return err
			}
			p.ucSkip = 0
			if len(p.stack) >= maxRTFDepth {
				p.overflow++
				continue
			}
			p.stack = append(p.stack, p.st)
			p.st.star = false
			p.st.first = true
			p.st.upr, p.st.uprKids = false, 0
			if parent := &p.stack[len(p.stack)-1]; parent.upr {
				parent.uprKids++
				if parent.uprKids == 1 {
					p.st.dest = destSkip
				}
			}
		case '}':
			if err := p.flush(); err != nil {
				return err
			}
			p.ucSkip = 0
			if p.overflow > 0 {
				p.overflow--
				continue
			}
			if len(p.stack) == 0 {
				return nil // end of document
			}
			p.endGroup()
			p.st = p.stack[len(p.stack)-1]
			p.stack = p.stack[:len(p.stack)-1]
			if p.infoDone && p.out == nil {
				return nil
			}
		case '\\':
			if err := p.control(); err != nil {
				return err
			}
		case '\r', '\n':
		case '\t':
			if err := p.flush(); err != nil {
				return err
			}
			p.emit("\t")
		default:
			if p.ucSkip > 0 {
				p.ucSkip--
				continue
			}
			p.st.first = false
			if c < 0x20 {
				continue
			}
			p.addByte(c)
		}
	}
}

// endGroup finishes the destination of the group being closed.
func (p *rtfReader) endGroup() {
	switch p.st.dest {
	case destInfoText:
		if v := strings.TrimSpace(p.field.String()); v != "" {
			p.m.Fields = append(p.m.Fields, extract.Field{Name: p.st.field, Value: v})
		}
		p.field.Reset()
	case destInfoTime:
		t := p.tm
		if t[0] > 0 {
			p.m.Fields = append(p.m.Fields, extract.Field{Name: p.st.field,
				Value: fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", t[0], max(t[1], 1), max(t[2], 1), t[3], t[4], t[5])})
		}
		p.tm = [6]int{}
	case destInfo:
		if len(p.stack) > 0 && p.stack[len(p.stack)-1].dest != destInfo {
			p.infoDone = true
		}
	}
}

// control reads a control word or symbol after a backslash.
func (p *rtfReader) control() error {
	c, err := p.readByte()
	if err != nil {
		return p.flush()
	}
	if !isASCIILetter(c) {
		return p.symbol(c)
	}
	var wb [maxRTFWord]byte
	w := wb[:0]
	w = append(w, c)
	for {
		c, err = p.readByte()
		if err != nil || !isASCIILetter(c) {
			break
		}
		if len(w) < maxRTFWord {
			w = append(w, c)
		}
	}
	word := string(w)
	hasParam, param := false, 0
	if err == nil && (c == '-' || isDigit(c)) {
		neg := c == '-'
		digits := 0
		if neg {
			c, err = p.readByte()
		}
		for err == nil && isDigit(c) {
			if digits < 10 {
				param = param*10 + int(c-'0')
			}
			digits++
			hasParam = true
			c, err = p.readByte()
		}
		if neg {
			param = -param
		}
	}
	if err == nil && c != ' ' {
		if uerr := p.br.UnreadByte(); uerr == nil {
			p.off--
		}
	}
	return p.word(word, hasParam, param)
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool       { return c >= '0' && c <= '9' }

// symbol handles a control symbol: \' hex escapes, escaped braces and
// backslashes, and the special characters.
func (p *rtfReader) symbol(c byte) error {
	if c == '\'' {
		h1, err1 := p.readByte()
		h2, err2 := p.readByte()
		if err1 != nil || err2 != nil {
			return p.flush()
		}
		v, err := strconv.ParseUint(string([]byte{h1, h2}), 16, 8)
		if err != nil {
			return nil
		}
		if p.ucSkip > 0 {
			p.ucSkip--
			return nil
		}
		p.st.first = false
		p.addByte(byte(v))
		return nil
	}
	if p.ucSkip > 0 {
		p.ucSkip--
		return nil
	}
	if err := p.flush(); err != nil {
		return err
	}
	switch c {
	case '\\', '{', '}':
		p.addByte(c)
	case '~':
		p.emit("\u00a0")
	case '_':
		p.emit("-")
	case '\n', '\r':
		p.emit("\n")
	case '*':
		p.st.star = true
	}
	return nil
}

// word handles a control word.
func (p *rtfReader) word(w string, hasParam bool, n int) error {
	if w == "bin" {
		// \binN: N bytes of binary data follow, counted as one character.
		if hasParam && n > 0 {
			if _, err := p.br.Discard(n); err != nil {
				return p.flush()
			}
			p.off += int64(n)
		}
		if p.ucSkip > 0 {
			p.ucSkip--
		}
		return nil
	}
	if p.ucSkip > 0 {
		p.ucSkip--
		return nil
	}
	if w != "u" {
		if err := p.flush(); err != nil {
			return err
		}
	}
	first := p.st.first
	p.st.first = false
	if p.st.dest == destSkip {
		return nil
	}
	// Destinations.
	if first || p.st.star {
		switch {
		case w == "shpinst" || w == "shptxt" || w == "ud" || w == "fldrslt":
			return nil
		case w == "upr":
			p.st.upr = true
			return nil
		case w == "fonttbl":
			p.st.dest = destFontTbl
			return nil
		case w == "info":
			p.st.dest = destInfo
			return nil
		case p.st.dest == destInfo && rtfInfoText[w] != "":
			p.st.dest, p.st.field = destInfoText, rtfInfoText[w]
			p.field.Reset()
			return nil
		case p.st.dest == destInfo && rtfInfoTime[w] != "":
			p.st.dest, p.st.field = destInfoTime, rtfInfoTime[w]
			p.tm = [6]int{}
			return nil
		case rtfSkipDest[w]:
			p.st.dest = destSkip
			return nil
		case p.st.star && first:
			// An ignorable destination this reader does not know.
			p.st.dest = destSkip
			return nil
		}
	}
	switch p.st.dest {
	case destFontTbl:
		switch w {
		case "f":
			p.fontNum = n
		case "fcharset":
			if cp := charsetCodePage(n); cp != 0 {
				p.fonts[p.fontNum] = cp
			}
		case "cpg":
			if n > 0 {
				p.fonts[p.fontNum] = n
			}
		}
		return nil
	case destInfoTime:
		switch w {
		case "yr":
			p.tm[0] = n
		case "mo":
			p.tm[1] = n
		case "dy":
			p.tm[2] = n
		case "hr":
			p.tm[3] = n
		case "min":
			p.tm[4] = n
		case "sec":
			p.tm[5] = n
		}
		return nil
	case destInfo:
		if name := rtfInfoNumber[w]; name != "" && hasParam {
			p.m.Fields = append(p.m.Fields, extract.Field{Name: name, Value: strconv.Itoa(n)})
		}
		return nil
	}
	switch w {
	case "ansicpg":
		if n > 0 {
			p.ansicpg = n
		}
	case "ansi":
	case "mac":
		p.ansicpg = 10000
	case "pc":
		p.ansicpg = 437
	case "pca":
		p.ansicpg = 850
	case "deff":
		p.deff = n
		p.st.font = n
	case "f":
		p.st.font = n
	case "plain":
		p.st.font = p.deff
	case "uc":
		if n >= 0 && n <= 16 {
			p.st.uc = n
		}
	case "u":
		r := rune(n)
		if r < 0 {
			r += 65536
		}
		p.ucSkip = p.st.uc
		p.unicode(r)
	default:
		if s, ok := rtfSymbols[w]; ok {
			p.emit(s)
		}
	}
	return nil
}

// unicode writes a \uN character, pairing UTF-16 surrogates.
func (p *rtfReader) unicode(r rune) {
	if err := p.flush(); err != nil {
		return
	}
	switch {
	case utf16.IsSurrogate(r) && r < 0xDC00:
		p.hiSurr = r
		return
	case utf16.IsSurrogate(r):
		if p.hiSurr != 0 {
			r = utf16.DecodeRune(p.hiSurr, r)
		} else {
			r = utf8.RuneError
		}
	case r == 0:
		return
	}
	p.hiSurr = 0
	p.emit(string(r))
}

func (p *rtfReader) codePage() int {
	if cp, ok := p.fonts[p.st.font]; ok {
		return cp
	}
	return p.ansicpg
}

// addByte queues a text byte for decoding in the current code page.
func (p *rtfReader) addByte(c byte) {
	if p.st.dest == destSkip || p.st.dest == destFontTbl || p.st.dest == destInfo || p.st.dest == destInfoTime {
		return
	}
	cp := p.codePage()
	if len(p.pending) > 0 && (cp != p.pendCP || len(p.pending) >= maxRTFPending) {
		if p.flush() != nil {
			return
		}
	}
	p.pendCP = cp
	p.pending = append(p.pending, c)
}

// flush decodes the queued bytes and writes them.
func (p *rtfReader) flush() error {
	if len(p.pending) == 0 {
		return nil
	}
	b := p.pending
	p.pending = p.pending[:0]
	p.hiSurr = 0
	var s string
	if d := p.decoder(p.pendCP); d != nil {
		out, err := d.Bytes(b)
		if err != nil {
			s = string(b)
		} else {
			s = string(out)
		}
	} else {
		s = string(b)
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return p.emitErr(s)
}

func (p *rtfReader) emit(s string) { _ = p.emitErr(s) }

func (p *rtfReader) emitErr(s string) error {
	switch p.st.dest {
	case destText:
		if p.out != nil {
			return p.out.text(s)
		}
	case destInfoText:
		if p.field.Len()+len(s) <= maxFieldLen {
			p.field.WriteString(s)
		}
	}
	return nil
}

func (p *rtfReader) decoder(cp int) *encoding.Decoder {
	if d, ok := p.decoders[cp]; ok {
		return d
	}
	var d *encoding.Decoder
	if e := codePageEncoding(cp); e != nil {
		d = e.NewDecoder()
	}
	p.decoders[cp] = d
	return d
}

// codePageEncoding returns the encoding of a Windows code page number, or
// nil for UTF-8 and unknown code pages (bytes are then kept as UTF-8 where
// valid).
func codePageEncoding(cp int) encoding.Encoding {
	switch cp {
	case 437:
		return charmap.CodePage437
	case 850:
		return charmap.CodePage850
	case 852:
		return charmap.CodePage852
	case 855:
		return charmap.CodePage855
	case 858:
		return charmap.CodePage858
	case 860:
		return charmap.CodePage860
	case 862:
		return charmap.CodePage862
	case 863:
		return charmap.CodePage863
	case 865:
		return charmap.CodePage865
	case 866:
		return charmap.CodePage866
	case 874:
		return charmap.Windows874
	case 932:
		return japanese.ShiftJIS
	case 936, 54936:
		return simplifiedchinese.GB18030
	case 949:
		return korean.EUCKR
	case 950:
		return traditionalchinese.Big5
	case 1250:
		return charmap.Windows1250
	case 1251:
		return charmap.Windows1251
	case 1252:
		return charmap.Windows1252
	case 1253:
		return charmap.Windows1253
	case 1254:
		return charmap.Windows1254
	case 1255:
		return charmap.Windows1255
	case 1256:
		return charmap.Windows1256
	case 1257:
		return charmap.Windows1257
	case 1258:
		return charmap.Windows1258
	case 10000:
		return charmap.Macintosh
	case 10007:
		return charmap.MacintoshCyrillic
	case 20866:
		return charmap.KOI8R
	case 21866:
		return charmap.KOI8U
	case 28591:
		return charmap.ISO8859_1
	case 28592:
		return charmap.ISO8859_2
	case 28595:
		return charmap.ISO8859_5
	case 28605:
		return charmap.ISO8859_15
	case 65001:
		return nil
	}
	return charmap.Windows1252
}

// charsetCodePage maps a font's \fcharset to a code page; 0 means the
// document's \ansicpg.
func charsetCodePage(cs int) int {
	switch cs {
	case 77:
		return 10000
	case 128:
		return 932
	case 129:
		return 949
	case 134:
		return 936
	case 136:
		return 950
	case 161:
		return 1253
	case 162:
		return 1254
	case 163:
		return 1258
	case 177:
		return 1255
	case 178:
		return 1256
	case 186:
		return 1257
	case 204:
		return 1251
	case 222:
		return 874
	case 238:
		return 1250
	case 254:
		return 437
	}
	return 0
}
