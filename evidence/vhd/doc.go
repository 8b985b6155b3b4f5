// Package vhd reads Microsoft Virtual Hard Disk (VHD) images: fixed and
// dynamic disks, as written by Virtual PC, Hyper-V, Windows disk
// management, VirtualBox and qemu-img ("vpc").
//
// [Open] and [NewImage] present the virtual disk as an io.ReaderAt
// ([Image]) with the footer's metadata ([Info]). Blocks a dynamic disk
// never allocated read as zeros.
//
// The package leaves to others: writing images, VHDX (a different format)
// and differencing disks, which hold only changes to a parent disk: they
// are refused with a [DifferencingError] (cause [ErrDifferencing]) naming
// the parent. Old fixed disks with a 511-byte footer are not recognised.
//
// # On-disk layout
//
// The layout follows Microsoft's "Virtual Hard Disk Image Format
// Specification" (version 1.0, 2006); all integers are big-endian.
//
//	fixed disk    = disk data, footer
//	dynamic disk  = footer copy [512] @0, dynamic header [1024] @data
//	                offset, BAT, blocks, footer
//	footer        = "conectix" [8], features [4], version 0x00010000 [4],
//	                data offset [8] (dynamic header; all ones when fixed),
//	                timestamp [4] (seconds since 2000-01-01 UTC), creator
//	                application [4], creator version [4], creator host OS
//	                [4], original size [8], current size [8], geometry [4]
//	                (cylinders [2], heads [1], sectors per track [1]), disk
//	                type [4] (2 fixed, 3 dynamic, 4 differencing),
//	                checksum [4], unique id [16], saved state [1], zero
//	                [427]                                     (512 bytes)
//	checksum      = one's complement of the sum of the footer's (or
//	                header's) bytes, the checksum field taken as zero
//	dynamic header= "cxsparse" [8], data offset [8] (all ones), BAT offset
//	                [8], version 0x00010000 [4], BAT entries [4], block
//	                size [4], checksum [4], parent unique id [16], parent
//	                timestamp [4], zero [4], parent name (UTF-16BE) [512],
//	                parent locators [8 × 24], zero [256]     (1024 bytes)
//	BAT entry     = [4] sector number of a block, 0xFFFFFFFF when the block
//	                is unallocated
//	block         = sector bitmap (one bit per sector, padded to whole
//	                sectors), then block size bytes of data
//
// The virtual size is the footer's current size. As qemu does, the reader
// takes a dynamic disk's data from its blocks without consulting the
// sector bitmaps (which matter only for differencing disks).
//
// # Security
//
// Image files are evidence and treated as hostile. The footer's checksum
// must match, or the image is refused with a [FormatError]; a dynamic
// header with a bad checksum is reported in [Info.Anomalies]. Every offset
// and length is checked against the file size before it is read, and no
// buffer is allocated from a length before that check: the block size must
// be a power of two from 512 bytes to 256 MiB, the BAT must cover the
// virtual size, only the entries that size needs are read, and they may
// take at most 256 MiB. Blocks must lie after the footer copy and inside
// the file. Parse errors carry the file offset. The reader never panics on
// any input; the fuzz tests hold it to that. Methods of [Image] are safe
// for concurrent use.
package vhd
