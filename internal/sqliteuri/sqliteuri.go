// Package sqliteuri builds the file: URIs through which pangolin opens
// SQLite databases with the pure-Go driver modernc.org/sqlite, so that
// paths with spaces, '?' or '#', and Windows drive letters, name the file
// they should.
package sqliteuri

import (
	"net/url"
	"path/filepath"
)

// For returns the URI of the database at path with the given query
// (parameters such as "mode=ro&immutable=1" or "_pragma=..." ones).
func For(path, query string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	p := filepath.ToSlash(abs)
	if p[0] != '/' {
		p = "/" + p // a Windows drive letter
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: query}
	return u.String(), nil
}
