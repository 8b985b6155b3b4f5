package hashset

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"os"
	"path/filepath"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/sqliteuri"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// rds3URI returns the SQLite URI that opens the database at path read
// only and immutable: SQLite then takes no locks and creates no journal,
// WAL or shared-memory file beside it.
func rds3URI(path string) (string, error) {
	return sqliteuri.For(path, "mode=ro&immutable=1")
}

// parseRDS3 reads the sha256, sha1 and md5 columns of the FILE view of an
// NSRL RDSv3 database. Empty and NULL cells are skipped.
func parseRDS3(ctx context.Context, path string) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		label := filepath.Base(path)
		fail := func(err error) { yield(Record{}, fmt.Errorf("read RDSv3 database %s: %w", label, err)) }
		fi, err := os.Stat(path)
		if err != nil {
			fail(err)
			return
		}
		if !fi.Mode().IsRegular() {
			fail(fmt.Errorf("not a regular file"))
			return
		}
		uri, err := rds3URI(path)
		if err != nil {
			fail(err)
			return
		}
		db, err := sql.Open("sqlite", uri)
		if err != nil {
			fail(err)
			return
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		rows, err := db.QueryContext(ctx, "SELECT sha256, sha1, md5 FROM FILE")
		if err != nil {
			fail(err)
			return
		}
		defer rows.Close()
		algos := [3]hashing.Algo{hashing.SHA256, hashing.SHA1, hashing.MD5}
		var cells [3]sql.RawBytes
		var sum [64]byte
		for n := int64(1); rows.Next(); n++ {
			if n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
			}
			if err := rows.Scan(&cells[0], &cells[1], &cells[2]); err != nil {
				yield(Record{}, &ParseError{File: label + " FILE", Line: n, Row: true, Err: err})
				return
			}
			for i, c := range cells {
				if len(c) == 0 {
					continue
				}
				d, err := decodeHex(sum[:], c, algos[i])
				if err != nil {
					yield(Record{}, &ParseError{File: label + " FILE", Line: n, Row: true, Err: err})
					return
				}
				if !yield(Record{Algo: algos[i], Sum: d}, nil) {
					return
				}
			}
		}
		if err := rows.Err(); err != nil {
			fail(err)
		}
	}
}
