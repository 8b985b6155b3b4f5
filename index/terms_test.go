package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/pangolin-forensics/pangolin/extract"
)

func TestParseTerms(t *testing.T) {
	in := "\uFEFF# comment\n\nivory\r\n  rhino horn  \nRosewood\tbois de rose\n\"pembe za ndovu\"\nPangolin\tpangolin*\n/cites-?\\d+/\n" +
		"phone:+254712345678\nWallets\tbitcoin:/bc1q.*/\nimo:IMO 90*\nname:ivory invoice\nnote: x\nhttp://x.org\n"
	got, err := ParseTerms(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Term{
		{Label: "ivory", Text: "ivory", Kind: TermPhrase, Line: 3},
		{Label: "rhino horn", Text: "rhino horn", Kind: TermPhrase, Line: 4},
		{Label: "Rosewood", Text: "bois de rose", Kind: TermPhrase, Line: 5},
		{Label: `"pembe za ndovu"`, Text: "pembe za ndovu", Kind: TermPhrase, Line: 6},
		{Label: "Pangolin", Text: "pangolin*", Kind: TermWildcard, Line: 7},
		{Label: `/cites-?\d+/`, Text: `cites-?\d+`, Kind: TermRegexp, Line: 8},
		{Label: "phone:+254712345678", Text: "+254712345678", Kind: TermPhrase, Field: "phone", Line: 9},
		{Label: "Wallets", Text: "bc1q.*", Kind: TermRegexp, Field: "bitcoin", Line: 10},
		{Label: "imo:IMO 90*", Text: "IMO 90*", Kind: TermWildcard, Field: "imo", Line: 11},
		{Label: "name:ivory invoice", Text: "ivory invoice", Kind: TermPhrase, Field: "name", Line: 12},
		{Label: "note: x", Text: "note: x", Kind: TermPhrase, Line: 13},
		{Label: "http://x.org", Text: "http://x.org", Kind: TermPhrase, Line: 14},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{"x\n/(/\n", "Label\t\n", "\"\"\n", "two wild*\n", "name:two wild*\n", "tag:/(/\n"} {
		_, err := ParseTerms(strings.NewReader(bad))
		if te, ok := err.(*TermsError); !ok || te.Line < 1 {
			t.Errorf("%q: %v, want a TermsError", bad, err)
		}
	}
}

func TestStarterList(t *testing.T) {
	f, err := os.Open("testdata/environmental-crime.terms")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	terms, err := ParseTerms(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(terms) < 80 {
		t.Errorf("%d terms", len(terms))
	}
}

// sentences are the material of generated documents: terms of the
// starter list in context, with and without accents, in several cases,
// and filler.
var sentences = []string{
	"Customs officers at Mombasa seized three tonnes of Ivory hidden in tea.",
	"The ELEPHANT TUSKS were packed in a container bound for Haiphong.",
	"Les douaniers ont saisi des défenses d'éléphant et de l'ivoire à Douala.",
	"Les douaniers ont saisi des defenses d'elephant au port.",
	"La policía decomisó buche de totoaba y marfil en Ensenada.",
	"La policia decomiso vejiga natatoria de Totoaba macdonaldi.",
	"A polícia apreendeu escamas de pangolim e marfim em Maputo.",
	"Carga de pau-rosa e jacarandá apreendida no porto de Santos.",
	"Polisi wamekamata pembe za ndovu na magamba ya kakakuona bandarini.",
	"Mzigo wa pembe za faru na nyama pori ulikamatwa Arusha.",
	"Hải quan thu giữ ngà voi và vảy tê tê trong container.",
	"Hai quan thu giu nga voi va sung te giac tai cang.",
	"Sừng tê giác được giấu trong hàng gỗ trắc nhập từ Lào.",
	"海关在集装箱中查获象牙和穿山甲鳞片。",
	"货物包括犀牛角、鱼翅和花胶，运往广州。",
	"这批紅木和魚肚从拉各斯运来。",
	"เจ้าหน้าที่ยึดงาช้างและนอแรดที่ท่าเรือ",
	"ไม้พะยูงถูกซ่อนในตู้คอนเทนเนอร์",
	"พบเกล็ดลิ่นและหูฉลามในโกดัง",
	"Petugas menyita gading gajah dan sisik trenggiling di Medan.",
	"Cula badak dan sirip hiu dikirim lewat Batam.",
	"Shipment of rosewood logs (Dalbergia cochinchinensis) left Vientiane.",
	"Pterocarpus erinaceus timber, known as kosso, crossed the border.",
	"The CITES permit number CITES-2024 was forged.",
	"Dried shark fins and abalone, perlemoen from Haliotis midae.",
	"Bushmeat and bush meat were sold at the market.",
	"Pangolin scales from Manis javanica and Smutsia gigantea.",
	"The pangolins were alive; pangolinscales is not a word.",
	"Rhinoceros horn of Diceros bicornis and Ceratotherium simum.",
	"Meeting notes about the quarterly budget and furniture.",
	"Payment received, please confirm the delivery date.",
	"Le rendez-vous est fixé à mardi.",
	"Mkutano utafanyika kesho asubuhi.",
	"Cuộc họp sẽ diễn ra vào thứ Hai.",
	"会议定于明天上午举行。",
	"ประชุมพรุ่งนี้เช้า",
}

func genDocs(n int, seed uint64) []Doc {
	rng := rand.New(rand.NewPCG(seed, 1))
	docs := make([]Doc, n)
	for i := range docs {
		var b strings.Builder
		for k := range 1 + rng.IntN(4) {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(sentences[rng.IntN(len(sentences))])
		}
		docs[i] = Doc{Exhibit: fmt.Sprintf("EX-%d", 1+rng.IntN(3)), Ref: fmt.Sprintf("0/%d", i), Type: "file", MIME: "text/plain", Text: b.String()}
	}
	return docs
}

// The brute-force scan: words are runs of letters, marks and digits;
// Latin words are compared lower-case without accents, format
// characters (soft hyphens, bidirectional controls) dropped; a word in Han or
// a South-East Asian script is found anywhere inside a run of letters.

func bruteWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || unicode.Is(unicode.Cf, r))
	})
}

func bruteFold(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		switch {
		case unicode.Is(unicode.Mn, r) && r < 0x0590, unicode.Is(unicode.Cf, r):
		case r == 'đ':
			b.WriteRune('d')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func spaceless(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || unicode.Is(unicode.Thai, r) {
			return true
		}
	}
	return false
}

func bruteMatch(t Term, text string) bool {
	words := bruteWords(text)
	for i := range words {
		words[i] = bruteFold(words[i])
	}
	switch t.Kind {
	case TermRegexp, TermWildcard:
		pat := t.Text
		if t.Kind == TermWildcard {
			pat = strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(bruteFold(t.Text)))
		}
		re := regexp.MustCompile("^(?:" + pat + ")$")
		for _, w := range words {
			if re.MatchString(w) {
				return true
			}
		}
		return false
	}
	if spaceless(t.Text) {
		for _, w := range words {
			if strings.Contains(w, t.Text) {
				return true
			}
		}
		return false
	}
	tw := bruteWords(t.Text)
	for i := range tw {
		tw[i] = bruteFold(tw[i])
	}
	for i := 0; i+len(tw) <= len(words); i++ {
		match := true
		for k := range tw {
			if words[i+k] != tw[k] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func TestRunTermsBruteForce(t *testing.T) {
	f, err := os.Open("testdata/environmental-crime.terms")
	if err != nil {
		t.Fatal(err)
	}
	terms, err := ParseTerms(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// One Han character: first, last or inside a run, or absent.
	for _, c := range []string{"象", "翅", "角", "山", "虎"} {
		terms = append(terms, Term{Label: c, Text: c, Kind: TermPhrase, Line: 1000 + len(terms)})
	}
	docs := genDocs(600, 7)
	ix := openTest(t, docs)
	for _, exhibits := range [][]string{nil, {"EX-2"}, {"EX-1", "EX-3"}} {
		got, err := ix.RunTerms(context.Background(), terms, exhibits)
		if err != nil {
			t.Fatal(err)
		}
		in := func(ex string) bool {
			return len(exhibits) == 0 || strings.Contains(strings.Join(exhibits, ","), ex)
		}
		hitTerms := 0
		byLabel := map[string]map[string]uint64{}
		for _, th := range got {
			want := map[string]uint64{}
			var total uint64
			for _, d := range docs {
				if !in(d.Exhibit) {
					continue
				}
				hit := false
				if th.Term != nil {
					hit = bruteMatch(*th.Term, d.Text)
				} else {
					for _, tt := range terms {
						if tt.Label == th.Label && bruteMatch(tt, d.Text) {
							hit = true
							break
						}
					}
				}
				if hit {
					want[d.Exhibit]++
					total++
				}
			}
			name := th.Label
			if th.Term != nil {
				name += " / " + th.Term.Text
				if total > 0 {
					hitTerms++
				}
			} else {
				byLabel[th.Label] = th.Exhibits
			}
			if th.Total != total || fmt.Sprint(th.Exhibits) != fmt.Sprint(want) {
				t.Errorf("exhibits %v, %s: index %d %v, brute force %d %v", exhibits, name, th.Total, th.Exhibits, total, want)
			}
		}
		if exhibits == nil {
			if hitTerms < 60 || len(byLabel) < 9 {
				t.Errorf("only %d terms and %d labels hit: the generated collection misses the list", hitTerms, len(byLabel))
			}
			t.Logf("%d of %d terms hit, %d labels", hitTerms, len(terms), len(byLabel))
		}
	}
}

// TestRunFieldTerms checks keyword-list terms that name a field against
// a scan of the documents' values: entities and tags whole (any case,
// wildcards and regular expressions over the lower-case value), names
// by words.
func TestRunFieldTerms(t *testing.T) {
	phones := []string{"+254712345678", "+255754000111", "+84912345678"}
	wallets := []string{"bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"}
	names := []string{"ivory invoice.pdf", "Invoice ivory.pdf", "IMG_0001.JPG", "ivory-invoice-2.docx"}
	rng := rand.New(rand.NewPCG(3, 9))
	var docs []Doc
	for i := range 300 {
		d := Doc{Exhibit: fmt.Sprintf("EX-%d", 1+i%3), Ref: fmt.Sprintf("0/%d", i), Type: "file",
			Name: names[rng.IntN(len(names))], Text: sentences[rng.IntN(len(sentences))]}
		if rng.IntN(3) == 0 {
			d.Entities = append(d.Entities, extract.Entity{Type: extract.Phone, Value: phones[rng.IntN(len(phones))]})
		}
		if rng.IntN(4) == 0 {
			d.Entities = append(d.Entities, extract.Entity{Type: extract.Bitcoin, Value: wallets[rng.IntN(len(wallets))]})
		}
		if rng.IntN(5) == 0 {
			d.Tags = []string{"Evidence"}
		}
		docs = append(docs, d)
	}
	list := "phone:+254712345678\nphone:+2557*\nWallets\tbitcoin:/bc1q.*/\nWallets\tbitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT\n" +
		"entity:+84912345678\ntag:evidence\nname:ivory invoice\nname:invoice*\nphone:+1000\n"
	terms, err := ParseTerms(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	ix := openTest(t, docs)
	got, err := ix.RunTerms(context.Background(), terms, nil)
	if err != nil {
		t.Fatal(err)
	}
	values := func(d Doc, field string) []string {
		var out []string
		switch field {
		case FieldTag:
			out = slices.Clone(d.Tags)
		case FieldName:
			out = []string{d.Name}
		default:
			for _, e := range d.Entities {
				if field == FieldEntity || e.Type == field {
					out = append(out, e.Value)
				}
			}
		}
		for i := range out {
			out[i] = strings.ToLower(out[i])
		}
		return out
	}
	hit := func(tm Term, d Doc) bool {
		for _, v := range values(d, tm.Field) {
			switch {
			case tm.Field == FieldName && tm.Kind == TermWildcard:
				if slices.ContainsFunc(bruteWords(v), func(w string) bool { return strings.HasPrefix(w, strings.TrimSuffix(tm.Text, "*")) }) {
					return true
				}
			case tm.Field == FieldName:
				if strings.Contains(strings.Join(bruteWords(v), " "), tm.Text) {
					return true
				}
			case tm.Kind == TermRegexp:
				if regexp.MustCompile("^(?:" + tm.Text + ")$").MatchString(v) {
					return true
				}
			case tm.Kind == TermWildcard:
				if strings.HasPrefix(v, strings.ToLower(strings.TrimSuffix(tm.Text, "*"))) {
					return true
				}
			case v == strings.ToLower(tm.Text):
				return true
			}
		}
		return false
	}
	nonzero := 0
	for _, th := range got {
		var want uint64
		for _, d := range docs {
			if th.Term != nil && hit(*th.Term, d) ||
				th.Term == nil && slices.ContainsFunc(terms, func(tm Term) bool { return tm.Label == th.Label && hit(tm, d) }) {
				want++
			}
		}
		if th.Total != want {
			t.Errorf("%s %v: %d documents, scan %d", th.Label, th.Term, th.Total, want)
		}
		if want > 0 {
			nonzero++
		}
	}
	if len(got) != len(terms)+1 || nonzero != len(got)-1 {
		t.Errorf("%d results, %d with hits: want %d, all but phone:+1000", len(got), nonzero, len(terms)+1)
	}
}
