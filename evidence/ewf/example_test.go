package ewf_test

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"fmt"
	"io"
	"os"

	"github.com/pangolin-forensics/pangolin/evidence/ewf"
)

func ExampleOpen() {
	img, err := ewf.Open("exhibit.E01")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer img.Close()
	info := img.Info()
	fmt.Println(info.CaseNumber, info.MediaSize, info.MD5)
	res, err := img.Verify(context.Background(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	for _, c := range res.BadChunks {
		fmt.Println("bad chunk", c.Index, "at", c.Offset, c.Problem)
	}
	fmt.Println("verified:", res.OK)
}

func ExampleCreate() {
	src, err := os.Open("usb.raw")
	if err != nil {
		return
	}
	defer src.Close()
	st, _ := src.Stat()
	w, err := ewf.Create("exhibit", ewf.WriterOptions{
		CaseNumber: "OP-THUNDER", EvidenceNumber: "EX-001", Examiner: "A. Ranger",
		Software: "pangolin 0.1", MediaSize: st.Size(), Compression: ewf.Fast,
	})
	if err != nil {
		return
	}
	m, s := md5.New(), sha1.New()
	if _, err := io.Copy(io.MultiWriter(w, m, s), src); err != nil {
		return
	}
	if err := w.Close(m.Sum(nil), s.Sum(nil)); err != nil {
		return
	}
	fmt.Println(w.Segments())
}
