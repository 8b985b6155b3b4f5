package main

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/internal/fatimage"
)

// cardLayout is the phone's microSD card: an 8 MiB FAT16 volume without a
// partition table, 1 KiB clusters (8,143 of them).
var cardLayout = fatimage.Layout{Bits: 16, Sectors: 16384, SectorsPerCluster: 2, Serial: 0x3E9A1C27}

// file is one file of an exhibit.
type file struct {
	path    string    // '/'-separated, from the exhibit's root
	data    []byte    // content
	at      time.Time // last written, wall clock of the place
	deleted bool      // deleted from the card, its clusters intact
}

// buildCard returns the card's image holding files, written in order,
// each folder made when its first file is written. A file's entry and
// the folders it makes carry its time, as a phone writes local time.
func buildCard(files []file) []byte {
	m := fatimage.New(cardLayout)
	dirs := map[string]*fatimage.Dir{".": m.Root()}
	names := map[string]int{} // entries made in each folder, for short names
	var dir func(p string) *fatimage.Dir
	dir = func(p string) *fatimage.Dir {
		if d := dirs[p]; d != nil {
			return d
		}
		parent, name := path.Dir(p), path.Base(p)
		d := dir(parent)
		names[parent]++
		long, short := names83(name, names[parent])
		dirs[p] = d.Mkdir(long, short)
		return dirs[p]
	}
	for _, f := range files {
		m.Times = fatimage.Times{Created: f.at, Modified: f.at, Accessed: f.at}
		parent := path.Dir(f.path)
		d := dir(parent)
		names[parent]++
		long, short := names83(path.Base(f.path), names[parent])
		e := d.File(long, short, f.data)
		if f.deleted {
			m.Remove(e)
		}
	}
	return m.Bytes()
}

// names83 returns the long name and the short name a FAT driver gives a
// file called name, the n-th entry of its folder: no long name and name
// itself when name is a valid upper-case 8.3 name, else the first letters
// in upper case, '_' for each other character, and "~n".
func names83(name string, n int) (long, short string) {
	base, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		base, ext = name[:i], name[i+1:]
	}
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToUpper(s) {
			switch {
			case r == ' ' || r == '.':
			case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("!#$%&'()-@^_`{}~", r):
				b.WriteRune(r)
			default:
				b.WriteByte('_')
			}
		}
		return b.String()
	}
	b, e := clean(base), clean(ext)
	if b == base && e == ext && len(b) <= 8 && len(e) <= 3 {
		return "", name
	}
	tail := fmt.Sprintf("~%d", n)
	b = b[:min(len(b), 8-len(tail))] + tail
	if e != "" {
		b += "." + e[:min(len(e), 3)]
	}
	return name, b
}
