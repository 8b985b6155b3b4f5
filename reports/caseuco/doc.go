// Package caseuco writes a case as CASE/UCO JSON-LD: the Cyber-investigation
// Analysis Standard Expression (https://caseontology.org) on the Unified
// Cyber Ontology, release 1.5.0 of both ([Version]). Other forensic tools
// and case-management systems read it, and a SHACL validator (case_validate
// from case-utils) checks it against the ontology.
//
// [Write] takes the case description, the exhibits, the catalogued
// artefacts, their extracted metadata and the custody ledger as plain
// values and iterators ([Input]); opening the case folder, its catalogue
// and its ledger, and recording the export on the ledger, belong to the
// caller (the pangolin command). The package only formats.
//
// # Graph
//
// The output is one JSON-LD document: an @context declaring its prefixes
// (case-investigation:, uco-core:, uco-observable:, …, kb: for the case's
// own nodes, xsd:) and an @graph holding one node object a line:
//
//   - the agency (uco-identity:Organization) and every examiner
//     (uco-identity:Person, one per signing key) with uco-core:externalReference
//     nodes for the examiner id, the key's SHA-256 fingerprint and the
//     Ed25519 public key itself, and a "Member_Of" uco-core:Relationship
//     to the examiner's organisation;
//   - each pangolin build that acted (uco-tool:Tool with uco-tool:version,
//     uco-tool:creator, and a uco-tool:BuildFacet naming the Go release and
//     platform);
//   - each exhibit: the seized item (uco-observable:StorageMedium with a
//     DeviceFacet and StorageMediumFacet when a block device was imaged,
//     else uco-observable:ObservableObject), its image (uco-observable:Image
//     with an ImageFacet, and a ContentDataFacet holding the acquisition's
//     size and hashes), the image segment files (uco-observable:File with
//     FileFacet and ContentDataFacet) and a case-investigation:ProvenanceRecord
//     with the exhibit number grouping them;
//   - each catalogued artefact: a uco-observable:File (Directory,
//     SymbolicLink, AlternateDataStream or FileSystemObject as its type
//     says) with a FileFacet (name, path, extension, size, MACB times,
//     isDirectory, allocationStatus "unallocated" for deleted entries) and
//     a ContentDataFacet (MIME type, size, MD5/SHA-1/SHA-256 as
//     uco-types:Hash), uco-core:tag values for what the catalogue flags
//     ("deleted", the known-file verdict, "hashset:NAME",
//     "extension-mismatch"), and a uco-observable:ObservableRelationship
//     "Contained_Within" to the archive it was found in or else to the
//     exhibit's image, with a PathRelationFacet giving its path;
//   - for extracted metadata: the camera (uco-observable:Device with a
//     DeviceFacet, its make as a uco-identity:Organization), the recorded
//     position (uco-location:Location with a LatLongCoordinatesFacet) and
//     a uco-action:Action that created the content with that camera as
//     instrument, at that location and time, with the file as result; EXIF
//     fields as a uco-observable:EXIFFacet dictionary on the file;
//   - every custody ledger entry as a case-investigation:InvestigativeAction:
//     uco-core:name is the ledger action (acquire, verify, process, export,
//     transfer, …), uco-action:performer the signing examiner,
//     uco-action:instrument the pangolin build, uco-action:environment
//     the examiner's computer (uco-observable:Computer named by host),
//     uco-action:location a uco-location:Location (the entry's "location"
//     attribute when it has one, else the host), uco-action:endTime the
//     entry time (for an acquisition whose exhibit records them, the
//     acquisition's start and end as uco-action:startTime and
//     uco-action:endTime), uco-action:object the exhibit and the
//     input files, uco-action:result the output files and a
//     case-investigation:ProvenanceRecord of them with the exhibit number,
//     and one uco-action:ActionArgumentFacet per attribute;
//   - the investigation (case-investigation:Investigation): name and
//     description from case.json, investigationForm "case", the focus when
//     given, uco-core:startTime when the case was opened, and uco-core:object
//     listing the agency, examiners, tools, exhibits, images, actions and
//     provenance records. Artefacts are not listed there: they are reached
//     through their exhibit's image, so that the graph can be streamed.
//
// # Tying actions to the signed ledger
//
// Each action carries a uco-core:ExternalReference whose
// uco-core:externalIdentifier is the entry's seq in custody/ledger.jsonl,
// and case-investigation:wasDerivedFrom a uco-observable:ContentData node
// for the ledger line itself: its ContentDataFacet gives the line's size
// and SHA-256 ([chain.LineHash], the value the next entry's prev holds),
// and its DigitalSignatureInfoFacet says whether the Ed25519 signature
// verifies against the key the entry names (signatureVerified) and which
// key and previous-line hash it covers. The line is re-encoded from the
// parsed entry the way the ledger encodes it, which gives back the exact
// line for every entry [chain.ParseEntry] accepts. Whether the key is on
// the roster and the chain is unbroken is for `pangolin custody verify`.
//
// # Identifiers
//
// Every node, facets and hashes included, has an @id (UCO forbids blank
// nodes): "kb:" + kind + "-" + a readable part + "-" + a UUID, for example
// kb:file-EX-001-0-12-6f1c…. The readable part (exhibit, ref, seq, name)
// keeps only ASCII letters, digits, '.', '_' and '-', so an @id never
// carries text from evidence and is always IRI-safe. The UUID is a version
// 5 UUID over the case id and the node's kind and key (exhibit and ref for
// an artefact, position, seq and line hash for a ledger entry, …), so the
// same input gives the same identifiers on every run and two cases'
// exports can be merged without collisions; ending in a UUID is also what
// UCO's identifier advice asks for. The kb: prefix stands for [Input].KB,
// [DefaultKB] when empty.
//
// # Names from evidence
//
// File names, paths and metadata come from evidence and are hostile. Every
// string is written by encoding/json, which escapes quotes, control
// characters and '<', '>', '&' (as \u003c, \u003e, \u0026), so the output
// stays one valid JSON document and inert in an HTML viewer. A name or
// path that is not valid UTF-8, which JSON cannot carry, is written
// percent-encoded (every byte that is not part of valid UTF-8, and every
// '%', as %XX, as package export does for DFXML) and the object gets the
// tag "path-percent-encoded"; decoding gives back the exact bytes. Other
// text that is not valid UTF-8 has the bad bytes replaced by U+FFFD.
//
// # Conformance notes
//
// Where UCO 1.5.0 moved from vocabulary-typed literals to plain strings,
// the export follows 1.5.0: types:hashMethod is the plain string "MD5",
// "SHA1", "SHA256" or "SHA512" (members of uco-vocabulary:HashNameVocab),
// and uco-core:kindOfRelationship the plain string "Contained_Within" or
// "Member_Of". Hash values are xsd:hexBinary literals in lower-case hex;
// times are xsd:dateTime literals in RFC 3339 (times outside the years
// 1-9999, and metadata times recorded without a zone, are left out and the
// latter described in text); sizes are JSON integers (xsd:integer) and
// coordinates xsd:decimal literals. Action times use uco-action:startTime
// and uco-action:endTime, the properties UCO gives uco-action:Action.
//
// # Streaming
//
// Nodes are written as they are made, through a 64 KiB buffer. Memory
// grows with the ledger, the roster and the exhibits (a few strings each,
// to link and list them), not with the artefacts: the artefact and
// metadata iterators are read in step (a merge on the catalogue's order,
// exhibit, partition, walk position and ref, which [catalog.DB.Artefacts]
// and [catalog.DB.Extracted] both yield), and only the chain of archives
// around the current artefact is kept. Artefacts out of that order are
// refused with [ErrOrder], which also guarantees that no artefact is
// written twice. Cameras, makes and places found in metadata are written
// once per artefact, not shared, for the same reason. ctx is checked every
// 1024 artefacts and every ledger entry.
//
// # Left out
//
// Volumes and partitions, inode and MFT numbers, record offsets, file
// modes, symbolic link targets and other reader facts (Extra), entities,
// document authors, examiners' tags and notes, extracted text and
// thumbnails, hash algorithms other than MD5, SHA-1, SHA-256 and SHA-512,
// and the checkpoints and Merkle tree of the ledger. Beyond checking each
// entry's signature against the key it names, the export does not verify
// the ledger; it reports what the ledger holds.
package caseuco
