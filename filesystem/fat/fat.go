package fat

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// Limits on what the reader allocates.
const (
	maxDirBytes    = 2 << 20  // a folder holds at most 65,536 entries
	fatBlockSize   = 64 << 10 // unit of the FAT cache
	fatCacheBlocks = 64       // 4 MiB of FAT in memory at most
)

// FormatError reports a malformed structure at a byte offset of the file
// system (see [filesystem.FormatError]).
type FormatError = filesystem.FormatError

func notFS(off int64, format string, args ...any) error {
	return filesystem.NotFS("fat", off, format, args...)
}

// volume is an opened FAT file system. Its methods are safe for
// concurrent use.
type volume struct {
	r    io.ReaderAt
	size int64
	kind string // "fat12", "fat16" or "fat32"

	bps         int64 // bytes per sector
	slotShift   uint  // log2(bps / 32)
	spc         int64 // sectors per cluster
	clusterSize int64
	total       int64 // sectors in the file system
	fatOffset   int64 // byte offset of the FAT in use
	fatBytes    int64
	numFATs     int64
	fatSectors  int64
	reserved    int64
	dataSect    int64 // first sector after the FATs (TSK's firstdatasect)
	clusterSect int64 // first sector of cluster 2
	rootSectors int64 // FAT12/16 fixed root folder
	rootCluster uint32
	maxCluster  uint32 // highest cluster number in use
	eofMark     uint32 // FAT values at or above this end a chain
	badMark     uint32
	label       string

	mu        sync.Mutex
	cache     map[int64][]byte
	anomalies filesystem.Anomalies
}

// Open reads the boot sector of the FAT file system in r (size bytes) and
// its root folder. The error wraps [filesystem.ErrNotFS] when the data is
// not FAT12, FAT16 or FAT32 or its geometry is impossible.
func Open(r io.ReaderAt, size int64) (filesystem.FS, error) {
	if size < 512 {
		return nil, notFS(0, "image of %d bytes is smaller than a boot sector", size)
	}
	b := make([]byte, 512)
	if n, err := r.ReadAt(b, 0); n < len(b) {
		return nil, fmt.Errorf("fat: read boot sector: %w", err)
	}
	v, err := parseBoot(b, size)
	if err != nil {
		return nil, err
	}
	v.r = r
	v.cache = map[int64][]byte{}
	if v.total*v.bps > size {
		v.note("image is %d bytes, shorter than the %d bytes the boot sector gives", size, v.total*v.bps)
	}
	if v.kind == "fat32" {
		if _, err := v.fat(v.rootCluster); err != nil {
			return nil, fmt.Errorf("fat: read FAT entry of root cluster %d: %w", v.rootCluster, err)
		}
	}
	if err := v.findLabel(); err != nil {
		return nil, err
	}
	return v, nil
}

func parseBoot(b []byte, size int64) (*volume, error) {
	le := binary.LittleEndian
	jump := b[0] == 0xE9 || (b[0] == 0xEB && b[2] == 0x90)
	if !jump && (b[510] != 0x55 || b[511] != 0xAA) {
		return nil, notFS(0, "no jump instruction and no 0x55AA signature")
	}
	v := &volume{size: size}
	v.bps = int64(le.Uint16(b[11:]))
	switch v.bps {
	case 512:
		v.slotShift = 4
	case 1024:
		v.slotShift = 5
	case 2048:
		v.slotShift = 6
	case 4096:
		v.slotShift = 7
	default:
		return nil, notFS(11, "bytes per sector %d", v.bps)
	}
	spc := b[13]
	if spc == 0 || spc&(spc-1) != 0 {
		return nil, notFS(13, "sectors per cluster %d", spc)
	}
	v.spc = int64(spc)
	v.clusterSize = v.spc * v.bps
	v.reserved = int64(le.Uint16(b[14:]))
	if v.reserved == 0 {
		return nil, notFS(14, "no reserved sectors")
	}
	v.numFATs = int64(b[16])
	if v.numFATs == 0 || v.numFATs > 4 {
		return nil, notFS(16, "FAT count %d", v.numFATs)
	}
	rootEntries := int64(le.Uint16(b[17:]))
	v.total = int64(le.Uint16(b[19:]))
	if v.total == 0 {
		v.total = int64(le.Uint32(b[32:]))
	}
	if v.total == 0 {
		return nil, notFS(19, "zero total sectors")
	}
	fat16Size := int64(le.Uint16(b[22:]))
	v.fatSectors = fat16Size
	fat32 := fat16Size == 0
	if fat32 {
		v.fatSectors = int64(le.Uint32(b[36:]))
		if v.fatSectors == 0 {
			return nil, notFS(36, "zero sectors per FAT")
		}
		if rootEntries != 0 {
			return nil, notFS(17, "FAT32 boot sector with %d fixed root entries", rootEntries)
		}
	}
	v.rootSectors = (rootEntries*32 + v.bps - 1) / v.bps
	v.dataSect = v.reserved + v.numFATs*v.fatSectors
	v.clusterSect = v.dataSect + v.rootSectors
	if v.clusterSect >= v.total {
		return nil, notFS(19, "%d total sectors leave no data area after sector %d", v.total, v.clusterSect)
	}
	clusters := (v.total - v.clusterSect) / v.spc
	if clusters == 0 {
		return nil, notFS(13, "no whole cluster in the data area")
	}
	var bits int64
	switch {
	case fat32:
		v.kind, bits = "fat32", 32
		v.eofMark, v.badMark = 0x0FFFFFF8, 0x0FFFFFF7
	case clusters < 4085:
		v.kind, bits = "fat12", 12
		v.eofMark, v.badMark = 0xFF8, 0xFF7
	default:
		v.kind, bits = "fat16", 16
		v.eofMark, v.badMark = 0xFFF8, 0xFFF7
	}
	if !fat32 && rootEntries == 0 {
		return nil, notFS(17, "%s boot sector without root entries", v.kind)
	}
	v.fatBytes = v.fatSectors * v.bps
	if capacity := v.fatBytes*8/bits - 2; clusters > capacity {
		if capacity < 1 {
			return nil, notFS(22, "FAT of %d sectors holds no cluster", v.fatSectors)
		}
		v.note("FAT holds %d clusters, the data area %d: using %d", capacity, clusters, capacity)
		clusters = capacity
	}
	if clusters > int64(v.badMark)-2 {
		clusters = int64(v.badMark) - 2
	}
	v.maxCluster = uint32(clusters + 1)
	active := int64(0)
	if flags := le.Uint16(b[40:]); fat32 && flags&0x80 != 0 && int64(flags&0x0F) < v.numFATs {
		active = int64(flags & 0x0F)
	}
	v.fatOffset = (v.reserved + active*v.fatSectors) * v.bps
	labelAt := 43
	if fat32 {
		v.rootCluster = le.Uint32(b[44:]) & 0x0FFFFFFF
		if v.rootCluster < 2 || v.rootCluster > v.maxCluster {
			return nil, notFS(44, "root cluster %d outside 2-%d", v.rootCluster, v.maxCluster)
		}
		labelAt = 71
	}
	if b[labelAt-5] == 0x29 {
		if l := strings.TrimRight(decode437(b[labelAt:labelAt+11]), " "); l != "NO NAME" {
			v.label = l
		}
	}
	return v, nil
}

// note records an anomaly.
func (v *volume) note(format string, args ...any) {
	v.anomalies.Add(format, args...)
}

func (v *volume) Type() string  { return v.kind }
func (v *volume) Label() string { return v.label }

func (v *volume) Anomalies() []string {
	return v.anomalies.List()
}

// readFull reads n bytes at off, failing on a short read.
func (v *volume) readFull(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > v.size || n > v.size-off {
		return nil, &FormatError{FS: "fat", Offset: off, Msg: fmt.Sprintf("%d bytes past the end of the %d-byte image", n, v.size)}
	}
	b := make([]byte, n)
	if k, err := v.r.ReadAt(b, off); k < len(b) {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read %d bytes at offset %d: %w", n, off, err)
	}
	return b, nil
}

// fatByte returns byte i of the FAT in use, through the cache.
func (v *volume) fatByte(i int64) (byte, error) {
	if i < 0 || i >= v.fatBytes {
		return 0, &FormatError{FS: "fat", Offset: v.fatOffset + i, Msg: "FAT entry past the end of the FAT"}
	}
	blk := i / fatBlockSize
	v.mu.Lock()
	data, ok := v.cache[blk]
	v.mu.Unlock()
	if !ok {
		n := min(fatBlockSize, v.fatBytes-blk*fatBlockSize)
		var err error
		if data, err = v.readFull(v.fatOffset+blk*fatBlockSize, n); err != nil {
			return 0, fmt.Errorf("read FAT: %w", err)
		}
		v.mu.Lock()
		if len(v.cache) >= fatCacheBlocks {
			clear(v.cache)
		}
		v.cache[blk] = data
		v.mu.Unlock()
	}
	return data[i-blk*fatBlockSize], nil
}

// fat returns the FAT entry of cluster c.
func (v *volume) fat(c uint32) (uint32, error) {
	if c > v.maxCluster {
		return 0, &FormatError{FS: "fat", Offset: v.fatOffset, Msg: fmt.Sprintf("cluster %d past the last cluster %d", c, v.maxCluster)}
	}
	var off, n int64
	switch v.kind {
	case "fat12":
		off, n = int64(c)+int64(c)/2, 2
	case "fat16":
		off, n = int64(c)*2, 2
	default:
		off, n = int64(c)*4, 4
	}
	var x uint32
	for k := n - 1; k >= 0; k-- {
		b, err := v.fatByte(off + k)
		if err != nil {
			return 0, err
		}
		x = x<<8 | uint32(b)
	}
	switch v.kind {
	case "fat12":
		if c&1 == 1 {
			return x >> 4, nil
		}
		return x & 0xFFF, nil
	case "fat32":
		return x & 0x0FFFFFFF, nil
	}
	return x, nil
}

// allocated reports whether cluster c is in use (its FAT entry is not 0).
func (v *volume) allocated(c uint32) (bool, error) {
	x, err := v.fat(c)
	return x != 0, err
}

// next returns the cluster after c in its chain; ok is false at the end
// of the chain or at an entry that cannot continue it (free, bad or out of
// range), which is noted.
func (v *volume) next(c uint32) (uint32, bool) {
	x, err := v.fat(c)
	switch {
	case err != nil:
		v.note("cluster chain stops at cluster %d: %v", c, err)
		return 0, false
	case x >= v.eofMark:
		return 0, false
	case x >= 2 && x <= v.maxCluster:
		return x, true
	case x == 0:
		v.note("cluster chain runs into free cluster after cluster %d", c)
	case x == v.badMark:
		v.note("cluster chain runs into a bad cluster after cluster %d", c)
	default:
		v.note("cluster %d links to invalid cluster %d", c, x)
	}
	return 0, false
}

// chainLimit returns how many clusters of the chain from start may be
// followed before one repeats: limit, or fewer when the chain loops
// (Brent's cycle detection, constant memory). A loop is noted.
func (v *volume) chainLimit(start uint32, limit int) int {
	if start < 2 || start > v.maxCluster || limit <= 1 {
		return limit
	}
	quiet := func(c uint32) (uint32, bool) {
		x, err := v.fat(c)
		return x, err == nil && x >= 2 && x <= v.maxCluster
	}
	power, lam := 1, 1
	tortoise := start
	hare, ok := quiet(start)
	for steps := 1; ok && hare != tortoise; steps++ {
		if steps > 2*limit+2 {
			return limit
		}
		if power == lam {
			tortoise, power, lam = hare, power*2, 0
		}
		hare, ok = quiet(hare)
		lam++
	}
	if !ok {
		return limit
	}
	t, h := start, start
	for range lam {
		h, _ = quiet(h)
	}
	mu := 0
	for t != h {
		t, _ = quiet(t)
		h, _ = quiet(h)
		mu++
	}
	if mu+lam < limit {
		v.note("cluster chain from cluster %d loops after %d clusters: cut", start, mu+lam)
		return mu + lam
	}
	return limit
}

// chain calls fn for the clusters of the chain from start, at most limit
// of them, stopping before a cluster repeats. It returns how many it
// visited.
func (v *volume) chain(start uint32, limit int, fn func(c uint32)) int {
	if start < 2 || start > v.maxCluster || limit <= 0 {
		return 0
	}
	limit = v.chainLimit(start, limit)
	n := 0
	for c, ok := start, true; ok && n < limit; n++ {
		fn(c)
		if n+1 < limit {
			c, ok = v.next(c)
		}
	}
	return n
}

// clusterOffset returns the byte offset of cluster c.
func (v *volume) clusterOffset(c uint32) int64 {
	return (v.clusterSect + int64(c-2)*v.spc) * v.bps
}

// inode returns TSK's address of the directory entry at byte offset off.
func (v *volume) inode(off int64) uint64 {
	sector := off / v.bps
	slot := (off % v.bps) / 32
	return uint64((sector-v.dataSect)<<v.slotShift+slot) + 3
}

// firstVirtual returns the address of $MBR; $FAT1 and $FAT2 follow. Like
// TSK, it counts the sectors the image holds when it is shorter than the
// file system.
func (v *volume) firstVirtual() uint64 {
	last := min(v.total, v.size/v.bps)
	return uint64(max(0, last-v.dataSect)<<v.slotShift) + 3
}
