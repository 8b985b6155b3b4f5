package entities

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/extract"
)

// want is an expected entity. Off is its byte offset; -1 means "where Raw
// first occurs in the text", for texts where that is unambiguous.
type want struct {
	Type, Raw, Value string
	Off              int
}

func check(t *testing.T, text string, opts Options, wants []want) {
	t.Helper()
	got := Find(text, opts)
	var exp []extract.Entity
	for _, w := range wants {
		off := w.Off
		if off < 0 {
			off = strings.Index(text, w.Raw)
			if off < 0 {
				t.Fatalf("bad test: %q not in text", w.Raw)
			}
		}
		exp = append(exp, extract.Entity{Type: w.Type, Value: w.Value, Raw: w.Raw, Offset: int64(off)})
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("Find(%q)\n got: %s\nwant: %s", text, dump(got), dump(exp))
	}
	for _, e := range got {
		if text[e.Offset:e.Offset+int64(len(e.Raw))] != e.Raw {
			t.Errorf("%v: Raw is not text[Offset:]", e)
		}
	}
}

func dump(es []extract.Entity) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "\n\t{%s %d %q %q}", e.Type, e.Offset, e.Raw, e.Value)
	}
	return b.String()
}

// TestFind covers every entity type with valid forms and near misses.
func TestFind(t *testing.T) {
	const (
		E = extract.Email
		U = extract.URL
		D = extract.Domain
		P = extract.Phone
		B = extract.Bitcoin
		H = extract.Ethereum
		T = extract.Tron
		I = extract.IBAN
		C = extract.Coords
		O = extract.IMO
		M = extract.MMSI
	)
	tests := []struct {
		name   string
		text   string
		region string
		want   []want
	}{
		// Email and Domain.
		{"email", "write to Juma.Kariuki@Example.co.KE.", "", []want{
			{E, "Juma.Kariuki@Example.co.KE", "juma.kariuki@example.co.ke", 9},
			{D, "Example.co.KE", "example.co.ke", 22},
		}},
		{"email plus tag", "<ops+ivory_2026@mail.wildlife-trade.org>", "", []want{
			{E, "ops+ivory_2026@mail.wildlife-trade.org", "ops+ivory_2026@mail.wildlife-trade.org", 1},
			{D, "mail.wildlife-trade.org", "mail.wildlife-trade.org", 16},
		}},
		{"email without TLD", "mail a@b or root@localhost or x@host.c1", "", nil},
		{"email consecutive dots", "john..doe@example.com and jane@example..com", "", nil},
		{"email trailing dot in local", "john.@example.com", "", nil},
		{"email glued to a word", "näme@example.com", "", nil},
		{"email in CJK", "邮箱li.wei@qq.com谢谢", "", []want{
			{E, "li.wei@qq.com", "li.wei@qq.com", 6},
			{D, "qq.com", "qq.com", 13},
		}},

		// URL and Domain.
		{"url", "see (HTTPS://Timber-Export.COM/Lots?id=7&x=(a)).", "", []want{
			{U, "HTTPS://Timber-Export.COM/Lots?id=7&x=(a)", "https://timber-export.com/Lots?id=7&x=(a)", 5},
			{D, "Timber-Export.COM", "timber-export.com", 13},
		}},
		{"url port and user", "ftp://user:pw@files.example.net:2121/dump.zip;", "", []want{
			{U, "ftp://user:pw@files.example.net:2121/dump.zip", "ftp://user:pw@files.example.net:2121/dump.zip", 0},
			{D, "files.example.net", "files.example.net", 14},
		}},
		{"url www", "Visit www.Fish-Market.vn!", "", []want{
			{D, "www.Fish-Market.vn", "www.fish-market.vn", 6},
			{U, "www.Fish-Market.vn", "http://www.fish-market.vn", 6},
		}},
		{"url with www", "http://www.example.com/x www.example.org", "", []want{
			{U, "http://www.example.com/x", "http://www.example.com/x", 0},
			{D, "www.example.com", "www.example.com", 7},
			{D, "www.example.org", "www.example.org", 25},
			{U, "www.example.org", "http://www.example.org", 25},
		}},
		{"url ip", "http://192.168.1.20:8080/admin", "", []want{
			{U, "http://192.168.1.20:8080/admin", "http://192.168.1.20:8080/admin", 0},
		}},
		{"url near misses", "http:// , http://-bad-.com, mailto:x, gopher://example.com, xhttp://a.com", "", nil},
		{"bare domain", "order via shop.example.co.ke or EXAMPLE.COM today", "", []want{
			{D, "shop.example.co.ke", "shop.example.co.ke", 10},
			{D, "EXAMPLE.COM", "example.com", 32},
		}},
		{"bare domain near misses", "end of line.In the morning; readme.md; v1.2.3; example.in; Sentence.Com", "", nil},

		// Phone.
		{"phone local", "Call 0712 345 678.", "KE", []want{{P, "0712 345 678", "+254712345678", 5}}},
		{"phone international without region", "Call +254 712 345 678 or 0712 345 678", "", []want{
			{P, "+254 712 345 678", "+254712345678", 5},
		}},
		{"phone 00 prefix", "tel 00255754123456", "", []want{{P, "00255754123456", "+255754123456", 4}}},
		{"phone date", "2026-03-01 and 01.03.2026 and 01/03/2026 and 20260301", "KE", nil},
		{"phone date then number", "2026-03-01 0712345678", "KE", []want{{P, "0712345678", "+254712345678", 11}}},
		{"phone time and ip", "14:32:10 at 192.168.100.200 or 10.0.0.1", "KE", nil},
		{"phone isbn", "ISBN 978-3-16-148410-0 or 9783161484100", "FR", nil},
		{"phone card", "card 4111 1111 1111 1111 or 4111111111111111", "US", nil},
		{"phone amount", "KES 712345678.50 paid, 71234567,50 EUR", "KE", nil},
		{"phone in hex", "sha1 a3f50712345678bc 0712345678ab", "KE", nil},
		{"phone glued", "x0712345678 0712345678x 1.0712345678", "KE", nil},
		{"phone invalid", "0123 456 789 and +999 123 456 789", "KE", nil},
		{"phone two in a row", "0712345678 0754123456", "KE", []want{
			{P, "0712345678", "+254712345678", 0},
			{P, "0754123456", "+254754123456", 11},
		}},
		{"phone parenthesised", "(+255 754 123 456)", "", []want{{P, "+255 754 123 456", "+255754123456", 1}}},

		// Bitcoin.
		{"btc p2pkh", "send to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa now", "", []want{
			{B, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 8},
		}},
		{"btc p2sh", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "", []want{
			{B, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", 0},
		}},
		{"btc one char changed", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", "", nil},
		{"btc bech32 v0", "pay bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq.", "", []want{
			{B, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 4},
		}},
		{"btc bech32 upper", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "", []want{
			{B, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 0},
		}},
		{"btc bech32m taproot", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "", []want{
			{B, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", 0},
		}},
		{"btc bech32 near misses", strings.Join([]string{
			"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp",                     // one character changed
			"bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",                     // mixed case
			"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",                     // testnet
			"bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",                          // v2 with bech32 checksum
			"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", // v1 with bech32 checksum
		}, " "), "", nil},

		// Ethereum.
		{"eth checksum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "", []want{
			{H, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", 0},
		}},
		{"eth lower and upper", "to 0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359, 0xDBF03B407C01E7CD3CBEA99509D93F8DDDC8C6FB", "", []want{
			{H, "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359", "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359", 3},
			{H, "0xDBF03B407C01E7CD3CBEA99509D93F8DDDC8C6FB", "0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb", 47},
		}},
		{"eth bad checksum", "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "", nil},
		{"eth in a longer hash", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00 0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea", "", nil},

		// TRON.
		{"tron", "USDT TRC20: TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", "", []want{
			{T, "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", 12},
		}},
		{"tron one char changed", "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeM", "", nil},

		// IBAN.
		{"iban grouped", "IBAN: DE89 3704 0044 0532 0130 00.", "", []want{
			{I, "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", 6},
		}},
		{"iban compact", "GB82WEST12345698765432 FR1420041010050500013M02606", "", []want{
			{I, "GB82WEST12345698765432", "GB82WEST12345698765432", 0},
			{I, "FR1420041010050500013M02606", "FR1420041010050500013M02606", 23},
		}},
		{"iban wrong check digit", "GB83WEST12345698765432 DE88 3704 0044 0532 0130 00", "", nil},
		{"iban wrong length or grouping", "GB82WEST1234569876543 DE89 37040044 0532 0130 00 XX82WEST12345698765432", "", nil},

		// Coordinates.
		{"coords decimal", "at -3.3869, 38.6512 then -3.3869 38.6512", "", []want{
			{C, "-3.3869, 38.6512", "-3.386900,38.651200", 3},
			{C, "-3.3869 38.6512", "-3.386900,38.651200", 25},
		}},
		{"coords hemisphere", "3.3869 S, 38.6512 E / 4.0435 S 39.6682 E", "", []want{
			{C, "3.3869 S, 38.6512 E", "-3.386900,38.651200", 0},
			{C, "4.0435 S 39.6682 E", "-4.043500,39.668200", 22},
		}},
		{"coords dms", `camp 3°23'12.8"S 38°39'04.3"E.`, "", []want{
			{C, `3°23'12.8"S 38°39'04.3"E`, "-3.386889,38.651194", 5},
		}},
		{"coords ddm", "S 3° 23.214' E 38° 39.072'", "", []want{
			{C, "S 3° 23.214' E 38° 39.072'", "-3.386900,38.651200", 0},
		}},
		{"coords near misses", "3.38, 38.65; 95.1234, 38.1234; 3.3869 S, 38.6512; 1.12345.6 2.34567; 3.3869 N 38.6512 S", "", nil},

		// IMO.
		{"imo", "IMO 9074729, IMO: 9074729; IMO No. 9074729 imo9074729", "", []want{
			{O, "IMO 9074729", "IMO 9074729", 0},
			{O, "IMO: 9074729", "IMO 9074729", 13},
			{O, "IMO No. 9074729", "IMO 9074729", 27},
			{O, "imo9074729", "IMO 9074729", 43},
		}},
		{"imo near misses", "IMO 9074728, 9074729, IMO 90747290, IMO 907472, PRIMO 9074729", "", nil},

		// MMSI.
		{"mmsi", "MMSI 244650000; MMSI: 002442000; MMSI no. 970123456", "", []want{
			{M, "MMSI 244650000", "MMSI 244650000", 0},
			{M, "MMSI: 002442000", "MMSI 002442000", 16},
			{M, "MMSI no. 970123456", "MMSI 970123456", 33},
		}},
		{"mmsi near misses", "MMSI 123456789, MMSI 24465000, 244650000, MMSI 976123456, MMSI 2446500001", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, tc.text, Options{DefaultRegion: tc.region}, tc.want)
		})
	}
}

// TestPhoneNormalisation checks national and international forms for the
// countries pangolin's investigations meet most.
func TestPhoneNormalisation(t *testing.T) {
	tests := []struct {
		region, raw, e164 string
	}{
		{"KE", "0712 345 678", "+254712345678"},
		{"KE", "0712-345678", "+254712345678"},
		{"KE", "0712345678", "+254712345678"},
		{"KE", "+254 712 345 678", "+254712345678"},
		{"KE", "+254712345678", "+254712345678"},
		{"KE", "+254 (0)712 345 678", "+254712345678"},
		{"TZ", "0754 123 456", "+255754123456"},
		{"TZ", "+255 754 123 456", "+255754123456"},
		{"VN", "0912 345 678", "+84912345678"},
		{"VN", "090 123 4567", "+84901234567"},
		{"VN", "+84 91 234 56 78", "+84912345678"},
		{"CN", "138 0013 8000", "+8613800138000"},
		{"CN", "010-12345678", "+861012345678"},
		{"CN", "+86 138 0013 8000", "+8613800138000"},
		{"CN", "+86 10 1234 5678", "+861012345678"},
		{"TH", "081 234 5678", "+66812345678"},
		{"TH", "02-123-4567", "+6621234567"},
		{"TH", "+66 81 234 5678", "+66812345678"},
		{"TH", "+66 2 123 4567", "+6621234567"},
		{"FR", "06 12 34 56 78", "+33612345678"},
		{"FR", "06\u00a012\u00a034\u00a056\u00a078", "+33612345678"},
		{"FR", "01.23.45.67.89", "+33123456789"},
		{"FR", "+33 6 12 34 56 78", "+33612345678"},
		{"FR", "+33 1 23 45 67 89", "+33123456789"},
		{"BR", "(11) 91234-5678", "+5511912345678"},
		{"BR", "011 91234 5678", "+5511912345678"},
		{"BR", "+55 11 91234-5678", "+5511912345678"},
		{"BR", "+55 (11) 91234-5678", "+5511912345678"},
		{"AR", "011 15-1234-5678", "+5491112345678"},
		{"AR", "+54 9 11 1234-5678", "+5491112345678"},
		{"AR", "+54 11 1234-5678", "+541112345678"},
		{"AR", "0054 9 11 1234 5678", "+5491112345678"},
	}
	for _, tc := range tests {
		t.Run(tc.region+" "+tc.raw, func(t *testing.T) {
			text := "Tel: " + tc.raw + ", asante."
			check(t, text, Options{DefaultRegion: tc.region, Types: []string{extract.Phone}},
				[]want{{extract.Phone, tc.raw, tc.e164, 5}})
			if tc.raw[0] == '+' || strings.HasPrefix(tc.raw, "00") {
				// International forms need no default region.
				check(t, text, Options{Types: []string{extract.Phone}},
					[]want{{extract.Phone, tc.raw, tc.e164, 5}})
			} else {
				// National forms need one.
				check(t, text, Options{Types: []string{extract.Phone}}, nil)
			}
		})
	}
}

// TestMixedTexts runs Find on realistic messages.
func TestMixedTexts(t *testing.T) {
	const (
		P = extract.Phone
		B = extract.Bitcoin
		O = extract.IMO
	)
	tests := []struct {
		name   string
		text   string
		region string
		want   []want
	}{
		{"sms",
			"Call me on 0712 345 678 or +255 754 123 456, pay to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq IMO 9074729",
			"KE", []want{
				{P, "0712 345 678", "+254712345678", 11},
				{P, "+255 754 123 456", "+255754123456", 27},
				{B, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 52},
				{O, "IMO 9074729", "IMO 9074729", 95},
			}},
		{"whatsapp android",
			"01/03/2026, 14:32 - +254 712 345 678: Mzigo uko Mombasa, tuma kwa 0754 123 456 (Juma) kesho 05:30",
			"TZ", []want{
				{P, "+254 712 345 678", "+254712345678", 20},
				{P, "0754 123 456", "+255754123456", 66},
			}},
		{"whatsapp ios",
			"[01/03/2026, 14:32:10] Juma: Nipigie 0712 345 678 au juma.k@gmail.com, location: -4.0435, 39.6682",
			"KE", []want{
				{P, "0712 345 678", "+254712345678", 37},
				{extract.Email, "juma.k@gmail.com", "juma.k@gmail.com", 53},
				{extract.Domain, "gmail.com", "gmail.com", 60},
				{extract.Coords, "-4.0435, 39.6682", "-4.043500,39.668200", 81},
			}},
		{"vietnamese",
			"Gọi cho tôi: 0912 345 678 hoặc +84 91 234 56 78",
			"VN", []want{
				{P, "0912 345 678", "+84912345678", 16},
				{P, "+84 91 234 56 78", "+84912345678", 36},
			}},
		{"chinese",
			"联系人：李先生，电话13800138000，座机010-12345678，邮箱li.wei@qq.com",
			"CN", []want{
				{P, "13800138000", "+8613800138000", 30},
				{P, "010-12345678", "+861012345678", 50},
				{extract.Email, "li.wei@qq.com", "li.wei@qq.com", 71},
				{extract.Domain, "qq.com", "qq.com", 78},
			}},
		{"thai",
			"ติดต่อ โทร081 234 5678 หรือ 02-123-4567 ครับ",
			"TH", []want{
				{P, "081 234 5678", "+66812345678", 28},
				{P, "02-123-4567", "+6621234567", 54},
			}},
		{"fishing log",
			"Vessel HAI FENG 718, IMO No. 9074729, MMSI: 412345678, pos 5°12.5'N 97°30.25'E 2026-03-01 02:14 UTC; agent +66 81 234 5678",
			"", []want{
				{O, "IMO No. 9074729", "IMO 9074729", 21},
				{extract.MMSI, "MMSI: 412345678", "MMSI 412345678", 38},
				{extract.Coords, "5°12.5'N 97°30.25'E", "5.208333,97.504167", 59},
				{P, "+66 81 234 5678", "+66812345678", 109},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, tc.text, Options{DefaultRegion: tc.region}, tc.want)
		})
	}
}

func TestTypesFilter(t *testing.T) {
	text := "juma@example.com 0712345678 IMO 9074729"
	check(t, text, Options{DefaultRegion: "KE", Types: []string{extract.Domain, extract.IMO}}, []want{
		{extract.Domain, "example.com", "example.com", 5},
		{extract.IMO, "IMO 9074729", "IMO 9074729", 28},
	})
	if got := Find("", Options{}); got != nil {
		t.Errorf("Find(\"\") = %v, want nil", got)
	}
}

func TestMaxText(t *testing.T) {
	text := strings.Repeat(" ", MaxText) + "IMO 9074729"
	if got := Find(text, Options{}); got != nil {
		t.Errorf("entity beyond MaxText found: %v", got)
	}
}

func FuzzFind(f *testing.F) {
	seeds := []string{
		"Call me on 0712 345 678 or +255 754 123 456, pay to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq IMO 9074729",
		"IBAN: DE89 3704 0044 0532 0130 00 GB82WEST12345698765432",
		`3°23'12.8"S 38°39'04.3"E S 3° 23.214' E 38° 39.072' -3.3869, 38.6512`,
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
		"https://x.example.com:8080/a(b)?c=d). www.test.org juma@x.co.ke shop.example.co.ke",
		"联系人：李先生，电话13800138000，座机010-12345678 MMSI: 002442000 (+55 (11) 91234-5678)",
		"\xff\xfe0712\x00345 678 +\xc2\xa0254 http://[::1]:80/ a@b. 3°\xe2\x80",
	}
	for _, s := range seeds {
		f.Add(s, "KE")
	}
	f.Add("06 12 34 56 78", "FR")
	f.Add("(11) 91234-5678", "br")
	f.Fuzz(func(t *testing.T, text, region string) {
		got := Find(text, Options{DefaultRegion: region})
		for k, e := range got {
			if e.Offset < 0 || e.Offset+int64(len(e.Raw)) > int64(len(text)) ||
				text[e.Offset:e.Offset+int64(len(e.Raw))] != e.Raw {
				t.Fatalf("%+v: Raw is not text[Offset:Offset+len(Raw)]", e)
			}
			if e.Raw == "" || e.Value == "" {
				t.Fatalf("%+v: empty Raw or Value", e)
			}
			if k > 0 {
				p := got[k-1]
				if p.Offset > e.Offset || p.Offset == e.Offset && p.Type >= e.Type {
					t.Fatalf("not sorted and unique: %+v then %+v", p, e)
				}
			}
		}
	})
}

// benchText is about 1 MB of mixed text: prose, chat lines, hashes,
// numbers that are not entities and some that are. Numbers vary from line
// to line, so that no per-call cache makes the work look smaller.
func benchText() string {
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for b.Len() < 1<<20 {
		fmt.Fprintf(&b, "The shipment left the port on 2026-%02d-%02d at %02d:%02d and the invoice total was %d,%03d.%02d KES (ref %05d-%02d).\n",
			1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(1000), r.IntN(1000), r.IntN(100), r.IntN(100000), r.IntN(100))
		fmt.Fprintf(&b, "[01/03/2026, 14:32:10] Juma: Nipigie 07%02d %03d %03d au tuma kwa +255 7%02d %03d %03d, asante sana rafiki yangu.\n",
			r.IntN(100), r.IntN(1000), r.IntN(1000), r.IntN(100), r.IntN(1000), r.IntN(1000))
		b.WriteString("Payment to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq or 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed confirmed.\n")
		fmt.Fprintf(&b, "Vessel IMO %07d (MMSI %09d) reported at 3°23'12.8\"S 38°39'04.3\"E, next waypoint -%d.%04d, %d.%04d.\n",
			r.IntN(10000000), r.IntN(1000000000), r.IntN(10), r.IntN(10000), 30+r.IntN(10), r.IntN(10000))
		b.WriteString("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore.\n")
		b.WriteString("Contact sales@timber-export.com or see https://timber-export.com/lots?id=7 and www.example.co.ke for details.\n")
		fmt.Fprintf(&b, "sha256 %016x%016x%016x%016x size %d version 10.%d.2.1 serial %d\n",
			r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64(), r.IntN(1<<24), r.IntN(10), r.Int64N(1e12))
		fmt.Fprintf(&b, "联系人：李先生，电话1380013%04d，座机010-1234%04d。Gọi cho tôi: 0912 345 %03d. IBAN DE89 3704 0044 0532 0130 00\n",
			r.IntN(10000), r.IntN(10000), r.IntN(1000))
	}
	return b.String()
}

func BenchmarkFind(b *testing.B) {
	text := benchText()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Find(text, Options{DefaultRegion: "KE"})
	}
}

// TestNamespaceURIs: the namespace declarations of office documents are
// not URLs anyone visited; the same host written in prose still is.
func TestNamespaceURIs(t *testing.T) {
	text := `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:dc='http://purl.org/dc/elements/1.1/'>` +
		`<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>` +
		` see http://www.w3.org/TR/xml/ and <a href="https://example.org/x">`
	var got []string
	for _, e := range Find(text, Options{}) {
		if e.Type == extract.URL || e.Type == extract.Domain {
			got = append(got, e.Value)
		}
	}
	want := []string{"http://www.w3.org/TR/xml/", "www.w3.org", "https://example.org/x", "example.org"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
