package exif

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	goexif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"

	"github.com/pangolin-forensics/pangolin/extract"
)

// go-exif's tag index and IFD mapping, loaded once: its lazy loading is not
// safe for concurrent use, and after loading both are read under their own
// locks.
var (
	loadOnce   sync.Once
	tagIndex   *goexif.TagIndex
	ifdMapping *exifcommon.IfdMapping
	loadErr    error
)

func load() error {
	loadOnce.Do(func() {
		defer func() {
			if p := recover(); p != nil {
				loadErr = fmt.Errorf("load go-exif tag tables: %v", p)
			}
		}()
		ti := goexif.NewTagIndex()
		if err := goexif.LoadStandardTags(ti); err != nil {
			loadErr = fmt.Errorf("load go-exif tags: %w", err)
			return
		}
		im := exifcommon.NewIfdMapping()
		if err := exifcommon.LoadStandardIfds(im); err != nil {
			loadErr = fmt.Errorf("load go-exif IFDs: %w", err)
			return
		}
		tagIndex, ifdMapping = ti, im
	})
	return loadErr
}

// kept reports whether the value of key is kept for [decoder.finish]: the
// device, date and GPS tags.
func kept(k tagKey) bool {
	switch k.kind {
	case kindGPS:
		return true
	case kindIFD0:
		return k.tag == 0x010F || k.tag == 0x0110 || k.tag == 0x0132 || k.tag == 0xC62F
	case kindExif:
		switch k.tag {
		case 0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9290, 0x9291, 0x9292, 0xA431:
			return true
		}
	}
	return false
}

// tagKey identifies a tag within the IFDs read.
type tagKey struct {
	kind ifdKind
	tag  uint16
}

// decoder gathers the fields and typed values of one or more TIFF
// structures (CR3 keeps IFD0, Exif and GPS in separate ones).
type decoder struct {
	md     extract.Metadata
	text   map[tagKey]string
	rats   map[tagKey][]exifcommon.Rational
	bytes  map[tagKey][]byte
	budget int // value bytes that may still be decoded to text
	warns  int
}

func newDecoder() *decoder {
	return &decoder{
		md:     extract.Metadata{Format: "exif"},
		text:   make(map[tagKey]string, 16),
		rats:   make(map[tagKey][]exifcommon.Rational, 8),
		bytes:  make(map[tagKey][]byte, 4),
		budget: 1 << 20,
	}
}

func (d *decoder) add(name, value string) {
	d.md.Fields = append(d.md.Fields, extract.Field{Name: name, Value: value})
}

func (d *decoder) warning(msg string) {
	if d.warns < maxWarnings {
		d.warns++
		d.add("Warning", msg)
	}
}

// tiff decodes one TIFF structure b (a private copy, which is modified)
// whose root IFD is of kind root. base is b's offset in the file, for
// messages.
//
// The IFDs are walked by [prepareTIFF]; go-exif names each tag (its tag
// index, which also says which types a tag may have) and decodes numeric
// values (exifcommon.ValueContext). go-exif's own IFD enumerator is not
// used: it builds an error with a stack trace for every ordinary tag,
// which made it twenty times slower than the rest of the work together.
func (d *decoder) tiff(b []byte, root ifdKind, base int64) (*tiffInfo, error) {
	if err := load(); err != nil {
		return nil, err
	}
	ti, err := prepareTIFF(b, root, true)
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.Offset += base
		}
		return nil, err
	}
	for _, w := range ti.warnings {
		d.warning(w)
	}
	rs := bytes.NewReader(b)
	d.md.Fields = slices.Grow(d.md.Fields, len(ti.entries)+2)
	for _, e := range ti.entries {
		if e.Kind == kindIFD1 && (e.Tag == tagThumbOffset || e.Tag == tagThumbLength) {
			continue // reported below
		}
		d.entry(b, rs, ti, e)
	}
	if ti.thumbFound && root == kindIFD0 {
		d.add("ThumbnailOffset", strconv.FormatUint(uint64(ti.thumbOff), 10))
		d.add("ThumbnailLength", strconv.FormatUint(uint64(ti.thumbLen), 10))
		end := uint64(ti.thumbOff) + uint64(ti.thumbLen)
		if ti.thumbLen > 0 && ti.thumbLen <= maxThumbnail && end <= uint64(len(b)) && d.md.Thumbnail == nil {
			d.md.Thumbnail = append([]byte(nil), b[ti.thumbOff:end]...)
		}
	}
	return ti, nil
}

// identities are go-exif's identities of the IFD kinds.
var identities = map[ifdKind]*exifcommon.IfdIdentity{
	kindIFD0:    exifcommon.IfdStandardIfdIdentity,
	kindIFD1:    exifcommon.Ifd1StandardIfdIdentity,
	kindExif:    exifcommon.IfdExifStandardIfdIdentity,
	kindGPS:     exifcommon.IfdGpsInfoStandardIfdIdentity,
	kindInterop: exifcommon.IfdExifIopStandardIfdIdentity,
}

// lookup returns go-exif's tag definition, or nil for a tag it does not
// know or that has a type the tag may not have (which go-exif skips).
func lookup(k ifdKind, tag uint16, typ exifcommon.TagTypePrimitive) (it *goexif.IndexedTag) {
	defer func() {
		if recover() != nil {
			it = nil
		}
	}()
	it, err := tagIndex.Get(identities[k], tag)
	if err != nil || !typ.IsValid() || !it.DoesSupportType(typ) {
		return nil
	}
	return it
}

// entry turns one IFD entry into a field and keeps the values that
// Metadata needs.
func (d *decoder) entry(b []byte, rs *bytes.Reader, ti *tiffInfo, e rawEntry) {
	if e.Type == 0 {
		return
	}
	typ := exifcommon.TagTypePrimitive(e.Type)
	it := lookup(e.Kind, e.Tag, typ)
	if it == nil {
		return
	}
	name := exiftoolName(e.Kind, e.Tag, it.Name)
	key := tagKey{e.Kind, e.Tag}
	keep := kept(key)
	if e.Size > maxValueBytes || int(e.Size) > d.budget {
		d.add(name, fmt.Sprintf("(Binary data %d bytes)", e.Size))
		return
	}
	d.budget -= int(e.Size)
	var text string
	switch typ {
	case exifcommon.TypeUndefined, exifcommon.TypeAscii, exifcommon.TypeByte:
		raw := entryBytes(b, ti, e)
		if raw == nil {
			return
		}
		switch typ {
		case exifcommon.TypeUndefined:
			text = undefinedText(key, raw)
		case exifcommon.TypeAscii:
			text = asciiText(raw)
		default:
			text = byteText(name, raw)
		}
		if _, dup := d.bytes[key]; !dup && keep {
			d.bytes[key] = raw
		}
	default:
		var raw [4]byte
		ti.order.PutUint32(raw[:], e.Value)
		vc := exifcommon.NewValueContext(identities[e.Kind].UnindexedString(), e.Tag, e.Count, e.Value, raw[:], rs, typ, ti.order)
		v, err := values(vc)
		if err != nil {
			d.warning(fmt.Sprintf("%s %s: %v", e.Kind, name, err))
			return
		}
		if r, ok := v.([]exifcommon.Rational); ok && keep {
			if _, dup := d.rats[key]; !dup {
				d.rats[key] = r
			}
		}
		text = valueText(v)
	}
	if _, dup := d.text[key]; !dup && keep {
		d.text[key] = text
	}
	d.add(name, text)
}

// values decodes a numeric value with go-exif, turning a panic into an
// error.
func values(vc *exifcommon.ValueContext) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return vc.Values()
}

// entryBytes returns the bytes of a raw entry's value within b, or nil.
func entryBytes(b []byte, ti *tiffInfo, e rawEntry) []byte {
	if e.Size <= 4 {
		var v [4]byte
		ti.order.PutUint32(v[:], e.Value)
		return append([]byte(nil), v[:e.Size]...)
	}
	end := uint64(e.Value) + e.Size
	if end > uint64(len(b)) {
		return nil
	}
	return b[e.Value:end]
}

// asciiText returns an ASCII value as exiftool shows it: up to the first
// NUL, trailing spaces removed, invalid UTF-8 read as Latin-1.
func asciiText(raw []byte) string {
	if i := indexByte(raw, 0); i >= 0 {
		raw = raw[:i]
	}
	s := strings.TrimRight(string(raw), " ")
	if !utf8.ValidString(s) {
		r := make([]rune, 0, len(s))
		for _, c := range []byte(s) {
			r = append(r, rune(c))
		}
		s = string(r)
	}
	return s
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// byteText formats a BYTE value: Windows XP* tags as UTF-16LE text, short
// values as space-separated numbers, long ones as a size.
func byteText(name string, raw []byte) string {
	if strings.HasPrefix(name, "XP") {
		u := make([]uint16, 0, len(raw)/2)
		for i := 0; i+1 < len(raw); i += 2 {
			c := uint16(raw[i]) | uint16(raw[i+1])<<8
			if c == 0 {
				break
			}
			u = append(u, c)
		}
		return string(utf16.Decode(u))
	}
	if byteStrings[name] {
		return asciiText(raw)
	}
	if len(raw) > 64 {
		return fmt.Sprintf("(Binary data %d bytes)", len(raw))
	}
	var sb strings.Builder
	for i, c := range raw {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(strconv.Itoa(int(c)))
	}
	return sb.String()
}

// byteStrings are the BYTE tags (DNG's) that hold text.
var byteStrings = map[string]bool{
	"OriginalRawFileName": true, "ProfileName": true, "AsShotProfileName": true,
	"ProfileCopyright": true, "PreviewApplicationName": true,
	"PreviewApplicationVersion": true, "PreviewSettingsName": true,
	"LocalizedCameraModel": true, "CameraCalibrationSignature": true,
	"ProfileCalibrationSignature": true,
}

// undefinedText formats an UNDEFINED value: version numbers and GPS text as
// text, short values as numbers (as exiftool -n shows them), others as a
// size.
func undefinedText(k tagKey, raw []byte) string {
	switch {
	case k.tag == 0x9000 || k.tag == 0xA000 || k.kind == kindInterop && k.tag == 0x0002:
		return asciiText(raw) // ExifVersion, FlashpixVersion, InteropVersion
	case k.tag == 0x9286 || k.kind == kindGPS && (k.tag == 0x001B || k.tag == 0x001C):
		return commentText(raw) // UserComment, GPSProcessingMethod, GPSAreaInformation
	case k.tag == 0x927C:
		return fmt.Sprintf("(Binary data %d bytes)", len(raw)) // MakerNote
	}
	if len(raw) <= 16 {
		return byteText("", raw)
	}
	return fmt.Sprintf("(Binary data %d bytes)", len(raw))
}

// commentText decodes an EXIF comment: an 8-byte character code, then the
// text.
func commentText(raw []byte) string {
	if len(raw) < 8 {
		return asciiText(raw)
	}
	code, body := string(raw[:8]), raw[8:]
	if strings.HasPrefix(code, "UNICODE") {
		u := make([]uint16, 0, len(body)/2)
		for i := 0; i+1 < len(body); i += 2 {
			c := uint16(body[i])<<8 | uint16(body[i+1])
			if c == 0 {
				break
			}
			u = append(u, c)
		}
		return strings.TrimRight(string(utf16.Decode(u)), " ")
	}
	return asciiText(body)
}

// valueText formats a numeric value from go-exif: numbers separated by
// spaces, rationals as decimals at full precision ("undef" for 0/0, "inf"
// for n/0, as exiftool writes them).
func valueText(v any) string {
	var parts []string
	switch v := v.(type) {
	case []uint16:
		for _, x := range v {
			parts = append(parts, strconv.FormatUint(uint64(x), 10))
		}
	case []uint32:
		for _, x := range v {
			parts = append(parts, strconv.FormatUint(uint64(x), 10))
		}
	case []int32:
		for _, x := range v {
			parts = append(parts, strconv.FormatInt(int64(x), 10))
		}
	case []float32:
		for _, x := range v {
			parts = append(parts, strconv.FormatFloat(float64(x), 'f', -1, 32))
		}
	case []float64:
		for _, x := range v {
			parts = append(parts, strconv.FormatFloat(x, 'f', -1, 64))
		}
	case []exifcommon.Rational:
		for _, x := range v {
			parts = append(parts, ratText(float64(x.Numerator), float64(x.Denominator)))
		}
	case []exifcommon.SignedRational:
		for _, x := range v {
			parts = append(parts, ratText(float64(x.Numerator), float64(x.Denominator)))
		}
	default:
		return fmt.Sprint(v)
	}
	return strings.Join(parts, " ")
}

func ratText(n, d float64) string {
	if d == 0 {
		if n == 0 {
			return "undef"
		}
		return "inf"
	}
	return strconv.FormatFloat(n/d, 'f', -1, 64)
}

// finish fills Make, Model, Serial, Created and GPS from the values read.
func (d *decoder) finish() {
	md := &d.md
	md.Make = d.text[tagKey{kindIFD0, 0x010F}]
	md.Model = d.text[tagKey{kindIFD0, 0x0110}]
	for _, k := range []tagKey{{kindExif, 0xA431}, {kindIFD0, 0xC62F}} {
		if s := d.text[k]; s != "" {
			md.Serial = s
			break
		}
	}
	for _, c := range [][3]tagKey{
		{{kindExif, 0x9003}, {kindExif, 0x9291}, {kindExif, 0x9011}}, // DateTimeOriginal
		{{kindExif, 0x9004}, {kindExif, 0x9292}, {kindExif, 0x9012}}, // CreateDate
		{{kindIFD0, 0x0132}, {kindExif, 0x9290}, {kindExif, 0x9010}}, // DateTime
	} {
		if t, local, ok := parseDate(d.text[c[0]], d.text[c[1]], d.text[c[2]]); ok {
			md.Created, md.CreatedLocal = t, local
			break
		}
	}
	md.GPS = d.gps()
}

// parseDate parses an EXIF date "YYYY:MM:DD HH:MM:SS" with its sub-second
// digits and "±HH:MM" offset. Without an offset the time is returned as UTC
// with local set.
func parseDate(dt, sub, off string) (t time.Time, local bool, ok bool) {
	dt = strings.TrimSpace(dt)
	if len(dt) < 19 {
		return t, false, false
	}
	b := []byte(dt[:19])
	if b[4] == '-' && b[7] == '-' {
		b[4], b[7] = ':', ':'
	}
	if b[10] == 'T' {
		b[10] = ' '
	}
	t, err := time.Parse("2006:01:02 15:04:05", string(b))
	if err != nil {
		return t, false, false
	}
	sub = strings.TrimSpace(sub)
	if sub != "" && len(sub) <= 9 && isDigits(sub) {
		ns, _ := strconv.Atoi(sub + strings.Repeat("0", 9-len(sub)))
		t = t.Add(time.Duration(ns))
	}
	if z, ok := parseOffset(off); ok {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), z), false, true
	}
	return t, true, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseOffset parses an EXIF 2.31 offset "+HH:MM" or "-HH:MM".
func parseOffset(s string) (*time.Location, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !isDigits(s[1:3]) || !isDigits(s[4:6]) {
		return nil, false
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[4:6])
	if h > 14 || m > 59 {
		return nil, false
	}
	sec := h*3600 + m*60
	if s[0] == '-' {
		sec = -sec
	}
	return time.FixedZone(s, sec), true
}

// degrees converts an EXIF GPS coordinate (degrees, minutes, seconds as
// rationals; fewer parts allowed) to decimal degrees. It fails on a
// missing, empty or zero-denominator value.
func degrees(r []exifcommon.Rational) (float64, bool) {
	if len(r) == 0 {
		return 0, false
	}
	var v float64
	for i, x := range r[:min(len(r), 3)] {
		if x.Denominator == 0 {
			return 0, false
		}
		v += float64(x.Numerator) / float64(x.Denominator) / math.Pow(60, float64(i))
	}
	return v, true
}

// gps builds the GPS position from the GPS IFD, or returns nil when it
// records none.
func (d *decoder) gps() *extract.GPS {
	lat, ok1 := degrees(d.rats[tagKey{kindGPS, 0x0002}])
	lon, ok2 := degrees(d.rats[tagKey{kindGPS, 0x0004}])
	if !ok1 || !ok2 {
		return nil
	}
	g := &extract.GPS{}
	latRef := strings.ToUpper(strings.TrimSpace(d.text[tagKey{kindGPS, 0x0001}]))
	lonRef := strings.ToUpper(strings.TrimSpace(d.text[tagKey{kindGPS, 0x0003}]))
	if strings.HasPrefix(latRef, "S") {
		lat = -lat
	}
	if strings.HasPrefix(lonRef, "W") {
		lon = -lon
	}
	g.Latitude, g.Longitude = lat, lon
	var why []string
	if latRef == "" || lonRef == "" {
		why = append(why, "no hemisphere reference: north and east assumed")
	}
	if lat == 0 && lon == 0 {
		why = append(why, "0,0: a receiver without a fix writes zeros")
	}
	if math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		why = append(why, "out of range")
	}
	g.Suspicious = strings.Join(why, "; ")
	if r := d.rats[tagKey{kindGPS, 0x0006}]; len(r) > 0 && r[0].Denominator != 0 {
		alt := float64(r[0].Numerator) / float64(r[0].Denominator)
		if ref := d.bytes[tagKey{kindGPS, 0x0005}]; len(ref) > 0 && ref[0] == 1 {
			alt = -alt
		}
		g.Altitude = &alt
	}
	if r := d.rats[tagKey{kindGPS, 0x0011}]; len(r) > 0 && r[0].Denominator != 0 {
		dir := float64(r[0].Numerator) / float64(r[0].Denominator)
		g.Direction = &dir
	}
	g.Time = gpsTime(d.text[tagKey{kindGPS, 0x001D}], d.rats[tagKey{kindGPS, 0x0007}])
	return g
}

// gpsTime combines GPSDateStamp ("YYYY:MM:DD") and GPSTimeStamp (hours,
// minutes, seconds as rationals) into a UTC time, keeping fractional
// seconds; zero when either is missing or void.
func gpsTime(date string, hms []exifcommon.Rational) time.Time {
	date = strings.TrimSpace(date)
	if len(date) < 10 || len(hms) != 3 {
		return time.Time{}
	}
	day, err := time.Parse("2006:01:02", strings.ReplaceAll(date[:10], "-", ":"))
	if err != nil {
		return time.Time{}
	}
	var secs float64
	for i, x := range hms {
		if x.Denominator == 0 {
			return time.Time{}
		}
		secs += float64(x.Numerator) / float64(x.Denominator) * math.Pow(60, float64(2-i))
	}
	if secs < 0 || secs >= 86400+1 {
		return time.Time{}
	}
	return day.Add(time.Duration(math.Round(secs * 1e9)))
}
