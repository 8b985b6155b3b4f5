// Package fat reads FAT12, FAT16 and FAT32 file systems from an image
// without mounting them: every file and folder, allocated and deleted,
// with its long (VFAT) and short names, times and content.
//
// [Open] returns a [filesystem.FS]. Walk lists the root's entries and
// then, depth first, each folder's, as The Sleuth Kit's fls does, and
// numbers them as TSK does (see Inode numbers). Open gives the content of
// an entry: the cluster chain for an allocated file, and for a deleted
// file what TSK's recovery gives (see Deleted files).
//
// The package leaves to others: the partition table (see
// [filesystem.Partitions]), exFAT (a separate package), writing, orphan
// entries that no folder names (TSK's $OrphanFiles, which needs a scan of
// every sector), and carving of unallocated space.
//
// # On-disk layout
//
// Microsoft "FAT: General Overview of On-Disk Format" (version 1.03),
// all integers little-endian. The boot sector:
//
//	jump [3] @0, OEM name [8] @3, bytes per sector [2] @11,
//	sectors per cluster [1] @13, reserved sectors [2] @14, FAT count [1] @16,
//	root entries [2] @17 (0 on FAT32), total sectors 16-bit [2] @19,
//	media [1] @21, sectors per FAT 16-bit [2] @22 (0 on FAT32),
//	total sectors 32-bit [4] @32, signature 0x55 0xAA [2] @510
//	FAT12/16: boot signature 0x29 [1] @38, volume label [11] @43
//	FAT32: sectors per FAT [4] @36, flags [2] @40 (bit 7: only the FAT
//	       in bits 0-3 is active), root cluster [4] @44,
//	       boot signature 0x29 [1] @66, volume label [11] @71
//
// Then the reserved sectors, the FATs, on FAT12/16 the fixed root folder,
// and the clusters, numbered from 2. The type follows from the cluster
// count (below 4085 FAT12, below 65525 FAT16), except that a boot sector
// with a zero 16-bit FAT size is FAT32. A FAT entry holds the next
// cluster of a chain, 0 for a free cluster, the bad mark (0xFF7, 0xFFF7,
// 0x0FFFFFF7) or an end mark (0xFF8 and above); FAT32 uses 28 bits.
//
// A folder is an array of 32-byte entries:
//
//	short entry = name [8] @0, extension [3] @8, attributes [1] @11,
//	              case flags [1] @12 (0x08 lower-case name, 0x10 lower-case
//	              extension), creation 10 ms units [1] @13,
//	              creation time [2] @14, creation date [2] @16,
//	              access date [2] @18, first cluster high [2] @20 (FAT32),
//	              write time [2] @22, write date [2] @24,
//	              first cluster low [2] @26, size [4] @28
//	long entry  = sequence [1] @0 (0x40 marks the last part), UTF-16 name
//	              characters 1-5 [10] @1, attributes 0x0F [1] @11,
//	              checksum of the short name [1] @13, characters 6-11 [12]
//	              @14, characters 12-13 [4] @28
//
// A first name byte 0x00 ends the folder, 0xE5 marks a deleted entry and
// 0x05 stands for a name starting with 0xE5. Short names are code page
// 437. Long-name parts precede their short entry, last part first; a long
// name is used only when its parts are complete, in sequence, and carry
// the short name's checksum (else the short name is used and the long one
// kept in Extra["unmatched_long_name"]). Dates count years from 1980;
// times have a two-second step (creation adds 10 ms units, 0 to 199).
//
// Entries that the end marker hides are still read (with stricter
// plausibility checks) and reported as deleted, with
// Extra["after_end_marker"] = "true": the operating system does not see
// them, but they can hold evidence.
//
// # Times
//
// FAT stores local time without a zone. This package reports the stored
// wall-clock values as if they were UTC (as TSK does when run with TZ=UTC);
// the true instant depends on the zone of the machine that wrote them.
// Changed is never set (FAT has no metadata-change time); Accessed is a
// date at midnight.
//
// # Inode numbers
//
// As The Sleuth Kit numbers FAT: the root folder is 2; an entry in sector
// s at slot i (0-based, 32-byte slots) is ((s - d) × (sector size / 32)) +
// i + 3, where d is the first sector after the FATs; $MBR, $FAT1, $FAT2
// and $OrphanFiles take the four numbers after the last sector's slots
// (the last sector the image holds, when it is shorter than the file
// system).
// Walk lists $MBR, $FAT1 and $FAT2 (the boot sector and the FAT copies)
// after the root's entries as type Other with Extra["virtual"] = "true",
// as TSK does; $OrphanFiles is not produced.
//
// Other fields: Size is the entry's size for a file; for a folder it is
// what TSK gives (see Deleted files for deleted ones): the length of its
// cluster chain in bytes. Mode is not set (FAT has no permission bits);
// Extra holds "attributes" (the attribute byte, "0x20"), "start_cluster",
// "short_name", and "volume_label" = "true" for the label entry, listed
// as type Other.
//
// # Deleted files
//
// A deleted entry's first name character is lost; like TSK, the short
// name shows it as '_', while a long name, if its parts survive, is
// complete. Entries in a deleted folder are deleted too. Open recovers a
// deleted file as TSK does: starting at the entry's first cluster, which
// must be free, it takes free clusters in ascending order, skipping
// allocated ones, until the entry's size is covered. A deleted folder is
// read from its first cluster only, and only when that cluster is free.
//
// # Security
//
// The image is treated as hostile. The boot sector's geometry is checked
// before use (impossible values give [filesystem.ErrNotFS]); every read is
// checked against the image size; a folder is read up to 2 MiB (65,536
// entries, the FAT maximum); cluster chains that loop are cut at the first
// repeated cluster (noted in Anomalies) with constant memory; recursion
// stops at [filesystem.MaxDepth] and never enters a folder twice. The FAT
// is read on demand through a bounded cache, so memory does not grow with
// the volume. A panic is a bug.
package fat
