package caseuco

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/internal/pctenc"
)

var update = flag.Bool("update", false, "rewrite testdata/case.jsonld")

func write(t testing.TB, in Input) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(context.Background(), &b, in); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.Bytes()
}

func TestWriteStructure(t *testing.T) {
	out := write(t, fixture(t))
	g := check(t, out)

	for _, raw := range []string{"<img", "<script", "</", "<ivory>"} {
		if bytes.Contains(out, []byte(raw)) {
			t.Errorf("output holds %q unescaped", raw)
		}
	}
	for _, p := range []string{"case-investigation", "kb", "uco-action", "uco-core", "uco-identity", "uco-location",
		"uco-observable", "uco-tool", "uco-types", "xsd"} {
		if g.context[p] == nil {
			t.Errorf("@context lacks %s", p)
		}
	}
	if g.context["kb"] != DefaultKB {
		t.Errorf("kb = %v, want %s", g.context["kb"], DefaultKB)
	}
	last := g.top[len(g.top)-1]
	if last["@type"] != "case-investigation:Investigation" {
		t.Fatalf("last node is %v, want the investigation", last["@type"])
	}
	if last["uco-core:name"] != `Operation "Thunder" <ivory>` || last["case-investigation:focus"] != "ivory trafficking" ||
		last["case-investigation:investigationForm"] != "case" {
		t.Errorf("investigation: %v", last)
	}
	listed := ids(last["uco-core:object"])
	for _, n := range g.ofType("case-investigation:InvestigativeAction") {
		if !slices.Contains(listed, n["@id"].(string)) {
			t.Errorf("action %s not listed in the investigation", n["@id"])
		}
	}

	t.Run("names", func(t *testing.T) {
		names := map[string]map[string]any{}
		for _, f := range g.ofType("uco-observable:FileFacet") {
			if s, ok := f["uco-observable:fileName"].(string); ok {
				names[s] = f
			}
		}
		for _, name := range []string{hostileName, quoteName, newlineName, ivoryName, russianName, "IMG_0001.jpg"} {
			if names[name] == nil {
				t.Errorf("no file named %q", name)
			}
		}
		if f := names[hostileName]; f != nil && (f["uco-observable:extension"] != "jpg" || f["uco-observable:allocationStatus"] != "unallocated") {
			t.Errorf("hostile file facet: %v", f)
		}
		enc, _ := pctenc.Encode(invalidName, pctenc.AnyChar)
		f := names[enc]
		if f == nil {
			t.Fatalf("no file named %q (the percent-encoded %q)", enc, invalidName)
		}
		if dec, err := pctenc.Decode(enc); err != nil || dec != invalidName {
			t.Errorf("decoding %q gives %q, %v", enc, dec, err)
		}
		var owner map[string]any
		for _, n := range g.ofType("uco-observable:File") {
			if g.facet(n, "uco-observable:FileFacet")["@id"] == f["@id"] {
				owner = n
			}
		}
		if owner == nil || !slices.Contains(strs(owner["uco-core:tag"]), "path-percent-encoded") {
			t.Errorf("file %q is not tagged path-percent-encoded: %v", enc, owner)
		}
	})

	t.Run("artefacts", func(t *testing.T) {
		var hostile map[string]any
		for _, n := range g.ofType("uco-observable:File") {
			if ff := g.facet(n, "uco-observable:FileFacet"); ff != nil && ff["uco-observable:fileName"] == hostileName {
				hostile = n
			}
		}
		if hostile == nil {
			t.Fatal("hostile file not found")
		}
		want := []string{"deleted", "known-bad", "hashset:ivory-photos", "hashset:CITES <appendix I>", "extension-mismatch"}
		if got := strs(hostile["uco-core:tag"]); !slices.Equal(got, want) {
			t.Errorf("tags %q, want %q", got, want)
		}
		cd := g.facet(hostile, "uco-observable:ContentDataFacet")
		if cd["uco-observable:mimeType"] != "image/jpeg" || cd["uco-observable:sizeInBytes"] != float64(4096) || len(ids(cd["uco-observable:hash"])) != 3 {
			t.Errorf("content facet: %v", cd)
		}
		for _, typ := range []string{"uco-observable:Directory", "uco-observable:SymbolicLink", "uco-observable:AlternateDataStream",
			"uco-observable:FileSystemObject", "uco-observable:StorageMedium", "uco-observable:Image"} {
			if len(g.ofType(typ)) == 0 {
				t.Errorf("no %s", typ)
			}
		}
		// Containment: archive members in their archive, the rest in the image.
		contained := map[string]string{}
		for _, r := range g.ofType("uco-observable:ObservableRelationship") {
			if r["uco-core:kindOfRelationship"] == "Contained_Within" {
				contained[ids(r["uco-core:source"])[0]] = ids(r["uco-core:target"])[0]
			}
		}
		byName := map[string]string{}
		for _, n := range g.ofType("uco-observable:File") {
			if ff := g.facet(n, "uco-observable:FileFacet"); ff != nil {
				name, _ := ff["uco-observable:fileName"].(string)
				byName[name] = n["@id"].(string)
			}
		}
		for child, parent := range map[string]string{ivoryName: "evidence.zip", "inner.zip": "evidence.zip", russianName: "inner.zip"} {
			if contained[byName[child]] != byName[parent] {
				t.Errorf("%s is contained in %s, want %s", child, contained[byName[child]], byName[parent])
			}
		}
		if target := g.nodes[contained[byName["IMG_0001.jpg"]]]; target["@type"] != "uco-observable:Image" {
			t.Errorf("top-level file contained in %v, want the image", target["@type"])
		}
		if target := g.nodes[contained[byName["notes.txt"]]]; target["uco-core:name"] != "EX-003 image" {
			t.Errorf("artefact of an unlisted exhibit contained in %v", target)
		}
	})

	t.Run("metadata", func(t *testing.T) {
		creations := g.ofType("uco-action:Action")
		// The photo, the archive member, and the unreadable file's two
		// sources (its own Meta and a record); the orphan record writes none.
		if len(creations) != 4 {
			t.Fatalf("%d creation actions, want 4", len(creations))
		}
		var found bool
		for _, a := range creations {
			if len(ids(a["uco-action:location"])) == 0 {
				continue
			}
			loc := g.nodes[ids(a["uco-action:location"])[0]]
			ll := g.facet(loc, "uco-location:LatLongCoordinatesFacet")
			if ll["uco-location:latitude"].(map[string]any)["@value"] != "-2.6531" {
				continue
			}
			found = true
			if ll["uco-location:altitude"].(map[string]any)["@value"] != "1650.5" {
				t.Errorf("altitude: %v", ll)
			}
			if a["uco-action:startTime"].(map[string]any)["@value"] != "2026-02-20T09:12:00+03:00" {
				t.Errorf("creation time: %v", a["uco-action:startTime"])
			}
			cam := g.nodes[ids(a["uco-action:instrument"])[0]]
			df := g.facet(cam, "uco-observable:DeviceFacet")
			maker := g.nodes[ids(df["uco-observable:manufacturer"])[0]]
			if df["uco-observable:model"] != "EOS 90D" || df["uco-observable:serialNumber"] != "0123<456>" || maker["uco-core:name"] != "Canon" {
				t.Errorf("camera: %v %v", df, maker)
			}
			file := g.nodes[ids(a["uco-action:result"])[0]]
			exif := g.facet(file, "uco-observable:EXIFFacet")
			dict := exif["uco-observable:exifData"].(map[string]any)
			var keys []string
			for _, e := range dict["uco-types:entry"].([]any) {
				keys = append(keys, e.(map[string]any)["uco-types:key"].(string))
			}
			if !slices.Equal(keys, []string{"Make", "Model", "UserComment"}) {
				t.Errorf("EXIF keys %q", keys)
			}
		}
		if !found {
			t.Error("no creation action at the photo's position")
		}
	})

	t.Run("ledger", func(t *testing.T) {
		in := fixture(t)
		var entries []*chain.Entry
		for e := range in.Entries {
			entries = append(entries, e)
		}
		actions := map[string]map[string]any{}
		for _, a := range g.ofType("case-investigation:InvestigativeAction") {
			ref := g.nodes[ids(a["uco-core:externalReference"])[0]]
			actions[ref["uco-core:externalIdentifier"].(string)] = a
		}
		if len(actions) != len(entries) {
			t.Fatalf("%d actions for %d entries", len(actions), len(entries))
		}
		for i, e := range entries {
			seq := e.Seq
			a := actions[strconv.FormatInt(seq, 10)]
			if a == nil {
				t.Fatalf("no action for entry %d", seq)
			}
			line := g.nodes[ids(a["case-investigation:wasDerivedFrom"])[0]]
			hash := g.nodes[ids(g.facet(line, "uco-observable:ContentDataFacet")["uco-observable:hash"])[0]]
			got := hash["uco-types:hashValue"].(map[string]any)["@value"]
			// Entry 8 was edited after it was signed and chained.
			if i+1 < len(entries) && (got == entries[i+1].Prev) != (seq != 8) {
				t.Errorf("entry %d: line hash %v, the next entry's prev %s", seq, got, entries[i+1].Prev)
			}
			sig := g.facet(line, "uco-observable:DigitalSignatureInfoFacet")
			if verified := sig["uco-observable:signatureVerified"]; verified != (seq != 8 && seq != 11) {
				t.Errorf("entry %d: signatureVerified %v", seq, verified)
			}
			if a["uco-core:name"] != e.Action {
				t.Errorf("entry %d: name %v", seq, a["uco-core:name"])
			}
			if _, has := a["uco-action:endTime"]; has != (seq != 11) {
				t.Errorf("entry %d: endTime %v", seq, a["uco-action:endTime"])
			}
		}
		// An acquisition takes its times from the exhibit's record when
		// that has them, else ends when the ledger recorded it.
		acquire := actions["2"]
		if acquire["uco-action:startTime"].(map[string]any)["@value"] != "2026-03-01T10:00:00Z" ||
			acquire["uco-action:endTime"].(map[string]any)["@value"] != "2026-03-01T11:29:00Z" {
			t.Errorf("acquire times: %v %v", acquire["uco-action:startTime"], acquire["uco-action:endTime"])
		}
		if logical := actions["5"]; logical["uco-action:startTime"] != nil ||
			logical["uco-action:endTime"].(map[string]any)["@value"] != "2026-03-02T08:00:00Z" {
			t.Errorf("logical acquire times: %v %v", logical["uco-action:startTime"], logical["uco-action:endTime"])
		}
		if objs := ids(acquire["uco-action:object"]); len(objs) != 2 || g.nodes[objs[0]]["uco-core:name"] != "EX-001" {
			t.Errorf("acquire objects: %v", objs)
		}
		results := ids(acquire["uco-action:result"])
		prov := g.nodes[results[len(results)-1]]
		if len(results) != 4 || prov["case-investigation:exhibitNumber"] != "EX-001" || len(ids(prov["uco-core:object"])) != 3 {
			t.Errorf("acquire results %v, provenance %v", results, prov)
		}
		// The segments the acquisition wrote are the exhibit's segment nodes.
		exProv := named(g, "case-investigation:ProvenanceRecord", "exhibit EX-001")
		if segs := ids(exProv["uco-core:object"])[2:]; !slices.Equal(segs, results[:2]) {
			t.Errorf("exhibit segments %v, acquisition results %v", segs, results[:2])
		}
		transfer := actions["7"]
		if loc := g.nodes[ids(transfer["uco-action:location"])[0]]; loc["uco-core:name"] != "Mombasa HQ <evidence room>" {
			t.Errorf("transfer location: %v", loc)
		}
		if env := g.nodes[ids(transfer["uco-action:environment"])[0]]; g.facet(env, "uco-observable:ComputerSpecificationFacet")["uco-observable:hostname"] != "lab-ws-01" {
			t.Errorf("transfer environment: %v", env)
		}
		if note := actions["8"]; note["uco-core:description"] != hostileNote+" (edited after signing)" {
			t.Errorf("note: %v", note["uco-core:description"])
		}
		persons := g.ofType("uco-identity:Person")
		if len(persons) != 2 {
			t.Errorf("%d persons, want the rostered examiner and the one only the ledger names", len(persons))
		}
		if p := g.nodes[ids(actions["5"]["uco-action:performer"])[0]]; p["uco-core:name"] != examinerB.Name {
			t.Errorf("performer of entry 5: %v", p)
		}
		if len(g.ofType("uco-tool:Tool")) != 2 {
			t.Errorf("want the ledger's build and the exporting build")
		}
	})
}

// named returns the node of that type and uco-core:name.
func named(g *graph, typ, name string) map[string]any {
	for _, n := range g.ofType(typ) {
		if n["uco-core:name"] == name {
			return n
		}
	}
	return nil
}

func strs(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, s := range v {
			out = append(out, s.(string))
		}
	case string:
		out = append(out, v)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a, b := write(t, fixture(t)), write(t, fixture(t))
	if !bytes.Equal(a, b) {
		t.Fatal("two exports of the same input differ")
	}
	golden := filepath.Join("testdata", "case.jsonld")
	if *update {
		if err := os.WriteFile(golden, a, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, want) {
		t.Errorf("export differs from %s (run go test -update after checking the change)", golden)
	}
	other := fixture(t)
	other.Case.ID = "OP-OTHER"
	if c := write(t, other); bytes.Equal(c, a) {
		t.Error("another case gives the same identifiers")
	}
}

func TestKB(t *testing.T) {
	in := fixture(t)
	in.KB = "http://example.org/kb/"
	g := check(t, write(t, in))
	if g.context["kb"] != in.KB {
		t.Errorf("kb = %v", g.context["kb"])
	}
	in.KB = "http://example.org/kb"
	if err := Write(context.Background(), &bytes.Buffer{}, in); err == nil {
		t.Error("a kb namespace without a final delimiter is accepted")
	}
}

func TestEmptyCase(t *testing.T) {
	g := check(t, write(t, Input{Case: catalog.Info{ID: "C-1"}}))
	if len(g.top) != 1 {
		t.Errorf("%d nodes, want only the investigation", len(g.top))
	}
}

func TestErrors(t *testing.T) {
	artefact := func(ex, ref string) *catalog.Artefact {
		return &catalog.Artefact{Exhibit: ex, Ref: ref, Name: "f", Type: "file"}
	}
	boom := errors.New("boom")
	failing := func(yield func(*catalog.Artefact, error) bool) {
		if yield(artefact("EX-001", "0/0"), nil) {
			yield(nil, boom)
		}
	}
	tests := []struct {
		name string
		in   Input
		want error
	}{
		{"artefacts out of order", Input{Artefacts: seq([]*catalog.Artefact{artefact("EX-001", "0/2"), artefact("EX-001", "0/10"), artefact("EX-001", "0/9")})}, ErrOrder},
		{"artefact twice", Input{Artefacts: seq([]*catalog.Artefact{artefact("EX-001", "0/1"), artefact("EX-001", "0/1")})}, ErrOrder},
		{"exhibits out of order", Input{Artefacts: seq([]*catalog.Artefact{artefact("EX-002", "0/0"), artefact("EX-001", "0/1")})}, ErrOrder},
		{"metadata out of order", Input{
			Artefacts: seq([]*catalog.Artefact{artefact("EX-001", "0/1"), artefact("EX-001", "0/2")}),
			Metadata:  seq([]*catalog.Extracted{{Exhibit: "EX-001", Ref: "0/2"}, {Exhibit: "EX-001", Ref: "0/1"}}),
		}, ErrOrder},
		{"iterator error", Input{Artefacts: failing}, boom},
		{"ledger error", Input{Entries: func(yield func(*chain.Entry, error) bool) { yield(nil, boom) }}, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(context.Background(), &bytes.Buffer{}, tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("Write: %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("bad ref", func(t *testing.T) {
		if err := Write(context.Background(), &bytes.Buffer{}, Input{Artefacts: seq([]*catalog.Artefact{artefact("EX-001", "root")})}); err == nil {
			t.Error("an artefact ref without partition and position is accepted")
		}
	})
	t.Run("exhibit twice", func(t *testing.T) {
		if err := Write(context.Background(), &bytes.Buffer{}, Input{Exhibits: []Exhibit{{ID: "EX-1"}, {ID: "EX-1"}}}); err == nil {
			t.Error("an exhibit listed twice is accepted")
		}
	})
	t.Run("write error", func(t *testing.T) {
		if err := Write(context.Background(), failWriter{}, fixture(t)); !errors.Is(err, errFull) {
			t.Errorf("Write: %v, want %v", err, errFull)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := Write(ctx, &bytes.Buffer{}, fixture(t)); !errors.Is(err, context.Canceled) {
			t.Errorf("Write: %v, want %v", err, context.Canceled)
		}
	})
}

var errFull = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errFull }

func TestVocabulary(t *testing.T) {
	terms := Vocabulary()
	if len(terms) < 1000 {
		t.Fatalf("%d terms", len(terms))
	}
	seen := map[string]bool{}
	for _, term := range terms {
		if term.Kind != "class" && term.Kind != "property" && term.Kind != "datatype" {
			t.Errorf("%v: bad kind", term)
		}
		prefix, local, ok := strings.Cut(term.IRI, ":")
		if !ok || local == "" || !strings.HasPrefix(prefix, "uco-") && !strings.HasPrefix(prefix, "case-") {
			t.Errorf("%v: not a CASE/UCO prefixed IRI", term)
		}
		if seen[term.IRI] {
			t.Errorf("%s listed twice", term.IRI)
		}
		seen[term.IRI] = true
	}
	if !strings.Contains(vocabularyText, "CASE "+Version+" and UCO "+Version) {
		t.Errorf("vocabulary.txt does not name release %s in its header", Version)
	}
}

func FuzzNames(f *testing.F) {
	for _, s := range []string{hostileName, quoteName, newlineName, invalidName, ivoryName, "%41\x00", "a\u2028b\\"} {
		f.Add(s, "/"+s, "EX-"+s)
	}
	f.Fuzz(func(t *testing.T, name, path, exhibit string) {
		in := Input{Case: catalog.Info{ID: exhibit},
			Exhibits:  []Exhibit{{ID: exhibit, Description: name}},
			Artefacts: seq([]*catalog.Artefact{{Exhibit: exhibit, Ref: "0/0", Name: name, Path: path, Type: "file"}})}
		g := check(t, write(t, in))
		for _, ff := range g.ofType("uco-observable:FileFacet") {
			for v, want := range map[string]string{"uco-observable:fileName": name, "uco-observable:filePath": path} {
				got, _ := ff[v].(string)
				if dec, err := pctenc.Decode(got); err == nil && !utf8.ValidString(want) {
					got = dec
				}
				if got != want {
					t.Errorf("%s %q, want %q", v, got, want)
				}
			}
		}
	})
}
