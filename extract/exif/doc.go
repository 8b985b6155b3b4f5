// Package exif reads the EXIF metadata of photos: camera make, model and
// serial number, when the photo was taken, where (GPS), and every other tag
// of the TIFF, Exif, GPS and Interoperability IFDs, as an
// [extract.Metadata] from [Photo].
//
// # Formats
//
// [Photo] recognises the container from the file's first bytes:
//
//   - JPEG: the first APP1 segment starting "Exif\0" and the first APP1
//     XMP packet ("http://ns.adobe.com/xap/1.0/\0"). Only the marker
//     segments before the start of scan are read, never the image data.
//   - TIFF and TIFF-based camera raw files (DNG, NEF, NRW, CR2, ARW, PEF,
//     SR2, ORF, RW2 and others): the file is the TIFF structure. Only the
//     prefix that holds IFD0, IFD1 and the Exif, GPS and Interoperability
//     IFDs and their values is read, at most 16 MiB.
//   - PNG: the eXIf chunk, or a tEXt, zTXt or iTXt chunk "Raw profile type
//     exif" or "Raw profile type APP1" (ImageMagick's hex encoding), and the
//     "XML:com.adobe.xmp" iTXt chunk.
//   - WebP: the RIFF "EXIF" and "XMP " chunks.
//   - HEIC, HEIF and AVIF (ISO BMFF): the item of type "Exif" found through
//     the meta box's iinf and iloc boxes (anywhere in the file, also in
//     idat), and an XMP item of content type "application/rdf+xml".
//   - Canon CR3: the CMT1, CMT2 and CMT4 boxes in moov's Canon uuid box, and
//     the XMP uuid box.
//   - XMP sidecar files: the GPS position only.
//
// # What is returned
//
// Fields lists every tag go-exif decodes, in file order, named as exiftool
// names them (go-exif's names where exiftool has no other), with values as
// exiftool -n prints them: numbers separated by spaces, rationals as
// decimals at full precision ("undef" for 0/0), ASCII up to its first NUL
// without trailing spaces, long binary values as "(Binary data N bytes)".
// IFD1's thumbnail appears as ThumbnailOffset and ThumbnailLength. Repairs
// made to a damaged structure are listed as "Warning" fields.
//
// Make and Model come from IFD0; Serial from the Exif BodySerialNumber or
// DNG's CameraSerialNumber. Created is DateTimeOriginal, else CreateDate
// (DateTimeDigitized), else DateTime, with the matching SubSecTime* digits
// and OffsetTime* zone; without a zone the wall-clock time is given in UTC
// and CreatedLocal is set.
//
// GPS comes from the GPS IFD: latitude and longitude as degrees + minutes/60
// + seconds/3600, each rational divided in float64 from its numerator and
// denominator, signed by GPSLatitudeRef and GPSLongitudeRef; the altitude
// signed by GPSAltitudeRef (1 means below sea level); the time from
// GPSDateStamp and GPSTimeStamp in UTC with its fractions of a second; the
// direction from GPSImgDirection. Missing, empty, zero-count or 0/0
// ("void") latitude or longitude means no position: GPS is nil. A position
// of exactly 0,0, one without hemisphere references, or one out of range is
// returned with Suspicious saying why. When the EXIF data has no GPS
// latitude or longitude tags at all, the position in the file's XMP packet
// (exif:GPSLatitude "DDD,MM.mmk") is used instead; when the EXIF tags are
// there but void, GPS stays nil as in exiftool, and the XMP values still
// appear as "XMP-exif:GPSLatitude" fields. When only XMP holds a position,
// Format is "xmp".
//
// # What is left to others
//
// Maker notes are not decoded (MakerNote appears as its size), so serial
// numbers that only a maker note holds (Canon, Nikon, ...) are not read.
// Other XMP properties, IPTC, ICC profiles, Photoshop resources, video
// metadata (QuickTime, MP4), and camera raw formats that are not TIFF-based
// (CRW, RAF, MRW, X3F) are not read here. GIF, BMP, JPEG 2000 and JPEG XL
// are not recognised. Tags go-exif does not know, or that carry a type
// other than the one the EXIF standard gives them, are skipped by go-exif.
// Detecting the content type of arbitrary files is package filetype's job;
// storing the results is the pipeline's.
//
// # Security
//
// Input is treated as hostile; a panic is a bug. Every offset and length
// read from the file (JPEG segment lengths, PNG and RIFF chunk sizes, box
// sizes, iloc extents, IFD offsets and value offsets) is checked against
// the file size or the enclosing structure, with 64-bit arithmetic, before
// anything is allocated or read. Blocks are capped: a JPEG EXIF segment is
// at most 64 KiB, an EXIF or XMP block from PNG, WebP or ISO BMFF at most
// 1 MiB, a HEIF meta box 4 MiB, a TIFF prefix 16 MiB; compressed PNG text
// inflates to at most 1 MiB. Loops over segments, chunks and boxes stop
// after 65,536 steps.
//
// The TIFF structure is walked by this package, which follows IFD0, IFD1
// and the Exif, GPS and Interoperability IFDs, each at most once (a pointer
// to an IFD already read, a second pointer of the same kind, and next-IFD
// links other than IFD0's are not followed), cuts an IFD's entry count to
// what fits in the data, and ignores entries whose values lie outside it,
// adding a Warning field for each. github.com/dsoprea/go-exif/v3 supplies
// the tag names and the types each tag may have (its tag index) and decodes
// the numeric values (exifcommon.ValueContext), only for entries already
// checked to lie within the data. go-exif's IFD enumerator is not used: it
// trusts offsets and lengths (the thumbnail length it allocates is the
// tag's), and builds an error with a stack trace for every ordinary tag.
// The walker also disables, in its private copy, every entry it did not
// check, so the copy is safe to hand to go-exif's enumerator too. Values
// larger than 64 KiB are not decoded, and at most 1 MiB of values is
// decoded per file. Every call into go-exif runs under recover, so a panic
// becomes an error. go-exif logs through github.com/dsoprea/go-logging,
// which prints nothing unless the program registers a log adapter. The fuzz
// test FuzzPhoto checks that no input panics.
package exif
