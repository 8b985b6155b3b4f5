package ewf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// inflateHeader decompresses a header or header2 section, at most
// maxHeaderSize bytes.
func inflateHeader(b []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxHeaderSize+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxHeaderSize {
		return nil, errHeaderTooLong
	}
	return out, nil
}

var errHeaderTooLong = errors.New("decompressed header exceeds 1 MiB")

// decodeHeaderText turns header2 (UTF-16LE, with or without BOM) or header
// (ASCII or a Windows code page, read as Latin-1 when not UTF-8) into a
// string.
func decodeHeaderText(b []byte, wide bool) string {
	if bytes.HasPrefix(b, []byte{0xff, 0xfe}) {
		b, wide = b[2:], true
	}
	if wide {
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		return string(utf16.Decode(u))
	}
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// parseHeaderValues returns the key/value pairs of the "main" category of
// a header text.
func parseHeaderValues(text string) map[string]string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := 0; i+2 < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "main" {
			continue
		}
		keys := strings.Split(lines[i+1], "\t")
		vals := strings.Split(lines[i+2], "\t")
		m := make(map[string]string, len(keys))
		for k, key := range keys {
			if k < len(vals) {
				m[strings.TrimSpace(key)] = vals[k]
			}
		}
		return m
	}
	return nil
}

// parseHeaderTime reads a header date: Unix seconds (header2) or
// "Y M D h m s" in the acquiring machine's unstated time zone (header),
// which is read as UTC.
func parseHeaderTime(s string) time.Time {
	f := strings.Fields(s)
	switch len(f) {
	case 1:
		sec, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || sec <= 0 || sec > 1<<40 {
			return time.Time{}
		}
		return time.Unix(sec, 0).UTC()
	case 6:
		var v [6]int
		for i, x := range f {
			n, err := strconv.Atoi(x)
			if err != nil || n < 0 || n > 9999 {
				return time.Time{}
			}
			v[i] = n
		}
		return time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], 0, time.UTC)
	}
	return time.Time{}
}

// applyHeader fills the acquisition fields of info that are still empty
// from the values of one header section.
func applyHeader(info *Info, m map[string]string) {
	set := func(dst *string, key string) {
		if *dst == "" {
			*dst = m[key]
		}
	}
	set(&info.CaseNumber, "c")
	set(&info.EvidenceNumber, "n")
	set(&info.Description, "a")
	set(&info.Examiner, "e")
	set(&info.Notes, "t")
	set(&info.Model, "md")
	set(&info.SerialNumber, "sn")
	set(&info.SoftwareVersion, "av")
	set(&info.OS, "ov")
	if info.AcquisitionDate.IsZero() {
		info.AcquisitionDate = parseHeaderTime(m["m"])
	}
	if info.SystemDate.IsZero() {
		info.SystemDate = parseHeaderTime(m["u"])
	}
}

// headerField makes s safe inside a tab-separated header line.
func headerField(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// buildHeader2 returns the uncompressed header2 text as ewfacquire writes
// it for EnCase 6, UTF-16LE with BOM.
func buildHeader2(o *WriterOptions) []byte {
	f := headerField
	text := "3\nmain\na\tc\tn\te\tt\tmd\tsn\tav\tov\tm\tu\tp\tdc\n" +
		f(o.Description) + "\t" + f(o.CaseNumber) + "\t" + f(o.EvidenceNumber) + "\t" +
		f(o.Examiner) + "\t" + f(o.Notes) + "\t\t\t" + f(o.Software) + "\t" + f(o.OS) + "\t" +
		strconv.FormatInt(o.AcquiredAt.Unix(), 10) + "\t" + strconv.FormatInt(o.SystemAt.Unix(), 10) +
		"\t0\t\n\nsrce\n0\t1\np\tn\tid\tev\ttb\tlo\tpo\tah\tgu\taq\n0\t0\n\t\t\t\t\t-1\t-1\t\t\t\n\n" +
		"sub\n0\t1\np\tn\tid\tnu\tco\tgu\n0\t0\n\t\t\t\t1\t\n\n"
	u := utf16.Encode([]rune(text))
	b := make([]byte, 2, 2+2*len(u))
	b[0], b[1] = 0xff, 0xfe
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// buildHeader returns the uncompressed header text, in Latin-1 with "?"
// for characters outside it; dates are written in their own time zone.
func buildHeader(o *WriterOptions) []byte {
	f := headerField
	date := func(t time.Time) string {
		return strconv.Itoa(t.Year()) + " " + strconv.Itoa(int(t.Month())) + " " + strconv.Itoa(t.Day()) + " " +
			strconv.Itoa(t.Hour()) + " " + strconv.Itoa(t.Minute()) + " " + strconv.Itoa(t.Second())
	}
	text := "1\r\nmain\r\nc\tn\ta\te\tt\tav\tov\tm\tu\tp\r\n" +
		f(o.CaseNumber) + "\t" + f(o.EvidenceNumber) + "\t" + f(o.Description) + "\t" +
		f(o.Examiner) + "\t" + f(o.Notes) + "\t" + f(o.Software) + "\t" + f(o.OS) + "\t" +
		date(o.AcquiredAt) + "\t" + date(o.SystemAt) + "\t0\r\n\r\n"
	b := make([]byte, 0, len(text))
	for _, r := range text {
		if r > 0xff {
			r = '?'
		}
		b = append(b, byte(r))
	}
	return b
}
