// Package hashset keeps known-file hash sets, such as the NSRL's
// known-good operating-system files or an agency's known-bad and notable
// lists, and answers "which sets hold this digest?" fast and with little
// memory. It imports sets from files, stores them in one folder shared
// by all cases (the caller passes PANGOLIN_HOME/hashsets to [Open]), and
// looks digests up from many goroutines at once.
//
// It leaves to others: hashing files (package hashing), deciding what a
// match means for a case and recording it (process, catalog), and the
// hashdeep and md5sum formats, which another package parses and hands to
// [Store.ImportWith] as a [Parser] or to [Store.ImportRecords] as an
// iter.Seq2 of [Record].
//
// # Import formats
//
//   - nsrl-rds3: an NSRL RDSv3 publication, an SQLite database. The sha256,
//     sha1 and md5 columns of its FILE view (NIST, "RDSv3 publication
//     schema": FILE holds sha256, sha1, md5, crc32, file_name, file_size,
//     package_id) are read with the pure-Go driver modernc.org/sqlite through
//     the URI file:PATH?mode=ro&immutable=1, so SQLite neither writes to the
//     file nor creates a journal, WAL or lock file beside it. Reading this
//     third-party database is parsing an input file; catalog remains the only
//     package that speaks SQL to pangolin's own database.
//   - nsrl-legacy: NSRLFile.txt of the RDS 2.x, whose header line is
//     "SHA-1","MD5","CRC32","FileName",... , given as the text file or as
//     the RDS zip that holds it.
//   - csv: hex digests one a line, the algorithm inferred from the length
//     (32 MD5, 40 SHA-1, 64 SHA-256, 128 SHA-512), or CSV/TSV whose header
//     names the algorithm of each hash column ("md5", "SHA-256", "blake3").
//   - auto: SQLite magic means nsrl-rds3, a zip header or the NSRLFile.txt
//     header nsrl-legacy, anything else csv.
//
// Hex may be upper or lower case. A malformed line stops the import with
// a [*ParseError] naming the file and line (or database row), for example
// "NSRLFile.txt line 12: bad SHA-1 "xyz"". A file without any digest is
// refused with [ErrEmpty], as it more likely means a wrong format than an
// empty list.
//
// # Store folder
//
//	store.lock            file lock serialising changes between processes
//	sets/NAME/info.json   the set's [Info]
//	sets/NAME/ALGO.hset   one table per algorithm present (md5.hset, ...)
//	tmp/build-*           imports in progress, each holding its own lock
//	tmp/aside-*/NAME      a set being replaced or removed
//
// An import builds into tmp/build-*, syncs every file and the folder,
// and only then renames it to sets/NAME (setting an existing set aside
// first when [Replace] is given). A failed or cancelled import therefore
// leaves the existing sets as they were, and [Open] puts back a set that a
// crash left aside and deletes abandoned builds.
//
// # Table file format, version 1
//
// All integers are little-endian.
//
//	offset  size  field
//	0       8     magic "PGHSET\r\n"
//	8       2     format version, 1
//	10      2     header length H, 64 in version 1
//	12      4     digest width W in bytes (16 MD5, 20 SHA-1, 32 SHA-256
//	              and BLAKE3, 64 SHA-512)
//	16      8     digest count N, at most 2^32-1
//	24      1     bucket bits B, at most 32
//	25      1     fingerprint bits, 16
//	26      6     reserved, zero
//	32      16    algorithm name in ASCII ("md5", "sha1", "sha256",
//	              "sha512", "blake3"), padded with zero bytes
//	48      16    reserved, zero
//	H       N*W   the digests, ascending as unsigned bytes, no duplicates
//	H+N*W   4*(2^B+1)  bucket table: entry j is the index of the first
//	              digest whose leading B bits are >= j; entry 2^B is N
//	then    2*N   fingerprints: for digest i, bits B to B+15 of the digest
//	              (the 16 bits after the bucket bits, counting from the
//	              most significant bit of its first byte)
//
// The file is exactly H + N*W + 4*(2^B+1) + 2*N bytes long. Writers pick
// B = floor(log2(M/16)) for M digests before duplicates are dropped, about
// 16 digests a bucket; readers take B from the header.
//
// Forward compatibility: a reader rejects a version it does not know. A
// change that old readers can ignore (a new field in a reserved byte, a
// longer header) keeps version 1 and must leave every field above with its
// meaning; H tells readers where the digests start. Any other change takes
// a new version number.
//
// # Lookups, and why this layout
//
// A lookup takes the bucket from the leading B bits, binary-searches the
// bucket's few fingerprints in memory and, only if one matches, reads that
// one digest from the file with ReadAt (pread) to confirm it. A digest in
// no set costs no system call with probability about 1 - 16/65536; a
// digest in a set costs one read of W bytes. Memory is the bucket table
// and fingerprints, about 2.25 bytes per digest (225 MB for 100 million),
// loaded on the first lookup that needs the table; the digests stay in
// the file and the page cache, which is not the process's resident memory
// (mapping the file would make touched pages count as resident).
// A plain bucket index without fingerprints would need a read of about 16
// digests for every lookup, hit or miss; keeping all digests in memory
// would take 3.2 GB for 100 million SHA-256.
//
// Imports sort by external merge sort: digests are buffered up to a fixed
// budget (128 MiB with sort keys, all algorithms together), sorted and
// written as runs, and the runs are merged with a heap, dropping
// duplicates. The merge writes digests straight into the table and
// streams bucket table and fingerprints to side files appended at the
// end, so import memory does not grow with the input.
//
// # Concurrency
//
// [Store] methods are safe for concurrent use. Lookups share a read lock;
// committing an import and removing a set take the write lock briefly.
// [Store.LookupBatch] takes the lock once for a batch.
//
// # Security
//
// Source files are treated as hostile. Lines are limited to 64 KiB, the
// zip's directory to 10000 entries, and archive/zip checks the size and
// CRC-32 of NSRLFile.txt as it is read. The table reader checks every
// size against the file's length before allocating, and checks that the
// bucket table and fingerprints are ordered before using them. Set names
// are restricted to portable folder names. A panic is a bug.
package hashset
