package media

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// exiftoolExceptions explains where exiftool reads the hand-built files of
// videoCases differently, by case name and check. None are known.
var exiftoolExceptions = map[[2]string]string{}

// TestExiftool writes the hand-built files of videoCases to a temporary
// folder and compares what Video reads with exiftool -n, when exiftool is
// installed: an outside check of the ISO 6709, 'loci', Keys and user data
// decoding on positions the corpus lacks.
func TestExiftool(t *testing.T) {
	exe, err := exec.LookPath("exiftool")
	if err != nil {
		t.Skip("exiftool not installed")
	}
	dir := t.TempDir()
	cases := videoCases()
	args := []string{"-n", "-json"}
	for i, tc := range cases {
		name := filepath.Join(dir, fmt.Sprintf("case%02d.mov", i))
		if err := os.WriteFile(name, tc.file, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, name)
	}
	out, err := exec.Command(exe, args...).Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("exiftool: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var list []map[string]any
	if err := dec.Decode(&list); err != nil {
		t.Fatalf("exiftool output: %v", err)
	}
	bySource := map[string]map[string]any{}
	for _, o := range list {
		s, _ := o["SourceFile"].(string)
		bySource[filepath.Base(s)] = o
	}
	agreed := 0
	for i, tc := range cases {
		o := bySource[fmt.Sprintf("case%02d.mov", i)]
		if o == nil {
			t.Errorf("%s: exiftool gave no output", tc.name)
			continue
		}
		md, err := Video(bytes.NewReader(tc.file), int64(len(tc.file)))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		// exiftool prints 'loci' positions with 5 decimals.
		tol := 1e-7
		if _, ok := fieldValue(md, "LocationInformation"); ok {
			tol = 5e-6
		}
		if testing.Verbose() {
			t.Logf("%s: exiftool GPS %v %v %v ref %v, CreateDate %v, Make %v, Model %v", tc.name,
				o["GPSLatitude"], o["GPSLongitude"], o["GPSAltitude"], o["GPSAltitudeRef"], o["CreateDate"], o["Make"], o["Model"])
		}
		diffs := compareOracle(md, o, tol)
		for _, check := range oracleChecks {
			d, bad := diffs[check]
			reason, explained := exiftoolExceptions[[2]string{tc.name, check}]
			switch {
			case bad && explained:
				t.Logf("%s: %s: explained: %s (%s)", tc.name, check, d, reason)
			case bad:
				t.Errorf("%s: %s: %s", tc.name, check, d)
			case explained:
				t.Errorf("%s: %s agrees with exiftool now; remove its exception", tc.name, check)
			default:
				agreed++
			}
		}
	}
	t.Logf("%d files, %d checks agreed with exiftool", len(cases), agreed)
}
