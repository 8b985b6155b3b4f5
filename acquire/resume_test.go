package acquire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// resumeAlgos are the algorithms of the resume tests: all that can be
// saved.
var resumeAlgos = []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256, hashing.SHA512}

// resumeBad are the unreadable sectors of the resume tests' source.
var resumeBad = []Range{sectors(5, 3), sectors(4000, 1), sectors(9000, 17)}

// faultyCopy opens the source at path with resumeBad's sectors failing.
func faultyCopy(t testing.TB, path string) *faultSource {
	src := newFaultSource(openSource(t, path))
	src.bad = resumeBad
	return src
}

// reference images path without interruption into dir and returns the
// result.
func reference(t *testing.T, path, dir string, split int64, opts Options) *Result {
	t.Helper()
	sink, err := NewRawSink(filepath.Join(dir, "img"), split)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Acquire(context.Background(), faultyCopy(t, path), sink, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// resume continues the acquisition saved in statePath.
func resume(t *testing.T, path, statePath string, opts Options) *Result {
	t.Helper()
	st, err := LoadState(statePath)
	if err != nil {
		t.Fatal(err)
	}
	sink, err := ResumeRawSink(st.Sink)
	if err != nil {
		t.Fatal(err)
	}
	opts.Resume, opts.StatePath = st, statePath
	res, err := Acquire(context.Background(), faultyCopy(t, path), sink, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(statePath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file left after completion: %v", err)
	}
	return res
}

// sameImage fails the test unless two acquisitions wrote the same files
// (by name and content) and found the same hashes and bad ranges.
func sameImage(t *testing.T, got, want *Result) {
	t.Helper()
	if !reflect.DeepEqual(got.Sums, want.Sums) {
		t.Errorf("sums %v, want %v", got.Sums, want.Sums)
	}
	if !reflect.DeepEqual(got.BadRanges, want.BadRanges) || got.BadBytes != want.BadBytes {
		t.Errorf("bad ranges %v, want %v", got.BadRanges, want.BadRanges)
	}
	if len(got.Segments) != len(want.Segments) {
		t.Fatalf("%d segments, want %d", len(got.Segments), len(want.Segments))
	}
	for i, g := range got.Segments {
		w := want.Segments[i]
		if filepath.Base(g.Path) != filepath.Base(w.Path) || g.Size != w.Size || g.SHA256 != w.SHA256 {
			t.Errorf("segment %d: %+v, want %+v", i, g, w)
		}
		gb, _ := os.ReadFile(g.Path)
		wb, _ := os.ReadFile(w.Path)
		if !bytes.Equal(gb, wb) {
			t.Errorf("segment %s differs", g.Path)
		}
	}
	if !got.Resumed || !got.Start.Before(got.End) {
		t.Errorf("resumed %v, start %v, end %v", got.Resumed, got.Start, got.End)
	}
}

// TestResumeAfterCancel interrupts acquisitions at several points, damages
// the output beyond the saved state as a crash would, resumes, and
// compares with an uninterrupted acquisition.
func TestResumeAfterCancel(t *testing.T) {
	path, data := makeSource(t, t.TempDir(), 5<<20+3*sector, 4)
	opts := Options{Algos: resumeAlgos, BlockSize: 64 << 10, CheckpointEvery: 256 << 10}
	for _, split := range []int64{0, 700 << 10} {
		want := reference(t, path, t.TempDir(), split, opts)
		for _, stopAt := range []int64{0, 64 << 10, 1 << 20, 2100 << 10, 5 << 20} {
			dir := t.TempDir()
			statePath := filepath.Join(dir, "acquisition.state")
			sink, err := NewRawSink(filepath.Join(dir, "img"), split)
			if err != nil {
				t.Fatal(err)
			}
			src := faultyCopy(t, path)
			ctx, cancel := context.WithCancel(context.Background())
			src.onRead = func(off int64) {
				if off >= stopAt {
					cancel()
				}
			}
			o := opts
			o.StatePath = statePath
			_, err = Acquire(ctx, src, sink, o)
			cancel()
			if !errors.Is(err, ErrInterrupted) {
				t.Fatalf("split %d, stop at %d: %v", split, stopAt, err)
			}
			// What a crash after the last save leaves: more bytes in the
			// current segment and a segment started after it.
			segs := sink.Segments()
			last := segs[len(segs)-1]
			f, err := os.OpenFile(last, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte("written after the last save"))
			f.Close()
			if split > 0 {
				next := filepath.Join(dir, fmt.Sprintf("img.%03d", len(segs)+1))
				os.WriteFile(next, []byte("started after the last save"), 0o644)
			}
			got := resume(t, path, statePath, opts)
			sameImage(t, got, want)
		}
	}
	checkUntouched(t, path, data)
}

// TestResumeRefused checks that a saved state is only used for the
// acquisition it belongs to.
func TestResumeRefused(t *testing.T) {
	path, _ := makeSource(t, t.TempDir(), 1<<20, 5)
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state")
	sink, err := NewRawSink(filepath.Join(dir, "img"), 0)
	if err != nil {
		t.Fatal(err)
	}
	src := faultyCopy(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	src.onRead = func(off int64) {
		if off >= 512<<10 {
			cancel()
		}
	}
	opts := Options{Algos: resumeAlgos, BlockSize: 64 << 10, StatePath: statePath}
	if _, err := Acquire(ctx, src, sink, opts); !errors.Is(err, ErrInterrupted) {
		t.Fatal(err)
	}
	st, err := LoadState(statePath)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := makeSource(t, t.TempDir(), 2<<20, 5)
	tests := []struct {
		name string
		src  string
		opts Options
	}{
		{"other size", other, Options{Algos: resumeAlgos}},
		{"other algorithms", path, Options{Algos: []hashing.Algo{hashing.MD5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Resume = st
			sink, err := ResumeRawSink(st.Sink)
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Close(nil)
			if _, err := Acquire(context.Background(), openSource(t, tt.src), sink, tt.opts); err == nil {
				t.Error("resumed")
			}
		})
	}
}

// killEnv names the folder of the acquisition the child process of
// TestResumeAfterKill runs until it is killed.
const killEnv = "PANGOLIN_ACQUIRE_KILL_DIR"

var killOpts = Options{Algos: resumeAlgos, BlockSize: 32 << 10, CheckpointEvery: 128 << 10}

const killSplit = 300000

// TestResumeAfterKillChild is the child process of TestResumeAfterKill.
func TestResumeAfterKillChild(t *testing.T) {
	dir := os.Getenv(killEnv)
	if dir == "" {
		t.Skip("run by TestResumeAfterKill")
	}
	sink, err := NewRawSink(filepath.Join(dir, "out", "img"), killSplit)
	if err != nil {
		t.Fatal(err)
	}
	src := faultyCopy(t, filepath.Join(dir, "seized.dd"))
	src.onRead = func(int64) { time.Sleep(3 * time.Millisecond) }
	o := killOpts
	o.StatePath = filepath.Join(dir, "acquisition.state")
	if _, err := Acquire(context.Background(), src, sink, o); err != nil {
		t.Fatal(err)
	}
}

// TestResumeAfterKill kills an acquisition with SIGKILL at a random point
// after its first save, resumes it, and compares with an uninterrupted
// acquisition.
func TestResumeAfterKill(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no SIGKILL")
	}
	if os.Getenv(killEnv) != "" {
		t.Skip("in the child")
	}
	dir := t.TempDir()
	path, data := makeSource(t, dir, 4<<20+7*sector, 6)
	want := reference(t, path, t.TempDir(), killSplit, killOpts)
	for round := range 2 {
		out := filepath.Join(dir, "out")
		statePath := filepath.Join(dir, "acquisition.state")
		os.RemoveAll(out)
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestResumeAfterKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killEnv+"="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			if _, err := os.Stat(statePath); err == nil {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal("no state saved")
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		cmd.Process.Kill()
		err := cmd.Wait()
		if err == nil {
			t.Logf("round %d: child finished before the kill", round)
			continue
		}
		st, lerr := LoadState(statePath)
		if lerr != nil {
			t.Fatal(lerr)
		}
		t.Logf("round %d: killed (%v) with %d of %d bytes saved", round, err, st.Offset, st.Size)
		got := resume(t, path, statePath, killOpts)
		sameImage(t, got, want)
	}
	checkUntouched(t, path, data)
}
