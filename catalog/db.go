package catalog

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/pangolin-forensics/pangolin/internal/sqliteuri"
)

// DBFile is the catalogue database's name in the case folder.
const DBFile = "catalog.db"

// schemaVersion is stored in the meta table; a database written by a newer
// schema is refused rather than misread.
const schemaVersion = 5

// schema is the catalogue's tables. Artefact times are INTEGER nanoseconds
// since 1970 UTC, NULL when unknown (or outside 1678-2261, which int64
// nanoseconds cannot hold: such a time is kept as text in extra); run
// times are TEXT in timeFormat.
const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS exhibits (
	id TEXT PRIMARY KEY,
	source TEXT NOT NULL,     -- image or container, relative to the case folder
	identity TEXT NOT NULL,   -- what the source was when processing began (size, hash)
	tool TEXT NOT NULL,       -- pangolin version that walked it
	status TEXT NOT NULL      -- running, interrupted, done
);
CREATE TABLE IF NOT EXISTS runs (
	id INTEGER PRIMARY KEY,
	exhibit TEXT NOT NULL,
	started TEXT NOT NULL,
	finished TEXT,
	status TEXT NOT NULL,
	tool TEXT NOT NULL,
	files INTEGER NOT NULL DEFAULT 0,
	bytes INTEGER NOT NULL DEFAULT 0,
	errors INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS volumes (
	exhibit TEXT NOT NULL,
	partition INTEGER NOT NULL,
	scheme TEXT NOT NULL, start INTEGER NOT NULL, length INTEGER NOT NULL,
	type TEXT NOT NULL, description TEXT NOT NULL, name TEXT NOT NULL,
	fs TEXT NOT NULL, label TEXT NOT NULL, error TEXT NOT NULL,
	anomalies TEXT NOT NULL,  -- JSON array
	PRIMARY KEY (exhibit, partition)
);
CREATE TABLE IF NOT EXISTS artefacts (
	id INTEGER PRIMARY KEY,
	exhibit TEXT NOT NULL,
	ref TEXT NOT NULL,
	parent TEXT NOT NULL,
	depth INTEGER NOT NULL,
	partition INTEGER NOT NULL,
	ord INTEGER NOT NULL,      -- walk position of the top-level entry
	path TEXT NOT NULL, name TEXT NOT NULL,
	inode INTEGER NOT NULL, stream TEXT NOT NULL,
	type TEXT NOT NULL, size INTEGER NOT NULL, deleted INTEGER NOT NULL,
	mtime INTEGER, atime INTEGER, ctime INTEGER, btime INTEGER,
	mode INTEGER NOT NULL, offset INTEGER NOT NULL,
	mime TEXT NOT NULL, mismatch INTEGER NOT NULL,
	md5 TEXT NOT NULL, sha1 TEXT NOT NULL, sha256 TEXT NOT NULL,
	known TEXT NOT NULL, known_sets TEXT NOT NULL,
	error TEXT NOT NULL, extra TEXT NOT NULL,
	UNIQUE (exhibit, ref)
);
-- No index on the hashes: maintaining one costs a sixth of the insert
-- time, and a lookup by hash scans a million rows in well under a second.
`

// timeFormat stores times: fixed width, so text order is time order.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

// DB is the case's catalogue: a SQLite database in WAL mode. Its methods
// are safe for concurrent use; writes from several processes at once are
// serialised by SQLite (a writer waits up to a busy timeout).
type DB struct {
	db   *sql.DB
	path string
}

// OpenDB opens (creating if needed) the catalogue at path.
func OpenDB(ctx context.Context, path string) (*DB, error) {
	uri, err := sqliteuri.For(path, "_pragma=page_size(16384)&_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)")
	if err != nil {
		return nil, err
	}
	sdb, err := sql.Open("sqlite", uri)
	if err != nil {
		return nil, fmt.Errorf("catalogue %s: %w", path, err)
	}
	d := &DB{db: sdb, path: path}
	if err := d.init(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("catalogue %s: %w", path, err)
	}
	return d, nil
}

// Catalog opens the case's catalogue.
func (c *Case) Catalog(ctx context.Context) (*DB, error) {
	return OpenDB(ctx, filepath.Join(c.Dir, DBFile))
}

func (d *DB) init(ctx context.Context) error {
	var v string
	err := d.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'schema'").Scan(&v)
	switch {
	case err == nil:
		n, _ := strconv.Atoi(v)
		switch {
		case n == schemaVersion:
			return nil
		case n < 1 || n > schemaVersion:
			return fmt.Errorf("schema version %q, this pangolin reads 1 to %d", v, schemaVersion)
		}
		// Version 1 lacks the extraction tables, 3 the tags table and 4
		// the indexed table, which CREATE ... IF NOT EXISTS adds;
		// version 2 lacks the thumbnail column.
		if n == 2 {
			if _, err := d.db.ExecContext(ctx, "ALTER TABLE extracted ADD COLUMN thumbnail BLOB"); err != nil {
				return fmt.Errorf("upgrade from schema 2: %w", err)
			}
		}
	case !errors.Is(err, sql.ErrNoRows) && !strings.Contains(err.Error(), "no such table"):
		return err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, schema+extractSchema+tagSchema); err != nil {
		return fmt.Errorf("create tables: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO meta VALUES ('schema', ?)", strconv.Itoa(schemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Path is the database file.
func (d *DB) Path() string { return d.path }

// Exhibit is what the catalogue knows of a processed exhibit.
type Exhibit struct {
	ID string `json:"id"`
	// Source is the image or container processed, relative to the case.
	Source string `json:"source"`
	// Identity pins the source's content when processing began ("size
	// sha256"), so that a resumed run refuses a source that changed.
	Identity string `json:"identity"`
	Tool     string `json:"tool"`
	// Status is "running" (or killed while running), "interrupted" or
	// "done".
	Status string `json:"status"`
}

// Exhibit statuses.
const (
	StatusRunning     = "running"
	StatusInterrupted = "interrupted"
	StatusDone        = "done"
)

// ErrNoExhibit is returned by [DB.Exhibit] for an exhibit never processed.
var ErrNoExhibit = errors.New("exhibit not in the catalogue")

// Exhibit returns what the catalogue holds about an exhibit.
func (d *DB) Exhibit(ctx context.Context, id string) (*Exhibit, error) {
	e := &Exhibit{ID: id}
	err := d.db.QueryRowContext(ctx, "SELECT source, identity, tool, status FROM exhibits WHERE id = ?", id).
		Scan(&e.Source, &e.Identity, &e.Tool, &e.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", id, ErrNoExhibit)
	}
	return e, err
}

// Exhibits lists the exhibits in the catalogue by id.
func (d *DB) Exhibits(ctx context.Context) ([]Exhibit, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT id, source, identity, tool, status FROM exhibits ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Exhibit
	for rows.Next() {
		var e Exhibit
		if err := rows.Scan(&e.ID, &e.Source, &e.Identity, &e.Tool, &e.Status); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SetExhibit records an exhibit's source and status, replacing what was
// there.
func (d *DB) SetExhibit(ctx context.Context, e Exhibit) error {
	_, err := d.db.ExecContext(ctx, "INSERT OR REPLACE INTO exhibits (id, source, identity, tool, status) VALUES (?, ?, ?, ?, ?)",
		e.ID, e.Source, e.Identity, e.Tool, e.Status)
	return err
}

// Forget removes everything processing put in the catalogue about an
// exhibit, so that it can be processed again from the start. Examiners'
// tags stay: artefact refs are stable, so they still name the same
// artefacts after processing again.
func (d *DB) Forget(ctx context.Context, exhibit string) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, table := range []string{"artefacts", "volumes", "extracted", "fields", "entities", "texts"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE exhibit = ?", exhibit); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM exhibits WHERE id = ?", exhibit); err != nil {
		return err
	}
	return tx.Commit()
}

// Run is one processing run of an exhibit.
type Run struct {
	ID       int64     `json:"id"`
	Exhibit  string    `json:"exhibit"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	Status   string    `json:"status"`
	Tool     string    `json:"tool"`
	// Counts of this run alone (a resumed run counts what it added).
	Files  int64 `json:"files"`
	Bytes  int64 `json:"bytes"`
	Errors int64 `json:"errors"`
}

// StartRun records the start of a run and returns its id.
func (d *DB) StartRun(ctx context.Context, exhibit, tool string, now time.Time) (int64, error) {
	res, err := d.db.ExecContext(ctx, "INSERT INTO runs (exhibit, started, status, tool) VALUES (?, ?, ?, ?)",
		exhibit, formatTime(now), StatusRunning, tool)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// FinishRun records the end of a run.
func (d *DB) FinishRun(ctx context.Context, r Run) error {
	_, err := d.db.ExecContext(ctx, "UPDATE runs SET finished = ?, status = ?, files = ?, bytes = ?, errors = ? WHERE id = ?",
		formatTime(r.Finished), r.Status, r.Files, r.Bytes, r.Errors, r.ID)
	return err
}

// Volume is one partition of an exhibit and the file system found in it.
type Volume struct {
	Exhibit     string   `json:"exhibit"`
	Partition   int      `json:"partition"`
	Scheme      string   `json:"scheme"`
	Start       int64    `json:"start"`
	Length      int64    `json:"length"`
	Type        string   `json:"type"`
	Description string   `json:"description"`
	Name        string   `json:"name,omitempty"`
	FS          string   `json:"fs,omitempty"`
	Label       string   `json:"label,omitempty"`
	Error       string   `json:"error,omitempty"`
	Anomalies   []string `json:"anomalies,omitempty"`
}

// PutVolume records a volume, replacing an earlier record of it.
func (d *DB) PutVolume(ctx context.Context, v Volume) error {
	anom, err := json.Marshal(nonNil(v.Anomalies))
	if err != nil {
		return err
	}
	_, err = d.db.ExecContext(ctx, `INSERT OR REPLACE INTO volumes
		(exhibit, partition, scheme, start, length, type, description, name, fs, label, error, anomalies)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.Exhibit, v.Partition, v.Scheme, v.Start, v.Length, v.Type, v.Description, v.Name, v.FS, v.Label, v.Error, string(anom))
	return err
}

// Volumes lists an exhibit's volumes by partition.
func (d *DB) Volumes(ctx context.Context, exhibit string) ([]Volume, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT partition, scheme, start, length, type, description, name, fs, label, error, anomalies
		FROM volumes WHERE exhibit = ? ORDER BY partition`, exhibit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Volume
	for rows.Next() {
		v := Volume{Exhibit: exhibit}
		var anom string
		if err := rows.Scan(&v.Partition, &v.Scheme, &v.Start, &v.Length, &v.Type, &v.Description, &v.Name, &v.FS, &v.Label, &v.Error, &anom); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(anom), &v.Anomalies); err != nil {
			return nil, fmt.Errorf("volume %s/%d: anomalies: %w", exhibit, v.Partition, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Done returns the walk positions of the top-level entries of an
// exhibit's partition that are already in the catalogue, so that a resumed
// run skips them. The set is a bitmap: one bit per position, so a million
// entries take 125 KB.
func (d *DB) Done(ctx context.Context, exhibit string, partition int) (Bitmap, error) {
	// Runs once per partition and run: a scan of the exhibit's rows
	// through the (exhibit, ref) index, so that no index slows inserts.
	rows, err := d.db.QueryContext(ctx, "SELECT ord FROM artefacts WHERE exhibit = ? AND partition = ? AND depth = 0", exhibit, partition)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var b Bitmap
	for rows.Next() {
		var ord int64
		if err := rows.Scan(&ord); err != nil {
			return nil, err
		}
		b = b.Set(ord)
	}
	return b, rows.Err()
}

// Bitmap is a set of non-negative integers.
type Bitmap []uint64

// Set adds i and returns the bitmap, grown if needed.
func (b Bitmap) Set(i int64) Bitmap {
	w := int(i / 64)
	for len(b) <= w {
		b = append(b, 0)
	}
	b[w] |= 1 << (i % 64)
	return b
}

// Has reports whether i is in the set.
func (b Bitmap) Has(i int64) bool {
	w := i / 64
	return i >= 0 && w < int64(len(b)) && b[w]&(1<<(i%64)) != 0
}

// Writer adds artefacts to the catalogue in batched transactions. Put
// takes groups: an entry with the members of an archive it is goes in as
// one group, and a group is never split between transactions, so a crash
// leaves each entry either wholly catalogued or not at all. A row with the
// same exhibit and Ref replaces the earlier one, which makes re-running
// idempotent. A Writer is not safe for concurrent use.
type Writer struct {
	d       *DB
	batch   int
	pending []Row
}

// Row is an artefact encoded for the catalogue. Encoding is the part of a
// write that needs no database, so callers with several goroutines encode
// rows in parallel ([NewRow]) and hand them to the one Writer.
type Row struct {
	args  []any  // in artefactColumns order
	extra []stmt // extraction results
}

// NewRow encodes a.
func NewRow(a *Artefact) (Row, error) {
	args, err := appendRow(make([]any, 0, len(artefactColumns)), a)
	return Row{args, extraRows(a)}, err
}

// NewWriter returns a Writer that commits every batch artefacts (and on
// Flush).
func (d *DB) NewWriter(batch int) *Writer {
	return &Writer{d: d, batch: max(batch, 1)}
}

// Put queues a group of artefacts, committing when the batch is full.
func (w *Writer) Put(ctx context.Context, group ...*Artefact) error {
	rows := make([]Row, len(group))
	for i, a := range group {
		var err error
		if rows[i], err = NewRow(a); err != nil {
			return err
		}
	}
	return w.PutRows(ctx, rows...)
}

// PutRows queues a group of encoded rows, committing when the batch is
// full.
func (w *Writer) PutRows(ctx context.Context, group ...Row) error {
	w.pending = append(w.pending, group...)
	if len(w.pending) >= w.batch {
		return w.Flush(ctx)
	}
	return nil
}

// Flush commits what is queued.
func (w *Writer) Flush(ctx context.Context) error {
	if len(w.pending) == 0 {
		return nil
	}
	tx, err := w.d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Rows go in rowsPerInsert at a time: one statement per row would
	// spend more time in database/sql than in SQLite.
	stmts := map[string]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	args := make([]any, 0, rowsPerInsert*len(artefactColumns))
	for rest := w.pending; len(rest) > 0; {
		n := min(len(rest), rowsPerInsert)
		q := insertSQL(n)
		st := stmts[q]
		if st == nil {
			if st, err = tx.PrepareContext(ctx, q); err != nil {
				return err
			}
			stmts[q] = st
		}
		args = args[:0]
		for _, r := range rest[:n] {
			args = append(args, r.args...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("catalogue %s %s: %w", rest[0].args[0], rest[0].args[1], err)
		}
		for _, r := range rest[:n] {
			for _, x := range r.extra {
				st := stmts[x.sql]
				if st == nil {
					if st, err = tx.PrepareContext(ctx, x.sql); err != nil {
						return err
					}
					stmts[x.sql] = st
				}
				if _, err := st.ExecContext(ctx, x.args...); err != nil {
					return fmt.Errorf("catalogue %s %s: %w", r.args[0], r.args[1], err)
				}
			}
		}
		rest = rest[n:]
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	w.pending = w.pending[:0]
	return nil
}

const rowsPerInsert = 64

var artefactColumns = []string{"exhibit", "ref", "parent", "depth", "partition", "ord", "path", "name", "inode", "stream",
	"type", "size", "deleted", "mtime", "atime", "ctime", "btime", "mode", "offset", "mime", "mismatch",
	"md5", "sha1", "sha256", "known", "known_sets", "error", "extra"}

// insertSQL inserts (or replaces) n artefact rows.
func insertSQL(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(artefactColumns)), ", ") + ")"
	return "INSERT OR REPLACE INTO artefacts (" + strings.Join(artefactColumns, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// appendRow appends a's values in artefactColumns order.
func appendRow(args []any, a *Artefact) ([]any, error) {
	ord, err := refOrd(a.Ref)
	if err != nil {
		return nil, err
	}
	sets, err := json.Marshal(nonNil(a.KnownSets))
	if err != nil {
		return nil, err
	}
	extra, err := json.Marshal(outOfRange(a))
	if err != nil {
		return nil, err
	}
	return append(args, a.Exhibit, a.Ref, a.Parent, a.Depth, a.Partition, ord, a.Path, a.Name,
		int64(a.Inode), a.Stream, a.Type, a.Size, a.Deleted,
		nullTime(a.Modified), nullTime(a.Accessed), nullTime(a.Changed), nullTime(a.Born),
		a.Mode, a.Offset, a.MIME, a.Mismatch, a.MD5, a.SHA1, a.SHA256, a.Known, string(sets), a.Error, string(extra)), nil
}

// refOrd is the walk position a Ref starts with ("P/N...").
func refOrd(ref string) (int64, error) {
	parts := strings.SplitN(ref, "/", 3)
	if len(parts) < 2 {
		return 0, fmt.Errorf("bad artefact ref %q", ref)
	}
	return strconv.ParseInt(parts[1], 10, 64)
}

// State summarises an exhibit's catalogue so that the custody ledger can
// pin it: how many artefacts, how many with content hashes, their bytes,
// and a SHA-256 over every row's identity and hashes in Ref order. Two
// runs that catalogued the same things give the same State.
type State struct {
	Artefacts int64  `json:"artefacts"`
	Hashed    int64  `json:"hashed"`
	Bytes     int64  `json:"bytes"`
	Errors    int64  `json:"errors"`
	Digest    string `json:"digest"`
}

// State computes the exhibit's State.
func (d *DB) State(ctx context.Context, exhibit string) (State, error) {
	var s State
	rows, err := d.db.QueryContext(ctx, `SELECT ref, path, type, size, deleted, md5, sha1, sha256, error
		FROM artefacts WHERE exhibit = ? ORDER BY ref`, exhibit)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var ref, path, typ, md5, sha1, sum, errText string
		var size int64
		var deleted bool
		if err := rows.Scan(&ref, &path, &typ, &size, &deleted, &md5, &sha1, &sum, &errText); err != nil {
			return s, err
		}
		s.Artefacts++
		if sum != "" {
			s.Hashed++
			s.Bytes += size
		}
		if errText != "" {
			s.Errors++
		}
		fmt.Fprintf(h, "%q %q %s %d %t %s %s %s %q\n", ref, path, typ, size, deleted, md5, sha1, sum, errText)
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	s.Digest = hex.EncodeToString(h.Sum(nil))
	return s, nil
}

// Artefacts yields the artefacts that match q, in exhibit and Ref order.
func (d *DB) Artefacts(ctx context.Context, q Query) iter.Seq2[*Artefact, error] {
	return func(yield func(*Artefact, error) bool) {
		where, args := q.where()
		rows, err := d.db.QueryContext(ctx, `SELECT exhibit, ref, parent, depth, partition, path, name, inode, stream, type, size, deleted,
			mtime, atime, ctime, btime, mode, offset, mime, mismatch, md5, sha1, sha256, known, known_sets, error, extra
			FROM artefacts`+where+` ORDER BY exhibit, partition, ord, ref`, args...)
		if err != nil {
			yield(nil, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			a := new(Artefact)
			var inode int64
			var times [4]sql.NullInt64
			var sets, extra string
			if err := rows.Scan(&a.Exhibit, &a.Ref, &a.Parent, &a.Depth, &a.Partition, &a.Path, &a.Name, &inode, &a.Stream,
				&a.Type, &a.Size, &a.Deleted, &times[0], &times[1], &times[2], &times[3], &a.Mode, &a.Offset,
				&a.MIME, &a.Mismatch, &a.MD5, &a.SHA1, &a.SHA256, &a.Known, &sets, &a.Error, &extra); err != nil {
				yield(nil, err)
				return
			}
			a.Inode = uint64(inode)
			for i, p := range []*time.Time{&a.Modified, &a.Accessed, &a.Changed, &a.Born} {
				if times[i].Valid {
					*p = time.Unix(0, times[i].Int64).UTC()
				}
			}
			if err := json.Unmarshal([]byte(sets), &a.KnownSets); err != nil {
				yield(nil, fmt.Errorf("artefact %s %s: known sets: %w", a.Exhibit, a.Ref, err))
				return
			}
			if len(a.KnownSets) == 0 {
				a.KnownSets = nil
			}
			if err := json.Unmarshal([]byte(extra), &a.Extra); err != nil {
				yield(nil, fmt.Errorf("artefact %s %s: extra: %w", a.Exhibit, a.Ref, err))
				return
			}
			if !yield(a, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, err)
		}
	}
}

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// storable reports whether t fits int64 nanoseconds since 1970.
func storable(t time.Time) bool {
	y := t.UTC().Year()
	return !t.IsZero() && y >= 1678 && y <= 2261
}

func nullTime(t time.Time) any {
	if !storable(t) {
		return nil
	}
	return t.UnixNano()
}

// outOfRange returns a's Extra with the times that cannot be stored in
// a time column (a damaged NTFS time can lie in year 60056) added as text,
// so that nothing the reader found is dropped.
func outOfRange(a *Artefact) map[string]string {
	extra, cloned := a.Extra, false
	for name, t := range map[string]time.Time{"mtime": a.Modified, "atime": a.Accessed, "ctime": a.Changed, "btime": a.Born} {
		if t.IsZero() || storable(t) {
			continue
		}
		if !cloned {
			extra, cloned = maps.Clone(a.Extra), true
			if extra == nil {
				extra = map[string]string{}
			}
		}
		extra[name+"_out_of_range"] = t.UTC().String()
	}
	return extra
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
