package reports

import (
	"bytes"
	"context"
	"testing"
)

// FuzzVerifyFile feeds VerifyFile hostile reports and manifests: it must
// return an error or a check, never panic, and never call genuine a report
// or manifest signed with this examiner's key that is not one sealed here.
// (Each fuzzing process makes its own key; inputs signed by another key
// are self-consistent reports of another examiner, which verify.)
func FuzzVerifyFile(f *testing.F) {
	tc := newTestCase(f)
	r, err := BuildCustody(context.Background(), tc.options())
	if err != nil {
		f.Fatal(err)
	}
	type pair struct{ file, manifest []byte }
	var good []pair
	for _, format := range []string{"json", "pdf"} {
		file, manifest, _, err := Produce(r, format, "r."+format, tc.id, tc.cs.Roster())
		if err != nil {
			f.Fatal(err)
		}
		good = append(good, pair{file, manifest})
		f.Add(file, manifest)
		f.Add(file, []byte(nil))
	}
	f.Add([]byte("%PDF-1.7\n"), []byte("{}"))
	f.Fuzz(func(t *testing.T, file, manifest []byte) {
		c, err := VerifyFile(file, manifest)
		if err != nil || !c.OK || !bytes.Equal(c.Manifest.Examiner.Key, tc.id.Key) {
			return
		}
		for _, g := range good {
			if bytes.Equal(file, g.file) && (manifest == nil || bytes.Equal(manifest, g.manifest)) {
				return
			}
		}
		t.Fatalf("a report not as sealed verified as genuine (%d-byte file, %d-byte manifest)", len(file), len(manifest))
	})
}
