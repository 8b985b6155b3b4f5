package index

import (
	"strings"

	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/pangolin-forensics/pangolin/extract"
)

// Field names: an API (saved queries and keyword lists use them): add
// fields, never rename them. The package doc lists them with their
// analysis.
const (
	FieldText      = "text"
	FieldLang      = "lang"
	FieldPath      = "path"
	FieldPathExact = "path_exact"
	FieldName      = "name"
	FieldExhibit   = "exhibit"
	FieldRef       = "ref"
	FieldType      = "type"
	FieldKind      = "kind"
	FieldMIME      = "mime"
	FieldSize      = "size"
	FieldModified  = "modified"
	FieldCreated   = "created"
	FieldDate      = "date"
	FieldSHA256    = "sha256"
	FieldMD5       = "md5"
	FieldKnown     = "known"
	FieldMake      = "make"
	FieldModel     = "model"
	FieldAuthor    = "author"
	FieldTag       = "tag"
	FieldEntity    = "entity"
	FieldLocation  = "location"
	FieldDeleted   = "deleted"
	FieldTruncated = "truncated"
)

// entityFields are the entity types that have a field of their own,
// named after the type (phone:+254712345678); every entity's value is
// also in the field "entity".
var entityFields = []string{
	extract.Email, extract.URL, extract.Domain, extract.Phone, extract.Bitcoin,
	extract.Ethereum, extract.Tron, extract.IBAN, extract.Coords, extract.IMO, extract.MMSI,
}

// schemaVersion is recorded in the index; an index with another version
// must be rebuilt. Changing the mapping, the analysis or the segment
// encoding bumps it. Version 2: positions without offsets, language
// fields stemmed at query time, compressed segments.
const schemaVersion = "2"

// newMapping returns the index mapping: one document type, no dynamic
// fields, nothing in bleve's "_all" field (queries without a field go to
// "text" and the language fields, see Search).
func newMapping() *mapping.IndexMappingImpl {
	text := func(analyzer string, store, vectors bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.IncludeTermVectors = vectors
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	keyword := func(analyzer string, store, docValues bool) *mapping.FieldMapping {
		f := text(analyzer, store, false)
		f.DocValues = docValues
		f.SkipFreqNorm = true
		return f
	}
	date := func(store bool) *mapping.FieldMapping {
		f := mapping.NewDateTimeFieldMapping()
		f.Store = store
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	dm := mapping.NewDocumentStaticMapping()
	add := func(name string, f *mapping.FieldMapping) {
		dm.AddFieldMappingsAt(name, f)
	}
	add(FieldText, text(textAnalyzer, false, true))
	// Only the languages of stemmedAtIndex fill their field; queries on
	// the others search "text" (see Index.stemVariants).
	for code, analyzer := range langAnalyzers {
		add(FieldText+"_"+code, text(analyzer, false, false))
	}
	add(FieldLang, keyword(keywordAnalyzer, false, true))
	add(FieldPath, text(pathAnalyzer, true, true))
	add(FieldPathExact, keyword(exactAnalyzer, false, false))
	add(FieldName, text(pathAnalyzer, false, true))
	add(FieldExhibit, keyword(exactAnalyzer, true, true))
	add(FieldRef, keyword(exactAnalyzer, true, false))
	add(FieldType, keyword(keywordAnalyzer, false, false))
	add(FieldKind, keyword(keywordAnalyzer, false, true))
	add(FieldMIME, keyword(keywordAnalyzer, true, false))
	size := mapping.NewNumericFieldMapping()
	size.Store, size.IncludeInAll, size.DocValues = true, false, false
	add(FieldSize, size)
	add(FieldModified, date(false))
	add(FieldCreated, date(false))
	add(FieldDate, date(true))
	add(FieldSHA256, keyword(keywordAnalyzer, true, false))
	add(FieldMD5, keyword(keywordAnalyzer, false, false))
	add(FieldKnown, keyword(keywordAnalyzer, false, false))
	add(FieldMake, text(textAnalyzer, false, true))
	add(FieldModel, text(textAnalyzer, false, true))
	add(FieldAuthor, text(textAnalyzer, false, true))
	add(FieldTag, keyword(keywordAnalyzer, false, false))
	add(FieldEntity, keyword(keywordAnalyzer, false, false))
	for _, e := range entityFields {
		add(e, keyword(keywordAnalyzer, false, false))
	}
	geo := mapping.NewGeoPointFieldMapping()
	geo.Store, geo.IncludeInAll, geo.DocValues = false, false, false
	add(FieldLocation, geo)
	for _, name := range []string{FieldDeleted, FieldTruncated} {
		b := mapping.NewBooleanFieldMapping()
		b.Store, b.IncludeInAll, b.DocValues = false, false, false
		add(name, b)
	}

	im := mapping.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = textAnalyzer
	im.DefaultField = FieldText
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false
	return im
}

// Kinds, the coarse content types of the "kind" field and [Query.Types].
const (
	KindPDF          = "pdf"
	KindImage        = "image"
	KindVideo        = "video"
	KindAudio        = "audio"
	KindEmail        = "email"
	KindDocument     = "document"
	KindSpreadsheet  = "spreadsheet"
	KindPresentation = "presentation"
	KindText         = "text"
	KindWeb          = "web"
	KindArchive      = "archive"
	KindDatabase     = "database"
	KindExecutable   = "executable"
	KindDir          = "dir"
	KindOther        = "other"
)

// Kind returns the coarse kind of an artefact of the given Type ("file",
// "dir"...) and MIME type: one of the Kind constants.
func Kind(typ, mime string) string {
	if typ == "dir" {
		return KindDir
	}
	m := strings.ToLower(strings.TrimSpace(mime))
	if i := strings.IndexByte(m, ';'); i >= 0 {
		m = strings.TrimSpace(m[:i])
	}
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(m, s) {
				return true
			}
		}
		return false
	}
	switch {
	case m == "":
		return KindOther
	case m == "application/pdf":
		return KindPDF
	case strings.HasPrefix(m, "image/"):
		return KindImage
	case strings.HasPrefix(m, "video/"):
		return KindVideo
	case strings.HasPrefix(m, "audio/"):
		return KindAudio
	case strings.HasPrefix(m, "message/"), has("mbox", "ms-outlook", "ms-tnef", "pst", "emlx"):
		return KindEmail
	case has("spreadsheet", "ms-excel", "text/csv", "tab-separated"):
		return KindSpreadsheet
	case has("presentation", "powerpoint"):
		return KindPresentation
	case has("wordprocessing", "msword", "opendocument.text", "rtf", "epub", "ms-word", "abiword", "wordperfect"):
		return KindDocument
	case m == "text/html", has("xhtml", "mhtml"):
		return KindWeb
	case strings.HasPrefix(m, "text/"), m == "application/json", m == "application/xml":
		return KindText
	case has("zip", "x-tar", "gzip", "x-7z", "rar", "bzip2", "x-xz", "zstd", "x-cpio", "x-iso9660", "java-archive", "vnd.android.package"):
		return KindArchive
	case has("sqlite", "x-msaccess", "x-dbf"):
		return KindDatabase
	case has("x-executable", "x-msdownload", "x-mach-binary", "x-elf", "x-dosexec", "x-sharedlib", "vnd.microsoft.portable-executable"):
		return KindExecutable
	}
	return KindOther
}
