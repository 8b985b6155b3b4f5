// Package chain is pangolin's chain of custody: an append-only ledger of
// signed entries, a Merkle tree over them with a signed checkpoint after
// every append, the examiner keys that sign, and the verifier that finds
// any change.
//
// It is used by every other package and uses none of them. Callers record
// actions through [Ledger.Append] (usually via the case folder's Record,
// which also keeps the roster); the ledger never interprets actions beyond
// the two that introduce keys.
//
// # Files
//
// A case's custody/ folder holds:
//
//	ledger.jsonl   the entries, one canonical JSON line each
//	checkpoints    one JSON line per append: {"note":"<signed checkpoint>"}
//	ledger.lock    the lock file appenders and readers share
//	tree.cache     derived Merkle frontier, so an append is O(log n); never
//	               trusted beyond a check against the last signed root
//	damaged/       bytes `custody repair` moved aside, never deleted
//
// # Entry format
//
// An entry line is the JSON encoding of [Entry] by encoding/json: fields in
// the struct's order (seq, time, zone, actor, action, exhibit, inputs,
// outputs, note, attrs, tool, host, prev, sig), empty optional fields
// omitted, attrs keys sorted, no insignificant space, '<' '>' '&' escaped as
// \u003c \u003e \u0026, and a single '\n' after it. Byte strings (actor.key,
// sig) are standard base64. A line is accepted only if decoding and
// re-encoding it gives the same bytes, so there is exactly one valid
// encoding of each entry.
//
//   - seq: 1 for the first line, one more on each following line.
//   - time: UTC, RFC 3339 with nanoseconds; zone: the examiner machine's
//     zone abbreviation and offset at that moment ("EAT +03:00").
//   - prev: hex SHA-256 of the previous line without its newline; 64 zeros
//     for the first entry.
//   - sig: Ed25519 (RFC 8032) by actor.key over the line as encoded with sig
//     omitted.
//
// The first entry must be a case-init; an examiner's key must be introduced
// by a case-init or examiner-add entry (signed with that key) before or in
// its first entry, and must be on the case roster given to [Ledger.Verify].
//
// # Merkle tree and checkpoints
//
// Leaf i is the i-th line without its newline, hashed as in RFC 6962
// (SHA-256(0x00 || line)); interior nodes SHA-256(0x01 || left || right),
// as golang.org/x/mod/sumdb/tlog implements. After appending entry n the
// examiner signs a checkpoint (see [Checkpoint]) of size n in the
// golang.org/x/mod/sumdb/note format, so checkpoint line n of the
// checkpoints file is the signed head of the first n entries. A later
// reader holding any one checkpoint can check with a consistency proof
// ([Ledger.Prove]) that the ledger it signed is a prefix of the present one.
//
// # Durability and concurrency
//
// An append takes an exclusive lock (flock on Unix, LockFileEx on Windows),
// writes the entry line in one write and fsyncs it, then does the same for
// the checkpoint line. A crash can therefore leave only an incomplete last
// entry line, or a complete last entry without its checkpoint (or with an
// incomplete one). Appends refuse to continue past such a tail
// ([ErrDamaged]); [Ledger.Repair] moves it aside and records that it did.
// Anything else wrong is tampering, which Repair refuses to touch.
//
// # Security
//
// The ledger files are treated as hostile input: lines over [MaxLineSize]
// are rejected without being held in memory, every parser returns an
// error rather than panicking, and verification streams the files. What
// the ledger cannot show by itself: an examiner who holds their own key can
// re-sign a complete rewritten history and checkpoints, and someone who can
// rewrite case.json can replace the roster. Both are caught by a checkpoint
// kept outside the case folder (in a report, with a prosecutor), which is
// what [Ledger.Prove] checks.
package chain
