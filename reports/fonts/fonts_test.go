package fonts

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestData checks every face against the digest README.md records for it,
// so that a replaced file cannot slip in without its provenance.
func TestData(t *testing.T) {
	want := map[Face]string{
		Sans:     "89c3c497f618fdaa0b2d1e98fef93582f28c71debd2c4a8cdf41f190ced2909d",
		SansBold: "e83493c945848ecd4a9ad0f6d19164541a0d3e23a9c952304a00a46e00272ac5",
		Mono:     "41fd7ccc82375e2a1e47f0cc2c941c14d7c99ba2f57cf69c9f738d07fb257686",
		Arabic:   "504d7407d86875acf7d04dfaa0fd7524d0b8797723bc4aa18022f29db25b0b6e",
		Thai:     "dfbd5ed0f1e68c3cbc51aa08f646d1ab0e68e7c4ceab70a69e465225ff701f93",
		CJK:      "acb6440a713d880a13a21b468ba7cd43f5a2b2934972e51be791c880730777b8",
		Korean:   "5a51deae5237435d9a0bc0cc6cc30619a914b29801f895698cfdacadcad06e94",
	}
	for f := Face(0); f < NumFaces; f++ {
		t.Run(f.String(), func(t *testing.T) {
			data, err := f.Data()
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); got != want[f] {
				t.Errorf("SHA-256 %s, want %s", got, want[f])
			}
			if string(data[:4]) != "\x00\x01\x00\x00" {
				t.Errorf("not a TrueType file: version % x", data[:4])
			}
			again, _ := f.Data()
			if &again[0] != &data[0] {
				t.Error("second call decompressed again")
			}
		})
	}
	if _, err := NumFaces.Data(); err == nil {
		t.Error("NumFaces.Data: no error")
	}
}
