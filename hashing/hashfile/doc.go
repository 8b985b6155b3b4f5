// Package hashfile reads and writes the hash lists examiners exchange
// (hashdeep files, md5sum-style and BSD-style checksum lines, CSV, JSON
// Lines and DFXML) and audits observed files against a list with
// hashdeep's rules. It works on [hashing.FileHash] records: computing
// them, walking folders and reporting unreadable files belong to the
// callers (package hashing and the pangolin hash command); known-file
// sets such as the NSRL belong to package hashset.
//
// # Writing
//
// [NewWriter] writes one [Format]. Paths are written as given, in the
// operating system's form, and lines end in "\n" everywhere:
//
//	hashdeep  "%%%% HASHDEEP-1.0", "%%%% size,md5,sha256,filename",
//	          "## Invoked from: DIR", "## $ COMMAND", "## ", then
//	          "SIZE,HEX,...,PATH" (hashdeep 4.4's FILEFORMAT 1.0; md5,
//	          sha1 and sha256 only; names with line breaks are refused
//	          with ErrName, since hashdeep cannot read them back)
//	sum       "HEX  PATH"; a name with a backslash, newline or carriage
//	          return is written with \\, \n and \r and the line starts
//	          with a backslash (GNU coreutils 9), so sha256sum -c reads it
//	bsd       "SHA256 (PATH) = HEX", escaped as sum
//	csv       "path,size,md5,..." then one RFC 4180 record a file
//	          (encoding/csv, "\n" line ends); names are verbatim, so a
//	          spreadsheet may take a name starting with = + - @ for a formula
//	json      one object a line: {"message_type":"file","path":P,"size":N,
//	          "md5":HEX,...} in column order; {"message_type":"error",
//	          "path":P,"error":MSG} for unreadable files; on Close
//	          {"message_type":"summary","files":N,"bytes":N,"errors":N}.
//	          Readers must ignore message types and fields they do not know;
//	          fields are added, never renamed
//	dfxml     the document hashdeep -d writes: <dfxml> with the hashdeep
//	          namespaces, <deep:configuration>, <metadata>, <creator>, then
//	          one <fileobject> with <filename>, <filesize> and
//	          <hashdigest type='MD5'> elements a file
//
// A JSON or DFXML path that is not valid UTF-8, or (DFXML) holds a
// character XML 1.0 cannot carry, is percent-encoded: each offending byte
// and each '%' becomes %XX, and the path is flagged with
// "path_encoding":"percent" or <filename encoding='percent'>. Unflagged
// paths are verbatim. Records whose Err is set are skipped by all formats
// but JSON, which writes an error line.
//
// # Reading
//
// [Read] recognises hashdeep files, checksum lines (md5sum to sha512sum,
// text and binary mode, GNU escaping; BSD tags; md5deep -z sizes) and the
// JSON format, and returns a [Known] list.
//
// Security: Read treats its input as hostile. A line may be at most
// [MaxLineLength] bytes; memory grows with the input read, never with a
// count or length the input declares; every malformed line is a
// [*ParseError] naming the list and line, never a panic. Fuzz tests
// cover it.
//
// # Auditing
//
// [Audit] reproduces hashdeep 4.4's audit mode (hashdeep -a -k LIST),
// established by running the tool on prepared trees:
//
//  1. Algorithms are searched in hashdeep's order (md5, sha1, sha256, then
//     those pangolin lacks), restricted to those the list holds and the
//     observed file has. The first algorithm whose digest some known file
//     shares decides the candidate: among the known files with that
//     digest, the first, in list order, with exactly the observed path,
//     else the first of them. Paths are compared as byte strings, so
//     "/abs/t/a" and "t/a" differ, as with and without hashdeep's -l.
//  2. The candidate is marked used, whatever follows.
//  3. If any other algorithm that both sides have differs, the file is
//     Partial ("Hash collision with KNOWN"), even when another known file
//     would match every digest. Otherwise if the sizes differ it is
//     Partial too (hashdeep's size mismatch). Otherwise if the paths
//     differ it is Moved ("Moved from KNOWN"), else Matched ("Ok").
//  4. A file no digest of which is known is New ("No match"). A file
//     changed in place is therefore New, and its record Missing.
//  5. Known files never marked used are Missing ("Known file not used"),
//     including the second of two identical records and the record of a
//     duplicate whose twin was matched in its place.
//  6. The audit passes when no file is New or Moved and none is Missing;
//     Partial matches do not fail it.
//
// Unreadable files (FileHash.Err) are counted apart and mark nothing used.
package hashfile
