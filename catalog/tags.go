package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
)

// tagSchema holds the examiners' tags and notes on artefacts.
const tagSchema = `
CREATE TABLE IF NOT EXISTS tags (
	exhibit TEXT NOT NULL, ref TEXT NOT NULL, tag TEXT NOT NULL,
	note TEXT NOT NULL, examiner TEXT NOT NULL, time INTEGER NOT NULL,
	PRIMARY KEY (exhibit, ref, tag)
);
CREATE INDEX IF NOT EXISTS tags_tag ON tags (tag);
CREATE TABLE IF NOT EXISTS indexed (
	exhibit TEXT PRIMARY KEY,
	run INTEGER NOT NULL,   -- the processing run whose catalogue is in the index
	docs INTEGER NOT NULL
);
`

// Tag is an examiner's label on an artefact, with an optional note.
type Tag struct {
	Exhibit  string    `json:"exhibit"`
	Ref      string    `json:"ref"`
	Path     string    `json:"path"`
	SHA256   string    `json:"sha256,omitempty"`
	Tag      string    `json:"tag"`
	Note     string    `json:"note,omitempty"`
	Examiner string    `json:"examiner"`
	Time     time.Time `json:"time"`
}

// ErrNoArtefact is returned for an artefact id the catalogue does not hold.
var ErrNoArtefact = errors.New("no such artefact in the catalogue")

// ParseID splits an artefact id, "EXHIBIT/REF" ("EX-001/0/1234").
func ParseID(id string) (exhibit, ref string, err error) {
	exhibit, ref, ok := strings.Cut(id, "/")
	if !ok || exhibit == "" || ref == "" {
		return "", "", fmt.Errorf("artefact id %q: want EXHIBIT/PARTITION/N, as search and export list them", id)
	}
	return exhibit, ref, nil
}

// Artefact returns one artefact.
func (d *DB) Artefact(ctx context.Context, exhibit, ref string) (*Artefact, error) {
	for a, err := range d.Artefacts(ctx, Query{Exhibits: []string{exhibit}, Ref: ref}) {
		return a, err
	}
	return nil, fmt.Errorf("%s/%s: %w", exhibit, ref, ErrNoArtefact)
}

// SetTag tags an artefact (replacing the same tag's note), or removes the
// tag when remove is set.
func (d *DB) SetTag(ctx context.Context, t Tag, remove bool) error {
	if _, err := d.Artefact(ctx, t.Exhibit, t.Ref); err != nil {
		return err
	}
	if remove {
		res, err := d.db.ExecContext(ctx, "DELETE FROM tags WHERE exhibit = ? AND ref = ? AND tag = ?", t.Exhibit, t.Ref, t.Tag)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s/%s has no tag %q", t.Exhibit, t.Ref, t.Tag)
		}
		return nil
	}
	_, err := d.db.ExecContext(ctx, "INSERT OR REPLACE INTO tags VALUES (?, ?, ?, ?, ?, ?)",
		t.Exhibit, t.Ref, t.Tag, t.Note, t.Examiner, t.Time.UnixNano())
	return err
}

// Tags yields the tags (all, or those named), by tag, exhibit and Ref.
func (d *DB) Tags(ctx context.Context, names []string) iter.Seq2[*Tag, error] {
	return func(yield func(*Tag, error) bool) {
		where, args := "", []any(nil)
		if len(names) > 0 {
			where = " WHERE t.tag IN (" + placeholders(len(names)) + ")"
			args = anySlice(names)
		}
		rows, err := d.db.QueryContext(ctx, `SELECT t.exhibit, t.ref, a.path, a.sha256, t.tag, t.note, t.examiner, t.time
			FROM tags t JOIN artefacts a ON a.exhibit = t.exhibit AND a.ref = t.ref`+where+
			` ORDER BY t.tag, t.exhibit, a.partition, a.ord, t.ref`, args...)
		if err != nil {
			yield(nil, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var t Tag
			var ns int64
			if err := rows.Scan(&t.Exhibit, &t.Ref, &t.Path, &t.SHA256, &t.Tag, &t.Note, &t.Examiner, &ns); err != nil {
				yield(nil, err)
				return
			}
			t.Time = time.Unix(0, ns).UTC()
			if !yield(&t, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// TagsOf returns an artefact's tag names.
func (d *DB) TagsOf(ctx context.Context, exhibit, ref string) ([]string, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT tag FROM tags WHERE exhibit = ? AND ref = ? ORDER BY tag", exhibit, ref)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// IndexedRun returns the processing run whose catalogue of the exhibit
// the search index holds in full (0 when none).
func (d *DB) IndexedRun(ctx context.Context, exhibit string) (int64, error) {
	var run int64
	err := d.db.QueryRowContext(ctx, "SELECT run FROM indexed WHERE exhibit = ?", exhibit).Scan(&run)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return run, err
}

// SetIndexed records that the index holds the exhibit's catalogue as of a
// run; run 0 forgets the exhibit (every exhibit when exhibit is ""), for
// an index rebuilt from nothing.
func (d *DB) SetIndexed(ctx context.Context, exhibit string, run, docs int64) error {
	if run == 0 {
		_, err := d.db.ExecContext(ctx, "DELETE FROM indexed WHERE exhibit = ? OR ? = ''", exhibit, exhibit)
		return err
	}
	_, err := d.db.ExecContext(ctx, "INSERT OR REPLACE INTO indexed VALUES (?, ?, ?)", exhibit, run, docs)
	return err
}

// LastRun returns the id of the exhibit's last completed processing run
// (0 when none).
func (d *DB) LastRun(ctx context.Context, exhibit string) (int64, error) {
	var run sql.NullInt64
	err := d.db.QueryRowContext(ctx, "SELECT max(id) FROM runs WHERE exhibit = ? AND status = ?", exhibit, StatusDone).Scan(&run)
	return run.Int64, err
}
