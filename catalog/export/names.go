package export

import (
	"context"
	"strconv"
	"strings"

	"github.com/pangolin-forensics/pangolin/catalog"
)

// ctxEvery is how many artefacts or events a writer handles between two
// checks of its context.
const ctxEvery = 4096

// checkCtx returns ctx's error every ctxEvery-th call (n counts calls).
func checkCtx(ctx context.Context, n int) error {
	if n%ctxEvery == 0 {
		return ctx.Err()
	}
	return nil
}

// fullPath is the artefact's path as the readers give it: '/'-separated
// from the root, and "path:stream" for an NTFS alternate data stream
// (added from Stream when Path lacks it). An empty path falls back to the
// name.
func fullPath(a *catalog.Artefact) string {
	p := a.Path
	if p == "" {
		p = a.Name
	}
	if a.Stream != "" && !strings.HasSuffix(p, ":"+a.Stream) {
		p += ":" + a.Stream
	}
	return p
}

// isVirtual reports whether the reader made the artefact up to stand for
// file-system structures (FAT's $MBR, $FAT1, $FAT2), as TSK does.
func isVirtual(a *catalog.Artefact) bool { return a.Extra["virtual"] == "true" }

// isVolumeLabel reports whether the artefact is a FAT volume label entry.
func isVolumeLabel(a *catalog.Artefact) bool { return a.Extra["volume_label"] == "true" }

// TSK meta types (TSK_FS_META_TYPE_ENUM), as fiwalk writes them in
// <meta_type>.
const (
	metaUndef = 0
	metaReg   = 1
	metaDir   = 2
	metaLink  = 6
	metaVirt  = 10
)

// tskType returns TSK's one-letter name type (tsk_fs_name_type_str) and
// the meta type number for an artefact.
func tskType(a *catalog.Artefact) (letter byte, meta int) {
	switch {
	case isVirtual(a):
		return 'v', metaVirt
	case a.Type == "file", a.Type == "other" && isVolumeLabel(a):
		// TSK lists a FAT volume label as a regular file.
		return 'r', metaReg
	case a.Type == "dir":
		return 'd', metaDir
	case a.Type == "symlink":
		return 'l', metaLink
	}
	return '-', metaUndef
}

// permBits returns the permission bits fls shows: the artefact's own
// where it has any, else 0777 (what TSK reports for FAT, exFAT, NTFS and
// ISO 9660), and none for virtual files.
func permBits(a *catalog.Artefact) uint32 {
	if isVirtual(a) {
		return 0
	}
	if m := a.Mode & 0o7777; m != 0 {
		return m
	}
	return 0o777
}

// modeString formats the mode column of a body file as TSK's
// tsk_fs_meta_make_ls does, prefixed with the name type: "r/rrwxr-xr-x".
func modeString(a *catalog.Artefact) string {
	t, _ := tskType(a)
	m := permBits(a)
	b := []byte{t, '/', t, '-', '-', '-', '-', '-', '-', '-', '-', '-'}
	const rwx = "rwxrwxrwx"
	for i := range 9 {
		if m&(1<<(8-i)) != 0 {
			b[3+i] = rwx[i]
		}
	}
	special := func(pos int, bit uint32, set, unset byte) {
		if m&bit == 0 {
			return
		}
		if b[pos] == 'x' {
			b[pos] = set
		} else {
			b[pos] = unset
		}
	}
	special(5, 0o4000, 's', 'S')
	special(8, 0o2000, 's', 'S')
	special(11, 0o1000, 't', 'T')
	return string(b)
}

// extraID returns the reader's "uid" or "gid" fact as a decimal number,
// "0" when it has none.
func extraID(a *catalog.Artefact, key string) string {
	if v, ok := a.Extra[key]; ok {
		if _, err := strconv.ParseUint(v, 10, 32); err == nil {
			return v
		}
	}
	return "0"
}

// isHex reports whether s is n hexadecimal digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
