package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pangolin-forensics/pangolin/cmd"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"pangolin": func() { os.Exit(cmd.Main(context.Background(), cmd.NewFactory(), os.Args[1:])) },
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PANGOLIN_HOME", env.WorkDir+"/home")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":   cmdStatus,
			"editline": cmdEditLine,
			"truncate": cmdTruncate,
			"dropline": cmdDropLine,
			"mkfile":   cmdMkfile,
			"flipbyte": cmdFlipByte,
			"perm":     cmdPerm,
		},
	})
}

// status N PROG ARGS... runs PROG and checks that it exits with status N.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("status: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// editline FILE N OLD NEW replaces the first OLD in line N (1-based) of FILE.
func cmdEditLine(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: editline FILE N OLD NEW")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	lines := bytes.SplitAfter(b, []byte("\n"))
	if n < 1 || n > len(lines) || !bytes.Contains(lines[n-1], []byte(args[2])) {
		ts.Fatalf("editline: line %d of %s has no %q", n, args[0], args[2])
	}
	lines[n-1] = bytes.Replace(lines[n-1], []byte(args[2]), []byte(args[3]), 1)
	ts.Check(os.WriteFile(path, bytes.Join(lines, nil), 0o644))
}

// truncate FILE N cuts the last N bytes off FILE.
func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: truncate FILE N")
	}
	path := ts.MkAbs(args[0])
	n, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	fi, err := os.Stat(path)
	ts.Check(err)
	ts.Check(os.Truncate(path, fi.Size()-n))
}

// dropline FILE removes the last line of FILE.
func cmdDropLine(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: dropline FILE")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	i := bytes.LastIndexByte(bytes.TrimSuffix(b, []byte("\n")), '\n')
	ts.Check(os.WriteFile(path, b[:i+1], 0o644))
}

// mkfile NAME SIZE SEED writes SIZE pseudo-random bytes, the first half
// random and the second half text, so that images compress partly.
func cmdMkfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: mkfile NAME SIZE SEED")
	}
	size, err := strconv.Atoi(args[1])
	ts.Check(err)
	seed, err := strconv.ParseUint(args[2], 10, 64)
	ts.Check(err)
	data := make([]byte, size)
	rand.NewChaCha8([32]byte{byte(seed)}).Read(data[:size/2])
	for i := size / 2; i < size; i++ {
		data[i] = "ivory rosewood pangolin scales\n"[i%31]
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}

// flipbyte FILE OFFSET inverts one byte of FILE.
func cmdFlipByte(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: flipbyte FILE OFFSET")
	}
	path := ts.MkAbs(args[0])
	off, err := strconv.Atoi(args[1])
	ts.Check(err)
	b, err := os.ReadFile(path)
	ts.Check(err)
	b[off] ^= 0xff
	ts.Check(os.WriteFile(path, b, 0o644))
}

// perm FILE MODE checks a file's permission bits (Unix only).
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if got := fmt.Sprintf("%04o", fi.Mode().Perm()); !strings.EqualFold(got, args[1]) {
		ts.Fatalf("%s has mode %s, want %s", args[0], got, args[1])
	}
}
