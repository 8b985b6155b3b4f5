package chain

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestFrontierMatchesTlog checks the compact tree against tlog's stored-hash
// implementation, an independent RFC 6962 reference, at every size.
func TestFrontierMatchesTlog(t *testing.T) {
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	var f frontier
	if f.root() != (tlog.Hash{}) {
		t.Fatal("empty tree root is not zero")
	}
	for n := int64(0); n < 300; n++ {
		data := []byte(fmt.Sprintf("leaf %d", n))
		hs, err := tlog.StoredHashes(n, data, reader)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hs...)
		f.add(tlog.RecordHash(data))
		want, err := tlog.TreeHash(n+1, reader)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.root(); got != want {
			t.Fatalf("size %d: root %v, tlog says %v", n+1, got, want)
		}
	}
}
