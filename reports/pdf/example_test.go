package pdf_test

import (
	"bytes"
	"fmt"
	"log"
	"time"

	"github.com/pangolin-forensics/pangolin/reports/pdf"
)

func Example() {
	d := pdf.New(pdf.Options{
		Title:    "Custody report OP-THUNDER",
		Producer: "pangolin",
		Created:  time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC),
	})
	d.Footer(func(page, pages int) string {
		return fmt.Sprintf("Custody report OP-THUNDER · page %d of %d", page, pages)
	})
	d.Heading(1, "Exhibit EX-001")
	d.KeyValues([][2]string{
		{"Seized from", "محمد الأحمد"},
		{"Place", "Port of Mombasa"},
	})
	d.Paragraph("Photographs on the card show ivory packed as 木雕 (wood carvings).")
	d.Mono("SHA-256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	d.Table([]string{"File", "Taken"}, [][]string{{"IMG_0001.JPG", "2026-02-01 14:03"}}, []float64{2, 1})
	report, err := d.Bytes()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(report[:8]))
	// Output: %PDF-1.7
}

// A report carries the ledger excerpt it was made from; a verifier who
// knows the report's SHA-256 from the ledger checks both.
func ExampleReadAttachment() {
	d := pdf.New(pdf.Options{Title: "Report"})
	d.Paragraph("Findings.")
	report, err := d.Bytes()
	if err != nil {
		log.Fatal(err)
	}
	ledger := []byte(`{"seq":7,"action":"report"}` + "\n")
	signed, err := pdf.AppendAttachment(report, "ledger.jsonl", ledger)
	if err != nil {
		log.Fatal(err)
	}

	// The verifier's side.
	data, base, err := pdf.ReadAttachment(signed, "ledger.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	rebuilt, err := pdf.AppendAttachment(signed[:base], "ledger.jsonl", data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("report unchanged:", bytes.Equal(signed[:base], report))
	fmt.Println("nothing else added:", bytes.Equal(rebuilt, signed))
	fmt.Printf("ledger: %s", data)
	// Output:
	// report unchanged: true
	// nothing else added: true
	// ledger: {"seq":7,"action":"report"}
}
