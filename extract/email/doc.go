// Package email reads e-mail for pangolin: who wrote to whom, when, about
// what, the body text in UTF-8, and the attachments, each with the byte
// offset where it sits in the evidence file.
//
// # Formats
//
//   - RFC 5322 / MIME messages ([ParseEML]): .eml files, extension-less
//     RFC 822 files, and Apple Mail .emlx files (their first line, a byte
//     count, is recognised and skipped). Header fields are unfolded and
//     RFC 2047 encoded words decoded in any charset that
//     golang.org/x/text/encoding/htmlindex or ianaindex knows; parameters
//     use RFC 2231 (filename*=, continuations, any charset). Bodies in
//     base64, quoted-printable, 7bit, 8bit and binary are decoded and turned
//     into UTF-8 from their declared charset, falling back to UTF-8 and
//     then Windows-1252 (a superset of Latin-1) when the label is unknown or
//     wrong. multipart/alternative prefers text/plain, else HTML converted to
//     text (script and style skipped); multipart/mixed, related, signed and
//     the rest are walked to [Limits.MaxDepth].
//   - MBOX mailboxes ([MBOX]): every line that starts with "From " opens a
//     message, as Python's mailbox module splits them (mboxo and mboxrd);
//     the blank line before a separator is dropped and mboxrd quoting
//     (">From ", ">>From ") loses one '>'. Messages are read one at a time
//     and handed to a callback.
//   - Outlook .msg files ([ParseMSG]): an OLE2 compound file (MS-CFB) whose
//     header, FAT, DIFAT, miniFAT and directory this package reads itself,
//     holding MAPI properties as described in MS-OXMSG. When the message
//     keeps its transport headers (PR_TRANSPORT_MESSAGE_HEADERS) they are
//     parsed as RFC 5322 headers and win over the MAPI properties.
//
// # What it leaves to others
//
// TNEF (winmail.dat, application/ms-tnef) attachments are listed as
// attachments and not opened; [Attachment.Note] says so. A .msg body kept
// only as compressed RTF (PR_RTF_COMPRESSED) is not decoded, and the
// message records that as an anomaly. Encrypted or signed content (S/MIME,
// PGP) is listed as it is found, neither decrypted nor verified. PST and
// OST stores, uuencoded bodies, and the entities in the text (the
// extract/entities package) are out of scope. Storing results is the
// pipeline's job.
//
// # Security
//
// Every input is treated as hostile; a panic or a hang is a bug.
//
//   - Names are never trusted as paths. [Attachment.Name] is the decoded
//     file name with control characters, bidirectional-override characters
//     and path separators replaced by '_'; this package never creates files
//     from it, and callers that write attachments out must still choose
//     their own paths.
//   - Every size is bounded by [Limits]: the bytes of one message held in
//     memory, the number of MIME parts, the nesting depth of multiparts and
//     embedded messages, the bytes of an attachment decoded, the bytes of
//     body text kept, the number of header fields. Limits reached are
//     recorded in [Message.Anomalies] and the results cut short, not
//     dropped.
//   - In compound files every sector index is checked against the file
//     size before it is read, sector chains stop at the number of sectors
//     the file can hold (so FAT loops end), the directory tree is walked
//     with a visited set (so sibling cycles end), and stream sizes are
//     checked against their chains before anything is allocated.
//   - A multipart whose boundary never closes ends at the end of its
//     enclosing part, as MIME readers commonly do.
//
// Errors with a position are [*FormatError] values carrying the byte
// offset; they unwrap to [ErrFormat].
package email
