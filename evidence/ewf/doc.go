// Package ewf reads and writes Expert Witness Compression Format (EWF)
// images: the E01 segment files written by EnCase 6 and by libewf's
// ewfacquire in its default "encase6" flavour.
//
// [Open] and [NewImage] present the media stored in a set of segment files
// as an io.ReaderAt ([Image]) with its acquisition metadata ([Info]);
// [Image.Verify] re-reads every chunk, checks its checksum and recomputes
// the media's MD5 and SHA-1 against the stored ones. [Create] writes a new
// segment set from a sequential stream of media bytes, compressing chunks
// in parallel; [Resume] continues such a write after an interruption from a
// [State] the caller saved.
//
// The package leaves to others: reading the source (acquire), hashing the
// stream that is written ([Writer.Close] takes the digests its caller
// computed in its own pass), the custody ledger, and EWF2 (.Ex01, .Lx01),
// logical (.L01) and SMART (.s01) files, which are reported as
// [ErrUnsupported] or not recognised. Tables whose offsets overflow 2 GiB in
// one segment (written by some EnCase 6 versions) are not supported.
//
// # On-disk layout
//
// The layout follows "Expert Witness Compression Format (EWF)" by Joachim
// Metz (libewf documentation); all integers are little-endian.
//
//	segment file  = file header, then sections chained by absolute offsets
//	file header   = "EVF\x09\x0d\x0a\xff\x00" [8], 0x01 [1],
//	                segment number [2], 0x0000 [2]               (13 bytes)
//	section       = descriptor (76 bytes) followed by its data
//	descriptor    = type, NUL-padded [16], offset of next section [8],
//	                size including the descriptor [8], zero [40],
//	                Adler-32 of the previous 72 bytes [4]
//
// The first segment holds header2, header2, header, volume; later segments
// hold data (a copy of volume). Then, one or more times, sectors (the chunk
// data), table and table2 (chunk offsets). A segment ends with next, or, in
// the last one, with digest, hash and done. next and done have size 0 and
// point to themselves.
//
//	header2       = zlib(UTF-16LE text with BOM), lines "3", "main",
//	                tab-separated keys, tab-separated values
//	header        = zlib(ASCII text, CRLF lines) "1", "main", keys, values
//	                keys: c case number, n evidence number, a description,
//	                e examiner, t notes, av software version, ov OS,
//	                m acquisition date, u system date, p password; dates are
//	                Unix seconds in header2 and "Y M D h m s" in header
//	volume, data  = media type [1] @0, chunk count [4] @4,
//	                sectors per chunk [4] @8, bytes per sector [4] @12,
//	                sector count [8] @16, media flags [1] @36,
//	                compression level [1] @52 (0 none, 1 fast, 2 best),
//	                error granularity [4] @56, set identifier [16] @64,
//	                Adler-32 of bytes 0-1047 [4] @1048        (1052 bytes)
//	table, table2 = entry count [4], zero [4], base offset [8], zero [4],
//	                Adler-32 of the previous 20 bytes [4], entries [4 each],
//	                Adler-32 of the entries [4]
//	entry         = bit 31: chunk is zlib-compressed; bits 0-30: chunk
//	                offset relative to the base offset (the sectors section)
//	chunk         = zlib stream, or raw data followed by its Adler-32; a
//	                chunk ends where the next begins, the last of a table
//	                where its sectors section ends
//	hash          = MD5 [16], zero [16], Adler-32 [4]
//	digest        = MD5 [16], SHA-1 [20], zero [40], Adler-32 [4]
//	error2        = entry count [4], zero [512], Adler-32 [4], entries of
//	                first sector [4] and sector count [4], Adler-32 [4]
//
// The media size is the sector count times the bytes per sector; chunks
// hold sectors per chunk times bytes per sector bytes, the last one fewer.
// Unknown section types are skipped, so files with sections added by later
// tools still open.
//
// # Writing
//
// [Writer] lays segments out as ewfacquire does for EnCase 6: the sections
// above, in that order, with at most 16375 entries per table and the chunk
// offsets of one table within 2 GiB. The volume section records a fixed,
// physical medium with the options' compression level; no error2 or
// session section is written. A chunk is stored compressed only when its
// zlib form is smaller than the chunk; otherwise raw with its Adler-32.
// Chunks are compressed in parallel and written in order, so the files do
// not depend on the number of workers. A segment is closed when the next
// chunk and the closing sections would pass the size limit; a segment
// always holds at least one chunk. The media size must be a whole number of
// sectors.
//
// # Reading
//
// The reader keeps 4 bytes per chunk (the table entries) and a cache of 16
// decoded chunks; it does not hold chunk data otherwise.
//
// # Security
//
// Segment files are evidence and treated as hostile. Every offset and size
// is checked against the segment's size before it is read, and no buffer is
// allocated from a length before that check (a table claiming 2^31 entries
// in a 1 KiB file is a [FormatError]). Section chains must move strictly
// forward, so a chain that loops is an error, not a hang. Decompressed
// headers are capped at 1 MiB, chunks at 64 MiB, and a chunk must inflate
// to exactly its size. Descriptor, volume and table checksums are checked;
// a bad table falls back to table2. Parse errors carry the segment and byte
// offset. The reader never panics on any input; the fuzz tests hold it to
// that.
package ewf
