package doc

import (
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/unicode/norm"
)

// handSamples are short texts, written for these tests, in languages the
// corpus lacks, with the legacy encoding each was commonly written in.
var handSamples = []struct {
	name, enc string
	e         encoding.Encoding
	text      string
}{
	{"vietnamese", "windows-1258", charmap.Windows1258, vietnamese1258(
		"Cơ quan điều tra đã thu giữ hóa đơn bán gỗ quý hiếm. Người viết hóa đơn là ai? " +
			"Công ty xuất khẩu lâm sản ở Hải Phòng đã ký hợp đồng vận chuyển mẫu gỗ trắc và gỗ cẩm lai sang cảng nước ngoài. " +
			"Theo lời khai của nhân chứng, lô hàng được khai báo là đồ gỗ mỹ nghệ nhưng thực chất là gỗ tròn chưa qua chế biến.")},
	{"russian", "windows-1251", charmap.Windows1251,
		"Следствие установило, что накладная на «образцы древесины» была составлена в офисе компании в Хабаровске. " +
			"Груз был отправлен морем в соседнюю страну, а в документах указано неверное происхождение леса. " +
			"Эксперты изучили подписи и метаданные файлов."},
	{"russian", "ibm866", charmap.CodePage866,
		"Следствие установило, что накладная на образцы древесины была составлена в офисе компании в Хабаровске. " +
			"Груз был отправлен морем в соседнюю страну, а в документах указано неверное происхождение леса."},
	{"chinese-traditional", "big5", traditionalchinese.Big5,
		"調查人員發現，這批木材樣本的發票是在公司辦公室裡寫的。貨物經由海運出口，但文件上的原產地資料並不正確。" +
			"專家們檢查了簽名和檔案的中繼資料，認為作者是公司的經理。"},
	{"korean", "euc-kr", korean.EUCKR,
		"수사관들은 목재 견본에 대한 송장이 회사 사무실에서 작성되었다는 사실을 확인했다. " +
			"화물은 바다를 통해 수출되었지만 서류에 적힌 원산지 정보는 사실이 아니었다. " +
			"전문가들은 서명과 파일의 메타데이터를 조사했다."},
	{"polish", "windows-1250", charmap.Windows1250,
		"Śledczy ustalili, że faktura za „próbki drewna” została wystawiona w biurze spółki w Gdańsku. " +
			"Ładunek wysłano drogą morską, a w dokumentach podano fałszywe pochodzenie drewna. Biegli zbadali podpisy i metadane plików."},
}

// vietnamese1258 writes Vietnamese as windows-1258 needs it: letters the
// code page lacks become a base letter and a combining tone mark.
func vietnamese1258(s string) string {
	var b strings.Builder
	for _, r := range s {
		if _, ok := charmap.Windows1258.EncodeRune(r); ok {
			b.WriteRune(r)
			continue
		}
		var base, tone []rune
		for _, c := range norm.NFD.String(string(r)) {
			switch c {
			case 0x300, 0x301, 0x303, 0x309, 0x323:
				tone = append(tone, c)
			default:
				base = append(base, c)
			}
		}
		b.WriteString(norm.NFC.String(string(base)))
		b.WriteString(string(tone))
	}
	return b.String()
}
