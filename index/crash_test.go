package index

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

const crashEnv = "PANGOLIN_INDEX_CRASH_CHILD"

// TestMain runs the indexing loop of TestCrash when the test binary is
// started as its child.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

const crashBatch = 50

// crashChild indexes batches until killed, printing the number of
// documents committed after each commit.
func crashChild(dir string) {
	ix, err := Open(dir)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	docs := genDocs(crashBatch*1000, 3)
	for i := 0; ; i++ {
		b := ix.NewBatch()
		for _, d := range docs[(i%1000)*crashBatch : (i%1000+1)*crashBatch] {
			d.Ref = fmt.Sprintf("%d/%s", i, d.Ref)
			b.Add(d)
		}
		if err := ix.Commit(context.Background(), b); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println((i + 1) * crashBatch)
	}
}

// TestCrash kills a process while it indexes (SIGKILL on Unix) and checks
// that the index opens, holds every batch committed before the kill, and
// holds whole batches only.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for round := range 3 {
		dir := filepath.Join(t.TempDir(), "index")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		committed := 0
		deadline := time.Now().Add(time.Duration(300+round*400) * time.Millisecond)
		for sc.Scan() {
			n, err := strconv.Atoi(sc.Text())
			if err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child: %s", sc.Text())
			}
			committed = n
			if time.Now().After(deadline) {
				break
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		ix, err := Open(dir)
		if err != nil {
			t.Fatalf("round %d: Open after kill: %v", round, err)
		}
		n, err := ix.Count()
		if err != nil {
			t.Fatal(err)
		}
		if n < uint64(committed) || n%crashBatch != 0 {
			t.Errorf("round %d: %d documents after kill; %d were committed, batches of %d", round, n, committed, crashBatch)
		}
		r, err := ix.Search(context.Background(), Query{Text: "ivory"})
		if err != nil {
			t.Fatal(err)
		}
		// A phrase finds what a scan of the committed documents finds:
		// those committed before the common words were chosen (marked)
		// and after (with pairs) alike.
		docs, phrase := genDocs(crashBatch*1000, 3), Term{Kind: TermPhrase, Text: "tonnes of ivory"}
		var want uint64
		for i := range int(n) {
			if bruteMatch(phrase, docs[i%len(docs)].Text) {
				want++
			}
		}
		rp, err := ix.Search(context.Background(), Query{Text: `"` + phrase.Text + `"`})
		if err != nil {
			t.Fatal(err)
		}
		if rp.Total != want || want == 0 {
			t.Errorf("round %d: %q: %d hits, scan %d", round, phrase.Text, rp.Total, want)
		}
		// And indexing goes on.
		b := ix.NewBatch()
		b.Add(Doc{Exhibit: "EX-9", Ref: "0/0", Text: "ivory after the crash"})
		if err := ix.Commit(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if r2, _ := ix.Search(context.Background(), Query{Text: "ivory"}); r2.Total != r.Total+1 {
			t.Errorf("round %d: %d then %d ivory hits", round, r.Total, r2.Total)
		}
		ix.Close()
		t.Logf("round %d: killed after %d committed, %d in the index", round, committed, n)
	}
}
