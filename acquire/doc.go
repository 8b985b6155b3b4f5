// Package acquire images evidence: it reads a source (a disk, a card, a
// USB stick, a file) once, from start to end, and feeds the same bytes to
// the hashes and to a container, in a pipeline whose memory does not grow
// with the source.
//
// # Imaging
//
// [Acquire] reads an [evidence.Source] (or any [Source]) and writes into a
// [Sink]. Unreadable sectors are retried, zero-filled and listed, never
// fatal. The package writes raw and split raw images ([NewRawSink]);
// evidence/ewf supplies the E01 sink. An acquisition interrupted by
// Ctrl-C, a kill or a power loss continues from its last saved [State]
// and gives the same bytes and hashes as one that was never interrupted.
// [NewRecord] and [WriteRecord] produce acquisition.json.
//
// # Verification
//
// [Verify] re-hashes an image, read through any io.ReaderAt (raw images
// from evidence.OpenRaw, E01 images from evidence/ewf), and compares with
// the recorded hashes; [VerifySegments] re-hashes each output file.
//
// # Logical acquisition
//
// [AcquireLogical] collects the files of a folder into a POSIX tar with a
// JSON manifest of their metadata and hashes.
//
// # Left to others
//
// The package never prints: cmd renders progress and results, and writes
// the custody ledger entry from the [Result] or [Record]. It does not
// decide where images go in the case folder, nor which warnings (a
// device mounted writable) stop an acquisition.
package acquire
