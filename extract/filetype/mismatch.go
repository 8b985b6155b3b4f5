package filetype

import "strings"

// Name families: the extensions each kind of content legitimately goes by.
// A detected type's family is found by its canonical extension in
// familyOf; a type missing there goes by its canonical extension only.
var (
	zipNames = []string{
		"zip", "zipx",
		"docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm",
		"xlsb", "xlam", "pptx", "pptm", "potx", "potm", "ppsx", "ppsm",
		"vsdx", "vsdm", "vssx", "vstx", "xps", "oxps", "thmx",
		"odt", "ods", "odp", "odg", "odf", "odc", "odb", "odm", "ott",
		"ots", "otp", "otg", "sxw", "sxc", "sxi", "sxd",
		"epub", "jar", "war", "ear", "apk", "aab", "xapk", "ipa", "kmz",
		"xpi", "cbz", "whl", "nupkg", "vsix", "appx", "appxbundle",
		"msix", "3mf", "pages", "numbers", "key", "idml", "asice",
		"sce", "ora", "usdz",
	}
	oleNames = []string{
		"ole", "doc", "dot", "xls", "xlt", "xla", "ppt", "pot", "pps",
		"msg", "oft", "msi", "msp", "mst", "vsd", "vss", "vst", "pub",
		"wps", "mpp", "db",
		// Password-protected Office Open XML files are OLE files.
		"docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm",
		"xlsb", "pptx", "pptm", "potx", "ppsx", "ppsm",
	}
	tiffNames = []string{
		"tif", "tiff", "dng", "nef", "nrw", "arw", "srf", "sr2", "pef",
		"3fr", "erf", "mef", "mos", "srw", "dcr", "kdc", "cr2", "rwl",
		"iiq", "gpr", "fff",
	}
	heifNames = []string{"heic", "heif", "hif", "heics", "heifs", "avci"}
	mp4Names  = []string{
		"mp4", "m4v", "m4a", "m4b", "m4p", "m4r", "f4v", "f4a", "f4b",
		"f4p", "mp4v",
	}
	peNames = []string{"exe", "dll", "sys", "scr", "ocx", "cpl", "efi", "drv",
		"mui", "ax", "acm", "com", "pyd", "tsp", "winmd"}
)

// familyOf maps a canonical extension to the names its content goes by.
var familyOf = map[string][]string{}

func init() {
	for _, f := range [][]string{
		zipNames,
		oleNames,
		tiffNames,
		heifNames,
		mp4Names,
		peNames,
		{"jpg", "jpeg", "jpe", "jfif", "jif", "mpo", "jps", "thm"},
		{"png", "apng"},
		{"bmp", "dib"},
		{"ico", "cur"},
		{"psd", "psb"},
		{"jxr", "wdp", "hdp"},
		{"jp2", "jpx", "jpf", "jpm", "j2k"},
		{"mov", "qt"},
		{"3gp", "3gpp", "3g2", "3gp2"},
		{"mkv", "mka", "mks", "mk3d"},
		{"wmv", "wma", "asf"},
		{"mpg", "mpeg", "mpe", "m1v", "m2v", "m2p", "vob"},
		{"mp3", "mp2", "mpga"},
		{"wav", "wave"},
		{"ogg", "oga", "ogv", "opus", "spx", "ogx"},
		{"aiff", "aif", "aifc"},
		{"mid", "midi", "kar"},
		{"aac", "adts"},
		{"ttf", "otf"},
		{"gz", "tgz", "gzip", "svgz", "emz", "wmz"},
		{"bz2", "tbz", "tbz2", "bz"},
		{"xz", "txz"},
		{"zst", "zstd", "tzst"},
		{"rar", "cbr"},
		{"tar", "ova"},
		{"cab", "msu"},
		{"deb", "udeb"},
		{"ar", "a", "lib"},
		{"elf", "so", "o", "ko"},
		{"macho", "dylib", "bundle", "o"},
		{"rtf", "doc", "wri"},
		{"pdf", "ai"},
		{"ps", "eps", "ai"},
		{"sqlite", "sqlite3", "db", "db3", "sqlitedb", "s3db", "sl3"},
		{"pst", "ost", "nst"},
		{"rw2", "rwl"},
		{"orf", "ors"},
		{"dat", "hve", "hiv", "log", "log1", "log2", "sav"},
		{"dcm", "dicom"},
		{"dey", "odex"},
	} {
		for _, ext := range f {
			known[ext] = true
		}
		// Register each list under its first name, the canonical
		// extension; a few lists also serve other canonical names below.
		familyOf[f[0]] = f
	}
	for _, ext := range []string{"docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xlsb",
		"xltx", "pptx", "pptm", "ppsx", "vsdx", "epub", "odt", "ods", "odp", "odg"} {
		familyOf[ext] = zipNames
	}
	for _, ext := range []string{"doc", "xls", "ppt", "msg", "msi", "vsd", "pub"} {
		familyOf[ext] = oleNames
	}
	familyOf["cr2"] = tiffNames
	familyOf["heic"] = heifNames
	familyOf["heif"] = heifNames
	familyOf["avif"] = []string{"avif", "avifs", "heif"}
	familyOf["m4v"] = mp4Names
	familyOf["m4a"] = mp4Names
	familyOf["3g2"] = familyOf["3gp"]
	familyOf["webm"] = []string{"webm", "mkv"}
	familyOf["eps"] = familyOf["ps"]
	familyOf["otf"] = familyOf["ttf"]
	for _, ext := range []string{
		"gif", "webp", "jxl", "cr3", "avi", "flv", "flac", "amr", "woff",
		"woff2", "7z", "swf", "nes", "crx", "lz", "rpm", "iso", "wasm",
		"dex", "eot", "evtx", "evt", "lnk", "pf", "class", "avif", "avifs",
		"webm", "z", "raf", "crw", "mrw", "x3f",
	} {
		known[ext] = true
	}
	for _, ext := range textNames {
		known[ext] = true
	}
}

// known holds every extension in a family, plus the text extensions.
var known = map[string]bool{}

// textNames are extensions that promise text. Content with a binary
// signature under one of these names is a mismatch.
var textNames = []string{
	"txt", "text", "csv", "tsv", "log", "html", "htm", "xhtml", "xml",
	"json", "md", "markdown", "ini", "cfg", "conf", "yaml", "yml", "eml",
	"mbox", "ics", "vcf", "svg", "kml", "gpx", "srt", "vtt", "js", "css",
	"sql", "sh", "bat", "cmd", "ps1", "py", "nfo",
}

// genericNames say nothing about content; they are never a mismatch.
var genericNames = map[string]bool{
	"dat": true, "bin": true, "tmp": true, "temp": true, "bak": true,
	"old": true, "sav": true, "raw": true, "img": true, "dmp": true,
	"data": true, "out": true, "part": true, "partial": true,
	"crdownload": true, "download": true,
}

// Mismatch reports whether name's extension contradicts the detected type
// t: the extension is one this package knows (it names some type, or text),
// t is known, and the extension is not among the names t's content
// legitimately goes by. A name without an extension, with an unknown or
// generic extension (dat, bin, tmp, …), or a zero t, is never a mismatch.
// The package documentation lists the families. Extensions are compared
// ignoring ASCII case; trailing dots and spaces, which Windows ignores, are
// dropped first. Mismatch never panics.
func Mismatch(name string, t Type) bool {
	if (t == Type{}) || t.Extension == "" {
		return false
	}
	ext := extension(name)
	if ext == "" || genericNames[ext] {
		return false
	}
	canon := strings.ToLower(t.Extension)
	switch {
	case isEWFName(ext):
		return !isEWFName(canon)
	case isRARVolume(ext):
		return canon != "rar"
	case !known[ext]:
		return false
	}
	names, ok := familyOf[canon]
	if !ok {
		return ext != canon
	}
	return !contains(names, ext)
}

// extension returns the lower-cased extension of the last element of name,
// without the dot, or "" when there is none. A leading dot (".bashrc") does
// not start an extension.
func extension(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimRight(name, ". ")
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || strings.Trim(name[:i], ".") == "" {
		return ""
	}
	return strings.ToLower(name[i+1:])
}

// isEWFName reports whether ext names an EWF segment: eNN and sNN (EWF),
// lNN (logical), exNN and lxNN (EWF2), with NN two digits (01 to 99).
func isEWFName(ext string) bool {
	switch {
	case len(ext) == 3 && strings.ContainsRune("esl", rune(ext[0])):
		return isDigit(ext[1]) && isDigit(ext[2]) && ext[1:] != "00"
	case len(ext) == 4 && (ext[:2] == "ex" || ext[:2] == "lx"):
		return isDigit(ext[2]) && isDigit(ext[3]) && ext[2:] != "00"
	}
	return false
}

// isRARVolume reports whether ext names an old-style RAR volume (r00 to
// r99).
func isRARVolume(ext string) bool {
	return len(ext) == 3 && ext[0] == 'r' && isDigit(ext[1]) && isDigit(ext[2])
}
