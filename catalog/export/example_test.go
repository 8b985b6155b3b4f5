package export_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/catalog/export"
)

func ExampleWriteBodyfile() {
	born := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	arts := []*catalog.Artefact{
		{Exhibit: "EX-001", Path: "/DCIM", Inode: 3, Type: "dir", Size: 4096, Modified: born, Born: born},
		{Exhibit: "EX-001", Path: "/DCIM/_MG_0001.JPG", Inode: 7, Type: "file", Size: 2_345_678, Deleted: true,
			MD5: "9e107d9d372bb6826bd81d3542a419d6", Modified: born.Add(time.Hour), Born: born},
	}
	src := func(yield func(*catalog.Artefact, error) bool) {
		for _, a := range arts {
			if !yield(a, nil) {
				return
			}
		}
	}
	err := export.WriteBodyfile(context.Background(), os.Stdout, src, export.BodyfileOptions{WithExhibit: true})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 0|EX-001/p0/DCIM|3|d/drwxrwxrwx|0|0|4096|0|1709285400|0|1709285400
	// 9e107d9d372bb6826bd81d3542a419d6|EX-001/p0/DCIM/_MG_0001.JPG (deleted)|7|r/rrwxrwxrwx|0|0|2345678|0|1709289000|0|1709285400
}

func ExampleTimeline() {
	t := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	a := &catalog.Artefact{Path: "/notes.txt", Type: "file", Modified: t, Changed: t, Accessed: t.Add(24 * time.Hour)}
	src := func(yield func(*catalog.Artefact, error) bool) { yield(a, nil) }
	err := export.Timeline(context.Background(), src, export.TimelineOptions{}, func(e export.Event) error {
		fmt.Println(e.Time.Format(time.RFC3339), e.MACB, e.Path)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 2024-03-01T09:30:00Z m.c. /notes.txt
	// 2024-03-02T09:30:00Z .a.. /notes.txt
}
