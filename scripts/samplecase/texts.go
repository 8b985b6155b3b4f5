package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/internal/testdocx"
)

// The identifiers that link the exhibits. The IMO number's check digit
// (9×7 + 0×6 + 7×5 + 4×4 + 7×3 + 2×2 = 139: 9) and the container number's
// (ISO 6346: 8) are valid, and so is the Bitcoin address's bech32
// checksum.
const (
	phoneNumber = "+254 712 345 678"
	wallet      = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
	vesselIMO   = "9074729"
	container   = "MSKU7582038"
)

// expand puts the identifiers into a text written with {phone}, {wallet},
// {imo} and {container}.
var expand = strings.NewReplacer("{phone}", phoneNumber, "{wallet}", wallet, "{imo}", vesselIMO, "{container}", container).Replace

// text is a document written as it stands.
type text struct {
	path string
	at   time.Time
	body string
}

// cardTexts are the card's plain-text and HTML documents.
var cardTexts = []text{
	{"Documents/contacts.txt", time.Date(2023, 8, 20, 18, 2, 10, 0, eat), `Contacts / Mawasiliano
Juma (mimi): {phone}, jmwinyi@example.com
Anh Hùng (Hai Phong): +84 912 345 678, hungtran@example.net
Wakala Dar es Salaam: +255 754 123 456
Captain Ray, FV Ocean Star, IMO {imo}
BTC: {wallet}
Kambi ya Galana: 3.0211 S, 38.7432 E
`},
	{"Documents/orodha ya mzigo.txt", time.Date(2023, 9, 5, 9, 14, 0, 0, eat), `Orodha ya mzigo - Septemba 2023
Pembe za ndovu: vipande 14, kilo 40.
Magamba ya kakakuona: magunia 6, kilo 120.
Vitafichwa chini ya magogo ya mninga (rosewood) kwenye kontena {container}, bandari ya Mombasa.
Kupitia Dar es Salaam hadi Hai Phong.
Malipo kwa Bitcoin: {wallet}
Simu: {phone}
`},
	{"Documents/ghi chú giao hàng.txt", time.Date(2023, 9, 6, 21, 40, 0, 0, eat), `Ghi chú giao hàng
Ngà voi: 40 kg (14 khúc). Vảy tê tê: 120 kg (6 bao).
Hàng giấu dưới gỗ trắc trong container {container}.
Tàu đi từ Mombasa qua Dar es Salaam, đến cảng Hải Phòng khoảng 20/12/2023.
Liên hệ anh Hùng: +84 912 345 678. Thanh toán bằng Bitcoin khi nhận hàng.
`},
	{"Documents/清单.txt", time.Date(2023, 9, 6, 22, 5, 0, 0, eat), `货物清单
象牙 40公斤（14根）
穿山甲鳞片 120公斤（6袋）
报关品名：红木原木
集装箱：{container}
目的港：海防港（越南）
`},
	{"Documents/รายการสินค้า.txt", time.Date(2023, 9, 8, 7, 30, 0, 0, eat), `รายการสินค้า
งาช้าง 40 กิโลกรัม
เกล็ดตัวนิ่ม 120 กิโลกรัม
ส่งต่อจากไฮฟองไปกรุงเทพฯ ทางรถบรรทุก
ติดต่อ {phone}
`},
	{"Documents/lettre au transitaire.txt", time.Date(2023, 9, 10, 10, 45, 0, 0, eat), `Monsieur,

Veuillez trouver la liste de colisage du conteneur {container} (Mombasa - Hai Phong).
La marchandise est déclarée comme bois de rose. Les défenses d'éléphant (ivoire, 40 kg)
et les écailles de pangolin (120 kg) sont sous les grumes.
Paiement en bitcoins à l'adresse habituelle.

Cordialement,
J. M.
`},
	{"Documents/encomenda.txt", time.Date(2023, 10, 12, 15, 20, 0, 0, eat), `Encomenda para Pemba (Moçambique)
Marfim: 25 kg. Escamas de pangolim: 60 kg.
Pau-rosa (Dalbergia melanoxylon): 2 contentores.
Pagamento em bitcoin: {wallet}
`},
	{"Documents/pedido.txt", time.Date(2023, 11, 16, 20, 5, 0, 0, fjt), `Pedido - noviembre de 2023
Aleta de tiburón seca: 300 kg, a bordo del pesquero Ocean Star (IMO {imo}).
Transbordo en Suva (Fiyi) y Apia (Samoa).
También: marfil 10 kg y escamas de pangolín 20 kg para el cliente de Hai Phong.
Contacto: {phone}
`},
	{"Documents/price list.html", time.Date(2023, 8, 25, 12, 0, 0, 0, eat), `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Bei / Prices / Giá</title>
<meta name="author" content="J. Mwinyi"></head>
<body><h1>Prices per kg, USD</h1>
<table>
<tr><th>Item</th><th>Kiswahili</th><th>Tiếng Việt</th><th>中文</th><th>USD/kg</th></tr>
<tr><td>Ivory</td><td>pembe za ndovu</td><td>ngà voi</td><td>象牙</td><td>650</td></tr>
<tr><td>Pangolin scales</td><td>magamba ya kakakuona</td><td>vảy tê tê</td><td>穿山甲鳞片</td><td>280</td></tr>
<tr><td>Shark fin</td><td>mapezi ya papa</td><td>vây cá mập</td><td>鱼翅</td><td>190</td></tr>
<tr><td>Rosewood</td><td>mninga</td><td>gỗ trắc</td><td>红木</td><td>9</td></tr>
</table>
<p>Orders: {phone} (WhatsApp)</p>
</body></html>
`},
}

// laptopTexts are the laptop's plain-text documents.
var laptopTexts = []text{
	{"Documents/suppliers.csv", time.Date(2023, 9, 12, 11, 8, 0, 0, eat), `name,phone,email,notes
Juma Mwinyi,+254712345678,jmwinyi@example.com,"special cargo, pays in BTC"
Hai Phong Wood Trading,+84 912 345 678,hungtran@example.net,consignee
Kilwa sawmill,+255 754 123 456,,rosewood logs
`},
	{"Documents/payments.txt", time.Date(2023, 10, 4, 8, 30, 0, 0, eat), `Payments received
2023-10-03  0.85 BTC  to {wallet}  (Hai Phong Wood Trading, container {container})
2023-10-03  forwarded 0.40 BTC to Juma, {phone}
`},
}

// docx is a Word document with its title, author and creation time.
type docx struct {
	path, title, author string
	at                  time.Time
	lines               []string
}

var cardDocx = docx{"Documents/Shipment plan.docx", "Shipment plan", "Juma Mwinyi", time.Date(2023, 9, 1, 20, 31, 0, 0, eat), []string{
	"Shipment plan - September 2023",
	"1. Collect 14 tusks (40 kg ivory) at the Galana River camp, Tsavo East, 3 September.",
	"2. Pack them with 120 kg of pangolin scales under rosewood logs at the Mombasa warehouse.",
	"3. Load container {container} at Kilindini (Mombasa port); the vessel sails 16 September.",
	"4. Transship at Dar es Salaam; arrival at Hai Phong about 20 December.",
	"Contact\t{phone}",
	"Payment\tBTC {wallet}",
}}

var laptopDocx = docx{"Documents/Invoice KTL-2023-0147.docx", "Commercial invoice KTL-2023-0147", "Kilwa Timber Ltd", time.Date(2023, 9, 14, 16, 2, 0, 0, eat), []string{
	"KILWA TIMBER LTD - COMMERCIAL INVOICE KTL-2023-0147",
	"Date\t14 September 2023",
	"Consignee\tHai Phong Wood Trading Co., Hai Phong, Viet Nam",
	"Goods\tRosewood logs (Dalbergia melanoxylon), 18 m³, HS 4403.49",
	"Container\t{container}, port of loading Mombasa, via Dar es Salaam",
	"Amount\tUSD 41,400, payable in BTC to {wallet}",
	"Agent\tJ. Mwinyi, {phone}",
}}

// bytes returns the document as a .docx file.
func (d docx) bytes() ([]byte, error) {
	lines := make([]string, len(d.lines))
	for i, l := range d.lines {
		lines[i] = expand(l)
	}
	stamp := d.at.UTC().Format(time.RFC3339)
	return testdocx.Doc{
		Body: testdocx.Paragraphs(lines...),
		Core: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
			`<dc:title>` + html.EscapeString(d.title) + `</dc:title><dc:creator>` + html.EscapeString(d.author) + `</dc:creator>` +
			`<dcterms:created xsi:type="dcterms:W3CDTF">` + stamp + `</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">` + stamp + `</dcterms:modified>` +
			`</cp:coreProperties>`,
	}.Bytes()
}

// message is an email of the card's Mail folder.
type message struct {
	path     string
	from, to mail.Address
	subject  string
	at       time.Time
	body     string
	attach   *text // a text/plain attachment, base64, or nil
}

var (
	juma      = mail.Address{Name: "Juma Mwinyi", Address: "jmwinyi@example.com"}
	hung      = mail.Address{Name: "Trần Văn Hùng", Address: "hungtran@example.net"}
	forwarder = mail.Address{Name: "Bookings", Address: "bookings@example.org"}
)

var cardMail = []message{
	{"Mail/mzigo uko tayari.eml", juma, hung, "Mzigo uko tayari / Hàng đã sẵn sàng", time.Date(2023, 9, 4, 19, 12, 40, 0, eat), `Habari Hùng,

Mzigo uko tayari: pembe za ndovu kilo 40 na magamba ya kakakuona kilo 120.
Hàng đã sẵn sàng: 40 kg ngà voi và 120 kg vảy tê tê.
Kontena {container}, Mombasa.

Juma
{phone}
`, nil},
	{"Mail/booking.eml", juma, forwarder, "Booking {container} / Xác nhận đặt chỗ", time.Date(2023, 9, 15, 17, 5, 2, 0, eat), `Hello,

Please find the packing list for container {container} attached.
Rosewood logs, Mombasa to Hai Phong via Dar es Salaam.

Regards,
Juma Mwinyi
{phone}
`, &text{"packing list.txt", time.Time{}, `Packing list, container {container}
14 bundles rosewood logs (Dalbergia melanoxylon)
6 sacks "cashew nuts" (pembe 40 kg, magamba 120 kg)
`}},
	{"Mail/malipo.eml", hung, juma, "Đã chuyển tiền / Malipo yametumwa", time.Date(2023, 10, 3, 21, 48, 19, 0, ict), `Anh Juma,

Đã chuyển 0.85 BTC tới {wallet}.
Malipo yametumwa: 0.85 BTC.

Hùng
+84 912 345 678
`, nil},
}

// bytes returns the message in RFC 5322 form, lines ending CR LF, its
// text quoted-printable and its attachment base64.
func (m message) bytes() ([]byte, error) {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", m.from.String())
	h("To", m.to.String())
	h("Subject", mime.BEncoding.Encode("UTF-8", expand(m.subject)))
	h("Date", m.at.Format(time.RFC1123Z))
	h("Message-ID", fmt.Sprintf("<%s.%s>", m.at.UTC().Format("20060102150405"), m.from.Address))
	h("MIME-Version", "1.0")
	const boundary = "=_sample_boundary_7f3a"
	if m.attach != nil {
		h("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
		b.WriteString("\r\nThis is a multi-part message in MIME format.\r\n\r\n--" + boundary + "\r\n")
	}
	b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(expand(m.body), "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	if a := m.attach; a != nil {
		b.WriteString("\r\n--" + boundary + "\r\n")
		b.WriteString(`Content-Type: text/plain; charset=UTF-8; name="` + a.path + "\"\r\n")
		b.WriteString("Content-Transfer-Encoding: base64\r\n")
		b.WriteString(`Content-Disposition: attachment; filename="` + a.path + "\"\r\n\r\n")
		enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(expand(a.body), "\n", "\r\n")))
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n--" + boundary + "--\r\n")
	}
	return b.Bytes(), nil
}
