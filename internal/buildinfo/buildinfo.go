// Package buildinfo says which pangolin build is running: version, commit,
// Go version and platform, for the ledger and `pangolin version`.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Version and Commit are set at link time by the Makefile
// (-X github.com/pangolin-forensics/pangolin/internal/buildinfo.Version=…);
// otherwise they come from the module and VCS data Go embeds.
var (
	Version = ""
	Commit  = ""
)

// Info describes the running binary.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
	OS      string `json:"os"`
}

// Get returns the running binary's build facts.
func Get() Info {
	in := Info{Version: Version, Commit: Commit, Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if in.Version == "" && bi.Main.Version != "" {
			in.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && in.Commit == "" {
				in.Commit = s.Value
			}
		}
	}
	if in.Version == "" {
		in.Version = "(devel)"
	}
	if in.Commit == "" {
		in.Commit = "unknown"
	}
	return in
}
