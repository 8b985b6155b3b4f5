package ntfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sync"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// ErrCompressed is returned (wrapped) by Open for a compressed stream this
// reader does not decode: a compression method other than LZNT1, or a
// compression unit larger than 16 clusters or 1 MiB.
var ErrCompressed = errors.New("compressed NTFS stream")

// maxRecords caps the MFT records read.
const maxRecords = 1 << 24

// Well-known MFT record numbers.
const (
	recordMFT    = 0
	recordVolume = 3
	recordRoot   = 5
	// firstUserRecord is the first record not reserved for metadata.
	firstUserRecord = 24
)

// orphanDir is the virtual folder holding records whose parent cannot be
// followed.
const orphanDir = "$OrphanFiles"

// FS is an opened NTFS volume or bare $MFT file.
//
// FS is safe for concurrent use: once [NewFS] or [OpenMFT] returns it is
// not changed except for the anomalies of the last Walk, which a mutex
// guards. Walk, Open, Anomalies, Label and Type may be called from any
// number of goroutines at once (Walks included: each keeps its own
// state), and the section readers Open returns may be read while other
// goroutines walk or open, and each from several goroutines through
// ReadAt. This relies on the io.ReaderAt given to [NewFS] allowing
// parallel ReadAt calls, as the io.ReaderAt contract requires.
type FS struct {
	vol     io.ReaderAt // the volume; nil for a bare $MFT file
	volSize int64
	bt      boot

	mft     io.ReaderAt // the $MFT content
	mftPhys func(off int64) (int64, bool)
	recSize int64
	nrec    uint64
	label   string

	mu        sync.Mutex
	openNotes []string
	walkNotes []string
}

// Open reads the NTFS volume in r (size bytes). It returns an error
// wrapping [filesystem.ErrNotFS] when the boot sector is not NTFS or its
// geometry is impossible.
func Open(r io.ReaderAt, size int64) (filesystem.FS, error) {
	fs, err := NewFS(r, size)
	if err != nil {
		return nil, err
	}
	return fs, nil
}

// NewFS is [Open] returning the concrete type.
func NewFS(r io.ReaderAt, size int64) (*FS, error) {
	if size < bootSize {
		return nil, fmt.Errorf("ntfs: %d-byte image: %w", size, filesystem.ErrNotFS)
	}
	b := make([]byte, bootSize)
	if _, err := r.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("ntfs: read boot sector: %w", err)
	}
	bt, err := parseBoot(b, size)
	if err != nil {
		return nil, err
	}
	fs := &FS{vol: r, volSize: size, bt: bt, recSize: bt.recordSize}
	if bt.totalSize > size {
		fs.openNotes = append(fs.openNotes, fmt.Sprintf("ntfs: boot sector gives %d bytes, the image has %d", bt.totalSize, size))
	}
	// Record 0 describes $MFT itself; read it straight from the boot
	// sector's LCN, then read the rest through its $DATA runs.
	mftOff := bt.mftLCN * bt.clusterSize
	buf := make([]byte, bt.recordSize)
	if _, err := r.ReadAt(buf, mftOff); err != nil {
		return nil, fmt.Errorf("ntfs: read MFT record 0 at %d: %w", mftOff, err)
	}
	rec0, err := parseRecord(buf, recordMFT)
	if err != nil {
		return nil, fmt.Errorf("ntfs: $MFT at %d: %w", mftOff, err)
	}
	if err := fs.setMFT(&file{rec: rec0, attrs: rec0.attrs}); err != nil {
		return nil, err
	}
	// A fragmented $MFT may keep further runs in extension records,
	// which the first runs reach.
	f, notes := fs.expand(rec0)
	fs.openNotes = append(fs.openNotes, notes...)
	if len(f.attrs) != len(rec0.attrs) {
		if err := fs.setMFT(f); err != nil {
			return nil, err
		}
	}
	fs.readLabel()
	return fs, nil
}

// setMFT points the record reader at the unnamed $DATA of f.
func (fs *FS) setMFT(f *file) error {
	a := f.find(attrData, "")
	if a == nil || a.resident {
		return fmt.Errorf("ntfs: MFT record 0 has no non-resident $DATA")
	}
	st, err := newStream(fs.vol, fs.volSize, fs.bt.clusterSize, a.runs, a.realSize, a.initSize, "$MFT")
	if err != nil {
		return err
	}
	fs.mft = st
	fs.mftPhys = st.physical
	fs.setCount(a.realSize, fs.volSize)
	return nil
}

// setCount sets the record count from the $MFT size, capped by the space
// the records could occupy (the volume, or the $MFT file) and by
// maxRecords.
func (fs *FS) setCount(size, space int64) {
	n := uint64(size / fs.recSize)
	if limit := uint64(space / fs.recSize); n > limit {
		fs.openNotes = append(fs.openNotes, fmt.Sprintf("ntfs: $MFT claims %d records, more than fit in %d bytes; reading %d", n, space, limit))
		n = limit
	}
	if n > maxRecords {
		fs.openNotes = append(fs.openNotes, fmt.Sprintf("ntfs: $MFT holds %d records, reading the first %d", n, maxRecords))
		n = maxRecords
	}
	fs.nrec = n
}

// OpenMFT reads a bare $MFT file (r, size bytes) copied off a volume. The
// record size is taken from record 0. Entries carry names, times and sizes;
// only resident content can be opened. Offsets are relative to the file.
func OpenMFT(r io.ReaderAt, size int64) (*FS, error) {
	hdr := make([]byte, 0x20)
	if size < minRecordSize {
		return nil, fmt.Errorf("ntfs: %d-byte $MFT file: %w", size, filesystem.ErrNotFS)
	}
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return nil, fmt.Errorf("ntfs: read MFT record 0: %w", err)
	}
	rs := int64(binary.LittleEndian.Uint32(hdr[0x1C:]))
	if string(hdr[:4]) != "FILE" || rs < minRecordSize || rs > maxRecordSize || bits.OnesCount64(uint64(rs)) != 1 || rs > size {
		return nil, fmt.Errorf("ntfs: $MFT file: record 0 is not a FILE record of a valid size (%d): %w", rs, filesystem.ErrNotFS)
	}
	fs := &FS{mft: r, recSize: rs, bt: boot{clusterSize: 1}}
	fs.mftPhys = func(off int64) (int64, bool) { return off, true }
	fs.setCount(size, size)
	if _, err := fs.record(recordMFT); err != nil {
		return nil, fmt.Errorf("ntfs: $MFT file: %w", err)
	}
	fs.readLabel()
	return fs, nil
}

// readLabel sets the label from the $VOLUME_NAME of record 3.
func (fs *FS) readLabel() {
	rec, err := fs.record(recordVolume)
	if err != nil {
		fs.openNotes = append(fs.openNotes, fmt.Sprintf("ntfs: $Volume: %v", err))
		return
	}
	for _, a := range rec.attrs {
		if a.typ == attrVolumeName && a.resident {
			fs.label = decodeUTF16(a.value)
			return
		}
	}
}

// record reads and decodes MFT record n.
func (fs *FS) record(n uint64) (*record, error) {
	buf := make([]byte, fs.recSize)
	if err := fs.readRecord(buf, n); err != nil {
		return nil, err
	}
	rec, err := parseRecord(buf, n)
	if err != nil {
		return nil, fs.placeErr(err, n)
	}
	return rec, nil
}

// readRecord reads MFT record n into buf (fs.recSize bytes).
func (fs *FS) readRecord(buf []byte, n uint64) error {
	if n >= fs.nrec {
		return fmt.Errorf("ntfs: MFT record %d: beyond the %d records of $MFT", n, fs.nrec)
	}
	off := int64(n) * fs.recSize
	if _, err := fs.mft.ReadAt(buf, off); err != nil {
		return fmt.Errorf("ntfs: read MFT record %d at $MFT offset %d: %w", n, off, err)
	}
	return nil
}

// placeErr adds to a decoding error of record n the record's byte offset
// in the file system.
func (fs *FS) placeErr(err error, n uint64) error {
	if phys, ok := fs.mftPhys(int64(n) * fs.recSize); ok && !errors.Is(err, errNoRecord) {
		return fmt.Errorf("%w (record at byte %d)", err, phys)
	}
	return err
}

// Type returns "ntfs".
func (fs *FS) Type() string { return "ntfs" }

// Label returns the volume name from $Volume.
func (fs *FS) Label() string { return fs.label }

// Serial returns the volume serial number from the boot sector (0 for a
// bare $MFT file).
func (fs *FS) Serial() uint64 { return fs.bt.serial }

// Anomalies lists damage met while opening the volume and during the last
// Walk.
func (fs *FS) Anomalies() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append(append([]string(nil), fs.openNotes...), fs.walkNotes...)
}

// Open returns the content of entry e: its unnamed $DATA, or the named
// $DATA (or $INDEX_ROOT) e.Stream. Sparse runs and bytes past the
// initialized size read as zeros. A folder and the virtual $OrphanFiles
// folder have no content (an empty reader). For a deleted entry the data
// runs are read as they stand, whatever now occupies those clusters.
func (fs *FS) Open(e *filesystem.Entry) (*io.SectionReader, error) {
	if e.Type == filesystem.Dir && e.Stream == "" {
		return io.NewSectionReader(bytes.NewReader(nil), 0, 0), nil
	}
	rec, err := fs.record(e.Inode)
	if err != nil {
		return nil, fmt.Errorf("ntfs: open %s: %w", e.Path, err)
	}
	f, _ := fs.expand(rec)
	a := f.find(attrData, e.Stream)
	if a == nil && e.Stream != "" {
		a = f.find(attrIndexRoot, e.Stream)
	}
	what := fmt.Sprintf("MFT record %d stream %q", e.Inode, e.Stream)
	if a == nil {
		return nil, fmt.Errorf("ntfs: open %s: %s: no such attribute", e.Path, what)
	}
	if a.resident {
		return io.NewSectionReader(bytes.NewReader(a.value), 0, int64(len(a.value))), nil
	}
	st, err := fs.stream(a, what)
	if err != nil {
		return nil, fmt.Errorf("ntfs: open %s: %w", e.Path, err)
	}
	return io.NewSectionReader(st, 0, a.realSize), nil
}
