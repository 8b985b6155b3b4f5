package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/extract"
)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func gps(lat, lon float64) *extract.GPS { return &extract.GPS{Latitude: lat, Longitude: lon} }

// Tsavo East National Park headquarters (Voi, Kenya).
const tsavoLat, tsavoLon = -3.3833, 38.5667

const hashImage = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// collection is a small case: short realistic messages and documents in
// eight languages, with dates, places and devices.
var collection = []Doc{
	{Exhibit: "EX-001", Ref: "0/1", Path: "/Documents/manifest_ivory.pdf", Name: "manifest_ivory.pdf", Type: "file", MIME: "application/pdf", Size: 4096,
		Modified: date("2024-04-10"), Text: "Customs officers at Mombasa seized three tonnes of ivory hidden in a container of tea. Payment via M-Pesa to +254 712 345678.",
		Entities: []extract.Entity{{Type: extract.Phone, Value: "+254712345678", Raw: "+254 712 345678"}}},
	{Exhibit: "EX-001", Ref: "0/2", Path: "/Documents/rapport.docx", Name: "rapport.docx", Type: "file",
		MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Size: 12000, Modified: date("2024-03-15"),
		Text: "Les douaniers ont saisi des défenses d'éléphant et du bois de rose à Douala. La pêche illégale continue au large du Cameroun."},
	{Exhibit: "EX-002", Ref: "0/3", Path: "/sdcard/WhatsApp/chat_es.txt", Name: "chat_es.txt", Type: "file", MIME: "text/plain", Size: 300,
		Modified: date("2024-05-20"), Text: "La policía decomisó buche de totoaba en el puerto de Ensenada; el envío iba a Hong Kong por avión."},
	{Exhibit: "EX-002", Ref: "0/4", Path: "/sdcard/Download/relatorio.pdf", Name: "relatorio.pdf", Type: "file", MIME: "application/pdf", Size: 800,
		Modified: date("2023-11-02"), Text: "A polícia apreendeu escamas de pangolim e chifres de rinoceronte em Maputo. O pagamento foi feito em dinheiro."},
	{Exhibit: "EX-003", Ref: "0/5", Path: "/sms/sms_sw.txt", Name: "sms_sw.txt", Type: "file", MIME: "text/plain", Size: 200,
		Modified: date("2024-04-01"), Text: "Polisi wamekamata pembe za ndovu na magamba ya kakakuona bandarini Dar es Salaam. Malipo yalifanywa kwa simu.",
		GPS: gps(-6.8235, 39.2695)},
	{Exhibit: "EX-003", Ref: "0/6", Path: "/Zalo/tin_nhan.txt", Name: "tin_nhan.txt", Type: "file", MIME: "text/plain", Size: 400,
		Modified: date("2024-03-02"), Text: "Hải quan Hải Phòng thu giữ ngà voi và vảy tê tê trong container nhập từ Nigeria. Sừng tê giác được giấu trong hàng gỗ trắc."},
	{Exhibit: "EX-004", Ref: "0/7", Path: "/WeChat/消息.txt", Name: "消息.txt", Type: "file", MIME: "text/plain", Size: 150,
		Modified: date("2024-04-22"), Text: "海关在集装箱中查获象牙和穿山甲鳞片，货物从拉各斯运往广州。付款通过微信完成。"},
	{Exhibit: "EX-004", Ref: "0/8", Path: "/LINE/ข้อความ.txt", Name: "ข้อความ.txt", Type: "file", MIME: "text/plain", Size: 250,
		Modified: date("2024-05-05"), Text: "เจ้าหน้าที่ศุลกากรยึดงาช้างและนอแรดที่ท่าเรือแหลมฉบัง ไม้พะยูงถูกซ่อนในตู้คอนเทนเนอร์"},
	{Exhibit: "EX-002", Ref: "0/9", Path: "/Documents/budget.xlsx", Name: "budget.xlsx", Type: "file",
		MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Size: 9000, Modified: date("2024-06-12"),
		Text: "Meeting notes about the quarterly budget and the shipping schedule for furniture. <script>alert(1)</script>"},
	{Exhibit: "EX-001", Ref: "0/10", Path: "/DCIM/IMG_0042.JPG", Name: "IMG_0042.JPG", Type: "file", MIME: "image/jpeg", Size: 2500000,
		Modified: date("2024-07-01"), Created: date("2024-05-02"), SHA256: hashImage, Make: "Apple", Model: "iPhone 12",
		GPS: gps(-3.40, 38.60), Tags: []string{"evidence", "tusks"}},
	{Exhibit: "EX-002", Ref: "0/11", Path: "/Documents/bl.txt", Name: "bl.txt", Type: "file", MIME: "text/plain", Size: 90,
		Modified: date("2024-01-05"), Text: "Container from Hai Phong declared as furniture, consignee in Lagos."},
	{Exhibit: "EX-004", Ref: "0/12", Path: "/notes/a.txt", Name: "a.txt", Type: "file", MIME: "text/plain", Size: 6, Text: "象牙"},
	{Exhibit: "EX-004", Ref: "0/13", Path: "/notes/b.txt", Name: "b.txt", Type: "file", MIME: "text/plain", Size: 18, Text: "งาช้าง"},
	{Exhibit: "EX-003", Ref: "0/14", Path: "/DCIM/IMG_0100.JPG", Name: "IMG_0100.JPG", Type: "file", MIME: "image/jpeg", Size: 1800000,
		Created: date("2024-04-15"), GPS: gps(-1.2921, 36.8219), Tags: []string{"Evidence"}},
	{Exhibit: "EX-003", Ref: "0", Path: "/DCIM", Name: "DCIM", Type: "dir"},
	{Exhibit: "EX-005", Ref: "0/15", Path: "/Documents/ar.txt", Name: "ar.txt", Type: "file", MIME: "text/plain", Size: 120,
		Text: "صادرت الجمارك في ميناء مومباسا ثلاثة أطنان من العاج المخبأ في حاوية."},
}

func openTest(t testing.TB, docs []Doc) *Index {
	t.Helper()
	ix, err := Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	texts := map[string]string{}
	for _, d := range docs {
		texts[ID(d.Exhibit, d.Ref)] = d.Text
	}
	ix.SnippetText = func(_ context.Context, exhibit, ref string) (string, error) {
		return texts[ID(exhibit, ref)], nil
	}
	b := ix.NewBatch()
	for _, d := range docs {
		if err := b.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return ix
}

// ids returns the sorted IDs of all hits of q.
func ids(t testing.TB, ix *Index, q Query) []string {
	t.Helper()
	q.Limit = 1000
	r, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	if uint64(len(out)) != r.Total {
		t.Errorf("search %+v: %d hits, total %d", q, len(out), r.Total)
	}
	slices.Sort(out)
	return out
}

func refs(exhibitRefs ...string) []string {
	out := slices.Clone(exhibitRefs)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func TestSearch(t *testing.T) {
	ix := openTest(t, collection)
	n, err := ix.Count()
	if err != nil || n != uint64(len(collection)) {
		t.Fatalf("Count = %d, %v; want %d", n, err, len(collection))
	}
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		// Words and phrases in each language.
		{"en term", Query{Text: "ivory"}, refs("EX-001/0/1")},
		{"en term case", Query{Text: "IVORY"}, refs("EX-001/0/1")},
		{"en term full-width", Query{Text: "ＩＶＯＲＹ"}, refs("EX-001/0/1")},
		{"en phrase", Query{Text: `"three tonnes of ivory"`}, refs("EX-001/0/1")},
		{"en phrase wrong order", Query{Text: `"ivory of tonnes"`}, refs()},
		{"en stem via language field", Query{Text: "seize"}, refs("EX-001/0/1")},
		{"en stem, the language field named", Query{Text: "text_en:seizing"}, refs("EX-001/0/1")},
		{"en stem only in English documents", Query{Text: "text_fr:seize"}, refs()},
		{"en wildcard on the language field", Query{Text: "text_en:seiz*"}, refs("EX-001/0/1")},
		{"en phrase on the language field", Query{Text: `text_en:"three tonnes"`}, refs("EX-001/0/1")},
		{"en phrase on another language's field", Query{Text: `text_fr:"three tonnes"`}, refs()},
		{"fr stem", Query{Text: "douanier"}, refs("EX-001/0/2")},
		{"ar stem (stemmed at indexing)", Query{Text: "جمارك"}, refs("EX-005/0/15")},
		{"fr term", Query{Text: "défenses"}, refs("EX-001/0/2")},
		{"fr phrase", Query{Text: `"bois de rose"`}, refs("EX-001/0/2")},
		{"es term", Query{Text: "totoaba"}, refs("EX-002/0/3")},
		{"es phrase", Query{Text: `"buche de totoaba"`}, refs("EX-002/0/3")},
		{"pt term", Query{Text: "pangolim"}, refs("EX-002/0/4")},
		{"pt phrase", Query{Text: `"chifres de rinoceronte"`}, refs("EX-002/0/4")},
		{"sw term", Query{Text: "kakakuona"}, refs("EX-003/0/5")},
		{"sw phrase", Query{Text: `"pembe za ndovu"`}, refs("EX-003/0/5")},
		{"vi phrase", Query{Text: `"ngà voi"`}, refs("EX-003/0/6")},
		{"vi phrase 2", Query{Text: `"sừng tê giác"`}, refs("EX-003/0/6")},
		{"zh word in text", Query{Text: "穿山甲鳞片"}, refs("EX-004/0/7")},
		{"zh word alone and in text", Query{Text: "象牙"}, refs("EX-004/0/7", "EX-004/0/12")},
		{"zh phrase quoted", Query{Text: `"象牙"`}, refs("EX-004/0/7", "EX-004/0/12")},
		{"zh not across words", Query{Text: "牙和穿山甲鳞"}, refs("EX-004/0/7")},
		{"zh one character, first of a run", Query{Text: "象"}, refs("EX-004/0/7", "EX-004/0/12")},
		{"zh one character, last of a run", Query{Text: "牙"}, refs("EX-004/0/7", "EX-004/0/12")},
		{"zh one character, inside a run", Query{Text: "鳞"}, refs("EX-004/0/7")},
		{"zh one character, absent", Query{Text: "虎"}, nil},
		{"zh absent", Query{Text: "犀牛角"}, refs()},
		{"th word alone and in text", Query{Text: "งาช้าง"}, refs("EX-004/0/8", "EX-004/0/13")},
		{"th elephant inside", Query{Text: "ช้าง"}, refs("EX-004/0/8", "EX-004/0/13")},
		{"th rhino horn", Query{Text: "นอแรด"}, refs("EX-004/0/8")},
		{"th rosewood", Query{Text: "พะยูง"}, refs("EX-004/0/8")},
		{"th absent", Query{Text: "เกล็ดลิ่น"}, refs()},
		// Accents either way.
		{"vi without accents", Query{Text: `"nga voi"`}, refs("EX-003/0/6")},
		{"vi accents both ways", Query{Text: `"Hải Phòng"`}, refs("EX-002/0/11", "EX-003/0/6")},
		{"vi no accents both", Query{Text: `"hai phong"`}, refs("EX-002/0/11", "EX-003/0/6")},
		{"fr without accents", Query{Text: "peche"}, refs("EX-001/0/2")},
		{"fr without accents 2", Query{Text: "defenses elephant"}, refs("EX-001/0/2")},
		{"es without accents", Query{Text: "policia"}, refs("EX-002/0/3", "EX-002/0/4")},
		{"pt without accents", Query{Text: "policia +pangolim"}, refs("EX-002/0/4")},
		{"accent added", Query{Text: "décomisó"}, refs("EX-002/0/3")},
		{"accent added 2", Query{Text: "Cámeroun"}, refs("EX-001/0/2")},
		// Query syntax.
		{"or", Query{Text: "ivory pembe 象牙"}, refs("EX-001/0/1", "EX-004/0/7", "EX-004/0/12", "EX-003/0/5")},
		{"must not", Query{Text: "container -ivory"}, refs("EX-002/0/11", "EX-003/0/6")},
		{"wildcard", Query{Text: "pangol*"}, refs("EX-002/0/4")},
		{"wildcard folded", Query{Text: "Polic*"}, refs("EX-002/0/3", "EX-002/0/4")},
		{"fuzzy", Query{Text: "totoabo~1"}, refs("EX-002/0/3")},
		{"regexp", Query{Text: "/rinocer.*/"}, refs("EX-002/0/4")},
		// Fields.
		{"phone", Query{Text: "phone:+254712345678"}, refs("EX-001/0/1")},
		{"phone must", Query{Text: "+phone:+254712345678 +ivory"}, refs("EX-001/0/1")},
		{"phone not", Query{Text: "container -phone:+254712345678"}, refs("EX-002/0/11", "EX-003/0/6")},
		{"phone quoted", Query{Text: `phone:"+254712345678"`}, refs("EX-001/0/1")},
		{"entity", Query{Text: `entity:"+254712345678"`}, refs("EX-001/0/1")},
		{"tag", Query{Text: "tag:evidence"}, refs("EX-001/0/10", "EX-003/0/14")},
		{"sha256", Query{Text: "sha256:" + hashImage}, refs("EX-001/0/10")},
		{"sha256 upper", Query{Text: "sha256:" + strings.ToUpper(hashImage)}, refs("EX-001/0/10")},
		{"make", Query{Text: "make:apple"}, refs("EX-001/0/10")},
		{"model phrase", Query{Text: `model:"iphone 12"`}, refs("EX-001/0/10")},
		{"path word", Query{Text: "path:manifest"}, refs("EX-001/0/1")},
		{"path exact", Query{Text: `path_exact:"/Documents/rapport.docx"`}, refs("EX-001/0/2")},
		{"name", Query{Text: "name:relatorio"}, refs("EX-002/0/4")},
		{"kind field", Query{Text: "kind:image"}, refs("EX-001/0/10", "EX-003/0/14")},
		{"lang field", Query{Text: "lang:fr"}, refs("EX-001/0/2")},
		{"size range", Query{Text: "size:>2000000"}, refs("EX-001/0/10")},
		// Filters.
		{"exhibit", Query{Text: "container", Exhibits: []string{"EX-002"}}, refs("EX-002/0/11")},
		{"exhibits", Query{Exhibits: []string{"EX-004"}}, refs("EX-004/0/7", "EX-004/0/8", "EX-004/0/12", "EX-004/0/13")},
		{"type pdf", Query{Types: []string{"pdf"}}, refs("EX-001/0/1", "EX-002/0/4")},
		{"types", Query{Text: "container", Types: []string{"PDF", "document"}}, refs("EX-001/0/1")},
		{"type dir", Query{Types: []string{"dir"}}, refs("EX-003/0")},
		{"dates March to May", Query{From: date("2024-03-01"), To: date("2024-05-31")}, refs(
			"EX-001/0/1", "EX-001/0/2", "EX-002/0/3", "EX-003/0/5", "EX-003/0/6", "EX-004/0/7", "EX-004/0/8", "EX-001/0/10", "EX-003/0/14")},
		{"dates and text", Query{Text: "ivory 象牙 งาช้าง", From: date("2024-04-01"), To: date("2024-04-30")}, refs("EX-001/0/1", "EX-004/0/7")},
		{"date from only", Query{From: date("2024-06-01")}, refs("EX-002/0/9", "EX-001/0/10")},
		{"near Tsavo 50 km", Query{Near: &Near{Lat: tsavoLat, Lon: tsavoLon, Km: 50}}, refs("EX-001/0/10")},
		{"near Tsavo 500 km", Query{Near: &Near{Lat: tsavoLat, Lon: tsavoLon, Km: 500}}, refs("EX-001/0/10", "EX-003/0/14", "EX-003/0/5")},
		{"all filters", Query{Text: "tag:evidence", Exhibits: []string{"EX-001", "EX-003"}, Types: []string{"image"},
			From: date("2024-03-01"), To: date("2024-05-31"), Near: &Near{Lat: tsavoLat, Lon: tsavoLon, Km: 50}}, refs("EX-001/0/10")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(t, ix, tt.q); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("%+v: got %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}

func TestHitsAndFacets(t *testing.T) {
	ix := openTest(t, collection)
	r, err := ix.Search(context.Background(), Query{Text: "ivory", Facets: true, Highlight: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Hits) != 1 {
		t.Fatalf("hits %+v", r.Hits)
	}
	h := r.Hits[0]
	want := Hit{ID: "EX-001/0/1", Exhibit: "EX-001", Ref: "0/1", Path: "/Documents/manifest_ivory.pdf", Size: 4096, MIME: "application/pdf", Date: date("2024-04-10")}
	if h.ID != want.ID || h.Exhibit != want.Exhibit || h.Ref != want.Ref || h.Path != want.Path || h.Size != want.Size || h.MIME != want.MIME || !h.Date.Equal(want.Date) || h.Score <= 0 {
		t.Errorf("hit %+v, want %+v", h, want)
	}
	if len(h.Snippets) != 1 || !strings.Contains(h.Snippets[0], "tonnes of <mark>ivory</mark> hidden") {
		t.Errorf("snippets %q", h.Snippets)
	}
	if r.Facets["exhibit"]["EX-001"] != 1 || r.Facets["type"]["pdf"] != 1 || r.Facets["lang"]["en"] != 1 {
		t.Errorf("facets %v", r.Facets)
	}

	r, err = ix.Search(context.Background(), Query{Text: "container", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Facets["exhibit"]; f["EX-001"] != 1 || f["EX-002"] != 1 || f["EX-003"] != 1 || len(f) != 3 {
		t.Errorf("exhibit facets %v", f)
	}

	// Hostile text is escaped; CJK and Thai matches are marked whole.
	for q, want := range map[string]string{
		"furniture":  "&lt;script&gt;alert(1)&lt;/script&gt;",
		"穿山甲鳞片":      "<mark>穿山甲鳞片</mark>",
		"นอแรด":      "<mark>นอแรด</mark>",
		`"nga voi"`:  "<mark>ngà voi</mark>",
		"sha256:zzz": "",
	} {
		r, err := ix.Search(context.Background(), Query{Text: q, Highlight: true, Exhibits: []string{"EX-002", "EX-003", "EX-004"}})
		if err != nil {
			t.Fatal(err)
		}
		var all string
		for _, h := range r.Hits {
			all += strings.Join(h.Snippets, "\n")
		}
		if !strings.Contains(all, want) || strings.Contains(all, "<script>") {
			t.Errorf("%s: snippets %q, want %q", q, all, want)
		}
	}
}

// TestSnippetsLongText highlights matches far into a long text, which
// is analysed again only as far as the matches need.
func TestSnippetsLongText(t *testing.T) {
	long := strings.Repeat("filler words of a long text ", 20000)
	ix := openTest(t, []Doc{
		{Exhibit: "EX-1", Ref: "0/1", Type: "file", Text: long + "pangolin scales in bags " + long + "more pangolin scales"},
		{Exhibit: "EX-1", Ref: "0/2", Type: "file", Text: strings.Repeat("pangolin ", 5000) + long + "scales"},
		{Exhibit: "EX-2", Ref: "0/3", Type: "file", Text: strings.Repeat("海关查获", 30000) + "象牙" + strings.Repeat("海关查获", 30000)},
	})
	r, err := ix.Search(context.Background(), Query{Text: `"pangolin scales"`, Highlight: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Hits) != 1 {
		t.Fatalf("hits %+v", r.Hits)
	}
	if s := r.Hits[0].Snippets; len(s) != 2 || !strings.Contains(s[0], "<mark>pangolin scales</mark> in bags") ||
		!strings.HasSuffix(s[1], "more <mark>pangolin scales</mark>") {
		t.Errorf("snippets %q", s)
	}
	r, err = ix.Search(context.Background(), Query{Text: "scales", Highlight: true, Exhibits: []string{"EX-1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range r.Hits {
		if len(h.Snippets) == 0 || !strings.Contains(h.Snippets[0], "<mark>scales</mark>") {
			t.Errorf("%s: snippets %q", h.ID, h.Snippets)
		}
	}
	// No space to cut a long Chinese text at.
	r, err = ix.Search(context.Background(), Query{Text: "象牙", Highlight: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Hits) != 1 || len(r.Hits[0].Snippets) != 1 || !strings.Contains(r.Hits[0].Snippets[0], "获<mark>象牙</mark>海") {
		t.Errorf("hits %+v", r.Hits)
	}
}

func TestSnippets(t *testing.T) {
	text := strings.Repeat("word ", 100) + "IVORY <b>" + strings.Repeat(" filler", 100) + " ivory\u202Eend"
	i := strings.Index(text, "IVORY")
	j := strings.LastIndex(text, "ivory")
	s := Snippets(text, [][2]int{{j, j + 5}, {i, i + 5}, {-1, 3}, {5, 100000}}, 3, 80)
	if len(s) != 2 {
		t.Fatalf("%q", s)
	}
	if !strings.HasPrefix(s[0], "…") || !strings.Contains(s[0], "<mark>IVORY</mark> &lt;b&gt;") || !strings.HasSuffix(s[0], "…") {
		t.Errorf("%q", s[0])
	}
	if !strings.Contains(s[1], "<mark>ivory</mark> end") || strings.HasSuffix(s[1], "…") {
		t.Errorf("%q", s[1])
	}
}

func TestIdempotentAndReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 {
		b := ix.NewBatch()
		for _, d := range collection {
			b.Add(d)
		}
		if err := ix.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// A changed document replaces the old one.
	b := ix.NewBatch()
	d := collection[0]
	d.Text = "nothing of interest"
	b.Add(d)
	b.Delete("EX-002", "0/3")
	if err := ix.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n, err := ix.Count(); err != nil || n != uint64(len(collection)-1) {
		t.Errorf("Count = %d, %v; want %d", n, err, len(collection)-1)
	}
	if got := ids(t, ix, Query{Text: "ivory"}); len(got) != 0 {
		t.Errorf("replaced document still found: %q", got)
	}
	if got := ids(t, ix, Query{Text: "interest"}); !slices.Equal(got, []string{"EX-001/0/1"}) {
		t.Errorf("got %q", got)
	}
	if got := ids(t, ix, Query{Text: "seize"}); len(got) != 0 {
		t.Errorf("language field of the replaced document still found: %q", got)
	}
}

func TestOpenDamaged(t *testing.T) {
	ctx := context.Background()
	good := func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "index")
		ix, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		b := ix.NewBatch()
		for _, d := range collection {
			b.Add(d)
		}
		if err := ix.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
		ix.Close()
		return dir
	}
	damage := map[string]func(t *testing.T, dir string){
		"garbage folder": func(t *testing.T, dir string) {
			os.RemoveAll(dir)
			os.MkdirAll(dir, 0o755)
			os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o644)
		},
		"meta truncated": func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte(`{"storage":`), 0o644)
		},
		"root zeroed": func(t *testing.T, dir string) {
			p := filepath.Join(dir, "store", "root.bolt")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(p, make([]byte, fi.Size()), 0o644)
		},
		"store missing": func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(dir, "store"))
			os.WriteFile(filepath.Join(dir, "store"), []byte("not a folder"), 0o644)
		},
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			dir := good(t)
			f(t, dir)
			ix, err := Open(dir)
			if err == nil {
				ix.Close()
			}
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "pangolin index rebuild") {
				t.Fatalf("Open: %v, want ErrDamaged", err)
			}
			if name != "garbage folder" {
				if err := Remove(dir); err != nil {
					t.Fatal(err)
				}
				ix, err := Open(dir)
				if err != nil {
					t.Fatalf("Open after Remove: %v", err)
				}
				ix.Close()
			} else if err := Remove(dir); err == nil {
				t.Error("Remove deleted a folder that is not an index")
			}
		})
	}
}

func TestQueryErrors(t *testing.T) {
	ix := openTest(t, collection[:2])
	for _, q := range []Query{
		{Text: `"unclosed`},
		{Near: &Near{Lat: 91, Lon: 0, Km: 5}},
		{Near: &Near{Lat: 0, Lon: 0, Km: 0}},
		{From: date("2024-05-01"), To: date("2024-04-01")},
	} {
		if _, err := ix.Search(context.Background(), q); err == nil {
			t.Errorf("%+v: no error", q)
		}
	}
	b := ix.NewBatch()
	if err := b.Add(Doc{Exhibit: "EX-1"}); err == nil {
		t.Error("Add without ref: no error")
	}
}

func TestKind(t *testing.T) {
	for _, tt := range []struct{ typ, mime, want string }{
		{"file", "application/pdf", KindPDF},
		{"file", "image/jpeg", KindImage},
		{"file", "video/mp4", KindVideo},
		{"file", "message/rfc822", KindEmail},
		{"file", "application/vnd.ms-outlook", KindEmail},
		{"file", "application/msword", KindDocument},
		{"file", "application/vnd.oasis.opendocument.text", KindDocument},
		{"file", "application/vnd.ms-excel", KindSpreadsheet},
		{"file", "application/vnd.openxmlformats-officedocument.presentationml.presentation", KindPresentation},
		{"file", "text/plain; charset=utf-8", KindText},
		{"file", "text/html", KindWeb},
		{"file", "application/zip", KindArchive},
		{"file", "application/vnd.sqlite3", KindDatabase},
		{"file", "application/x-msdownload", KindExecutable},
		{"dir", "", KindDir},
		{"file", "", KindOther},
		{"file", "application/octet-stream", KindOther},
	} {
		if got := Kind(tt.typ, tt.mime); got != tt.want {
			t.Errorf("Kind(%q, %q) = %q, want %q", tt.typ, tt.mime, got, tt.want)
		}
	}
}

// TestFieldList pins the index's field names: they are an API (add
// fields, never rename them).
func TestFieldList(t *testing.T) {
	m := newMapping()
	var got []string
	for name := range m.DefaultMapping.Properties {
		got = append(got, name)
	}
	slices.Sort(got)
	want := strings.Fields(`author bitcoin coords created date deleted domain email entity ethereum exhibit iban imo
		kind known lang location make md5 mime mmsi model modified name path path_exact phone ref sha256 size tag text
		text_ar text_da text_de text_en text_es text_fa text_fi text_fr text_hi text_hr text_hu text_it text_nl text_no
		text_pt text_ro text_ru text_sv text_tr tron truncated type url`)
	if !slices.Equal(got, want) {
		t.Errorf("fields\n got %q\nwant %q", got, want)
	}
}

func TestDetectLanguage(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"Customs officers at the port seized three tonnes of ivory hidden in a container of tea leaves.", "en"},
		{"Les douaniers ont saisi des défenses d'éléphant et du bois de rose dans le port de Douala.", "fr"},
		{"La policía decomisó buche de totoaba en el puerto de Ensenada; el envío iba a Hong Kong.", "es"},
		{"A polícia apreendeu escamas de pangolim e chifres de rinoceronte em Maputo. O pagamento foi feito em dinheiro.", "pt"},
		{"Der Zoll hat im Hafen von Hamburg drei Tonnen Elfenbein beschlagnahmt, die in einem Container mit Tee versteckt waren.", "de"},
		{"La polizia ha sequestrato tre tonnellate di avorio nascoste in un container di tè nel porto di Genova.", "it"},
		{"De douane heeft in de haven van Rotterdam drie ton ivoor in beslag genomen, verstopt in een container met thee.", "nl"},
		{"Tullen beslagtog tre ton elfenben som var gömda i en container med te i hamnen i Göteborg.", "sv"},
		{"Gümrük memurları limanda bir çay konteynerinde saklanan üç ton fildişine el koydu ve şüpheliler gözaltına alındı.", "tr"},
		{"Petugas bea cukai menyita tiga ton gading gajah yang disembunyikan di dalam kontainer teh di pelabuhan.", "id"},
		{"Polisi wamekamata pembe za ndovu na magamba ya kakakuona bandarini Dar es Salaam. Malipo yalifanywa kwa simu.", "sw"},
		{"Hải quan Hải Phòng thu giữ ngà voi và vảy tê tê trong container nhập từ Nigeria.", "vi"},
		{"Таможенники в порту изъяли три тонны слоновой кости, спрятанной в контейнере с чаем.", "ru"},
		{"Митники в порту вилучили три тонни слонової кістки, яку було сховано в контейнері з чаєм.", "uk"},
		{"صادرت الجمارك في الميناء ثلاثة أطنان من العاج المخبأ في حاوية من الشاي.", "ar"},
		{"ماموران گمرک در بندر سه تن عاج را که در یک کانتینر چای پنهان شده بود کشف کردند.", "fa"},
		{"सीमा शुल्क अधिकारियों ने बंदरगाह पर चाय के कंटेनर में छिपाए गए तीन टन हाथीदांत को जब्त किया।", "hi"},
		{"Οι τελωνειακοί κατέσχεσαν τρεις τόνους ελεφαντόδοντου στο λιμάνι.", "el"},
		{"海关在集装箱中查获象牙和穿山甲鳞片，货物从拉各斯运往广州。", "zh"},
		{"海关 查获 象牙 和 穿山甲 鳞片 ，  货物 从 拉各斯 运往 广州 。  1234567890 1234567890", "zh"},
		{"税関は港でお茶のコンテナに隠された象牙三トンを押収した。", "ja"},
		{"세관은 항구에서 차 컨테이너에 숨겨진 상아 3톤을 압수했다.", "ko"},
		{"เจ้าหน้าที่ศุลกากรยึดงาช้างและนอแรดที่ท่าเรือแหลมฉบัง", "th"},
		{"ok", "und"},
		{"12345 67890 +254712345678", "und"},
		{"MSCU1234567 TGHU7654321 ABC-12 XYZ-34 QRS-56", "und"},
	} {
		if got := DetectLanguage(tt.text); got != tt.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestTurkishDottedI indexes text where lower-casing makes a character
// longer (İ → i̇) inside a run of ideographs: bleve's lowercase filter
// corrupted such terms and its CJK bigram filter then panicked.
func TestTurkishDottedI(t *testing.T) {
	an := NewTextAnalyzer()
	for _, text := range []string{"쥘맶쵠뛓罡钖諧索캓İ틡罬", "İSTANBUL 象牙 İ", "İİİİ"} {
		for _, tok := range an.Analyze([]byte(text)) {
			if !utf8.Valid(tok.Term) {
				t.Errorf("%q: invalid term %q", text, tok.Term)
			}
		}
	}
}

// FuzzAnalyze runs the text analyzer on any text: a panic in an analysis
// goroutine would end the whole process.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"쥘맶쵠뛓罡钖諧索캓İ틡罬", "งาช้าง ngà voi 象牙", "d'éléphant ivory.jpg +254-712"} {
		f.Add(s)
	}
	an := NewTextAnalyzer()
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range an.Analyze([]byte(strings.ToValidUTF8(s, "\uFFFD"))) {
			if !utf8.Valid(tok.Term) {
				t.Fatalf("%q: invalid term %q", s, tok.Term)
			}
		}
	})
}
