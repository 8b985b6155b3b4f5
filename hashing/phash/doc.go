// Package phash computes perceptual hashes of photos, so that examiners can
// recognise the same photo on several seized devices after it has been
// recompressed, resized or re-saved by a messaging app, and groups photos
// whose hashes are close.
//
// # Algorithm
//
// [FromImage] computes a 64-bit DCT hash (the "pHash" family):
//
//  1. Luminance Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, the weights
//     JPEG uses), in 16-bit fixed point. The Y plane of a JPEG is used as
//     decoded. Transparent pixels count as black (premultiplied alpha).
//  2. An exact area (box) filter down to 32x32 cells: each cell is the mean of
//     the source pixels it covers, partial pixels weighted by the covered
//     fraction. The sums are integers, so the grid is the same on every
//     platform. The aspect ratio is not kept.
//  3. The EXIF orientation, when known, is applied to the 32x32 grid rather
//     than to the pixels; the box filter commutes with flips and quarter
//     turns, so this gives the grid of the upright photo without rotating
//     megapixels.
//  4. An orthonormal two-dimensional DCT-II of the grid, keeping the 8x8
//     lowest frequencies.
//  5. The median of the 63 coefficients other than DC (the mean brightness).
//     Coefficient (row v, column u) sets bit 63-(8v+u) when it is greater than
//     that median. The DC bit, the most significant, is always zero, so 63
//     bits carry information.
//
// The hash is printed as 16 lower-case hex digits, the first digit holding
// the DC bit and the next three coefficients of the first row ([Hash.String],
// [Parse]). An image without structure hashes to zero. Hashes of the same photo are compared with [Distance], the number
// of differing bits; [DefaultThreshold] is the distance up to which two
// hashes are taken to show the same photo, chosen from the measurements in
// this package's tests.
//
// # What it finds and what it does not
//
// The hash describes the coarse layout of light and dark in the photo. It
// survives JPEG recompression (down to about quality 30), downscaling,
// conversion between formats, metadata stripping, small brightness and
// contrast changes, and rotation recorded in EXIF. It does not survive
// crops of more than a few per cent, mirroring or rotation done in the pixels
// when the other copy is not rotated the same way, large overlays or collages,
// or perspective changes: two photos of the same ivory lot taken a second
// apart are different photos. Photos with little structure (a blank wall, a
// night sky, a uniform fill) hash alike, so a match is a lead for an examiner
// to confirm by eye, never proof on its own. The hash is not compatible with
// other pHash implementations, which differ in filter, scaling and bit order.
//
// # Grouping
//
// [Group] clusters near-duplicates by single linkage: two items are in the
// same group when a chain of pairs within the threshold joins them. It uses
// multi-index hashing on the four 16-bit chunks of the hash, so that a
// hundred thousand photos group in about a second at the default threshold.
// Blank images (the zero hash) are left out.
//
// # Decoding and security
//
// [Decode] reads JPEG, PNG and GIF with the standard library and WebP, BMP
// and TIFF with golang.org/x/image. It sniffs the format from the leading
// bytes itself and does not use the image package's global format registry.
// Input is treated as hostile:
//
//   - The dimensions are read with DecodeConfig before any pixel is decoded,
//     and images of more than [DecodeOptions.MaxPixels] pixels
//     ([DefaultMaxPixels] unless set) are refused with [ErrTooLarge]. Peak
//     memory is therefore bounded by the pixel cap, not by the file size: a
//     file of a few hundred bytes may legitimately claim the whole cap (up
//     to about 8 bytes a pixel, 800 MB at the default). Lower the cap when
//     decoding many files at once.
//   - An uncompressed BMP is refused unless the file holds all its pixel
//     rows, so a tiny BMP cannot make the decoder allocate the full cap.
//   - A panic inside an image decoder is recovered and returned as an error
//     wrapping [ErrFormat], so one bad file cannot stop a batch; it is still
//     a bug, to be reported upstream.
//   - The EXIF orientation reader ([ReadOrientation]) is this package's own:
//     it reads at most one Exif block of at most 64 KiB, walks at most a
//     bounded number of JPEG segments or PNG and WebP chunks, checks every
//     offset against the input size, and is fuzz tested.
//
// The package only computes and compares; it does not walk file systems,
// store hashes or decide what a match means. Callers feed it file contents
// as an [io.ReaderAt] and a size.
package phash
