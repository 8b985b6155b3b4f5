// Package ntfs reads NTFS file systems from an evidence image without
// mounting them: every MFT record, allocated and deleted, with its
// $STANDARD_INFORMATION and $FILE_NAME times, its main data stream and its
// alternate data streams, and the content of each.
//
// # What it reads
//
// [Open] checks the boot sector (BIOS parameter block), reads MFT record 0
// to find the $MFT data runs, and then reads records by number. Each record
// has its update sequence array fixups applied and checked; attribute
// headers (resident and non-resident), runlists (with sparse runs) and
// $ATTRIBUTE_LIST entries (attributes spread over extension records) are
// decoded. [OpenMFT] reads a bare $MFT file copied off a volume: names,
// times, sizes and resident content, but no non-resident content.
//
// The folder tree is rebuilt from the $FILE_NAME parent references of every
// MFT record rather than from the $I30 indexes, so deleted records are found
// too: a record whose in-use flag is clear is [filesystem.Entry.Deleted],
// and its path follows its parent references as far as they are valid (the
// parent record exists, is a folder and carries the sequence number the
// reference names). A record whose parents cannot be followed is placed
// under "/$OrphanFiles", named after its $FILE_NAME or "OrphanFile-N" when
// it has none, as The Sleuth Kit does. Names in the DOS namespace are
// skipped when the record has a Win32 or POSIX name; hard links give one
// entry per name.
//
// Entry.Inode is the MFT record number, Entry.Offset the byte offset of the
// record in the file system (in the $MFT file for [OpenMFT]), Entry.Size the
// size of the unnamed $DATA attribute. Alternate data streams are separate
// entries "path:stream" with Entry.Stream set; named $INDEX_ROOT attributes
// of metadata files ($Secure:$SDH, $Extend/$Quota:$Q, ...) are listed the
// same way, as The Sleuth Kit lists them. $FILE_NAME times are in
// Entry.Extra as "fn_modified", "fn_accessed", "fn_changed" and "fn_born"
// (RFC 3339 with nanoseconds, UTC).
//
// Compressed streams are decompressed as they are read: NTFS splits them
// into compression units of 16 clusters, each either sparse (zeros),
// stored as is (all its clusters allocated) or LZNT1-compressed into its
// first clusters ([MS-XCA] section 2.5); a reader decodes one unit at a
// time and keeps the last few. Compression units larger than 16 clusters
// or 1 MiB, and methods other than LZNT1, are not decoded (Open returns
// [ErrCompressed]); malformed LZNT1 data is a read error ([LZNT1Error]).
//
// Names found only in the slack of $I30 index records (deleted names whose
// MFT record was reused) are not listed. Encrypted streams are returned as
// stored.
//
// # Concurrency and cost
//
// An [FS] is safe for concurrent use: Walk, Open and reads of the streams
// Open returns may run in any number of goroutines at once. Walk reads
// the $MFT in 1 MiB blocks, applying fixups in place, and keeps per record
// only what the listing needs (names, parent references, times, stream
// sizes), about 200 bytes; it reads the records of files with an
// $ATTRIBUTE_LIST a second time, with their extension records.
//
// References: the NTFS documentation of the Linux-NTFS project and the
// libfsntfs format documentation ("New Technologies File System (NTFS)");
// for LZNT1, [MS-XCA] "Xpress Compression Algorithm", section 2.5.
//
// # Security
//
// Images are treated as hostile. Every offset and length read from the
// image is checked against the buffer or the image size before it is used
// or allocated; record size, attribute count per record, runlist length,
// attribute list size, extension records per file and the number of MFT
// records are capped; parent chains are followed at most
// [filesystem.MaxDepth] levels and never twice; an attribute list that names
// its own record or an extension record twice does not loop. The LZNT1
// decoder bounds its output to one compression unit (at most 1 MiB),
// checks every back-reference and chunk length, and returns an error on
// malformed data; each compressed stream caches at most four units. Damage that
// does not stop the walk is left out and reported by Anomalies. A panic on
// any input is a bug.
package ntfs
