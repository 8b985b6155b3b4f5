package caseuco

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/extract"
	"github.com/pangolin-forensics/pangolin/hashing"
)

// DefaultKB is the namespace IRI the kb: prefix stands for when
// [Input].KB is empty.
const DefaultKB = "urn:pangolin:kb:"

// ErrOrder is returned (wrapped) when artefacts or metadata do not come in
// the catalogue's order: exhibit, partition, walk position, then ref.
var ErrOrder = errors.New("not in catalogue order")

// Input is everything one export describes. Only Case is required.
type Input struct {
	// Case is case.json: id, title, agency, when the case was opened and
	// the examiner roster.
	Case catalog.Info
	// Focus is the investigation's topical focus ("ivory trafficking"),
	// when the examiner gives one.
	Focus string
	// Tool is the pangolin build writing the export (name, version, Go
	// release, platform), as the ledger records builds.
	Tool chain.Tool
	// Exhibits are the case's exhibits, from their acquisition records.
	// Exhibits that artefacts or ledger entries name but this list lacks
	// are written with their number only.
	Exhibits []Exhibit
	// Artefacts are the catalogued artefacts in the catalogue's order,
	// as [catalog.DB.Artefacts] yields them. An artefact's Meta, when
	// set, is written as its metadata.
	Artefacts iter.Seq2[*catalog.Artefact, error]
	// Metadata, when set, is the artefacts' extracted metadata in the
	// same order, as [catalog.DB.Extracted] yields it (with Fields set to
	// get the EXIF dictionary). Records of artefacts not in Artefacts are
	// skipped.
	Metadata iter.Seq2[*catalog.Extracted, error]
	// Entries is the custody ledger, oldest first, as
	// [chain.Ledger.Entries] yields it.
	Entries iter.Seq2[*chain.Entry, error]
	// KB is the namespace IRI of the case's own nodes (the kb: prefix);
	// it must end in '/', '#' or ':'. Empty means [DefaultKB].
	KB string
}

// Exhibit is one exhibit: the seized item and its acquisition, as the
// exhibit's acquisition.json records them.
type Exhibit struct {
	// ID is the exhibit number, "EX-001".
	ID string
	// Description says what the item is, in the examiner's words.
	Description string
	// Source is what acquisition found out about the source: whether it
	// is a block device, its model, serial number, vendor and size.
	Source evidence.Facts
	// Format is the image container: "raw", "split-raw", "e01" or
	// "logical".
	Format string
	// Start and End bound the acquisition; zero when unknown.
	Start, End time.Time
	// Bytes is the number of bytes acquired and Hashes their digests.
	Bytes  int64
	Hashes hashing.Sums
	// Segments are the image files (for a logical acquisition, the
	// container), with case-relative paths, sizes and SHA-256.
	Segments []chain.Ref
}

// Prefixes of the @context, in output order; kb: is added after
// case-investigation:.
var namespaces = [][2]string{
	{"uco-action", "https://ontology.unifiedcyberontology.org/uco/action/"},
	{"uco-core", "https://ontology.unifiedcyberontology.org/uco/core/"},
	{"uco-identity", "https://ontology.unifiedcyberontology.org/uco/identity/"},
	{"uco-location", "https://ontology.unifiedcyberontology.org/uco/location/"},
	{"uco-observable", "https://ontology.unifiedcyberontology.org/uco/observable/"},
	{"uco-tool", "https://ontology.unifiedcyberontology.org/uco/tool/"},
	{"uco-types", "https://ontology.unifiedcyberontology.org/uco/types/"},
	{"uco-vocabulary", "https://ontology.unifiedcyberontology.org/uco/vocabulary/"},
	{"xsd", "http://www.w3.org/2001/XMLSchema#"},
}

// toolCreator and toolHome describe who makes pangolin.
const (
	toolCreator = "pangolin-forensics"
	toolHome    = "https://github.com/pangolin-forensics/pangolin"
)

// Write writes in as one CASE/UCO JSON-LD document to w (see the package
// documentation for the graph). It stops, returning the error, at the
// first error an iterator yields, at a write error and when ctx ends.
func Write(ctx context.Context, w io.Writer, in Input) error {
	kb := in.KB
	if kb == "" {
		kb = DefaultKB
	}
	if !strings.ContainsAny(kb[len(kb)-1:], "/#:") {
		return fmt.Errorf("caseuco: kb namespace %q must end in '/', '#' or ':'", kb)
	}
	x := &writer{
		in:       in,
		bw:       bufio.NewWriterSize(w, 64<<10),
		ids:      newIDMaker(in.Case.ID),
		exhibits: map[string]exhibitNodes{},
		details:  map[string]*Exhibit{},
		persons:  map[string]string{},
		orgs:     map[string]string{},
		tools:    map[chain.Tool]string{},
		hosts:    map[string][2]string{},
		places:   map[string]string{},
		files:    map[chain.Ref]string{},
	}
	x.prologue(kb)
	if in.Case.Agency != "" {
		x.list(x.org(in.Case.Agency))
	}
	for _, ex := range in.Case.Examiners {
		x.person(ex.Actor)
	}
	x.tool(in.Tool)
	for i := range in.Exhibits {
		ex := &in.Exhibits[i]
		if _, dup := x.details[ex.ID]; dup {
			return fmt.Errorf("caseuco: exhibit %q listed twice", ex.ID)
		}
		x.details[ex.ID] = ex
		x.exhibit(ex)
	}
	if err := x.artefacts(ctx); err != nil {
		return err
	}
	if err := x.entries(ctx); err != nil {
		return err
	}
	x.investigation()
	if x.err == nil {
		_, x.err = x.bw.WriteString("\n]}\n")
	}
	if x.err == nil {
		x.err = x.bw.Flush()
	}
	if x.err != nil {
		return fmt.Errorf("caseuco: %w", x.err)
	}
	return nil
}

// writer holds the state of one export: the output, the node being
// built, and the nodes already written that later nodes refer to.
type writer struct {
	in    Input
	bw    *bufio.Writer
	err   error // first write error
	e     enc   // the node being built
	ids   *idMaker
	nodes int // nodes written

	exhibits map[string]exhibitNodes // by exhibit number
	details  map[string]*Exhibit     // Input.Exhibits by number
	persons  map[string]string       // by key fingerprint (or id)
	orgs     map[string]string       // by name
	tools    map[chain.Tool]string
	hosts    map[string][2]string // host name: computer, location
	places   map[string]string    // by name
	files    map[chain.Ref]string // case files named by the ledger
	listed   []string             // the investigation's uco-core:object
}

// exhibitNodes are the nodes of an exhibit that others refer to: the
// seized item and its image.
type exhibitNodes struct{ item, image string }

func (x *writer) prologue(kb string) {
	e := &x.e
	e.obj()
	e.key("@context")
	e.obj()
	e.prop("case-investigation", "https://ontology.caseontology.org/case/investigation/")
	e.prop("kb", kb)
	for _, ns := range namespaces {
		e.prop(ns[0], ns[1])
	}
	e.endObj()
	// The rest is written by hand: "@graph", then nodes one a line.
	_, x.err = x.bw.Write(e.b)
	if x.err == nil {
		_, x.err = x.bw.WriteString(",\n\"@graph\":[")
	}
	e.reset()
}

// begin starts a graph node; end writes it.
func (x *writer) begin(id string, types ...string) { x.e.node(id, types...) }

func (x *writer) end() {
	x.e.endObj()
	if x.err == nil {
		sep := ",\n"
		if x.nodes == 0 {
			sep = "\n"
		}
		if _, x.err = x.bw.WriteString(sep); x.err == nil {
			_, x.err = x.bw.Write(x.e.b)
		}
		x.nodes++
	}
	x.e.reset()
}

// list adds a node to the investigation's uco-core:object.
func (x *writer) list(ids ...string) {
	for _, id := range ids {
		if id != "" {
			x.listed = append(x.listed, id)
		}
	}
}

// org returns the organisation of that name, written on first use.
func (x *writer) org(name string) string {
	return x.named(x.orgs, "organization", "uco-identity:Organization", name)
}

// named returns the node of type typ that has only a name, from seen
// (by name) or written now under an id of kind.
func (x *writer) named(seen map[string]string, kind, typ, name string) string {
	if id, ok := seen[name]; ok {
		return id
	}
	id := x.ids.id(kind, name, name)
	seen[name] = id
	x.begin(id, typ)
	x.e.prop("uco-core:name", name)
	x.end()
	return id
}

// extRef writes an inline uco-core:ExternalReference; an empty identifier
// is left out.
func (x *writer) extRef(id, identifier, context string) {
	if identifier == "" {
		return
	}
	x.e.node(id, "uco-core:ExternalReference")
	x.e.prop("uco-core:externalIdentifier", identifier)
	x.e.prop("uco-core:definingContext", context)
	x.e.endObj()
}

// person returns the examiner holding a's key, written on first use with
// the examiner's organisation.
func (x *writer) person(a chain.Actor) string {
	if a.ID == "" && len(a.Key) == 0 {
		return ""
	}
	fp := chain.Fingerprint(a.Key)
	who := fp // an examiner is their key; without one, their id
	if len(a.Key) == 0 {
		who = "id:" + a.ID
	}
	if id, ok := x.persons[who]; ok {
		return id
	}
	var org string
	if a.Org != "" {
		org = x.org(a.Org)
	}
	id := x.ids.id("examiner", a.ID, who)
	x.persons[who] = id
	x.begin(id, "uco-identity:Person")
	x.e.prop("uco-core:name", a.Name)
	x.e.key("uco-core:externalReference")
	x.e.arr()
	x.extRef(x.ids.id("examiner-id", a.ID, who), a.ID, "pangolin examiner id")
	if len(a.Key) > 0 {
		x.extRef(x.ids.id("examiner-key-fingerprint", a.ID, who), fp,
			"pangolin examiner key fingerprint: SHA-256 of the Ed25519 public key, unpadded base64")
		x.extRef(x.ids.id("examiner-key", a.ID, who), base64.StdEncoding.EncodeToString(a.Key),
			"pangolin examiner Ed25519 public key, standard base64; it signs the examiner's custody ledger entries")
	}
	x.e.endArr()
	x.end()
	if org != "" {
		x.begin(x.ids.id("membership", a.ID, who), "uco-core:Relationship")
		x.e.ref("uco-core:source", id)
		x.e.ref("uco-core:target", org)
		x.e.boolean("uco-core:isDirectional", true)
		x.e.prop("uco-core:kindOfRelationship", "Member_Of")
		x.end()
	}
	x.list(id)
	return id
}

// tool returns the pangolin build t, written on first use.
func (x *writer) tool(t chain.Tool) string {
	if t == (chain.Tool{}) {
		return ""
	}
	if id, ok := x.tools[t]; ok {
		return id
	}
	var creator string
	if t.Name == "pangolin" {
		creator = x.org(toolCreator)
	}
	key := []string{t.Name, t.Version, t.Go, t.OS}
	readable := t.Name + "-" + t.Version
	id := x.ids.id("tool", readable, key...)
	x.tools[t] = id
	x.begin(id, "uco-tool:Tool")
	x.e.prop("uco-core:name", t.Name)
	x.e.prop("uco-tool:version", t.Version)
	x.e.ref("uco-tool:creator", creator)
	if creator != "" {
		x.e.typed("uco-tool:references", "xsd:anyURI", toolHome)
	}
	if t.Go != "" || t.OS != "" {
		x.e.key("uco-core:hasFacet")
		x.e.arr()
		x.e.node(x.ids.id("build-facet", readable, key...), "uco-tool:BuildFacet")
		x.e.key("uco-tool:buildInformation")
		x.e.node(x.ids.id("build-information", readable, key...), "uco-tool:BuildInformationType")
		x.e.prop("uco-tool:buildVersion", t.Version)
		x.e.prop("uco-tool:buildLabel", t.OS)
		if t.Go != "" {
			x.e.key("uco-tool:compilers")
			x.e.arr()
			x.e.node(x.ids.id("compiler", readable, key...), "uco-tool:CompilerType")
			x.e.prop("uco-tool:compilerInformalDescription", t.Go)
			x.e.endObj()
			x.e.endArr()
		}
		x.e.endObj()
		x.e.endObj()
		x.e.endArr()
	}
	x.end()
	x.list(id)
	return id
}

// digest is one hash of some content.
type digest struct{ method, value string }

// hashMethods are the algorithms written, with their HashNameVocab names
// and digest sizes.
var hashMethods = []struct {
	algo   hashing.Algo
	method string
	size   int
}{
	{hashing.MD5, "MD5", 16},
	{hashing.SHA1, "SHA1", 20},
	{hashing.SHA256, "SHA256", 32},
	{hashing.SHA512, "SHA512", 64},
}

// digests returns the well-formed digests of sums in canonical order;
// anything that is not hex of the algorithm's size is left out.
func digests(sums hashing.Sums) []digest {
	var out []digest
	for _, h := range hashMethods {
		if v, ok := hexDigest(sums[h.algo], h.size); ok {
			out = append(out, digest{h.method, v})
		}
	}
	return out
}

// hexDigest returns v in lower case if it is the hex form of n bytes.
func hexDigest(v string, n int) (string, bool) {
	if len(v) != 2*n {
		return "", false
	}
	v = strings.ToLower(v)
	if strings.Trim(v, "0123456789abcdef") != "" {
		return "", false
	}
	return v, true
}

// contentFacet writes a uco-observable:ContentDataFacet into the open
// facet list; a negative size is left out.
func (x *writer) contentFacet(kind, readable string, key []string, size int64, mime string, ds []digest) {
	x.e.node(x.ids.id(kind+"-content", readable, key...), "uco-observable:ContentDataFacet")
	x.e.prop("uco-observable:mimeType", mime)
	if size >= 0 {
		x.e.integer("uco-observable:sizeInBytes", size)
	}
	if len(ds) > 0 {
		x.e.key("uco-observable:hash")
		x.e.arr()
		for _, d := range ds {
			x.e.node(x.ids.id(kind+"-hash", readable, append(key, d.method)...), "uco-types:Hash")
			x.e.prop("uco-types:hashMethod", d.method)
			x.e.typed("uco-types:hashValue", "xsd:hexBinary", d.value)
			x.e.endObj()
		}
		x.e.endArr()
	}
	x.e.endObj()
}

// caseFile returns the node of a file in the case folder that the ledger
// or an acquisition names, written on first use.
func (x *writer) caseFile(r chain.Ref) string {
	if id, ok := x.files[r]; ok {
		return id
	}
	p, encoded := evidenceName(r.Path)
	key := []string{r.Path, strconv.FormatInt(r.Size, 10), r.SHA256}
	readable := path.Base(p)
	id := x.ids.id("case-file", readable, key...)
	x.files[r] = id
	x.begin(id, "uco-observable:File")
	if encoded {
		x.e.strs("uco-core:tag", []string{"path-percent-encoded"})
	}
	x.e.key("uco-core:hasFacet")
	x.e.arr()
	x.e.node(x.ids.id("case-file-facet", readable, key...), "uco-observable:FileFacet")
	x.e.prop("uco-observable:fileName", path.Base(p))
	x.e.prop("uco-observable:filePath", p)
	x.e.endObj()
	var ds []digest
	if v, ok := hexDigest(r.SHA256, 32); ok {
		ds = []digest{{"SHA256", v}}
	}
	if len(ds) > 0 || r.Size > 0 {
		x.contentFacet("case-file", readable, key, r.Size, "", ds)
	}
	x.e.endArr()
	x.end()
	return id
}

// imageTypes names pangolin's image formats as uco-observable:imageType
// describes them.
var imageTypes = map[string]string{"raw": "RAW", "split-raw": "RAW", "e01": "EnCase", "logical": "LocalFolder"}

// exhibit writes an exhibit: the item, its image, its segments and the
// provenance record grouping them.
func (x *writer) exhibit(ex *Exhibit) exhibitNodes {
	key := []string{ex.ID}
	src := ex.Source
	var vendor string
	if src.Device && src.Vendor != "" {
		vendor = x.org(src.Vendor)
	}
	var segments []string
	for _, s := range ex.Segments {
		segments = appendNew(segments, x.caseFile(s))
	}
	n := exhibitNodes{item: x.ids.id("exhibit", ex.ID, key...), image: x.ids.id("image", ex.ID, key...)}
	x.exhibits[ex.ID] = n

	if src.Device {
		x.begin(n.item, "uco-observable:StorageMedium")
	} else {
		x.begin(n.item, "uco-observable:ObservableObject")
	}
	x.e.prop("uco-core:name", ex.ID)
	x.e.prop("uco-core:description", ex.Description)
	if src.Device {
		x.e.key("uco-core:hasFacet")
		x.e.arr()
		x.e.node(x.ids.id("exhibit-device-facet", ex.ID, key...), "uco-observable:DeviceFacet")
		if src.Removable {
			x.e.prop("uco-observable:deviceType", "removable storage")
		}
		x.e.ref("uco-observable:manufacturer", vendor)
		x.e.prop("uco-observable:model", src.Model)
		x.e.prop("uco-observable:serialNumber", src.Serial)
		x.e.endObj()
		if src.Size > 0 {
			x.e.node(x.ids.id("exhibit-storage-facet", ex.ID, key...), "uco-observable:StorageMediumFacet")
			x.e.integer("uco-observable:totalStorageCapacityInBytes", src.Size)
			x.e.endObj()
		}
		x.e.endArr()
	}
	x.end()

	x.begin(n.image, "uco-observable:Image")
	x.e.prop("uco-core:name", ex.ID+" image")
	ds := digests(ex.Hashes)
	if ex.Format != "" || ex.Bytes > 0 || len(ds) > 0 {
		x.e.key("uco-core:hasFacet")
		x.e.arr()
		if ex.Format != "" {
			x.e.node(x.ids.id("image-facet", ex.ID, key...), "uco-observable:ImageFacet")
			x.e.prop("uco-observable:imageType", cmpOr(imageTypes[ex.Format], ex.Format))
			x.e.endObj()
		}
		if ex.Bytes > 0 || len(ds) > 0 {
			size := ex.Bytes
			if size == 0 {
				size = -1
			}
			x.contentFacet("image", ex.ID, key, size, "", ds)
		}
		x.e.endArr()
	}
	x.end()

	prov := x.ids.id("exhibit-provenance", ex.ID, key...)
	x.begin(prov, "case-investigation:ProvenanceRecord")
	x.e.prop("uco-core:name", "exhibit "+ex.ID)
	x.e.prop("case-investigation:exhibitNumber", ex.ID)
	x.e.prop("case-investigation:rootExhibitNumber", ex.ID)
	x.e.refs("uco-core:object", append([]string{n.item, n.image}, segments...))
	x.end()
	x.list(n.item, n.image, prov)
	return n
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// exhibitByID returns the nodes of an exhibit, writing a bare one for an
// exhibit not in Input.Exhibits.
func (x *writer) exhibitByID(id string) exhibitNodes {
	if n, ok := x.exhibits[id]; ok {
		return n
	}
	return x.exhibit(&Exhibit{ID: id})
}

// appendNew appends id unless the list holds it already.
func appendNew(ids []string, id string) []string {
	if id == "" || slices.Contains(ids, id) {
		return ids
	}
	return append(ids, id)
}

// investigation writes the investigation node, last, listing what the
// export wrote about the case.
func (x *writer) investigation() {
	c := x.in.Case
	x.begin(x.ids.id("investigation", c.ID), "case-investigation:Investigation")
	x.e.prop("uco-core:name", cmpOr(c.Title, c.ID))
	if c.ID != "" {
		x.e.prop("uco-core:description", "pangolin case "+c.ID)
	}
	x.e.prop("case-investigation:investigationForm", "case")
	x.e.prop("case-investigation:focus", x.in.Focus)
	if t, err := time.Parse(time.RFC3339Nano, c.Created); err == nil {
		x.e.dateTime("uco-core:startTime", t)
	}
	if c.ID != "" {
		x.e.key("uco-core:externalReference")
		x.e.arr()
		x.extRef(x.ids.id("case-id", c.ID), c.ID, "pangolin case id (case.json)")
		x.e.endArr()
	}
	x.e.refs("uco-core:object", x.listed)
	x.end()
}

// entries writes one investigative action per ledger entry.
func (x *writer) entries(ctx context.Context) error {
	if x.in.Entries == nil {
		return nil
	}
	n := 0
	for e, err := range x.in.Entries {
		if err != nil {
			return fmt.Errorf("caseuco: custody ledger: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e == nil {
			continue
		}
		n++
		if err := x.entry(n, e); err != nil {
			return err
		}
		if x.err != nil {
			return fmt.Errorf("caseuco: %w", x.err)
		}
	}
	return nil
}

// entry writes the n-th ledger entry as an investigative action, with
// the nodes it refers to.
func (x *writer) entry(n int, e *chain.Entry) error {
	line, err := e.Line()
	if err != nil {
		return fmt.Errorf("caseuco: custody entry %d: %w", e.Seq, err)
	}
	sum := chain.LineHash(line)
	seq := strconv.FormatInt(e.Seq, 10)
	key := []string{strconv.Itoa(n), seq, sum}

	performer := x.person(e.Actor)
	instrument := x.tool(e.Tool)
	var environment string
	var locations []string
	if e.Host != "" {
		var hostLocation string
		environment, hostLocation = x.host(e.Host)
		if e.Attrs["location"] == "" {
			locations = append(locations, hostLocation)
		}
	}
	if place := e.Attrs["location"]; place != "" {
		locations = append(locations, x.place(place))
	}
	var objects, results []string
	if e.Exhibit != "" {
		objects = append(objects, x.exhibitByID(e.Exhibit).item)
	}
	for _, r := range e.Inputs {
		objects = appendNew(objects, x.caseFile(r))
	}
	for _, r := range e.Outputs {
		results = appendNew(results, x.caseFile(r))
	}
	if len(results) > 0 {
		prov := x.ids.id("provenance", seq, key...)
		x.begin(prov, "case-investigation:ProvenanceRecord")
		x.e.prop("uco-core:name", "results of custody entry "+seq)
		x.e.prop("case-investigation:exhibitNumber", e.Exhibit)
		x.e.refs("uco-core:object", results)
		x.end()
		results = append(results, prov)
		x.list(prov)
	}

	lineID := x.ids.id("ledger-entry", seq, key...)
	x.begin(lineID, "uco-observable:ContentData")
	x.e.prop("uco-core:name", "custody ledger entry "+seq)
	x.e.prop("uco-core:description", "Line "+seq+" of the case's custody ledger (custody/ledger.jsonl), without its newline.")
	x.e.key("uco-core:hasFacet")
	x.e.arr()
	x.contentFacet("ledger-entry", seq, key, int64(len(line)), "application/json", []digest{{"SHA256", sum}})
	x.e.node(x.ids.id("ledger-entry-signature", seq, key...), "uco-observable:DigitalSignatureInfoFacet")
	x.e.boolean("uco-observable:signatureExists", len(e.Sig) > 0)
	if len(e.Sig) > 0 {
		x.e.boolean("uco-observable:signatureVerified", e.VerifySig())
	}
	x.e.prop("uco-observable:signatureDescription", "Ed25519 (RFC 8032) signature by the key with fingerprint "+
		chain.Fingerprint(e.Actor.Key)+" over the line without its sig field; the line's prev field, the SHA-256 of the line before, is "+e.Prev+".")
	x.e.endObj()
	x.e.endArr()
	x.end()

	id := x.ids.id("action", seq, key...)
	x.begin(id, "case-investigation:InvestigativeAction")
	x.e.prop("uco-core:name", e.Action)
	x.e.prop("uco-core:description", e.Note)
	x.e.key("uco-core:externalReference")
	x.e.arr()
	x.extRef(x.ids.id("ledger-seq", seq, key...), seq, "seq of the entry in the case's pangolin custody ledger (custody/ledger.jsonl)")
	x.e.endArr()
	if len(e.Attrs) > 0 {
		x.e.key("uco-core:hasFacet")
		x.e.arr()
		for _, k := range slices.Sorted(maps.Keys(e.Attrs)) {
			x.e.node(x.ids.id("argument", seq+"-"+k, append(key, k)...), "uco-action:ActionArgumentFacet")
			x.e.key("uco-action:argumentName")
			x.e.str(k)
			x.e.key("uco-action:value")
			x.e.str(e.Attrs[k])
			x.e.endObj()
		}
		x.e.endArr()
	}
	x.e.ref("uco-action:performer", performer)
	x.e.refs("uco-action:instrument", one(instrument))
	x.e.ref("uco-action:environment", environment)
	x.e.refs("uco-action:location", locations)
	var start, end time.Time
	if t, err := time.Parse(time.RFC3339Nano, e.Time); err == nil {
		end = t
	}
	if ex := x.details[e.Exhibit]; ex != nil && e.Action == "acquire" {
		start = ex.Start
		if !ex.End.IsZero() {
			end = ex.End
		}
	}
	x.e.dateTime("uco-action:startTime", start)
	x.e.dateTime("uco-action:endTime", end)
	x.e.refs("uco-action:object", objects)
	x.e.refs("uco-action:result", results)
	x.e.refs("case-investigation:wasDerivedFrom", []string{lineID})
	x.end()
	x.list(id)
	return nil
}

// host returns the examiner's computer of that host name and the
// location named by it, written on first use.
func (x *writer) host(name string) (computer, location string) {
	if v, ok := x.hosts[name]; ok {
		return v[0], v[1]
	}
	computer = x.ids.id("computer", name, name)
	x.begin(computer, "uco-observable:Computer")
	x.e.prop("uco-core:name", name)
	x.e.key("uco-core:hasFacet")
	x.e.arr()
	x.e.node(x.ids.id("computer-facet", name, name), "uco-observable:ComputerSpecificationFacet")
	x.e.prop("uco-observable:hostname", name)
	x.e.endObj()
	x.e.endArr()
	x.end()
	location = x.ids.id("host-location", name, name)
	x.begin(location, "uco-location:Location")
	x.e.prop("uco-core:name", name)
	x.e.prop("uco-core:description", "Wherever the computer with this host name was; the ledger entry records no other place.")
	x.end()
	x.hosts[name] = [2]string{computer, location}
	return computer, location
}

// place returns the location an entry's "location" attribute names,
// written on first use.
func (x *writer) place(name string) string {
	return x.named(x.places, "place", "uco-location:Location", name)
}

// artefactKey orders artefacts and their metadata as the catalogue does:
// exhibit, partition, walk position (both from the ref "P/N..."), ref.
type artefactKey struct {
	exhibit   string
	part, ord int64
	ref       string
}

func (k artefactKey) less(o artefactKey) bool {
	if k.exhibit != o.exhibit {
		return k.exhibit < o.exhibit
	}
	if k.part != o.part {
		return k.part < o.part
	}
	if k.ord != o.ord {
		return k.ord < o.ord
	}
	return k.ref < o.ref
}

func keyOf(exhibit, ref string) (artefactKey, bool) {
	p, rest, ok := strings.Cut(ref, "/")
	o, _, _ := strings.Cut(rest, "/")
	part, err1 := strconv.ParseInt(p, 10, 64)
	ord, err2 := strconv.ParseInt(o, 10, 64)
	return artefactKey{exhibit, part, ord, ref}, ok && err1 == nil && err2 == nil
}

// metaCursor reads the metadata iterator in step with the artefacts.
type metaCursor struct {
	next func() (*catalog.Extracted, error, bool)
	cur  *catalog.Extracted
	key  artefactKey
	seen bool // key holds the last record's key
	done bool
}

// take appends the metadata of the artefact with key k to out, skipping
// records of artefacts before it.
func (m *metaCursor) take(k artefactKey, out []*extract.Metadata) ([]*extract.Metadata, error) {
	for {
		if m.cur == nil {
			if m.done {
				return out, nil
			}
			r, err, ok := m.next()
			if !ok {
				m.done = true
				return out, nil
			}
			if err != nil {
				return out, fmt.Errorf("caseuco: metadata: %w", err)
			}
			if r == nil {
				continue
			}
			rk, valid := keyOf(r.Exhibit, r.Ref)
			if !valid {
				continue
			}
			if m.seen && rk.less(m.key) {
				return out, fmt.Errorf("caseuco: metadata of %q %q: %w", r.Exhibit, r.Ref, ErrOrder)
			}
			m.cur, m.key, m.seen = r, rk, true
		}
		switch {
		case m.key.less(k):
			m.cur = nil
		case k.less(m.key):
			return out, nil
		default:
			md := m.cur.Metadata
			out = append(out, &md)
			m.cur = nil
		}
	}
}

// ancestor is an archive around the current artefact.
type ancestor struct{ exhibit, ref, id string }

// artefacts writes the catalogued artefacts with their metadata.
func (x *writer) artefacts(ctx context.Context) error {
	if x.in.Artefacts == nil {
		return nil
	}
	var meta *metaCursor
	if x.in.Metadata != nil {
		next, stop := iter.Pull2(x.in.Metadata)
		defer stop()
		meta = &metaCursor{next: next}
	}
	var (
		prev    artefactKey
		n       int
		stack   []ancestor
		metas   []*extract.Metadata
		started bool
	)
	for a, err := range x.in.Artefacts {
		if err != nil {
			return fmt.Errorf("caseuco: artefacts: %w", err)
		}
		if a == nil {
			continue
		}
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		k, ok := keyOf(a.Exhibit, a.Ref)
		if !ok {
			return fmt.Errorf("caseuco: artefact %q of exhibit %q: ref is not \"partition/position...\"", a.Ref, a.Exhibit)
		}
		if started && !prev.less(k) {
			return fmt.Errorf("caseuco: artefact %q of exhibit %q: %w", a.Ref, a.Exhibit, ErrOrder)
		}
		prev, started = k, true
		metas = append(metas[:0], a.Meta...)
		if meta != nil {
			if metas, err = meta.take(k, metas); err != nil {
				return err
			}
		}
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			if top.exhibit == a.Exhibit && strings.HasPrefix(a.Ref, top.ref+"/") {
				break
			}
			stack = stack[:len(stack)-1]
		}
		container := x.exhibitByID(a.Exhibit).image
		if len(stack) > 0 && a.Parent != "" && stack[len(stack)-1].ref == a.Parent {
			container = stack[len(stack)-1].id
		}
		id := x.artefact(a, metas, container)
		stack = append(stack, ancestor{a.Exhibit, a.Ref, id})
		if x.err != nil {
			return fmt.Errorf("caseuco: %w", x.err)
		}
	}
	return nil
}

// fileTypes maps the catalogue's artefact types to UCO classes.
var fileTypes = map[string]string{
	"file":    "uco-observable:File",
	"dir":     "uco-observable:Directory",
	"symlink": "uco-observable:SymbolicLink",
}

// artefact writes an artefact, its relationship to the container it was
// found in, and what its metadata records; it returns the artefact's id.
func (x *writer) artefact(a *catalog.Artefact, metas []*extract.Metadata, container string) string {
	readable := a.Exhibit + "-" + a.Ref
	key := []string{a.Exhibit, a.Ref}
	id := x.ids.id("file", readable, key...)
	name, nameEncoded := evidenceName(a.Name)
	p, pathEncoded := evidenceName(a.Path)

	types := []string{cmpOr(fileTypes[a.Type], "uco-observable:FileSystemObject")}
	if a.Stream != "" {
		types = []string{"uco-observable:AlternateDataStream", "uco-observable:FileSystemObject"}
	}
	x.begin(id, types...)
	if a.Error != "" {
		x.e.prop("uco-core:description", "Content not read in full: "+a.Error)
	}
	var tags []string
	if a.Deleted {
		tags = append(tags, "deleted")
	}
	if a.Known != "" {
		tags = append(tags, a.Known)
	}
	for _, s := range a.KnownSets {
		tags = append(tags, "hashset:"+s)
	}
	if a.Mismatch {
		tags = append(tags, "extension-mismatch")
	}
	if nameEncoded || pathEncoded {
		tags = append(tags, "path-percent-encoded")
	}
	x.e.strs("uco-core:tag", tags)
	x.e.key("uco-core:hasFacet")
	x.e.arr()
	x.e.node(x.ids.id("file-facet", readable, key...), "uco-observable:FileFacet")
	x.e.prop("uco-observable:fileName", name)
	x.e.prop("uco-observable:filePath", p)
	if i := strings.LastIndexByte(name, '.'); i >= 0 && i+1 < len(name) {
		x.e.prop("uco-observable:extension", name[i+1:])
	}
	x.e.boolean("uco-observable:isDirectory", a.Type == "dir")
	x.e.integer("uco-observable:sizeInBytes", a.Size)
	if a.Deleted {
		x.e.prop("uco-observable:allocationStatus", "unallocated")
	} else {
		x.e.prop("uco-observable:allocationStatus", "allocated")
	}
	x.e.dateTime("uco-observable:observableCreatedTime", a.Born)
	x.e.dateTime("uco-observable:modifiedTime", a.Modified)
	x.e.dateTime("uco-observable:accessedTime", a.Accessed)
	x.e.dateTime("uco-observable:metadataChangeTime", a.Changed)
	x.e.endObj()
	ds := digests(hashing.Sums{hashing.MD5: a.MD5, hashing.SHA1: a.SHA1, hashing.SHA256: a.SHA256})
	if a.MIME != "" || len(ds) > 0 {
		size := int64(-1)
		if a.SHA256 != "" {
			size = a.Size
		}
		x.contentFacet("file", readable, key, size, a.MIME, ds)
	}
	for i, m := range metas {
		if m.Format == "exif" && len(m.Fields) > 0 {
			x.exifFacet(readable, append(key, strconv.Itoa(i)), m.Fields)
		}
	}
	x.e.endArr()
	x.end()

	x.begin(x.ids.id("contained-within", readable, key...), "uco-observable:ObservableRelationship")
	x.e.ref("uco-core:source", id)
	x.e.ref("uco-core:target", container)
	x.e.boolean("uco-core:isDirectional", true)
	x.e.prop("uco-core:kindOfRelationship", "Contained_Within")
	if p != "" {
		x.e.key("uco-core:hasFacet")
		x.e.arr()
		x.e.node(x.ids.id("path-facet", readable, key...), "uco-observable:PathRelationFacet")
		x.e.prop("uco-observable:path", p)
		x.e.endObj()
		x.e.endArr()
	}
	x.end()

	for i, m := range metas {
		x.creation(id, readable, append(key, strconv.Itoa(i)), m)
	}
	return id
}

// exifFacet writes EXIF fields as a uco-observable:EXIFFacet into the
// open facet list. A field name repeated is written once, with its first
// value, as a dictionary's keys must be unique.
func (x *writer) exifFacet(readable string, key []string, fields []extract.Field) {
	x.e.node(x.ids.id("exif-facet", readable, key...), "uco-observable:EXIFFacet")
	x.e.key("uco-observable:exifData")
	x.e.node(x.ids.id("exif-dictionary", readable, key...), "uco-types:ControlledDictionary")
	x.e.key("uco-types:entry")
	x.e.arr()
	seen := make(map[string]bool, len(fields))
	for j, f := range fields {
		if f.Name == "" || seen[f.Name] {
			continue
		}
		seen[f.Name] = true
		x.e.node(x.ids.id("exif-entry", readable, append(key, strconv.Itoa(j))...), "uco-types:ControlledDictionaryEntry")
		x.e.key("uco-types:key")
		x.e.str(f.Name)
		x.e.key("uco-types:value")
		x.e.str(f.Value)
		x.e.endObj()
	}
	x.e.endArr()
	x.e.endObj()
	x.e.endObj()
}

// creation writes what a metadata source says of the content's creation:
// the camera, the position and the action that made the content. Metadata
// naming neither camera nor position writes nothing.
func (x *writer) creation(file, readable string, key []string, m *extract.Metadata) {
	gps := m.GPS
	if gps != nil && !finite(gps.Latitude, gps.Longitude) {
		gps = nil
	}
	if gps == nil && m.Make == "" && m.Model == "" && m.Serial == "" {
		return
	}
	var camera, location string
	if m.Make != "" || m.Model != "" || m.Serial != "" {
		var maker string
		if m.Make != "" {
			maker = x.ids.id("camera-maker", readable, key...)
			x.begin(maker, "uco-identity:Organization")
			x.e.prop("uco-core:name", m.Make)
			x.end()
		}
		camera = x.ids.id("camera", readable, key...)
		x.begin(camera, "uco-observable:Device")
		x.e.prop("uco-core:name", strings.TrimSpace(m.Make+" "+m.Model))
		x.e.key("uco-core:hasFacet")
		x.e.arr()
		x.e.node(x.ids.id("camera-facet", readable, key...), "uco-observable:DeviceFacet")
		x.e.ref("uco-observable:manufacturer", maker)
		x.e.prop("uco-observable:model", m.Model)
		x.e.prop("uco-observable:serialNumber", m.Serial)
		x.e.endObj()
		x.e.endArr()
		x.end()
	}
	if gps != nil {
		location = x.ids.id("recorded-location", readable, key...)
		x.begin(location, "uco-location:Location")
		var notes []string
		if t, ok := formatTime(gps.Time); ok {
			notes = append(notes, "GPS time "+t+".")
		}
		if gps.Direction != nil && finite(*gps.Direction) {
			notes = append(notes, "Camera direction "+strconv.FormatFloat(*gps.Direction, 'f', -1, 64)+" degrees.")
		}
		if gps.Suspicious != "" {
			notes = append(notes, "Doubtful: "+gps.Suspicious+".")
		}
		x.e.prop("uco-core:description", strings.Join(notes, " "))
		x.e.key("uco-core:hasFacet")
		x.e.arr()
		x.e.node(x.ids.id("lat-long-facet", readable, key...), "uco-location:LatLongCoordinatesFacet")
		x.e.decimal("uco-location:latitude", gps.Latitude)
		x.e.decimal("uco-location:longitude", gps.Longitude)
		if gps.Altitude != nil {
			x.e.decimal("uco-location:altitude", *gps.Altitude)
		}
		x.e.endObj()
		x.e.endArr()
		x.end()
	}
	x.begin(x.ids.id("creation", readable, key...), "uco-action:Action")
	x.e.prop("uco-core:name", "content created")
	desc := "Creation of the content, as its " + cmpOr(m.Format, "embedded") + " metadata records it."
	if t, ok := formatTime(m.Created); ok && m.CreatedLocal {
		desc += " Recorded without a time zone as " + strings.TrimSuffix(t, "Z") + "."
	}
	x.e.prop("uco-core:description", desc)
	if !m.CreatedLocal {
		x.e.dateTime("uco-action:startTime", m.Created)
	}
	x.e.refs("uco-action:instrument", one(camera))
	x.e.refs("uco-action:location", one(location))
	x.e.refs("uco-action:result", one(file))
	x.end()
}

func finite(fs ...float64) bool {
	for _, f := range fs {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

// one returns a list of id, or none when id is empty.
func one(id string) []string {
	if id == "" {
		return nil
	}
	return []string{id}
}
