// Package extract holds what pangolin's extractors read from evidence
// files: metadata (photo EXIF and GPS, video, documents, email), text for
// the index, and entities (phone numbers, emails, wallets, vessels) found in
// both. One subpackage per format family does the reading (filetype, exif,
// media, doc, pdf, email, entities); this package holds the types they
// share, so that the processing pipeline stores them all the same way.
//
// Extractors take the file's content as an io.ReaderAt and its size, treat
// it as hostile (bounded memory and time, errors rather than panics), and
// never print; storing results is the pipeline's job.
package extract

import "time"

// Metadata is what one extractor read from one file.
type Metadata struct {
	// Format names the metadata's source: "exif", "xmp", "quicktime",
	// "pdf", "ooxml", "odf", "rtf", "email".
	Format string `json:"format"`
	// Fields holds every field read, in file order, named as exiftool
	// names them where it has a name ("Make", "Model",
	// "DateTimeOriginal", "Author", "Producer"), values as text.
	Fields []Field `json:"fields,omitempty"`
	// GPS is the position the file records; nil when it records none
	// (empty or void GPS tags count as none).
	GPS *GPS `json:"gps,omitempty"`
	// Created is when the content was made (DateTimeOriginal with its
	// sub-seconds and offset, a video's creation time, a document's
	// creation date); zero when unknown. A time recorded without a zone
	// is given in UTC and CreatedLocal is set.
	Created      time.Time `json:"created,omitzero"`
	CreatedLocal bool      `json:"created_local,omitempty"`
	// Modified is the document's own last-modified date, if it keeps one.
	Modified time.Time `json:"modified,omitzero"`
	// Device is the camera or phone that made a photo or video.
	Make   string `json:"make,omitempty"`
	Model  string `json:"model,omitempty"`
	Serial string `json:"serial,omitempty"`
	// Author and LastAuthor name a document's writers.
	Author     string `json:"author,omitempty"`
	LastAuthor string `json:"last_author,omitempty"`
	// Thumbnail is an embedded preview image (JPEG), when small enough to
	// keep (at most 64 KiB).
	Thumbnail []byte `json:"-"`
}

// Field is one named metadata value.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// GPS is a recorded position.
type GPS struct {
	// Latitude and Longitude are WGS 84 decimal degrees, south and west
	// negative, at the full precision recorded.
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	// Altitude is metres above sea level (negative below); nil when not
	// recorded.
	Altitude *float64 `json:"altitude,omitempty"`
	// Time is the GPS time stamp (UTC); zero when not recorded.
	Time time.Time `json:"time,omitzero"`
	// Direction is the direction the camera faced, in degrees; nil when
	// not recorded.
	Direction *float64 `json:"direction,omitempty"`
	// Suspicious, when set, says why the position is doubtful ("0,0:
	// a receiver without a fix writes zeros").
	Suspicious string `json:"suspicious,omitempty"`
}

// Entity is a thing of interest found in text or metadata, validated and
// normalised.
type Entity struct {
	// Type is one of the Entity types below.
	Type string `json:"type"`
	// Value is the normalised form: E.164 for phones, lower-case for
	// emails and domains, the address for wallets, "IMO 9074729".
	Value string `json:"value"`
	// Raw is the text as it was written.
	Raw string `json:"raw"`
	// Offset is the byte offset of Raw in the text searched.
	Offset int64 `json:"offset"`
}

// Entity types.
const (
	Email    = "email"
	URL      = "url"
	Domain   = "domain"
	Phone    = "phone"
	Bitcoin  = "bitcoin"
	Ethereum = "ethereum"
	Tron     = "tron"
	IBAN     = "iban"
	Coords   = "coords"
	IMO      = "imo"
	MMSI     = "mmsi"
)
