package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/acquire"
	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/evidence/ewf"
	"github.com/pangolin-forensics/pangolin/evidence/qcow"
	"github.com/pangolin-forensics/pangolin/evidence/vhd"
	"github.com/pangolin-forensics/pangolin/evidence/vmdk"
	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/buildinfo"
)

// stateFile is where an interrupted acquisition keeps its state, next to
// the record (acquire.RecordFile).
const stateFile = "acquisition.state"

// exhibitName is what an exhibit id may look like: it names a folder.
var exhibitName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

type acquireOptions struct {
	exhibit, format, split, hash, compress string
	description, notes, evidenceNumber     string
	verify, resume, logical                bool
}

// NewCmdAcquire builds `pangolin acquire`.
func NewCmdAcquire(f *Factory) *cobra.Command {
	var o acquireOptions
	c := &cobra.Command{
		Use:   "acquire SOURCE --exhibit EX [--format e01|raw] [--split SIZE] [--hash md5,sha1,sha256] [--compress none|fast|best]",
		Short: "Image a device or file into the case, hashing it in the same read",
		Long: `Images SOURCE (a block device such as /dev/sdb or \\.\PhysicalDrive1, or a
file) into the case's evidence/EX folder as E01 (EnCase 6 style, as ewfacquire
writes) or raw (split into SIZE pieces with --split, e.g. 2G). The source is
opened read-only; every requested hash is computed in the same read. Unreadable
sectors are retried, narrowed down to single sectors, zero-filled and listed in
acquisition.json and on the custody ledger. Ctrl-C stops cleanly; --resume
continues an interrupted acquisition (also after a crash or power loss) to the
same bytes and hashes. The acquisition is recorded on the custody ledger.

With --logical, SOURCE is a folder (a mounted phone dump, a USB stick's
files): every file is read once, hashed and stored in a tar container with a
manifest of paths, sizes, times, hashes and read errors.`,
		Example: `  pangolin acquire /dev/sdb --exhibit EX-001 --description "SanDisk 32 GB SD card" --verify
  pangolin acquire phone.dd --exhibit EX-002 --format raw --split 2G
  pangolin acquire /dev/sdb --exhibit EX-001 --resume
  pangolin acquire --logical /media/phone-dump --exhibit EX-003`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return acquireRun(f, c, args[0], &o)
		},
	}
	c.Flags().StringVar(&o.exhibit, "exhibit", "", "exhibit id, e.g. EX-001 (required)")
	c.Flags().StringVar(&o.format, "format", "e01", "e01 or raw")
	c.Flags().StringVar(&o.split, "split", "", "segment size (raw: split raw pieces; e01: segment files), e.g. 650M, 2G")
	c.Flags().StringVar(&o.hash, "hash", "md5,sha1,sha256", "hashes of the media")
	c.Flags().StringVar(&o.compress, "compress", "fast", "e01 compression: none, fast, best")
	c.Flags().StringVar(&o.description, "description", "", "description of the exhibit")
	c.Flags().StringVar(&o.notes, "notes", "", "notes")
	c.Flags().StringVar(&o.evidenceNumber, "evidence-number", "", "evidence number (default: the exhibit id)")
	c.Flags().BoolVar(&o.verify, "verify", false, "re-read and verify the image afterwards")
	c.Flags().BoolVar(&o.resume, "resume", false, "continue an interrupted acquisition of this exhibit")
	c.Flags().BoolVar(&o.logical, "logical", false, "SOURCE is a folder: collect its files into a tar with a manifest")
	return c
}

// parseSize reads sizes such as 650M, 2G, 1.5G, 4096.
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	mult := int64(1)
	switch strings.ToUpper(s[len(s)-1:]) {
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	case "T":
		mult = 1 << 40
	}
	num := s
	if mult > 1 {
		num = s[:len(s)-1]
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q (want e.g. 650M or 2G)", s)
	}
	return int64(v * float64(mult)), nil
}

func acquireRun(f *Factory, c *cobra.Command, source string, o *acquireOptions) error {
	if err := required(map[string]string{"exhibit": o.exhibit}); err != nil {
		return err
	}
	if !exhibitName.MatchString(o.exhibit) {
		return usageError{fmt.Errorf("exhibit id %q: use letters, digits, '.', '_' and '-'", o.exhibit)}
	}
	split, err := parseSize(o.split)
	if err != nil {
		return usageError{err}
	}
	algos, err := hashing.ParseAlgos(o.hash)
	if err != nil {
		return usageError{err}
	}
	var compression ewf.Compression
	switch o.format {
	case "e01":
		algos = withAlgos(algos, hashing.MD5, hashing.SHA1)
		switch o.compress {
		case "none":
			compression = ewf.None
		case "fast":
			compression = ewf.Fast
		case "best":
			compression = ewf.Best
		default:
			return usageError{fmt.Errorf("--compress: want none, fast or best, not %q", o.compress)}
		}
	case "raw":
	default:
		return usageError{fmt.Errorf("--format: want e01 or raw, not %q", o.format)}
	}
	cs, id, err := f.caseAndIdentity()
	if err != nil {
		return err
	}
	dir := filepath.Join(cs.Dir, catalog.EvidenceDir, o.exhibit)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	recPath, statePath := filepath.Join(dir, acquire.RecordFile), filepath.Join(dir, stateFile)
	if _, err := os.Stat(recPath); err == nil {
		return fmt.Errorf("exhibit %s was already acquired (%s)", o.exhibit, recPath)
	}
	if o.logical {
		return acquireLogical(f, c, cs, id, source, dir, o, algos)
	}
	src, err := evidence.OpenSource(source)
	if err != nil {
		return err
	}
	defer src.Close()
	facts := src.Facts()
	for _, m := range facts.MountedWritable {
		fmt.Fprintf(f.IO.ErrOut, "WARNING: %s is mounted read-write (%s): the file system can change while it is imaged. Unmount it or use a write-blocker.\n", source, m)
	}

	base, err := filepath.Abs(filepath.Join(dir, o.exhibit))
	if err != nil {
		return err
	}
	opts := acquire.Options{Algos: algos, StatePath: statePath}
	if err := acquire.Resumable(algos); err != nil {
		opts.StatePath = ""
		fmt.Fprintf(f.IO.ErrOut, "pangolin: %v: this acquisition cannot be resumed if interrupted\n", err)
	}
	var sink acquire.Sink
	if o.resume {
		st, err := acquire.LoadState(statePath)
		if err != nil {
			return fmt.Errorf("nothing to resume for %s: %w", o.exhibit, err)
		}
		if acquire.IsE01State(st.Sink) {
			sink, err = acquire.ResumeE01Sink(st.Sink)
		} else {
			sink, err = acquire.ResumeRawSink(st.Sink)
		}
		if err != nil {
			return err
		}
		opts.Resume, opts.Algos, opts.StatePath = st, st.Algos, statePath
	} else {
		if _, err := os.Stat(statePath); err == nil {
			return fmt.Errorf("an interrupted acquisition of %s is waiting: run again with --resume", o.exhibit)
		}
		switch o.format {
		case "e01":
			if facts.Size%int64(max(facts.LogicalSectorSize, 1)) != 0 {
				return fmt.Errorf("%s: %d bytes is not a whole number of %d-byte sectors, which E01 requires: use --format raw", source, facts.Size, facts.LogicalSectorSize)
			}
			en := o.evidenceNumber
			if en == "" {
				en = o.exhibit
			}
			bi := buildinfo.Get()
			sink, err = acquire.NewE01Sink(base, ewf.WriterOptions{
				CaseNumber: cs.Info.ID, EvidenceNumber: en, Examiner: id.Name + " (" + id.ID + ")",
				Description: o.description, Notes: o.notes, AcquiredAt: f.Now(), SystemAt: f.Now(),
				Software: "pangolin " + bi.Version, OS: bi.OS, BytesPerSector: facts.LogicalSectorSize,
				MediaSize: facts.Size, Compression: compression, SegmentSize: split,
			})
		default:
			sink, err = acquire.NewRawSink(base, split)
		}
		if err != nil {
			return err
		}
	}
	show, done := f.status()
	opts.Progress = func(p acquire.Progress) {
		show(func(time.Duration) string {
			eta := "?"
			if p.Rate > 0 {
				eta = (time.Duration(float64(p.Total-p.Done)/p.Rate) * time.Second).Round(time.Second).String()
			}
			return fmt.Sprintf("imaging: %.1f of %.1f GiB (%.0f%%), %.0f MB/s, ETA %s, %d bad bytes",
				float64(p.Done)/(1<<30), float64(p.Total)/(1<<30), 100*float64(p.Done)/float64(max(p.Total, 1)), p.Rate/1e6, eta, p.Bad)
		})
	}
	res, err := acquire.Acquire(c.Context(), src, sink, opts)
	done()
	if errors.Is(err, acquire.ErrInterrupted) && opts.StatePath != "" {
		return fmt.Errorf("%w: continue with 'pangolin acquire %s --exhibit %s --resume'", err, source, o.exhibit)
	}
	if err != nil {
		return err
	}

	rec := acquire.NewRecord(facts, res)
	rec.Case, rec.Exhibit, rec.Examiner, rec.Notes, rec.Format = cs.Info.ID, o.exhibit, id.ID, o.notes, o.format
	if o.format == "raw" && split > 0 {
		rec.Format = "split-raw"
	}
	for i := range rec.Segments {
		rec.Segments[i].Path = caseRelative(cs.Dir, rec.Segments[i].Path)
	}
	if err := acquire.WriteRecord(recPath, rec); err != nil {
		return err
	}
	recRef, err := fileRef(c, cs, recPath)
	if err != nil {
		return err
	}
	attrs := map[string]string{"format": rec.Format, "bytes": strconv.FormatInt(res.Size, 10),
		"bad_bytes": strconv.FormatInt(res.BadBytes, 10), "bad_ranges": strconv.Itoa(len(res.BadRanges))}
	for a, v := range res.Sums {
		attrs[string(a)] = v
	}
	for k, v := range map[string]string{"model": facts.Model, "serial": facts.Serial, "vendor": facts.Vendor, "description": o.description} {
		if v != "" {
			attrs[k] = v
		}
	}
	outputs := append(rec.Segments, recRef)
	entry, _, err := cs.Record(c.Context(), id, chain.Entry{Action: "acquire", Exhibit: o.exhibit,
		Inputs:  []chain.Ref{{Path: source, Size: res.Size, SHA256: res.Sums[hashing.SHA256]}},
		Outputs: outputs, Note: o.description, Attrs: attrs})
	if err != nil {
		return err
	}
	if f.JSON {
		if err := writeJSON(f, rec); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(f.IO.Out, "acquired %s as %s: %d bytes in %s (%s)\n", source, o.exhibit, res.Size,
			res.End.Sub(res.Start).Round(time.Millisecond), rec.Format)
		for _, a := range hashing.Algos {
			if v := res.Sums[a]; v != "" {
				fmt.Fprintf(f.IO.Out, "  %-7s %s\n", a, v)
			}
		}
		for _, s := range rec.Segments {
			fmt.Fprintf(f.IO.Out, "  segment %s (%d bytes)\n", s.Path, s.Size)
		}
		if res.BadBytes > 0 {
			fmt.Fprintf(f.IO.Out, "  %d unreadable bytes in %d ranges, zero-filled (see %s)\n", res.BadBytes, len(res.BadRanges), acquire.RecordFile)
		}
		fmt.Fprintf(f.IO.Out, "recorded custody entry %d\n", entry.Seq)
	}
	if o.verify {
		return verifyExhibit(f, c, cs, id, o.exhibit)
	}
	return nil
}

// acquireLogical collects a folder into the exhibit's tar container.
func acquireLogical(f *Factory, c *cobra.Command, cs *catalog.Case, id *chain.Identity, source, dir string, o *acquireOptions, algos []hashing.Algo) error {
	show, done := f.status()
	res, err := acquire.AcquireLogical(c.Context(), source, filepath.Join(dir, o.exhibit+".tar"), acquire.LogicalOptions{
		Algos: algos,
		Progress: func(p acquire.LogicalProgress) {
			show(func(el time.Duration) string {
				return fmt.Sprintf("collecting: %d files, %.1f MiB", p.Entries, float64(p.Bytes)/(1<<20))
			})
		},
	})
	done()
	if err != nil {
		return err
	}
	res.Container.Path = caseRelative(cs.Dir, res.Container.Path)
	res.Manifest.Path = caseRelative(cs.Dir, res.Manifest.Path)
	entry, _, err := cs.Record(c.Context(), id, chain.Entry{Action: "acquire", Exhibit: o.exhibit,
		Inputs: []chain.Ref{{Path: source}}, Outputs: []chain.Ref{res.Container, res.Manifest}, Note: o.description,
		Attrs: map[string]string{"format": "logical", "files": strconv.FormatInt(res.EntryCount, 10),
			"bytes": strconv.FormatInt(res.Bytes, 10), "errors": strconv.FormatInt(res.ErrorCount, 10)}})
	if err != nil {
		return err
	}
	if f.JSON {
		return writeJSON(f, res)
	}
	_, err = fmt.Fprintf(f.IO.Out, "collected %s as %s: %d entries, %d bytes, %d unreadable\n  container %s (sha256 %s)\n  manifest  %s\nrecorded custody entry %d\n",
		source, o.exhibit, res.EntryCount, res.Bytes, res.ErrorCount, res.Container.Path, res.Container.SHA256, res.Manifest.Path, entry.Seq)
	return err
}

// fileRef hashes a file in the case folder for the ledger.
func fileRef(c *cobra.Command, cs *catalog.Case, path string) (chain.Ref, error) {
	h := hashing.HashFile(c.Context(), path, hashing.SHA256)
	if h.Err != nil {
		return chain.Ref{}, h.Err
	}
	return chain.Ref{Path: caseRelative(cs.Dir, path), Size: h.Size, SHA256: h.Sums[hashing.SHA256]}, nil
}

// caseRelative turns a path inside the case folder into a slash-separated
// path relative to it, as the ledger and records keep them.
func caseRelative(caseDir, p string) string {
	abs, err1 := filepath.Abs(caseDir)
	rel, err2 := filepath.Rel(abs, p)
	if err1 != nil || err2 != nil || !filepath.IsLocal(rel) {
		return p
	}
	return filepath.ToSlash(rel)
}

// NewCmdVerify builds `pangolin verify`.
func NewCmdVerify(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "verify EXHIBIT|IMAGE",
		Short: "Re-read an acquired image and check it against its recorded hashes",
		Long: `Re-reads the image of an exhibit in the case and checks it: every hash against
acquisition.json, each segment file against its recorded SHA-256, and for E01
each chunk's checksum and the MD5 and SHA-1 stored in the image; for a logical
exhibit, the container against its manifest and every stored file's hashes.
Exit 0 when everything matches, 3 on any mismatch, naming where. The result is recorded
on the custody ledger.

Given an image file instead (outside a case, or not acquired by pangolin), it
checks what the image itself holds: an E01's chunk checksums and stored hashes;
a raw image has no stored hash, so its hashes are printed.`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if fi, err := os.Stat(args[0]); err == nil && fi.Mode().IsRegular() {
				return verifyImageFile(f, c, args[0])
			}
			cs, id, err := f.caseAndIdentity()
			if err != nil {
				return err
			}
			return verifyExhibit(f, c, cs, id, args[0])
		},
	}
}

// verification is what `pangolin verify` reports.
type verification struct {
	Exhibit  string                 `json:"exhibit,omitempty"`
	Image    string                 `json:"image"`
	OK       bool                   `json:"ok"`
	Problems []string               `json:"problems,omitempty"`
	Hashes   hashing.Sums           `json:"hashes,omitempty"`
	E01      *ewf.VerifyResult      `json:"e01,omitempty"`
	Segments []acquire.SegmentCheck `json:"segments,omitempty"`
	Media    *acquire.VerifyResult  `json:"media,omitempty"`
}

// image is an opened evidence image.
type image interface {
	ReadAt([]byte, int64) (int, error)
	Size() int64
	Close() error
}

// openImage opens an image file by its signature: E01, a virtual disk
// (VMDK, QCOW, VHD), otherwise raw or split raw. e01 is set for E01.
func openImage(path string) (img image, e01 *ewf.Image, err error) {
	head := make([]byte, 512)
	if file, err := evidence.Open(path); err == nil {
		n, _ := io.ReadFull(file, head)
		head = head[:n]
		file.Close()
	}
	switch {
	case ewf.IsEWF(head):
		e, err := ewf.Open(path)
		if err != nil {
			return nil, nil, err
		}
		return e, e, nil
	case vmdk.IsVMDK(head):
		img, err = vmdk.Open(path)
	case qcow.IsQCOW(head):
		img, err = qcow.Open(path)
	case vhd.IsVHD(path):
		img, err = vhd.Open(path)
	default:
		img, err = evidence.OpenRaw(path)
	}
	if err != nil {
		return nil, nil, err
	}
	return img, nil, nil
}

// writeFields prints a struct as "name  value" lines, by its JSON names;
// nested values are printed as JSON.
func writeFields(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		val := string(m[k])
		var str string
		if json.Unmarshal(m[k], &str) == nil {
			val = str
		}
		if _, err := fmt.Fprintf(w, "%-20s %s\n", strings.ReplaceAll(k, "_", " "), clean(val)); err != nil {
			return err
		}
	}
	return nil
}

// checkImage runs the checks on an open image into v.
func checkImage(f *Factory, c *cobra.Command, v *verification, want hashing.Sums) error {
	img, e01, err := openImage(v.Image)
	if err != nil {
		return err
	}
	defer img.Close()
	show, done := f.status()
	defer done()
	progress := func(what string) func(done, total int64) {
		return func(d, t int64) {
			show(func(el time.Duration) string {
				return fmt.Sprintf("%s: %.1f of %.1f GiB (%.0f MB/s)", what, float64(d)/(1<<30), float64(t)/(1<<30), float64(d)/1e6/el.Seconds())
			})
		}
	}
	if e01 != nil {
		var also []hashing.Algo
		for a := range want {
			also = append(also, a)
		}
		if v.E01, err = e01.Verify(c.Context(), progress("verifying E01 chunks"), also...); err != nil {
			return err
		}
		v.Hashes = v.E01.Sums
		if !v.E01.OK {
			for _, b := range v.E01.BadChunks {
				v.Problems = append(v.Problems, fmt.Sprintf("chunk %d at media offset %d: %s", b.Index, b.Offset, b.Problem))
			}
			if v.E01.MD5Check == ewf.HashMismatch {
				v.Problems = append(v.Problems, "MD5 of the media differs from the MD5 stored in the image")
			}
			if v.E01.SHA1Check == ewf.HashMismatch {
				v.Problems = append(v.Problems, "SHA-1 of the media differs from the SHA-1 stored in the image")
			}
		}
	}
	// Recorded hashes the E01 pass did not compute (none, for an E01)
	// need a pass of their own.
	rest := hashing.Sums{}
	for a, h := range want {
		if v.Hashes[a] == "" {
			rest[a] = h
		} else if v.Hashes[a] != h {
			v.Problems = append(v.Problems, fmt.Sprintf("%s of the media is %s, acquisition.json says %s", a, v.Hashes[a], h))
		}
	}
	if v.E01 != nil && len(v.E01.BadChunks) > 0 {
		// The media cannot be read whole; the bad chunks say why.
		rest = nil
	}
	if len(rest) > 0 || (e01 == nil && want == nil) {
		if len(rest) == 0 {
			rest = hashing.Sums{hashing.MD5: "", hashing.SHA1: "", hashing.SHA256: ""}
		}
		media, err := acquire.Verify(c.Context(), img, img.Size(), rest, func(p acquire.Progress) { progress("hashing media")(p.Done, p.Total) })
		if err != nil && !errors.Is(err, acquire.ErrMismatch) {
			return err
		}
		v.Media = media
		if v.Hashes == nil {
			v.Hashes = hashing.Sums{}
		}
		for a, h := range media.Got {
			v.Hashes[a] = h
		}
		if want != nil {
			for _, a := range media.Mismatch {
				v.Problems = append(v.Problems, fmt.Sprintf("%s of the media is %s, acquisition.json says %s", a, media.Got[a], want[a]))
			}
		}
	}
	v.OK = len(v.Problems) == 0
	return nil
}

// verifyImageFile verifies an image file on its own.
func verifyImageFile(f *Factory, c *cobra.Command, path string) error {
	v := &verification{Image: path}
	if err := checkImage(f, c, v, nil); err != nil {
		return err
	}
	return reportVerification(f, v)
}

// verifyExhibit verifies an acquired exhibit and records the result.
func verifyExhibit(f *Factory, c *cobra.Command, cs *catalog.Case, id *chain.Identity, exhibit string) error {
	if !exhibitName.MatchString(exhibit) {
		return usageError{fmt.Errorf("%q is neither an image file nor an exhibit id", exhibit)}
	}
	dir := filepath.Join(cs.Dir, catalog.EvidenceDir, exhibit)
	container := filepath.Join(dir, exhibit+".tar")
	if _, err := os.Stat(container + ".manifest.json"); err == nil {
		return verifyLogical(f, c, cs, id, exhibit, container)
	}
	rec, err := acquire.ReadRecord(filepath.Join(dir, acquire.RecordFile))
	if err != nil {
		return fmt.Errorf("exhibit %s: no acquisition record: %w", exhibit, err)
	}
	if len(rec.Segments) == 0 {
		return fmt.Errorf("exhibit %s: the acquisition record lists no image segment", exhibit)
	}
	v := &verification{Exhibit: exhibit, Image: filepath.Join(cs.Dir, filepath.FromSlash(rec.Segments[0].Path))}
	if v.Segments, err = acquire.VerifySegments(c.Context(), rec, cs.Dir); err != nil && !errors.Is(err, acquire.ErrMismatch) {
		return err
	}
	var segProblems []string
	for _, s := range v.Segments {
		if !s.OK {
			segProblems = append(segProblems, strings.TrimSpace(fmt.Sprintf("segment %s: SHA-256 %s, recorded %s %s", s.Want.Path, s.Got.SHA256, s.Want.SHA256, s.Err)))
		}
	}
	if err := checkImage(f, c, v, rec.Hashes); err != nil {
		return err
	}
	v.Problems = append(segProblems, v.Problems...)
	v.OK = len(v.Problems) == 0
	result := "match"
	if !v.OK {
		result = "mismatch"
	}
	attrs := map[string]string{"result": result}
	if !v.OK {
		attrs["problem"] = v.Problems[0]
	}
	for a, h := range v.Hashes {
		attrs[string(a)] = h
	}
	if _, _, err := cs.Record(c.Context(), id, chain.Entry{Action: "verify", Exhibit: exhibit,
		Inputs: rec.Segments, Attrs: attrs}); err != nil {
		return err
	}
	return reportVerification(f, v)
}

// verifyLogical checks a logical exhibit's container against its manifest
// and records the result.
func verifyLogical(f *Factory, c *cobra.Command, cs *catalog.Case, id *chain.Identity, exhibit, container string) error {
	check, err := acquire.VerifyLogical(c.Context(), container, container+".manifest.json")
	if err != nil {
		return err
	}
	result := "match"
	attrs := map[string]string{"files": strconv.Itoa(check.Files), "container_sha256": check.Container}
	if !check.OK {
		result = "mismatch"
		attrs["problem"] = check.Problems[0]
	}
	attrs["result"] = result
	if _, _, err := cs.Record(c.Context(), id, chain.Entry{Action: "verify", Exhibit: exhibit,
		Inputs: []chain.Ref{{Path: caseRelative(cs.Dir, container), SHA256: check.Container}}, Attrs: attrs}); err != nil {
		return err
	}
	v := &verification{Exhibit: exhibit, Image: container, OK: check.OK, Problems: check.Problems,
		Hashes: hashing.Sums{hashing.SHA256: check.Container}}
	return reportVerification(f, v)
}

func reportVerification(f *Factory, v *verification) error {
	if f.JSON {
		if err := writeJSON(f, v); err != nil {
			return err
		}
	} else {
		name := v.Image
		if v.Exhibit != "" {
			name = v.Exhibit
		}
		if v.OK {
			fmt.Fprintf(f.IO.Out, "%s verifies: all hashes and checksums match\n", clean(name))
		} else {
			fmt.Fprintf(f.IO.Out, "%s FAILED verification:\n", clean(name))
			for _, p := range v.Problems {
				fmt.Fprintf(f.IO.Out, "  %s\n", clean(p))
			}
		}
		for _, a := range hashing.Algos {
			if h := v.Hashes[a]; h != "" {
				fmt.Fprintf(f.IO.Out, "  %-7s %s\n", a, h)
			}
		}
	}
	if !v.OK {
		return mismatchf("%s: %s", v.Image, v.Problems[0])
	}
	return nil
}

// NewCmdImage builds `pangolin image`.
func NewCmdImage(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "image",
		Short: "Describe evidence images (E01, raw, split raw, VMDK, QCOW, VHD)",
	}
	c.AddCommand(&cobra.Command{
		Use:   "info FILE",
		Short: "Print an image's format, size, case metadata and stored hashes, as ewfinfo does",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			img, e01, err := openImage(args[0])
			if err != nil {
				return err
			}
			defer img.Close()
			if e01 != nil {
				info := e01.Info()
				if f.JSON {
					return writeJSON(f, struct {
						Format string `json:"format"`
						ewf.Info
					}{"e01", info})
				}
				w := f.IO.Out
				for _, kv := range [][2]string{
					{"format", "E01 (EWF)"}, {"case number", info.CaseNumber}, {"evidence number", info.EvidenceNumber},
					{"examiner", info.Examiner}, {"description", info.Description}, {"notes", info.Notes},
					{"acquired", info.AcquisitionDate.String()}, {"system date", info.SystemDate.String()},
					{"software", info.SoftwareVersion}, {"os", info.OS}, {"media size", strconv.FormatInt(info.MediaSize, 10)},
					{"bytes per sector", strconv.Itoa(int(info.BytesPerSector))}, {"sectors", strconv.FormatUint(info.SectorCount, 10)},
					{"compression", info.Compression}, {"md5", info.MD5}, {"sha1", info.SHA1},
					{"segments", strings.Join(info.Segments, ", ")},
				} {
					if kv[1] != "" {
						fmt.Fprintf(w, "%-17s %s\n", kv[0], clean(kv[1]))
					}
				}
				for _, a := range info.Anomalies {
					fmt.Fprintf(w, "anomaly           %s\n", clean(a))
				}
				return nil
			}
			var disk any // a virtual disk's description
			switch v := img.(type) {
			case *vmdk.Image:
				disk = struct {
					Format string `json:"format"`
					vmdk.Info
				}{"vmdk", v.Info()}
			case *qcow.Image:
				disk = struct {
					Format string `json:"format"`
					qcow.Info
				}{"qcow", v.Info()}
			case *vhd.Image:
				disk = struct {
					Format string `json:"format"`
					vhd.Info
				}{"vhd", v.Info()}
			}
			if disk != nil {
				if f.JSON {
					return writeJSON(f, disk)
				}
				return writeFields(f.IO.Out, disk)
			}
			raw := img.(*evidence.Raw)
			if f.JSON {
				return writeJSON(f, struct {
					Format   string   `json:"format"`
					Size     int64    `json:"size"`
					Segments []string `json:"segments"`
				}{"raw", raw.Size(), raw.Segments()})
			}
			_, err = fmt.Fprintf(f.IO.Out, "format            raw (%d segments)\nmedia size        %d\nsegments          %s\n",
				len(raw.Segments()), raw.Size(), strings.Join(raw.Segments(), ", "))
			return err
		},
	})
	return c
}
