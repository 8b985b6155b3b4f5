// Package ext reads ext2, ext3 and ext4 file systems from an image without
// mounting them: every file and folder, allocated and deleted, with its
// inode metadata and content.
//
// [Open] checks the superblock and returns an [FS] that implements
// [filesystem.FS]. Walk lists the tree from the root inode (2), then the
// virtual folder "$OrphanFiles" that The Sleuth Kit adds: unallocated
// inodes that no name points to, as OrphanFile-N. Inode numbers are the
// ext inode numbers, as fls prints them; $OrphanFiles gets the inode count
// plus one, as in TSK.
//
// The package leaves to others: the journal (it reads the file system as
// it is, not as it would be after a replay), extended attributes other
// than inline data, encryption (encrypted names and content are returned
// as stored), and checksum verification beyond the superblock's.
//
// An entry's Offset is the byte offset of its inode, or of its directory
// entry when the name carries no inode; Extra holds "dir_entry_offset",
// "uid", "gid", "links", "flags" (inode flags, hex), "deleted_time",
// "link_target", "reallocated", "virtual" ($OrphanFiles) and
// "raw_name_hex" (for a name that is not valid UTF-8, shown with U+FFFD).
//
// # Deleted files
//
// A deleted name in ext2/3/4 usually survives in the slack of the previous
// directory entry, whose record length grew over it. Each directory block
// is scanned as TSK's ext2fs_dent_parse_block does: entries in slack that
// look plausible (inode within range, name length 1-255, record length a
// multiple of 4 that fits) are reported with Deleted set. Linux zeroes the
// inode field of such entries, so most carry inode 0 and no metadata; one
// that still names an inode now in use by another name has Extra
// "reallocated" set, and its content is that inode's present content.
// ext2 keeps a deleted inode's block pointers, so its content can often be
// read back (possibly overwritten since); ext3 and ext4 clear them, and
// [FS.Open] then returns [ErrNotRecoverable].
//
// # On-disk layout
//
// The layout follows the kernel's Documentation/filesystems/ext4 and
// e2fsprogs' lib/ext2fs/ext2_fs.h; all integers are little-endian.
//
//	superblock    = at byte 1024, 1024 bytes: inodes count [4] @0x00,
//	                blocks count lo [4] @0x04, first data block [4] @0x14,
//	                log2(block size)-10 [4] @0x18, blocks per group [4]
//	                @0x20, inodes per group [4] @0x28, magic 0xEF53 [2]
//	                @0x38, revision [4] @0x4C, first inode [4] @0x54, inode
//	                size [2] @0x58, compat [4] @0x5C, incompat [4] @0x60,
//	                ro_compat [4] @0x64, volume name [16] @0x78, descriptor
//	                size [2] @0xFE, first meta_bg [4] @0x104, blocks count
//	                hi [4] @0x150, CRC32C of bytes 0-0x3FB [4] @0x3FC
//	group desc    = block bitmap [4] @0x00, inode bitmap [4] @0x04, inode
//	                table [4] @0x08, flags [2] @0x12; with 64bit the high
//	                halves at @0x20, @0x24, @0x28 (32 or desc-size bytes)
//	inode         = mode [2] @0x00, uid lo [2] @0x02, size lo [4] @0x04,
//	                atime, ctime, mtime, dtime [4 each] @0x08-0x14, gid lo
//	                [2] @0x18, links [2] @0x1A, blocks lo [4] @0x1C, flags
//	                [4] @0x20, block map or extent tree [60] @0x28, size hi
//	                [4] @0x6C, uid hi [2] @0x78, gid hi [2] @0x7A, extra
//	                size [2] @0x80, ctime, mtime, atime extra [4 each]
//	                @0x84-0x8C, crtime [4] @0x90, crtime extra [4] @0x94
//	time extra    = bits 0-1 extend the seconds past 2038, bits 2-31 are
//	                nanoseconds
//	block map     = 12 direct pointers, then single, double and triple
//	                indirect [4 each]; 0 is a hole
//	extent node   = header: magic 0xF30A [2], entries [2], max [2], depth
//	                [2], generation [4]; then 12-byte entries: leaf
//	                (logical [4], length [2] (>32768: unwritten), start hi
//	                [2], start lo [4]) or index (logical [4], child lo [4],
//	                child hi [2], unused [2])
//	dir entry     = inode [4], record length [2], name length [1] (or [2]
//	                without the filetype feature), file type [1], name
//
// Unknown compat and ro_compat features are ignored; an image with an
// incompat feature this package does not know is still read, and the
// feature is noted in Anomalies, since a forensic reader should show what
// it can rather than refuse.
//
// # Security
//
// Images are treated as hostile. Every block number is checked against the
// block count and every byte range against the image size before it is
// read; buffers are at most one block. Extent trees are followed to depth
// 5 and each node is read once; indirect maps stop after as many mapped
// blocks as the file system has; folder nesting is capped at
// [filesystem.MaxDepth] and a folder is never listed twice, so a folder
// that contains itself does not loop. Damage met during Walk is recorded
// in Anomalies and skipped; no input makes the package panic (fuzzed by
// FuzzOpen).
package ext
