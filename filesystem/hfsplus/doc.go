// Package hfsplus reads HFS+ and HFSX file systems (Mac OS Extended)
// without mounting them: every file and folder of the catalog, with its
// times, permissions, resource fork, extended attributes and content.
//
// [Open] checks the volume header at byte 1024 (signature "H+" version 4,
// or "HX" version 5) and opens the catalog, extents overflow and
// attributes B-trees. [FS.Walk] lists, as The Sleuth Kit does, the
// metadata files first ($ExtentsFile, $CatalogFile, $BadBlockFile,
// $AllocationFile, $StartupFile when present, $AttributesFile), then the
// catalog depth first from the root folder (CNID 2), each folder's
// records in catalog order. The root itself is not listed; its name is
// the volume name ([FS.Label]).
//
// Entry.Inode is the catalog node ID (CNID), Entry.Offset the volume
// offset of the catalog record (its key), or for a metadata file the
// offset of its fork data in the volume header. Names are UTF-16 turned
// into UTF-8 as stored: decomposed (HFS+ stores Unicode in a variant of
// NFD, and The Sleuth Kit does not recompose it either), NUL and control
// characters kept (the folder of hard-link targets is
// "\x00\x00\x00\x00HFS+ Private Data"; fls prints them as '^'), and '/'
// shown as ':', as the BSD layer shows it. Catalog dates are UTC:
// createDate is Born, contentModDate Modified, attributeModDate Changed
// and accessDate Accessed. Mode is the BSD permission bits; Extra holds
// "uid", "gid", "bsd_flags", "file_type" and "creator" (Finder type and
// creator codes) and "valence" (a folder's item count).
//
// A symbolic link (BSD mode S_IFLNK, or type 'slnk' creator 'rhap') has
// Type [filesystem.Symlink] and its target, the data fork, in Extra
// "link_target". A file hard link (type 'hlnk' creator 'hfs+', created
// at the same second as the root or a private folder, The Sleuth Kit's
// test) shows its target's CNID as Inode and the target's metadata, with
// its own CNID in Extra "link_cnid"; the target stays listed in the
// private folder too. A folder hard link ('fdrp' 'MACS') is listed as a
// folder with the target's CNID and Extra "dir_link", and is not entered:
// its contents are listed under ".HFS+ Private Directory Data\r".
//
// A non-empty resource fork is a stream entry "path:rsrc" (Stream "rsrc",
// Extra "resource_fork"), and each extended attribute is a stream entry
// "path:name" (Extra "xattr", "attr_offset"). The Sleuth Kit's fls lists
// neither. Files compressed with HFS+ compression (decmpfs: BSD flag
// UF_COMPRESSED and a com.apple.decmpfs attribute) show their
// uncompressed size and Extra "compression"; [FS.Open] decodes zlib data
// held in the attribute (type 3) or in the resource fork (type 4, one 64
// KiB block at a time) and returns an error wrapping [ErrCompressed] for
// LZVN, LZFSE and other types. The com.apple.decmpfs attribute, and the
// resource fork that holds compressed data, are not listed as streams.
//
// The package leaves to others: the journal (ignored, as The Sleuth Kit
// ignores it), deleted files (HFS+ keeps no trace that can be recovered
// reliably; none are listed), HFS (standard) volumes and HFS+ volumes
// embedded in an HFS wrapper, extended attributes stored in more than
// eight extents, and the decompression of LZVN and LZFSE.
//
// # Concurrency
//
// An [FS] is safe for concurrent use: Walk, Open and reads of the
// readers Open returns may run in any number of goroutines. The FS keeps
// nothing that Walk or Open change, other than the anomalies, which are
// locked; every B-tree node is read when needed. Walk keeps every folder
// and file record of the catalog in memory (about 300 bytes each) to
// list folders before their contents.
//
// # On-disk layout
//
// Apple Technical Note TN1150, "HFS Plus Volume Format"; decmpfs from
// xnu's bsd/sys/decmpfs.h. Integers are big-endian except in decmpfs.
//
//	volume header = @1024: signature [2] "H+"/"HX", version [2] (4/5),
//	                attributes [4], lastMountedVersion [4],
//	                journalInfoBlock [4], createDate [4] @16 (local time),
//	                modifyDate [4] @20, ..., blockSize [4] @40, totalBlocks
//	                [4] @44, ..., allocationFile HFSPlusForkData [80] @112,
//	                extentsFile @192, catalogFile @272, attributesFile
//	                @352, startupFile @432
//	extents key   = keyLength [2] (10), forkType [1] @2 (0 data, 0xFF
//	                resource), pad [1], fileID [4] @4, startBlock [4] @8;
//	                the record is eight more extents
//
// Allocation block n is at byte n*blockSize of the volume. Dates are
// seconds since 1904-01-01 00:00:00 UTC, 0 meaning not set. B-tree
// nodes, catalog records and attribute records are described next to the
// code that reads them. Forward compatibility: unknown catalog and
// attribute record types are skipped with an anomaly.
//
// # Security
//
// Images are treated as hostile. Every extent is checked against the
// volume's block count and the image size before it is read; B-tree node
// sizes must be powers of two from 512 to 32768 bytes and node numbers
// below the node count the fork can hold; record offsets and key lengths
// are checked against their node. Index descents are capped at 16 levels
// and never revisit a node; leaf chains (fLink) that loop are cut and
// noted; keyed scans stop after 2^20 records; a fork takes at most 2^20
// extents. Folders are entered once each (a folder that is its own
// parent or ancestor is not reached from the root, and is counted in
// Anomalies), nesting is capped at [filesystem.MaxDepth]. Extended
// attribute values are read whole only up to 64 MiB, symbolic link
// targets up to 4 KiB, attribute-held compressed data up to 64 MiB
// decompressed, and resource-fork compressed blocks up to 128 KiB in and
// 64 KiB out. No input makes the package panic (fuzzed by FuzzOpen).
package hfsplus
