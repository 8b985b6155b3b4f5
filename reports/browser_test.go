package reports

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/internal/testtool"
)

// headless runs the browser on a local file with the given flags and
// returns what it printed.
func headless(t *testing.T, browser, page string, flags ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=3000"}, flags...)
	cmd := exec.CommandContext(ctx, browser, append(args, "file://"+page)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, errOut.String())
	}
	return out.String()
}

// countPixels decodes a PNG file and counts the pixels, on a grid of the
// given step, for which is holds.
func countPixels(t *testing.T, path string, step int, is func(r, g, b uint32) bool) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	n := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y += step {
		for x := bd.Min.X; x < bd.Max.X; x += step {
			if r, g, b, _ := img.At(x, y).RGBA(); is(r, g, b) {
				n++
			}
		}
	}
	return n
}

// TestBrowserRunsNoScript opens the HTML findings report of a case whose
// evidence holds a file named <img src=x onerror=alert(1)>.jpg and a photo
// whose EXIF Artist is a <script>, in headless Chromium: the page's title
// and DOM are as written (no script ran, no handler fired), while the same
// browser does run a control page's script, so the check can fail. It also
// screenshots the page with the map.
func TestBrowserRunsNoScript(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("headless browser test runs on Unix")
	}
	browser := testtool.Need(t, "chromium", "chromium-browser", "google-chrome")
	dir := t.TempDir()

	control := filepath.Join(dir, "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><html><head><title>control</title></head><body><img src=x onerror="document.body.setAttribute('data-pwned','1')"><script>document.title='pwned'</script></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := headless(t, browser, control, "--dump-dom")
	if !strings.Contains(dom, "<title>pwned</title>") || !strings.Contains(dom, `data-pwned="1"`) {
		t.Fatalf("the control page's script did not run, so this test could not see one:\n%s", dom)
	}

	tc := newTestCase(t)
	r, err := BuildFindings(context.Background(), tc.db, tc.options())
	if err != nil {
		t.Fatal(err)
	}
	page, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "findings.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	dom = headless(t, browser, path, "--dump-dom")
	if !strings.Contains(dom, "<title>Findings report — OP-TEST</title>") {
		t.Errorf("the page title changed: a script ran\n%.2000s", dom)
	}
	if strings.Contains(dom, `data-pwned="1"`) || strings.Contains(dom, "pwned</title>") {
		t.Error("evidence text ran as script")
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;.jpg", "&lt;script&gt;document.title='pwned'&lt;/script&gt;"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page does not show %q as text", want)
		}
	}

	shot := filepath.Join(dir, "map.png")
	headless(t, browser, path, "--screenshot="+shot, "--window-size=1000,1400", "--hide-scrollbars")
	// The map's land is drawn in colour: count pixels that are neither
	// white nor grey.
	coloured := countPixels(t, shot, 2, func(r, g, b uint32) bool { return max(r, g, b)-min(r, g, b) > 0x2000 })
	if coloured < 500 {
		t.Errorf("screenshot has %d coloured pixels: no map drawn?", coloured)
	}
}
