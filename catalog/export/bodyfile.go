package export

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/internal/pctenc"
)

// BodyfileOptions choose how [WriteBodyfile] names artefacts.
type BodyfileOptions struct {
	// Prefix is the mount point put before every path, as fls -m PREFIX
	// does ("/", "C:", "/mnt/usb"); one trailing '/' is dropped, so "" and
	// "/" both give "/dir/a.txt".
	Prefix string
	// WithExhibit puts "EXHIBIT/pN" (exhibit id, partition index) between
	// the prefix and the path, so that one body file can hold several
	// exhibits and partitions: "EX-001/p0/dir/a.txt", or with Prefix
	// "/cases" "/cases/EX-001/p0/dir/a.txt".
	WithExhibit bool
	// SkipMembers leaves out archive members (Depth > 0), which fls would
	// not list.
	SkipMembers bool
}

// WriteBodyfile writes one body-file line an artefact, in the order
// given, in The Sleuth Kit 3.x body format; the package documentation
// describes the columns. It returns the first error of arts, of w, or a
// malformed MD5 in the catalogue.
func WriteBodyfile(ctx context.Context, w io.Writer, arts iter.Seq2[*catalog.Artefact, error], opts BodyfileOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	mount := strings.TrimSuffix(opts.Prefix, "/")
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	for a, err := range arts {
		if err != nil {
			return err
		}
		n++
		if err := checkCtx(ctx, n); err != nil {
			return err
		}
		if opts.SkipMembers && a.Depth > 0 {
			continue
		}
		line, err := bodyLine(a, mount, opts.WithExhibit)
		if err != nil {
			return err
		}
		if _, err := bw.WriteString(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// bodyLine formats one artefact's line, ending in "\n".
func bodyLine(a *catalog.Artefact, mount string, withExhibit bool) (string, error) {
	md5 := "0"
	if a.MD5 != "" {
		if !isHex(a.MD5, 32) {
			return "", fmt.Errorf("artefact %s/%s: malformed md5 %q", a.Exhibit, a.Ref, a.MD5)
		}
		md5 = strings.ToLower(a.MD5)
	}
	if withExhibit {
		src := a.Exhibit + "/p" + strconv.Itoa(a.Partition)
		if mount == "" {
			mount = src
		} else {
			mount += "/" + src
		}
	}
	p := fullPath(a)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	name := mount + p
	if isVolumeLabel(a) {
		name += " (Volume Label Entry)"
	}
	if a.Deleted {
		name += " (deleted)"
	}
	fields := []string{
		md5,
		bodyEscape(name),
		strconv.FormatUint(a.Inode, 10),
		modeString(a),
		extraID(a, "uid"),
		extraID(a, "gid"),
		strconv.FormatInt(a.Size, 10),
		unixSeconds(a.Accessed),
		unixSeconds(a.Modified),
		unixSeconds(a.Changed),
		unixSeconds(a.Born),
	}
	return strings.Join(fields, "|") + "\n", nil
}

// unixSeconds formats t as whole Unix seconds (rounded down), "0" for
// the zero time.
func unixSeconds(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.Unix(), 10)
}

// bodyEscape percent-encodes the bytes that would break a body-file line
// ('|', CR, LF) and '%' itself; mactime decodes %XX in every field.
func bodyEscape(name string) string {
	if !strings.ContainsAny(name, "%|\r\n") {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case '%', '|', '\r', '\n':
			pctenc.Byte(&b, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
