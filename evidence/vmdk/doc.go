// Package vmdk reads VMware virtual disks (VMDK): hosted sparse extents
// ("monolithicSparse"), stream-optimized extents (compressed grains, as
// in OVF/OVA exports), and text descriptor files whose extents are flat,
// sparse or zero ("twoGbMaxExtentSparse", "twoGbMaxExtentFlat",
// "monolithicFlat", "vmfs").
//
// [Open] presents the virtual disk as an io.ReaderAt ([Image]) with the
// descriptor's metadata ([Info]); [NewImage] reads one sparse extent file
// on its own. Grains a sparse extent never allocated read as zeros.
//
// The package leaves to others: writing images, snapshot chains and
// differencing ("delta") disks, which hold only the changes to a parent:
// they are refused with a [DifferencingError] (cause [ErrDifferencing])
// naming the parent. ESX sparse ("COWD", "vmfsSparse"), SE sparse, raw
// device mappings and NOACCESS extents are refused with [ErrUnsupported].
//
// # On-disk layout
//
// The layout follows VMware's "Virtual Disk Format 1.1"; integers in
// sparse extents are little-endian, and sector means 512 bytes.
//
//	sparse header = "KDMV" [4], version [4] (1-3), flags [4], capacity
//	                [8] (sectors), grain size [8] (sectors), descriptor
//	                offset [8] (sectors), descriptor size [8] (sectors),
//	                grain table entries [4], redundant GD offset [8], GD
//	                offset [8] (sectors; all ones: in the footer), overhead
//	                [8], unclean shutdown [1], "\n \r\n" [4], compression
//	                [2] (0 none, 1 deflate), zero [433]        (512 bytes)
//	flags         = bit 0: the newline test bytes are valid; bit 1:
//	                redundant grain tables; bit 2: a grain table entry of
//	                1 is a zero grain; bit 16: compressed grains; bit 17:
//	                metadata markers
//	grain dir.    = ceil(capacity / (grain size × GT entries)) entries [4]:
//	                sector of a grain table, 0 when none
//	grain table   = GT entries entries [4]: sector of a grain, 0 when the
//	                grain is unallocated, 1 a zero grain (flag bit 2)
//	compressed    = at the grain's sector: LBA [8], byte count [4], zlib
//	                stream (RFC 1950) of one grain
//	stream footer = the file's last 1536 bytes: footer marker [512], a
//	                copy of the header with the real GD offset [512],
//	                end-of-stream marker [512]
//
// A descriptor is text, an embedded one or a small file starting
// "# Disk DescriptorFile": "key=value" lines (version, CID, parentCID,
// createType, parentFileNameHint, ddb.* disk database entries) and extent
// lines:
//
//	RW|RDONLY|NOACCESS sectors FLAT|VMFS|SPARSE|ZERO ["file name" [offset]]
//
// Extents follow each other in the order listed; a flat extent's offset
// is in sectors into its file.
//
// # Security
//
// Extent files and descriptors are evidence and treated as hostile. Extent
// file names must be plain names in the descriptor's folder: absolute
// paths, separators and ".." are refused, so a descriptor cannot make the
// reader open other files. Descriptors are capped at 1 MiB and 4096
// extents. Every offset and length is checked against the file size
// before it is read, and no buffer is allocated from a length before that
// check: grain sizes are capped at 16 MiB, the grain directory at 256 MiB
// and a grain table at 65536 entries, and only the directory entries the
// capacity needs are read. Tables and grains may not start in the header
// sector. A compressed grain must inflate to at least the part of the
// grain inside the extent and at most one grain; anything else is an
// error, not zeros. Parse errors are [FormatError]s carrying the file and
// offset. The reader never panics on any input; the fuzz tests hold it to
// that.
//
// # Reading
//
// The reader keeps each extent's grain directory in memory and loads
// grain tables on demand into a cache of 64 tables; it keeps the 16 most
// recently decompressed grains. Methods of [Image] are safe for
// concurrent use.
package vmdk
