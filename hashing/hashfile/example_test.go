package hashfile_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/hashing/hashfile"
)

func ExampleNewWriter() {
	w, err := hashfile.NewWriter(os.Stdout, hashfile.CSV, []hashing.Algo{hashing.MD5, hashing.SHA256}, hashfile.WriterOptions{})
	if err != nil {
		panic(err)
	}
	w.Write(hashing.FileHash{Path: "evidence/a,b.txt", Size: 0, Sums: hashing.Sums{
		hashing.MD5:    "d41d8cd98f00b204e9800998ecf8427e",
		hashing.SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	}})
	if err := w.Close(); err != nil {
		panic(err)
	}
	// Output:
	// path,size,md5,sha256
	// "evidence/a,b.txt",0,d41d8cd98f00b204e9800998ecf8427e,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
}

func ExampleAudit() {
	list := "d41d8cd98f00b204e9800998ecf8427e  evidence/empty\n" +
		"c4ca4238a0b923820dcc509a6f75849b  evidence/one\n"
	known, err := hashfile.Read(strings.NewReader(list), "MD5SUMS")
	if err != nil {
		panic(err)
	}
	a := hashfile.NewAudit(known)
	e := a.Add(hashing.FileHash{Path: "evidence/renamed", Size: 0,
		Sums: hashing.Sums{hashing.MD5: "d41d8cd98f00b204e9800998ecf8427e"}})
	fmt.Println(e)
	r := a.Finish()
	r.WriteText(os.Stdout, 2)
	// Output:
	// evidence/renamed: Moved from evidence/empty
	// evidence/renamed: Moved from evidence/empty
	// evidence/one: Known file not used
	// pangolin: Audit failed
	//    Input files examined: 1
	//   Known files expecting: 2
	//           Files matched: 0
	// Files partially matched: 0
	//             Files moved: 1
	//         New files found: 0
	//   Known files not found: 1
}
