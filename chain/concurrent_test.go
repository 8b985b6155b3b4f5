package chain

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

const (
	envHelperDir  = "PANGOLIN_TEST_LEDGER_DIR"
	envHelperHome = "PANGOLIN_TEST_LEDGER_HOME"
	envHelperN    = "PANGOLIN_TEST_LEDGER_N"
)

// TestAppendHelper is not a test: TestConcurrentProcesses runs the test
// binary with it selected to append from another process.
func TestAppendHelper(t *testing.T) {
	dir := os.Getenv(envHelperDir)
	if dir == "" {
		t.Skip("helper process only")
	}
	id, err := LoadIdentity(os.Getenv(envHelperHome), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(os.Getenv(envHelperN))
	l, err := Open(dir, "OP-THUNDER")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, _, err := l.Append(context.Background(), id, Entry{Action: ActionNote, Note: fmt.Sprintf("pid %d note %d", os.Getpid(), i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConcurrentProcesses runs 8 processes appending 50 entries each at
// once; the file lock must keep every entry and the ledger must verify.
func TestConcurrentProcesses(t *testing.T) {
	const procs, each = 8, 50
	home, dir := t.TempDir(), t.TempDir()
	id := newIdentity(t, "JD-123", "Jane Doe")
	if err := SaveIdentity(home, id, nil, false); err != nil {
		t.Fatal(err)
	}
	l, err := Open(dir, "OP-THUNDER")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Append(context.Background(), id, Entry{Action: ActionCaseInit}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, procs)
	out := make([][]byte, procs)
	start := time.Now()
	for p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestAppendHelper$", "-test.count=1")
			cmd.Env = append(os.Environ(), envHelperDir+"="+dir, envHelperHome+"="+home, envHelperN+"="+strconv.Itoa(each))
			out[p], errs[p] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for p, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v\n%s", p, err, out[p])
		}
	}
	t.Logf("%d processes appended %d entries in %v", procs, procs*each, time.Since(start))
	rep, err := l.Verify(context.Background(), VerifyOptions{Roster: []Actor{id.Actor}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Entries != procs*each+1 || rep.Checkpoints != procs*each+1 {
		t.Fatalf("after concurrent appends: ok=%v entries=%d checkpoints=%d %v", rep.OK, rep.Entries, rep.Checkpoints, rep.Problems)
	}
}
