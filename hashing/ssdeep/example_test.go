package ssdeep_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/pangolin-forensics/pangolin/hashing/ssdeep"
)

func ExampleHash() {
	fmt.Println(ssdeep.Hash([]byte("hello world")))
	// Output: 3:iKFSMPn:rJPn
}

// logText returns n lines of a log file.
func logText(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "line %d of the log\n", i)
	}
	return b.String()
}

func ExampleCompare() {
	// A log and the same log 1,000 lines shorter.
	h := ssdeep.New()
	io.Copy(h, strings.NewReader(logText(5000)))
	full := h.Sum()
	short := ssdeep.Hash([]byte(logText(4000)))
	fmt.Println(full)
	fmt.Println(short)
	score, err := ssdeep.Compare(full, short)
	fmt.Println(score, err)
	// Output:
	// 3072:HGCALiVMHexYl6N4j2JEfC1zIdKvUZG7ww7SF83OhIzxeHMViLApW+RsnC1gr2Jn:HGCALiVMHexYl6N4j2JEfC1zIdKvUZGT
	// 1536:HGhn8ALiVMHexYUrK6N4j2JEfC1zIdKvUZG7ww7SF83OhIzxeHMViLApW+RsnC1f:HGCALiVMHexYl6N4j2JEfC1zIdKvUZGP
	// 66 <nil>
}
