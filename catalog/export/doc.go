// Package export writes the catalogue's artefacts ([catalog.Artefact]) in
// formats that other forensic tools read: The Sleuth Kit's body file, a
// sorted MACB timeline (CSV or JSON Lines) and fiwalk-style DFXML.
//
// Every writer takes its artefacts as an iter.Seq2[*catalog.Artefact,
// error] and stops, returning the error, at the first error the iterator
// yields. Opening the case and its database, choosing which artefacts to
// export, naming and recording the output file on the custody ledger
// belong to the caller (the pangolin command); this package only formats.
// Writers check ctx every few thousand artefacts and never print.
//
// # Body file
//
// [WriteBodyfile] writes The Sleuth Kit 3.x body format, one line an
// artefact, as "fls -r -m PREFIX image" prints it and "mactime -b" reads it:
//
//	MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime
//
// The columns hold:
//
//   - MD5 is the artefact's MD5 in lower-case hex, "0" when it has none.
//   - name is the mount prefix ([BodyfileOptions].Prefix, one trailing '/'
//     removed, as fls does), then, with [BodyfileOptions].WithExhibit,
//     "EXHIBIT/pN" (N the partition index; joined to a non-empty prefix
//     with '/'), then the path ("/dir/a.txt", "/a.txt:stream" for an NTFS
//     alternate data stream). A deleted entry gets " (deleted)" and a FAT
//     volume label " (Volume Label Entry)" appended, as fls does (fls also
//     pads the label to 11 characters; the catalogue does not keep the
//     padding).
//   - mode is fls's "r/rrwxrwxrwx": the name type and the meta type (r
//     file, d folder, l symbolic link, v virtual file such as FAT's $MBR,
//     "-" other), then the permission bits in ls style (with s/S and t/T).
//     The bits are the artefact's Mode where it is non-zero (ext); where it
//     is zero (FAT, exFAT, NTFS, ISO 9660) they are rwxrwxrwx, what fls
//     prints for those file systems; virtual files are "v/v---------".
//   - UID and GID are the reader's "uid" and "gid" facts (ext), else 0.
//   - size is the artefact's size; the times are Unix seconds (fractions
//     dropped, rounding down), 0 for a time the file system does not keep.
//
// The Sleuth Kit does not escape names, so a '|' or line break in a name
// would break the line. mactime decodes "%XX" in every field, so this
// writer percent-encodes '%', '|', CR and LF in names as %25, %7C, %0D
// and %0A: mactime shows the exact name, other readers show the encoded
// form. Every other byte is written as it is.
//
// # Timeline
//
// [Timeline] turns each artefact into up to four events, one per MACB
// time, merges the events of one artefact at the same instant into one
// ("m.cb", letters in mactime's positions), and calls back with them in
// time order; ties are ordered by path, then inode, exhibit, partition,
// ref and letters, so the order is deterministic. Zero times give no
// event. [TimelineOptions].From and To keep events in [From, To) before
// sorting. [WriteTimelineCSV] and [WriteTimelineJSONL] write the events.
//
// Memory is bounded: events are kept in memory as a 24-byte record that
// points to one compact row per artefact (sharing the artefact's strings),
// and when [TimelineOptions].MaxEvents events (default 1<<20) or 64 MiB of
// row strings are held, they are sorted and written to a temporary run
// file in [TimelineOptions].TempDir; the runs are then merged, at most 64
// at a time. Memory thus stays near MaxEvents × (24 bytes + one row) plus
// a 64 KiB buffer per merged run, whatever the number of artefacts; the
// run files, removed before Timeline returns, take about the size of the
// CSV output.
//
// # DFXML
//
// [WriteDFXML] writes a DFXML 1.0 document in the layout fiwalk (The Sleuth
// Kit) uses; see that function for the elements.
//
// # Names from evidence
//
// Names come from evidence and are hostile. CSV cells that a spreadsheet
// would take for a formula are defused (see [WriteTimelineCSV]); JSON
// and DFXML paths that are not valid UTF-8, or (DFXML) hold a character
// XML 1.0 cannot carry, are percent-encoded and flagged, as package
// hashfile does.
package export
