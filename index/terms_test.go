package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func TestParseTerms(t *testing.T) {
	in := "\uFEFF# comment\n\nivory\r\n  rhino horn  \nRosewood\tbois de rose\n\"pembe za ndovu\"\nPangolin\tpangolin*\n/cites-?\\d+/\n"
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
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{"x\n/(/\n", "Label\t\n", "\"\"\n", "two wild*\n"} {
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
