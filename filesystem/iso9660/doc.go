// Package iso9660 reads ISO 9660 file systems (CD and DVD images) with the
// Joliet and Rock Ridge extensions, without mounting them.
//
// [Open] reads the volume descriptors and returns an [FS] that implements
// [filesystem.FS]. When a Joliet supplementary volume descriptor is
// present its tree is walked (Unicode names, as The Sleuth Kit does);
// otherwise the primary tree, with Rock Ridge names (NM) where they exist
// and the ISO 9660 name otherwise. Version suffixes (";1") and a trailing
// '.' are removed from ISO 9660 names, as TSK removes them; the stored
// name is kept in Extra "iso_name".
//
// Inode numbers follow The Sleuth Kit: the root is 0, and the records of
// each folder are numbered in turn, folders taken in path table order
// (breadth first, by parent, then by name). With Joliet, files of the
// primary tree that share no extent with a Joliet file (files hidden from
// Joliet, and every empty file, since TSK never pairs empty files) are
// numbered next and listed under the virtual folder "$OrphanFiles" as
// OrphanFile-N, marked Deleted as TSK marks them unallocated; Extra
// "primary_only" says why. "$OrphanFiles" itself gets the next number.
//
// The recording time of a record is reported as Modified: mkisofs and
// genisoimage store the file's modification time there, and Linux shows it
// as such. It is converted to UTC with the record's zone offset, which is
// also kept in Extra "utc_offset". (TSK reports the time as the creation
// time and ignores the zone offset, so its times are off by that offset.)
// A multi-extent file (records flagged 0x80 followed by the last one) is
// one entry whose size and content span all its extents.
//
// An entry's Offset is the byte offset of its directory record, which
// [FS.Open] reads again to find the extents; Extra holds "extent" (first
// logical block), "extents" (count, when more than one), "iso_name",
// "hidden", "utc_offset", "primary_only" and "virtual".
//
// The package leaves to others: UDF, El Torito boot images, HFS hybrids,
// interleaved files (Open returns an error), Rock Ridge relocated
// directories (they appear where they were relocated to) and Rock Ridge
// times, modes and symlinks.
//
// # On-disk layout
//
// ECMA-119 (ISO 9660), the Joliet specification (1995) and IEEE P1282
// (Rock Ridge) / P1281 (SUSP). Integers are both-endian: the little-endian
// half is read.
//
//	descriptor    = at byte 32768 + 2048*i: type [1] (1 primary, 2
//	                supplementary, 255 terminator), "CD001" [5]; volume
//	                id [32] @40, escape sequences [32] @88 (Joliet: "%/@",
//	                "%/C" or "%/E"), logical block size [2] @128, root
//	                directory record [34] @156
//	dir record    = length [1] @0, extended attribute length [1] @1,
//	                extent [4] @2, data length [4] @10, recording time [7]
//	                @18 (years since 1900, month, day, hour, minute,
//	                second, offset from GMT in 15 minutes), flags [1] @25
//	                (0x02 directory, 0x80 more extents follow), file unit
//	                size [1] @26, name length [1] @32, name @33, a pad byte
//	                when the name length is even, then system use (SUSP)
//	SUSP entry    = signature [2], length [1], version [1], data; "NM"
//	                alternate name (flags [1], name), "CE" continuation
//	                (block [4] @4, offset [4] @12, length [4] @20)
//
// Records do not cross logical blocks; a zero length byte ends the
// records of a block.
//
// # Security
//
// Images are treated as hostile. Descriptors are read up to 64; every
// extent is checked against the image size before it is read; folders are
// read one block at a time and capped at 64 MiB; nesting is capped at
// [filesystem.MaxDepth] and a folder extent is never listed twice, so a
// folder that contains itself does not loop; SUSP continuation chains are
// capped at 16; multi-extent files at 4096 extents. No input makes the
// package panic (fuzzed by FuzzOpen).
package iso9660
