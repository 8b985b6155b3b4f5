// Package media reads the metadata of video and audio files in the ISO base
// media file format (ISO/IEC 14496-12: MP4, M4V, M4A, 3GP, 3G2) and its
// ancestor, the QuickTime movie format (MOV): where and when a video was
// shot, and by which device.
//
// [Video] walks the box tree (QuickTime calls boxes atoms) and returns an
// [extract.Metadata] with Format "quicktime".
//
// # What is read
//
//   - ftyp: the major brand (field MajorBrand).
//   - moov/mvhd: creation and modification times (CreateDate, ModifyDate),
//     time scale and duration in seconds (TimeScale, Duration).
//   - trak/tkhd and trak/mdia/mdhd: per-track and per-media times and
//     durations (TrackCreateDate, MediaCreateDate, ...), one set per track.
//   - udta (movie or track): QuickTime international text atoms ©xyz
//     (GPSCoordinates, ISO 6709), ©mak, ©mod, ©swr, ©day and other text
//     atoms; DJI's plain-string ©mdl; the 3GPP location box 'loci'
//     (LocationInformation, 16.16 fixed-point longitude, latitude and
//     altitude, written by Android phones); the make at the start of the
//     maker-specific TAGS atom of Pentax, Nikon, Fujifilm and other
//     cameras.
//   - meta with handler 'mdta' (Apple's Keys metadata, also written by
//     Android and Samsung): keys plus ilst, including
//     com.apple.quicktime.location.ISO6709, .make, .model, .software,
//     .creationdate and .location.accuracy.horizontal. Text, integer and
//     float values are read; binary ones (artwork) are not.
//   - meta with handler 'mdir' (iTunes item list): text items such as
//     ©too (Encoder), ©day, ©nam, ©ART.
//
// Fields are named as exiftool names them and appear in file order; the
// same name can repeat (one CreateDate per source, one TrackCreateDate per
// track). Time stamps from headers are formatted as exiftool -n prints them
// ("2005:10:28 17:46:46", "0000:00:00 00:00:00" for zero); text values are
// given as recorded. Problems that do not stop the parse (an unparsable
// ISO 6709 string, a truncated mdat) are recorded as fields named
// "Warning".
//
// Created is Keys creationdate when present, because it carries the local
// time zone; otherwise mvhd's creation time, which the format defines as
// UTC (some cameras write local time there regardless; nothing in the file
// says so). A zero time stamp is unknown. A time stamp before 1970 is taken,
// as exiftool takes it, to have been counted from 1970 instead of 1904 by a
// faulty encoder, and a warning says so.
//
// Make, Model and GPS come from the first source that has them, in this
// order: Keys, user data atoms, 'loci', the iTunes item list, TAGS. A
// position of 0,0 is reported with GPS.Suspicious set; one out of range is
// dropped with a warning. GPS.Altitude is signed (negative below sea level),
// whereas exiftool -n gives GPSAltitude as a magnitude plus GPSAltitudeRef.
//
// # What is left to others
//
// Sample data is never read, so nothing is decoded and timed metadata
// tracks (GoPro GPMF, Apple's per-frame location, DJI subtitles in the
// mdat) are not examined. XMP packets (udta/XMP_, uuid boxes) belong to
// the XMP extractor and are skipped; so are HEIF images (meta/iinf/iloc
// without a moov, which gives [ErrNotMedia]) and the EXIF of Canon CR3
// files, which the exif extractor reads. Fragmented MP4 (moof) headers,
// chapter lists and cover art are skipped. Storing and reporting the
// results is the pipeline's job.
//
// # Security
//
// The input is treated as hostile. Every box header is checked against its
// parent and against the file size before it is used (sizes smaller than
// the header, larger than the parent, 64-bit sizes out of range); a size of
// 0 means "to the end of the parent", so every step of a walk advances by at
// least 8 bytes and walks end. At most 100,000 box headers are read and
// containers nest at most 16 deep; beyond that the result is an error. Box
// payloads are read only for the metadata boxes listed above, only after
// their size has been checked against the file size, and only when they
// are small: a movie, track or media header over 4 KiB is an error, a text
// value over 1 MiB or a keys box over 16 MiB is skipped with a warning. No
// allocation is sized from an unchecked field, and key counts are bounded
// by the bytes present. A reader that returns fewer bytes than size promises gives
// [ErrTruncated], never zeros. Structural errors are [*FormatError] values
// carrying the byte offset and box path; the Metadata is nil whenever the
// error is not. No input makes the parser panic; a fuzz test checks this.
package media
