package catalog

import (
	"context"
	"database/sql"
	"errors"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/extract"
)

// extractSchema holds what the extractors read: one row per artefact and
// metadata source in extracted (typed columns for the questions asked most:
// when, which device, where), every field in fields, entities with where
// they were found, and the text the index is built from.
const extractSchema = `
CREATE TABLE IF NOT EXISTS extracted (
	exhibit TEXT NOT NULL, ref TEXT NOT NULL, seq INTEGER NOT NULL,
	format TEXT NOT NULL,
	created INTEGER, created_zone INTEGER, created_local INTEGER NOT NULL, modified INTEGER,
	make TEXT NOT NULL, model TEXT NOT NULL, serial TEXT NOT NULL,
	author TEXT NOT NULL, last_author TEXT NOT NULL,
	latitude REAL, longitude REAL, altitude REAL, gps_time INTEGER, direction REAL,
	gps_note TEXT NOT NULL,
	thumbnail BLOB,          -- an embedded preview (JPEG), when small
	PRIMARY KEY (exhibit, ref, seq)
);
CREATE INDEX IF NOT EXISTS extracted_geo ON extracted (latitude, longitude) WHERE latitude IS NOT NULL;
CREATE TABLE IF NOT EXISTS fields (
	exhibit TEXT NOT NULL, ref TEXT NOT NULL, seq INTEGER NOT NULL, n INTEGER NOT NULL,
	name TEXT NOT NULL, value TEXT NOT NULL,
	PRIMARY KEY (exhibit, ref, seq, n)
);
CREATE TABLE IF NOT EXISTS entities (
	exhibit TEXT NOT NULL, ref TEXT NOT NULL, n INTEGER NOT NULL,
	type TEXT NOT NULL, value TEXT NOT NULL, raw TEXT NOT NULL, offset INTEGER NOT NULL,
	PRIMARY KEY (exhibit, ref, n)
);
CREATE INDEX IF NOT EXISTS entities_value ON entities (type, value);
CREATE TABLE IF NOT EXISTS texts (
	exhibit TEXT NOT NULL, ref TEXT NOT NULL, text TEXT NOT NULL, error TEXT NOT NULL,
	PRIMARY KEY (exhibit, ref)
);
`

// stmt is one statement and its arguments, written with an artefact.
type stmt struct {
	sql  string
	args []any
}

// extraRows encodes what a's extractors found as statements.
func extraRows(a *Artefact) []stmt {
	var out []stmt
	for seq, m := range a.Meta {
		if m == nil {
			continue
		}
		var zone any // seconds east of UTC the time was recorded in
		if !m.Created.IsZero() && !m.CreatedLocal {
			_, off := m.Created.Zone()
			zone = off
		}
		row := []any{a.Exhibit, a.Ref, seq, m.Format, nullTime(m.Created), zone, m.CreatedLocal, nullTime(m.Modified),
			m.Make, m.Model, m.Serial, m.Author, m.LastAuthor}
		if g := m.GPS; g != nil {
			var alt, dir any
			if g.Altitude != nil {
				alt = *g.Altitude
			}
			if g.Direction != nil {
				dir = *g.Direction
			}
			row = append(row, g.Latitude, g.Longitude, alt, nullTime(g.Time), dir, g.Suspicious)
		} else {
			row = append(row, nil, nil, nil, nil, nil, "")
		}
		row = append(row, m.Thumbnail)
		out = append(out, stmt{`INSERT OR REPLACE INTO extracted (exhibit, ref, seq, format, created, created_zone, created_local, modified,
			make, model, serial, author, last_author, latitude, longitude, altitude, gps_time, direction, gps_note, thumbnail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, row})
		for n, f := range m.Fields {
			out = append(out, stmt{"INSERT OR REPLACE INTO fields VALUES (?, ?, ?, ?, ?, ?)", []any{a.Exhibit, a.Ref, seq, n, f.Name, f.Value}})
		}
	}
	for n, e := range a.Entities {
		out = append(out, stmt{"INSERT OR REPLACE INTO entities VALUES (?, ?, ?, ?, ?, ?, ?)", []any{a.Exhibit, a.Ref, n, e.Type, e.Value, e.Raw, e.Offset}})
	}
	if a.Text != "" || a.ExtractError != "" {
		out = append(out, stmt{"INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?)", []any{a.Exhibit, a.Ref, a.Text, a.ExtractError}})
	}
	return out
}

// Extracted is one metadata source of an artefact as the catalogue holds
// it.
type Extracted struct {
	Exhibit string `json:"exhibit"`
	Ref     string `json:"ref"`
	Path    string `json:"path"`
	SHA256  string `json:"sha256,omitempty"`
	extract.Metadata
}

// ExtractedQuery selects extracted metadata.
type ExtractedQuery struct {
	Exhibits []string
	Ref      string // one artefact's
	GPSOnly  bool   // only metadata with a position
	Fields   bool   // fill Metadata.Fields
}

// Extracted yields the extracted metadata that match q, in exhibit, Ref
// and source order.
func (d *DB) Extracted(ctx context.Context, q ExtractedQuery) iter.Seq2[*Extracted, error] {
	return func(yield func(*Extracted, error) bool) {
		where, args := " WHERE 1 = 1", []any(nil)
		if len(q.Exhibits) > 0 {
			where += " AND x.exhibit IN (" + placeholders(len(q.Exhibits)) + ")"
			args = append(args, anySlice(q.Exhibits)...)
		}
		if q.Ref != "" {
			where += " AND x.ref = ?"
			args = append(args, q.Ref)
		}
		if q.GPSOnly {
			where += " AND x.latitude IS NOT NULL"
		}
		rows, err := d.db.QueryContext(ctx, `SELECT x.exhibit, x.ref, x.seq, a.path, a.sha256, x.format, x.created, x.created_zone, x.created_local, x.modified,
			x.make, x.model, x.serial, x.author, x.last_author, x.latitude, x.longitude, x.altitude, x.gps_time, x.direction, x.gps_note, x.thumbnail
			FROM extracted x JOIN artefacts a ON a.exhibit = x.exhibit AND a.ref = x.ref`+where+` ORDER BY x.exhibit, a.partition, a.ord, x.ref, x.seq`, args...)
		if err != nil {
			yield(nil, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var x Extracted
			var seq int
			var created, zone, modified, gpsTime sql.NullInt64
			var lat, lon, alt, dir sql.NullFloat64
			var note string
			if err := rows.Scan(&x.Exhibit, &x.Ref, &seq, &x.Path, &x.SHA256, &x.Format, &created, &zone, &x.CreatedLocal, &modified,
				&x.Make, &x.Model, &x.Serial, &x.Author, &x.LastAuthor, &lat, &lon, &alt, &gpsTime, &dir, &note, &x.Thumbnail); err != nil {
				yield(nil, err)
				return
			}
			x.Created, x.Modified = fromNull(created), fromNull(modified)
			if zone.Valid && !x.Created.IsZero() {
				x.Created = x.Created.In(time.FixedZone("", int(zone.Int64)))
			}
			if lat.Valid && lon.Valid {
				x.GPS = &extract.GPS{Latitude: lat.Float64, Longitude: lon.Float64, Time: fromNull(gpsTime), Suspicious: note}
				if alt.Valid {
					x.GPS.Altitude = &alt.Float64
				}
				if dir.Valid {
					x.GPS.Direction = &dir.Float64
				}
			}
			if q.Fields {
				if x.Fields, err = d.fields(ctx, x.Exhibit, x.Ref, seq); err != nil {
					yield(nil, err)
					return
				}
			}
			if !yield(&x, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, err)
		}
	}
}

func (d *DB) fields(ctx context.Context, exhibit, ref string, seq int) ([]extract.Field, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT name, value FROM fields WHERE exhibit = ? AND ref = ? AND seq = ? ORDER BY n", exhibit, ref, seq)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []extract.Field
	for rows.Next() {
		var f extract.Field
		if err := rows.Scan(&f.Name, &f.Value); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Found is an entity and the artefact it was found in.
type Found struct {
	Exhibit string `json:"exhibit"`
	Ref     string `json:"ref"`
	Path    string `json:"path"`
	extract.Entity
}

// Entities yields the entities of the given types (all when none) in the
// given exhibits (all when none), by type, value, exhibit and Ref.
func (d *DB) Entities(ctx context.Context, types, exhibits []string) iter.Seq2[*Found, error] {
	return d.entities(ctx, types, exhibits, "")
}

// EntitiesOf yields the entities found in one artefact, by type and value.
func (d *DB) EntitiesOf(ctx context.Context, exhibit, ref string) iter.Seq2[*Found, error] {
	return d.entities(ctx, nil, []string{exhibit}, ref)
}

// entities is Entities, of one Ref when ref is set.
func (d *DB) entities(ctx context.Context, types, exhibits []string, ref string) iter.Seq2[*Found, error] {
	return func(yield func(*Found, error) bool) {
		where, args := " WHERE 1 = 1", []any(nil)
		if ref != "" {
			where += " AND e.ref = ?"
			args = append(args, ref)
		}
		if len(types) > 0 {
			where += " AND e.type IN (" + placeholders(len(types)) + ")"
			args = append(args, anySlice(types)...)
		}
		if len(exhibits) > 0 {
			where += " AND e.exhibit IN (" + placeholders(len(exhibits)) + ")"
			args = append(args, anySlice(exhibits)...)
		}
		rows, err := d.db.QueryContext(ctx, `SELECT e.exhibit, e.ref, a.path, e.type, e.value, e.raw, e.offset
			FROM entities e JOIN artefacts a ON a.exhibit = e.exhibit AND a.ref = e.ref`+where+
			` ORDER BY e.type, e.value, e.exhibit, a.partition, a.ord, e.ref, e.n`, args...)
		if err != nil {
			yield(nil, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var f Found
			if err := rows.Scan(&f.Exhibit, &f.Ref, &f.Path, &f.Type, &f.Value, &f.Raw, &f.Offset); err != nil {
				yield(nil, err)
				return
			}
			if !yield(&f, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// Link is a value found in more than one exhibit: an entity (phone, email,
// wallet...) or a content hash ("sha256").
type Link struct {
	Type     string   `json:"type"`
	Value    string   `json:"value"`
	Exhibits []string `json:"exhibits"`
	// Count is the number of artefacts it was found in.
	Count int64 `json:"count"`
}

// Links lists the entities, and the SHA-256 of the contents of the given
// MIME type prefix (images: "image/"; "" for no hashes), that occur in
// more than one exhibit, most widespread first.
func (d *DB) Links(ctx context.Context, hashMIME string) ([]Link, error) {
	q := `SELECT type, value, group_concat(DISTINCT exhibit), count(*) FROM (
			SELECT type, value, exhibit FROM entities`
	var args []any
	if hashMIME != "" {
		q += ` UNION ALL SELECT 'sha256', sha256, exhibit FROM artefacts WHERE sha256 <> '' AND size > 0 AND mime GLOB ?`
		args = append(args, hashMIME+"*")
	}
	q += `) GROUP BY type, value HAVING count(DISTINCT exhibit) > 1 ORDER BY count(DISTINCT exhibit) DESC, type, value`
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		var exs string
		if err := rows.Scan(&l.Type, &l.Value, &exs, &l.Count); err != nil {
			return nil, err
		}
		l.Exhibits = splitSorted(exs)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Text returns an artefact's extracted text and the extraction error, if
// any; sql.ErrNoRows when nothing was extracted.
func (d *DB) Text(ctx context.Context, exhibit, ref string) (text, extractErr string, err error) {
	err = d.db.QueryRowContext(ctx, "SELECT text, error FROM texts WHERE exhibit = ? AND ref = ?", exhibit, ref).Scan(&text, &extractErr)
	return text, extractErr, err
}

func fromNull(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

func placeholders(n int) string {
	b := make([]byte, 0, 3*n)
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '?')
	}
	return string(b)
}

// splitSorted splits SQLite's group_concat output and sorts it.
func splitSorted(s string) []string {
	out := strings.Split(s, ",")
	slices.Sort(out)
	return out
}

// Indexable is everything the catalogue knows of an artefact that a
// search index holds: the row, its metadata, text, entities and tags.
type Indexable struct {
	*Artefact
	Tags []string
}

// Indexables yields the exhibit's artefacts (or the one of the given Ref)
// with their metadata, text, entities and tags, in Ref order, for the
// search index. Text is read one
// artefact at a time, so memory does not grow with the exhibit.
func (d *DB) Indexables(ctx context.Context, exhibit, ref string) iter.Seq2[*Indexable, error] {
	return func(yield func(*Indexable, error) bool) {
		// Collect the small per-artefact facts first, by ref: metadata
		// and entities of an exhibit fit in memory where texts may not.
		meta := map[string][]*extract.Metadata{}
		for x, err := range d.Extracted(ctx, ExtractedQuery{Exhibits: []string{exhibit}, Ref: ref}) {
			if err != nil {
				yield(nil, err)
				return
			}
			m := x.Metadata
			meta[x.Ref] = append(meta[x.Ref], &m)
		}
		ents := map[string][]extract.Entity{}
		for f, err := range d.EntitiesOf(ctx, exhibit, ref) {
			if err != nil {
				yield(nil, err)
				return
			}
			ents[f.Ref] = append(ents[f.Ref], f.Entity)
		}
		tags := map[string][]string{}
		for t, err := range d.Tags(ctx, nil) {
			if err != nil {
				yield(nil, err)
				return
			}
			if t.Exhibit == exhibit && (ref == "" || t.Ref == ref) {
				tags[t.Ref] = append(tags[t.Ref], t.Tag)
			}
		}
		for a, err := range d.Artefacts(ctx, Query{Exhibits: []string{exhibit}, Ref: ref}) {
			if err != nil {
				yield(nil, err)
				return
			}
			a.Meta, a.Entities = meta[a.Ref], ents[a.Ref]
			if text, _, err := d.Text(ctx, exhibit, a.Ref); err == nil {
				a.Text = text
			} else if !errors.Is(err, sql.ErrNoRows) {
				yield(nil, err)
				return
			}
			if !yield(&Indexable{Artefact: a, Tags: tags[a.Ref]}, nil) {
				return
			}
		}
	}
}
