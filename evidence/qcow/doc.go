// Package qcow reads QEMU copy-on-write disk images: QCOW version 1 and
// QCOW2 versions 2 and 3 (the "compat=0.10" and "compat=1.1" images of
// qemu-img).
//
// [Open] and [NewImage] present the virtual disk stored in an image file as
// an io.ReaderAt ([Image]) with its header metadata ([Info]). Clusters the
// image never allocated, and QCOW2 version 3 clusters marked as zero, read
// as zeros.
//
// The package leaves to others: writing images, snapshots (only the active
// L1 table is read; [Info] counts the snapshots), refcounts (not needed for
// reading) and bitmaps. It refuses, with an error, what it cannot read
// faithfully on its own: images with a backing file ([ErrBacking], naming
// the file), encrypted images ([ErrEncrypted]), and images with an external
// data file, extended L2 entries (subclusters), zstd compression or unknown
// incompatible features ([ErrUnsupported]).
//
// # On-disk layout
//
// The layout follows QEMU's docs/interop/qcow2.txt (QCOW2) and
// block/qcow.c (QCOW version 1); all integers are big-endian.
//
//	QCOW1 header  = "QFI\xfb" [4], version 1 [4], backing file offset [8],
//	                backing file name size [4], mtime [4], virtual size [8],
//	                cluster bits [1], L2 bits [1], padding [2],
//	                crypt method [4], L1 table offset [8]        (48 bytes)
//	QCOW1 L1      = ceil(size / 2^(cluster bits + L2 bits)) entries [8]:
//	                file offset of an L2 table (2^L2 bits entries [8]), 0
//	                when unallocated
//	QCOW1 L2 entry= bit 63 set: compressed, bits 63-cluster bits to 62 the
//	                compressed byte count, lower bits the file offset;
//	                else the file offset of the cluster, 0 when unallocated
//
//	QCOW2 header  = "QFI\xfb" [4], version 2 or 3 [4], backing file offset
//	                [8], backing file name size [4], cluster bits [4],
//	                virtual size [8], crypt method [4], L1 entries [4],
//	                L1 table offset [8], refcount table offset [8],
//	                refcount table clusters [4], snapshot count [4],
//	                snapshot table offset [8]                    (72 bytes)
//	  version 3   + incompatible features [8], compatible features [8],
//	                autoclear features [8], refcount order [4], header
//	                length [4], compression type [1] (when the header is
//	                longer than 104 bytes), padding
//	extensions    = after the header (72 bytes in version 2, header length
//	                in version 3): type [4], length [4], data padded to 8;
//	                type 0 ends the list, 0x44415441 names an external data
//	                file, 0x0537be77 describes full-disk encryption
//	L1 entry      = bit 63: copied; bits 9-55: offset of an L2 table (one
//	                cluster of 8-byte entries), 0 when unallocated
//	L2 entry      = bit 63: copied; bit 62: compressed; otherwise bits 9-55
//	                the cluster's offset (0: unallocated) and bit 0 "reads
//	                as zeros" (version 3)
//	compressed    = with x = 62 - (cluster bits - 8): bits 0 to x-1 the byte
//	                offset of the data, bits x to 61 the number of 512-byte
//	                sectors it spans beyond the first; the
//	                data is a raw deflate stream (no zlib header) of one
//	                cluster
//
// Incompatible feature bits: 0 dirty (refcounts may be stale: harmless for
// reading), 1 corrupt (read anyway, reported as an anomaly), 2 external
// data file, 3 compression type field, 4 extended L2 entries. Unknown bits
// are refused, as the specification requires; compatible and autoclear
// bits are ignored.
//
// # Reading
//
// The reader keeps the L1 table in memory (at most 32 MiB, qemu's own
// limit) and loads L2 tables on demand into a cache of 32 tables; it keeps
// the 16 most recently decompressed clusters. Methods of [Image] are safe
// for concurrent use.
//
// # Security
//
// Image files are evidence and treated as hostile. Every offset and length
// is checked against the file size before it is read, and no buffer is
// allocated from a length before that check. The header fields are range
// checked (cluster bits 9 to 21 for QCOW2, 9 to 16 for QCOW1), the L1
// table must cover the virtual size and only the entries that size needs
// are read. Tables and clusters may not overlap the header. A compressed
// cluster must inflate to exactly one cluster: a stream that ends early,
// fails to decode, or would produce more is an error, not zeros. Parse
// errors are [FormatError]s that carry the file offset. The reader never
// panics on any input; the fuzz tests hold it to that.
package qcow
