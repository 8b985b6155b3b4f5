package caseuco

import (
	"crypto/ed25519"
	"encoding/json"
	"iter"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/extract"
	"github.com/pangolin-forensics/pangolin/hashing"
)

// Names from evidence that the fixture plants.
const (
	hostileName = `<img src=x onerror=alert(1)>.jpg`
	quoteName   = `quote"and'apos\.txt`
	newlineName = "line1\nline2.txt"
	invalidName = "\xff\xfe-\x80.bin"
	ivoryName   = "象牙_ivory.jpg"
	russianName = "файл.txt"
	hostileNote = "<script>alert(1)</script>\n\"quoted\" & done"
)

// seq yields the values of s with no error.
func seq[T any](s []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range s {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// testKey returns a fixed Ed25519 key for examiner n.
func testKey(n byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = n + byte(i)
	}
	return ed25519.NewKeyFromSeed(seed)
}

func actor(n byte, id, name, org string) chain.Actor {
	return chain.Actor{ID: id, Name: name, Org: org, Key: testKey(n).Public().(ed25519.PublicKey)}
}

// ledger completes entries into a signed, chained ledger as chain.Ledger
// writes one: seq, prev and the signature of each actor's key.
func ledger(t testing.TB, keys map[string]ed25519.PrivateKey, entries []*chain.Entry) []*chain.Entry {
	prev := chain.GenesisPrev
	for i, e := range entries {
		e.Seq = int64(i + 1)
		e.Prev = prev
		e.Sig = nil
		msg, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		e.Sig = ed25519.Sign(keys[e.Actor.ID], msg)
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		prev = chain.LineHash(line)
	}
	return entries
}

var (
	tool      = chain.Tool{Name: "pangolin", Version: "v0.9.0", Go: "go1.26.0", OS: "linux/amd64"}
	examinerA = actor(1, "KWS-042", "Amina Odhiambo", "Kenya Wildlife Service")
	examinerB = actor(2, "TRF-007", "Jonas \"JJ\" Berg", "TRAFFIC <Nordic>")
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixture is a small case with every kind of node the export writes and
// names that evidence could hold.
func fixture(t testing.TB) Input {
	segs := []chain.Ref{
		{Path: "evidence/EX-001/EX-001.E01", Size: 2 << 30, SHA256: strings.Repeat("a1", 32)},
		{Path: "evidence/EX-001/EX-001.E02", Size: 1 << 29, SHA256: strings.Repeat("b2", 32)},
	}
	record := chain.Ref{Path: "evidence/EX-001/acquisition.json", Size: 2048, SHA256: strings.Repeat("c3", 32)}
	container := chain.Ref{Path: "evidence/EX-002/EX-002.tar", Size: 1 << 20, SHA256: strings.Repeat("D4", 32)}
	manifest := chain.Ref{Path: "exports/export-20260302T101500Z/manifest.json", Size: 900, SHA256: strings.Repeat("e5", 32)}

	md5 := strings.Repeat("0f", 16)
	sha1 := strings.Repeat("1e", 20)
	sha256 := strings.Repeat("2d", 32)
	alt := 1650.5
	dir := 271.25
	photo := &catalog.Extracted{Exhibit: "EX-001", Ref: "0/1", Metadata: extract.Metadata{
		Format: "exif",
		Fields: []extract.Field{{Name: "Make", Value: "Canon"}, {Name: "Model", Value: "EOS 90D"},
			{Name: "Make", Value: "duplicate"}, {Name: "UserComment", Value: hostileNote}, {Name: "", Value: "nameless"}},
		GPS:     &extract.GPS{Latitude: -2.6531, Longitude: 37.2606, Altitude: &alt, Direction: &dir, Time: day("2026-02-20T06:12:00Z")},
		Created: day("2026-02-20T09:12:00+03:00"),
		Make:    "Canon", Model: "EOS 90D", Serial: "0123<456>",
	}}
	member := &catalog.Extracted{Exhibit: "EX-001", Ref: "0/6/0", Metadata: extract.Metadata{
		Format:       "exif",
		GPS:          &extract.GPS{Latitude: 0, Longitude: 0, Suspicious: "0,0: a receiver without a fix writes zeros"},
		Created:      day("2026-01-05T14:00:00Z"),
		CreatedLocal: true,
		Make:         "Tecno",
	}}
	orphan := &catalog.Extracted{Exhibit: "EX-001", Ref: "0/100", Metadata: extract.Metadata{Format: "exif", Make: "Nobody"}}
	phone := &catalog.Extracted{Exhibit: "EX-002", Ref: "0/0", Metadata: extract.Metadata{Format: "xmp", Model: "unknown\x00model"}}

	file := func(ref, path, name string) *catalog.Artefact {
		return &catalog.Artefact{Exhibit: "EX-001", Ref: ref, Path: path, Name: name, Type: "file", Size: 4096,
			Modified: day("2026-02-20T06:12:03.5Z"), Accessed: day("2026-02-21T00:00:00Z"),
			Changed: day("2026-02-20T06:12:04Z"), Born: day("2026-02-20T06:12:03Z"),
			MIME: "image/jpeg", MD5: md5, SHA1: sha1, SHA256: sha256}
	}
	hostile := file("0/2", "/DCIM/"+hostileName, hostileName)
	hostile.Deleted, hostile.Known, hostile.KnownSets, hostile.Mismatch = true, "known-bad", []string{"ivory-photos", "CITES <appendix I>"}, true
	invalid := file("0/5", "/tmp/"+invalidName, invalidName)
	invalid.MD5, invalid.SHA1 = "not-hex", strings.ToUpper(sha1)
	ads := file("0/8", "/docs/a.txt:secret", "a.txt:secret")
	ads.Stream = "secret"
	far := file("0/9", "/dev/weird", "weird")
	far.Type, far.Modified, far.Born = "other", time.Date(60056, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}
	zip := file("0/6", "/evidence.zip", "evidence.zip")
	zip.MIME = "application/zip"
	unreadable := &catalog.Artefact{Exhibit: "EX-002", Ref: "0/0", Path: "/sdcard/DCIM/lost.jpg", Name: "lost.jpg",
		Type: "file", Size: 123, Deleted: true, Error: "clusters overwritten <by> \"something\"",
		Meta: []*extract.Metadata{{Format: "exif", Make: "Samsung", Model: "SM-A515F",
			GPS: &extract.GPS{Latitude: 1.2921, Longitude: 36.8219}}}}

	artefacts := []*catalog.Artefact{
		{Exhibit: "EX-001", Ref: "0/0", Path: "/DCIM", Name: "DCIM", Type: "dir"},
		file("0/1", "/DCIM/IMG_0001.jpg", "IMG_0001.jpg"),
		hostile,
		file("0/3", "/"+quoteName, quoteName),
		file("0/4", "/"+newlineName, newlineName),
		invalid,
		zip,
		{Exhibit: "EX-001", Ref: "0/6/0", Parent: "0/6", Depth: 1, Path: "/evidence.zip/" + ivoryName, Name: ivoryName,
			Type: "file", Size: 10, SHA256: sha256},
		{Exhibit: "EX-001", Ref: "0/6/1", Parent: "0/6", Depth: 1, Path: "/evidence.zip/inner.zip", Name: "inner.zip", Type: "file"},
		{Exhibit: "EX-001", Ref: "0/6/1/0", Parent: "0/6/1", Depth: 2, Path: "/evidence.zip/inner.zip/" + russianName, Name: russianName, Type: "file"},
		{Exhibit: "EX-001", Ref: "0/7", Path: "/latest", Name: "latest", Type: "symlink"},
		ads,
		far,
		{Exhibit: "EX-001", Ref: "1/0", Path: "/", Name: "", Type: "dir"},
		unreadable,
		{Exhibit: "EX-003", Ref: "0/0", Path: "/notes.txt", Name: "notes.txt", Type: "file", Size: 0, SHA256: strings.Repeat("e3", 32)},
	}

	keys := map[string]ed25519.PrivateKey{examinerA.ID: testKey(1), examinerB.ID: testKey(2)}
	at := func(s string) string { return day(s).Format(time.RFC3339Nano) }
	entry := func(a chain.Actor, host, when, action, exhibit string) *chain.Entry {
		return &chain.Entry{Time: at(when), Zone: "EAT +03:00", Actor: a, Action: action, Exhibit: exhibit, Tool: tool, Host: host}
	}
	e1 := entry(examinerA, "lab-ws-01", "2026-03-01T08:00:00Z", chain.ActionCaseInit, "")
	e1.Attrs = map[string]string{"case_id": "OP-THUNDER", "title": "Operation Thunder", "agency": "Kenya Wildlife Service"}
	e2 := entry(examinerA, "lab-ws-01", "2026-03-01T11:30:00.123456789Z", "acquire", "EX-001")
	e2.Inputs = []chain.Ref{{Path: "/dev/sdb", Size: 8 << 30, SHA256: sha256}}
	e2.Outputs = append(append([]chain.Ref(nil), segs...), record)
	e2.Note = "USB stick from the suspect's car"
	e2.Attrs = map[string]string{"format": "e01", "bytes": "8589934592", "md5": md5, "sha256": sha256, "vendor": "SanDisk"}
	e3 := entry(examinerA, "lab-ws-01", "2026-03-01T12:00:00Z", "verify", "EX-001")
	e3.Inputs, e3.Attrs = segs, map[string]string{"ok": "true"}
	e4 := entry(examinerB, "field-laptop", "2026-03-02T07:00:00Z", chain.ActionExaminerAdd, "")
	e4.Attrs = map[string]string{"fingerprint": examinerB.Fingerprint()}
	e5 := entry(examinerB, "field-laptop", "2026-03-02T08:00:00Z", "acquire", "EX-002")
	e5.Inputs, e5.Outputs = []chain.Ref{{Path: "/mnt/phone"}}, []chain.Ref{container}
	e6 := entry(examinerA, "lab-ws-01", "2026-03-02T09:00:00Z", "process", "EX-001")
	e6.Inputs, e6.Attrs = segs, map[string]string{"artefacts": "15", "catalog_digest": strings.Repeat("9", 64)}
	e7 := entry(examinerA, "lab-ws-01", "2026-03-02T10:00:00Z", chain.ActionTransfer, "EX-001")
	e7.Attrs = map[string]string{"to": "Evidence room/ER-7", "reason": "storage", "location": "Mombasa HQ <evidence room>"}
	e8 := entry(examinerB, "field-laptop", "2026-03-02T10:10:00Z", chain.ActionNote, "EX-002")
	e8.Note = hostileNote
	e9 := entry(examinerA, "lab-ws-01", "2026-03-02T10:15:00Z", "export", "")
	e9.Inputs, e9.Outputs = segs, []chain.Ref{manifest}
	e9.Attrs = map[string]string{"query": "name:" + hostileName, "files": "1"}
	e10 := entry(examinerA, "lab-ws-01", "2026-03-02T11:00:00Z", chain.ActionSeal, "EX-004")
	e10.Attrs = map[string]string{"seal_no": "S-123"}
	e11 := entry(examinerB, "", "2026-03-02T12:00:00Z", chain.ActionNote, "")
	e11.Note = "entry with a time that is not RFC 3339 and no host"
	entries := ledger(t, keys, []*chain.Entry{e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11})
	entries[10].Time = "yesterday"
	entries[7].Note += " (edited after signing)"

	return Input{
		Case: catalog.Info{ID: "OP-THUNDER", Title: "Operation \"Thunder\" <ivory>", Agency: "Kenya Wildlife Service",
			Created:   "2026-03-01T08:00:00Z",
			Examiners: []catalog.Examiner{{Actor: examinerA, Fingerprint: examinerA.Fingerprint(), Added: "2026-03-01T08:00:00Z"}}},
		Focus: "ivory trafficking",
		Tool:  chain.Tool{Name: "pangolin", Version: "v0.9.1", Go: "go1.26.0", OS: "windows/amd64"},
		Exhibits: []Exhibit{
			{ID: "EX-001", Description: "SanDisk USB stick, red, seal S-122",
				Source: evidence.Facts{Path: "/dev/sdb", Size: 8 << 30, Device: true, Model: "Cruzer Blade", Serial: "4C530001", Vendor: "SanDisk", Removable: true},
				Format: "e01", Start: day("2026-03-01T10:00:00Z"), End: day("2026-03-01T11:29:00Z"), Bytes: 8 << 30,
				Hashes:   hashing.Sums{hashing.MD5: md5, hashing.SHA1: sha1, hashing.SHA256: sha256, hashing.BLAKE3: strings.Repeat("7", 64)},
				Segments: segs},
			{ID: "EX-002", Description: "phone file system dump", Source: evidence.Facts{Path: "/mnt/phone"},
				Format: "logical", Segments: []chain.Ref{container}},
		},
		Artefacts: seq(artefacts),
		Metadata:  seq([]*catalog.Extracted{photo, member, orphan, phone}),
		Entries:   seq(entries),
	}
}

// graph is an export parsed back and checked.
type graph struct {
	context map[string]any
	nodes   map[string]map[string]any // every node object, nested ones too
	top     []map[string]any          // the @graph's items in order
}

var (
	idPattern      = regexp.MustCompile(`^kb:[A-Za-z0-9._-]+$`)
	decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	hexPattern     = regexp.MustCompile(`^[0-9a-f]+$`)
	hashSizes      = map[string]int{"MD5": 32, "SHA1": 40, "SHA256": 64, "SHA512": 128}
)

// check parses out and checks what every export must satisfy: JSON-LD
// shape, the vocabulary, unique and resolving identifiers, literal forms.
func check(t *testing.T, out []byte) *graph {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if len(doc) != 2 {
		t.Errorf("document keys: %v, want @context and @graph", doc)
	}
	g := &graph{nodes: map[string]map[string]any{}}
	var ok bool
	if g.context, ok = doc["@context"].(map[string]any); !ok {
		t.Fatal("no @context object")
	}
	items, ok := doc["@graph"].([]any)
	if !ok {
		t.Fatal("no @graph array")
	}
	kinds := map[string]string{}
	for _, term := range Vocabulary() {
		kinds[term.IRI] = term.Kind
	}
	prefixed := func(what, s string) {
		prefix, _, found := strings.Cut(s, ":")
		if !found {
			t.Errorf("%s %q is not a prefixed IRI", what, s)
			return
		}
		if _, declared := g.context[prefix]; !declared {
			t.Errorf("%s %q uses prefix %q that @context does not declare", what, s, prefix)
		}
	}
	var refs []string
	var walk func(v any, prop string)
	walk = func(v any, prop string) {
		switch v := v.(type) {
		case []any:
			for _, item := range v {
				walk(item, prop)
			}
		case map[string]any:
			if val, literal := v["@value"]; literal {
				checkLiteral(t, prop, v["@type"], val)
				if typ, _ := v["@type"].(string); typ != "" {
					prefixed("literal type", typ)
				}
				return
			}
			id, _ := v["@id"].(string)
			if !idPattern.MatchString(id) {
				t.Errorf("@id %q is not kb: with IRI-safe characters", id)
			}
			prefixed("@id", id)
			if len(v) == 1 {
				refs = append(refs, id)
				return
			}
			if _, dup := g.nodes[id]; dup {
				t.Errorf("@id %s used by two nodes", id)
			}
			g.nodes[id] = v
			types := v["@type"]
			if ts, isList := types.([]any); isList {
				for _, typ := range ts {
					checkTerm(t, kinds, "class", typ, prefixed)
				}
			} else {
				checkTerm(t, kinds, "class", types, prefixed)
			}
			for k, val := range v {
				if k == "@id" || k == "@type" {
					continue
				}
				checkTerm(t, kinds, "property", k, prefixed)
				walk(val, k)
			}
		case string, bool, float64:
			if strings.HasSuffix(prop, "Time") || prop == "uco-types:hashValue" {
				t.Errorf("%s has the untyped value %v", prop, v)
			}
		default:
			t.Errorf("%s has the value %v (%T)", prop, v, v)
		}
	}
	for _, item := range items {
		node, isNode := item.(map[string]any)
		if !isNode || node["@type"] == nil {
			t.Errorf("@graph item %v is not a node", item)
			continue
		}
		g.top = append(g.top, node)
		walk(node, "")
	}
	for _, id := range refs {
		if g.nodes[id] == nil {
			t.Errorf("reference to %s, which no node has", id)
		}
	}
	for id, n := range g.nodes {
		if n["@type"] != "uco-types:Hash" {
			continue
		}
		method, _ := n["uco-types:hashMethod"].(string)
		value, _ := n["uco-types:hashValue"].(map[string]any)["@value"].(string)
		if want, known := hashSizes[method]; !known || len(value) != want || !hexPattern.MatchString(value) {
			t.Errorf("hash %s: %s %q is not lower-case hex of the right length", id, method, value)
		}
	}
	return g
}

func checkTerm(t *testing.T, kinds map[string]string, want string, v any, prefixed func(string, string)) {
	s, _ := v.(string)
	prefixed(want, s)
	if kinds[s] != want {
		t.Errorf("%q is not a %s of CASE/UCO %s (vocabulary.txt says %q)", s, want, Version, kinds[s])
	}
}

func checkLiteral(t *testing.T, prop string, typ, v any) {
	s, isString := v.(string)
	if !isString {
		t.Errorf("%s: literal value %v is not a string", prop, v)
		return
	}
	switch typ {
	case "xsd:dateTime":
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			t.Errorf("%s: %q is not RFC 3339: %v", prop, s, err)
		}
	case "xsd:hexBinary":
		if len(s)%2 != 0 || !hexPattern.MatchString(s) {
			t.Errorf("%s: %q is not lower-case hex", prop, s)
		}
	case "xsd:decimal":
		if !decimalPattern.MatchString(s) {
			t.Errorf("%s: %q is not an xsd:decimal", prop, s)
		}
	case "xsd:anyURI":
		if !strings.HasPrefix(s, "https://") {
			t.Errorf("%s: %q is not a URL", prop, s)
		}
	default:
		t.Errorf("%s: literal of unexpected type %v", prop, typ)
	}
	if strings.HasSuffix(prop, "Time") && typ != "xsd:dateTime" {
		t.Errorf("%s is typed %v, want xsd:dateTime", prop, typ)
	}
}

// ofType returns the nodes of a type, in no order.
func (g *graph) ofType(typ string) []map[string]any {
	var out []map[string]any
	for _, n := range g.nodes {
		switch ts := n["@type"].(type) {
		case string:
			if ts == typ {
				out = append(out, n)
			}
		case []any:
			for _, t := range ts {
				if t == typ {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// ids returns the @id values of a property holding references.
func ids(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, item := range v {
			out = append(out, ids(item)...)
		}
	case map[string]any:
		if id, ok := v["@id"].(string); ok {
			out = append(out, id)
		}
	}
	return out
}

// facet returns the node's facet of a type, or nil.
func (g *graph) facet(n map[string]any, typ string) map[string]any {
	for _, id := range ids(n["uco-core:hasFacet"]) {
		if f := g.nodes[id]; f["@type"] == typ {
			return f
		}
	}
	return nil
}
