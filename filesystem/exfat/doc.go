// Package exfat reads exFAT file systems from an image without mounting
// them: every file and folder, allocated and deleted, with its UTF-16
// name, times and content.
//
// [Open] returns a [filesystem.FS]. Walk lists the root folder's entries
// and, depth first, each folder's, as The Sleuth Kit's fls does, and
// numbers them as TSK does (see Inode numbers). Open gives the content of
// an entry (see Content).
//
// The package leaves to others: the partition table (see
// [filesystem.Partitions]), FAT12/16/32 (package fat), writing, the
// up-case table's use for case-insensitive name matching (listing does
// not need it), name hash checks, TexFAT, orphan entries that no folder
// names (TSK's $OrphanFiles), and carving of unallocated space.
//
// # On-disk layout
//
// Microsoft "exFAT File System Specification" (2019), all integers
// little-endian. The boot sector:
//
//	jump EB 76 90 [3] @0, "EXFAT   " [8] @3, zeros [53] @11,
//	partition offset [8] @64, volume length in sectors [8] @72,
//	FAT offset [4] @80, FAT length [4] @84 (sectors),
//	cluster heap offset [4] @88 (sector), cluster count [4] @92,
//	root folder first cluster [4] @96, serial number [4] @100,
//	revision [2] @104, volume flags [2] @106 (bit 0: second FAT active),
//	bytes per sector shift [1] @108 (9-12), sectors per cluster shift [1]
//	@109 (sum at most 25), FAT count [1] @110 (1 or 2),
//	signature 0x55 0xAA [2] @510
//
// Sectors 0-10 are the boot region; sector 11 repeats a 32-bit checksum
// of them (each byte added to the sum rotated right by one, skipping
// bytes 106, 107 and 112). A mismatch is noted in Anomalies, not refused.
// The FAT holds a 32-bit entry per cluster: the next cluster, 0xFFFFFFF7
// (bad) or 0xFFFFFFFF (end). Clusters are numbered from 2.
//
// A folder is an array of 32-byte entries; the type byte's bit 0x80 marks
// an entry in use, and 0x00 ends the folder. Types read here:
//
//	0x81 allocation bitmap: first cluster [4] @20, length [8] @24
//	0x82 up-case table:     first cluster [4] @20, length [8] @24
//	0x83 volume label:      character count [1] @1, UTF-16 label [22] @2
//	0x85 file:              secondary count [1] @1, set checksum [2] @2,
//	                        attributes [2] @4 (0x10 folder), created [4] @8,
//	                        modified [4] @12, accessed [4] @16,
//	                        created 10 ms [1] @20, modified 10 ms [1] @21,
//	                        UTC offsets created [1] @22, modified [1] @23,
//	                        accessed [1] @24
//	0xC0 stream extension:  flags [1] @1 (bit 1: NoFatChain, the clusters
//	                        are contiguous), name length [1] @3,
//	                        valid data length [8] @8, first cluster [4] @20,
//	                        data length [8] @24
//	0xC1 file name:         UTF-16 characters [30] @2 (15 per entry)
//
// A file is an entry set: a File entry, then its Stream Extension, then
// ceil(name length / 15) File Name entries (other secondary entries are
// counted by the secondary count and skipped). A deleted set has the same
// types with bit 0x80 clear (0x05, 0x40, 0x41) and is reported with
// Deleted; so is everything in a deleted folder. A set whose entries are
// not all there, whose types disagree, or, when deleted, whose data has
// no valid first cluster, is skipped (TSK skips the last kind too). Sets
// found after the end marker are listed with Extra["after_end_marker"].
// The set checksum of an in-use set is checked and a mismatch noted.
//
// A timestamp packs double seconds (bits 0-4), minute (5-10), hour
// (11-15), day (16-20), month (21-24) and year since 1980 (25-31); the
// 10 ms units (0-199) add up to two seconds. A UTC offset byte with bit 7
// set holds a signed 7-bit count of 15-minute steps; such times are
// converted to UTC. Without it the local wall-clock value is reported as
// if it were UTC. (TSK ignores the offset: on volumes written by Windows
// its times are the local ones.)
//
// # Entries
//
// Walk reports, as TSK does, the volume label entry (type Other,
// Extra["volume_label"] = "true"; an unused or empty label entry is named
// "$EMPTY_VOLUME_LABEL"), the allocation bitmap and up-case table as files
// named "$ALLOC_BITMAP" and "$UPCASE_TABLE" with Extra["system"] = "true",
// then files and folders, then "$MBR" (the boot sector) and "$FAT1" (and
// "$FAT2") as type Other with Extra["virtual"] = "true". Size is the data
// length. Extra also holds "attributes" ("0x0020"), "first_cluster",
// "valid_data_length" and, for contiguous data, "no_fat_chain" = "true".
// Label is the first in-use label entry of the root folder's first
// cluster; labels longer than the 11 characters the specification allows
// are read up to the 15 the entry has room for, and noted.
//
// # Inode numbers
//
// As The Sleuth Kit numbers exFAT: an entry in sector s at slot i
// (0-based, 32-byte slots) is ((s - h) × (sector size / 32)) + i + 3,
// where h is the cluster heap offset; a file is numbered by its File
// entry. $MBR and the FATs take the numbers after the last sector's slots
// (the last sector the image holds, when it is shorter than the volume).
// The root folder, which has no entry, would be 2.
//
// # Content
//
// Open reads an entry's clusters up to its data length: contiguous with
// NoFatChain, else along the FAT. Bytes at or past the valid data length
// read as zeros, as the operating system shows them (TSK returns what the
// clusters hold). A deleted file is recovered when its clusters are
// contiguous (NoFatChain) or it fits in one cluster, and refused when its
// FAT chain would be needed, since the FAT no longer records it (TSK
// guesses). A deleted folder is entered on the same terms.
//
// # Security
//
// The image is treated as hostile. The boot sector's geometry is checked
// before use (impossible values give [filesystem.ErrNotFS]); every read is
// checked against the image size; a data length is checked against the
// cluster count before any cluster is followed; FAT chains that loop are
// found with Brent's algorithm in constant memory (an error for a file, a
// cut root folder noted in Anomalies); a folder is read up to 32 MiB;
// recursion stops at [filesystem.MaxDepth] and never enters a folder
// twice. Memory grows with the folder being read and the fragments of the
// file being opened, both bounded by the image. A panic is a bug.
package exfat
