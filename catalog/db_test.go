package catalog

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := OpenDB(context.Background(), filepath.Join(t.TempDir(), DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sampleArtefacts() []*Artefact {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)
	return []*Artefact{
		{Exhibit: "EX-1", Ref: "0/0", Partition: 0, Path: "/DCIM", Name: "DCIM", Inode: 3, Type: "dir", Modified: t0},
		{Exhibit: "EX-1", Ref: "0/1", Partition: 0, Path: "/DCIM/IMG_0001.JPG", Name: "IMG_0001.JPG", Inode: 5, Type: "file",
			Size: 2048, Modified: t0, Accessed: t0.Add(time.Hour), Changed: t0.Add(2 * time.Hour), Born: t0.Add(-time.Hour),
			Mode: 0o644, Offset: 4096, MIME: "image/jpeg", MD5: strings.Repeat("a", 32), SHA1: strings.Repeat("b", 40),
			SHA256: strings.Repeat("c", 64), Known: "known-bad", KnownSets: []string{"ivory", "scales"}, Extra: map[string]string{"short_name": "IMG_0001.JPG"}},
		{Exhibit: "EX-1", Ref: "0/2", Partition: 0, Path: "/notes.txt", Name: "notes.txt", Inode: 6, Type: "file", Size: 10, Deleted: true,
			Error: "clusters reallocated", Modified: time.Date(60056, 5, 28, 5, 36, 10, 0, time.UTC)},
		{Exhibit: "EX-1", Ref: "0/3", Partition: 0, Path: "/a.zip", Name: "a.zip", Type: "file", Size: 300, MIME: "application/zip",
			SHA256: strings.Repeat("d", 64)},
		{Exhibit: "EX-1", Ref: "0/3/0", Parent: "0/3", Depth: 1, Partition: 0, Path: "/x.jpg", Name: "x.jpg", Type: "file", Size: 100,
			MIME: "application/pdf", Mismatch: true, SHA256: strings.Repeat("e", 64)},
		{Exhibit: "EX-2", Ref: "1/0", Partition: 1, Path: "/y", Name: "y", Type: "file", Size: 1 << 20, SHA256: strings.Repeat("f", 64)},
	}
}

func putAll(t *testing.T, db *DB, arts []*Artefact) {
	t.Helper()
	w := db.NewWriter(2)
	for _, a := range arts {
		if err := w.Put(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func collect(t *testing.T, db *DB, q Query) []*Artefact {
	t.Helper()
	var out []*Artefact
	for a, err := range db.Artefacts(context.Background(), q) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	db := openTestDB(t)
	arts := sampleArtefacts()
	putAll(t, db, arts)
	putAll(t, db, arts) // idempotent: same refs replace
	got := collect(t, db, Query{})
	if len(got) != len(arts) {
		t.Fatalf("%d rows, want %d", len(got), len(arts))
	}
	for i, a := range arts {
		want := *a
		if i == 2 { // the year-60056 time is kept as text, not as a time
			want.Modified = time.Time{}
			want.Extra = map[string]string{"mtime_out_of_range": a.Modified.String()}
		}
		if !reflect.DeepEqual(got[i], &want) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, got[i], &want)
		}
	}
}

func TestQuery(t *testing.T) {
	db := openTestDB(t)
	putAll(t, db, sampleArtefacts())
	for _, tc := range []struct {
		q    string
		refs string
	}{
		{"", "0/0 0/1 0/2 0/3 0/3/0 1/0"},
		{"exhibit:EX-2", "1/0"},
		{"exhibit:EX-2 exhibit:EX-1 type:dir", "0/0"},
		{"*.jpg", "0/1 0/3/0"},
		{"ext:.JPG", "0/1 0/3/0"},
		{"path:/dcim/*", "0/1"},
		{"mime:image/*", "0/1"},
		{"deleted:yes", "0/2"},
		{"known:known-bad", "0/1"},
		{"known:none type:file", "0/2 0/3 0/3/0 1/0"},
		{"mismatch:yes", "0/3/0"},
		{"hash:" + strings.Repeat("A", 32), "0/1"},
		{"hash:" + strings.Repeat("e", 64), "0/3/0"},
		{"size:>1k", "0/1 1/0"},
		{"size:<100 type:file", "0/2"},
		{"size:300", "0/3"},
		{"content:yes size:<1M", "0/1 0/3 0/3/0"},
	} {
		t.Run(tc.q, func(t *testing.T) {
			q, err := ParseQuery(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var refs []string
			for _, a := range collect(t, db, q) {
				refs = append(refs, a.Ref)
			}
			if got := strings.Join(refs, " "); got != tc.refs {
				t.Errorf("got %q, want %q", got, tc.refs)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, q := range []string{"colour:red", "deleted:maybe", "hash:abc", "hash:" + strings.Repeat("g", 32), "size:>x", "size:<0", "type:pipe", "known:bad", "path:"} {
		t.Run(q, func(t *testing.T) {
			if _, err := ParseQuery(q); err == nil {
				t.Errorf("ParseQuery(%q) accepted", q)
			}
		})
	}
}

func TestDoneAndState(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	arts := sampleArtefacts()
	putAll(t, db, arts[:3])
	done, err := db.Done(ctx, "EX-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < 200; i++ {
		if done.Has(i) != (i < 3) {
			t.Errorf("Done.Has(%d) = %v", i, done.Has(i))
		}
	}
	putAll(t, db, arts[3:])
	s1, err := db.State(ctx, "EX-1")
	if err != nil {
		t.Fatal(err)
	}
	if s1.Artefacts != 5 || s1.Hashed != 3 || s1.Errors != 1 || s1.Bytes != 2048+300+100 {
		t.Errorf("state %+v", s1)
	}
	// Another database filled in another order has the same state.
	db2 := openTestDB(t)
	for i := len(arts) - 1; i >= 0; i-- {
		putAll(t, db2, arts[i:i+1])
	}
	s2, err := db2.State(ctx, "EX-1")
	if err != nil {
		t.Fatal(err)
	}
	if s1 != s2 {
		t.Errorf("state differs by insertion order: %+v vs %+v", s1, s2)
	}
	// Changing a hash changes the digest.
	changed := *arts[1]
	changed.SHA256 = strings.Repeat("0", 64)
	putAll(t, db2, []*Artefact{&changed})
	if s3, _ := db2.State(ctx, "EX-1"); s3.Digest == s1.Digest {
		t.Error("digest did not change with a hash")
	}
	if err := db.Forget(ctx, "EX-1"); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, db, Query{}); len(got) != 1 || got[0].Exhibit != "EX-2" {
		t.Errorf("after Forget: %d rows", len(got))
	}
}

func TestExhibitsRunsVolumes(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	if _, err := db.Exhibit(ctx, "EX-1"); err == nil {
		t.Fatal("unknown exhibit found")
	}
	ex := Exhibit{ID: "EX-1", Source: "evidence/EX-1/EX-1.E01", Identity: "1024 abc", Tool: "v1", Status: StatusRunning}
	if err := db.SetExhibit(ctx, ex); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Exhibit(ctx, "EX-1"); err != nil || *got != ex {
		t.Fatalf("Exhibit = %+v, %v", got, err)
	}
	id, err := db.StartRun(ctx, "EX-1", "v1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, Run{ID: id, Finished: time.Now(), Status: StatusDone, Files: 3}); err != nil {
		t.Fatal(err)
	}
	v := Volume{Exhibit: "EX-1", Partition: 1, Scheme: "mbr", Start: 1 << 20, Length: 1 << 30, Type: "0x0c", Description: "Win95 FAT32 (0x0c)", FS: "fat32", Anomalies: []string{"loop"}}
	if err := db.PutVolume(ctx, v); err != nil {
		t.Fatal(err)
	}
	vs, err := db.Volumes(ctx, "EX-1")
	if err != nil || len(vs) != 1 || !reflect.DeepEqual(vs[0], v) {
		t.Fatalf("Volumes = %+v, %v", vs, err)
	}
	// Reopening keeps everything and does not recreate the schema.
	db.Close()
	db2, err := OpenDB(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if exs, err := db2.Exhibits(ctx); err != nil || len(exs) != 1 {
		t.Fatalf("Exhibits after reopen = %v, %v", exs, err)
	}
	if _, err := db2.db.Exec("UPDATE meta SET value = '99' WHERE key = 'schema'"); err != nil {
		t.Fatal(err)
	}
	db2.Close()
	if _, err := OpenDB(ctx, db.Path()); err == nil || !strings.Contains(err.Error(), "schema version") {
		t.Errorf("newer schema accepted: %v", err)
	}
}
