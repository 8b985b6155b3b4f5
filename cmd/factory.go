// Package cmd is pangolin's command line: one file per command group. Each
// command parses its flags, calls one library package and renders the
// result as text or, with --json, as JSON. No logic lives here beyond that.
package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
)

// Environment variables pangolin reads.
const (
	EnvHome       = "PANGOLIN_HOME"       // examiner identity folder
	EnvPassphrase = "PANGOLIN_PASSPHRASE" // passphrase for a protected key
)

// IOStreams are a command's standard streams. Tests use buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InTTY and ErrTTY say whether stdin and stderr are terminals.
	InTTY, ErrTTY bool
}

// SystemIO returns the process's own streams.
func SystemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY: term.IsTerminal(int(os.Stdin.Fd())), ErrTTY: term.IsTerminal(int(os.Stderr.Fd()))}
}

// Factory carries what every command needs: streams, global flags and the
// environment.
type Factory struct {
	IO *IOStreams
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
	Now    func() time.Time

	// Global flags.
	CaseDir string
	JSON    bool
	Quiet   bool
}

// NewFactory returns a factory on the process's streams and environment.
func NewFactory() *Factory {
	return &Factory{IO: SystemIO(), Getenv: os.Getenv, Now: time.Now}
}

// Home returns the examiner identity folder: $PANGOLIN_HOME, or pangolin in
// the user's config folder.
func (f *Factory) Home() (string, error) {
	if h := f.Getenv(EnvHome); h != "" {
		return h, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config folder (set %s): %w", EnvHome, err)
	}
	return filepath.Join(dir, "pangolin"), nil
}

// Identity loads the examiner's identity with its private key, asking for
// the passphrase if the key is protected.
func (f *Factory) Identity() (*chain.Identity, error) {
	home, err := f.Home()
	if err != nil {
		return nil, err
	}
	return chain.LoadIdentity(home, f.passphrase)
}

// passphrase returns $PANGOLIN_PASSPHRASE or asks on the terminal.
func (f *Factory) passphrase() ([]byte, error) {
	if p := f.Getenv(EnvPassphrase); p != "" {
		return []byte(p), nil
	}
	file, ok := f.IO.In.(*os.File)
	if !f.IO.InTTY || !ok {
		return nil, fmt.Errorf("examiner key is passphrase-protected: set %s or run on a terminal", EnvPassphrase)
	}
	fmt.Fprint(f.IO.ErrOut, "Passphrase for examiner key: ")
	p, err := term.ReadPassword(int(file.Fd()))
	fmt.Fprintln(f.IO.ErrOut)
	return p, err
}

// newPassphrase asks for a passphrase for a new key, twice; empty means
// none. Without a terminal it takes $PANGOLIN_PASSPHRASE or none.
func (f *Factory) newPassphrase() ([]byte, error) {
	if p := f.Getenv(EnvPassphrase); p != "" {
		return []byte(p), nil
	}
	file, ok := f.IO.In.(*os.File)
	if !f.IO.InTTY || !ok {
		return nil, nil
	}
	fmt.Fprint(f.IO.ErrOut, "Passphrase to protect the key (empty for none): ")
	p, err := term.ReadPassword(int(file.Fd()))
	fmt.Fprintln(f.IO.ErrOut)
	if err != nil || len(p) == 0 {
		return nil, err
	}
	fmt.Fprint(f.IO.ErrOut, "Same passphrase again: ")
	again, err := term.ReadPassword(int(file.Fd()))
	fmt.Fprintln(f.IO.ErrOut)
	if err != nil {
		return nil, err
	}
	if string(again) != string(p) {
		return nil, errors.New("the passphrases differ")
	}
	return p, nil
}

// Case opens the case named by --case, or the one around the working folder.
func (f *Factory) Case() (*catalog.Case, error) {
	dir := f.CaseDir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		if dir, err = catalog.Find(wd); err != nil {
			return nil, err
		}
	} else if _, err := os.Stat(filepath.Join(dir, catalog.CaseFile)); err != nil {
		return nil, fmt.Errorf("%s: no %s here: %w", dir, catalog.CaseFile, catalog.ErrNoCase)
	}
	return catalog.Open(dir)
}

// caseAndIdentity opens the case and loads the examiner who will sign
// what the command records.
func (f *Factory) caseAndIdentity() (*catalog.Case, *chain.Identity, error) {
	cs, err := f.Case()
	if err != nil {
		return nil, nil, err
	}
	id, err := f.Identity()
	if err != nil {
		return nil, nil, err
	}
	return cs, id, nil
}

// statusShown says whether status lines are shown.
func (f *Factory) statusShown() bool { return f.IO.ErrTTY && !f.Quiet && !f.JSON }

// status returns a function that shows a one-line status on stderr, at
// most ten times a second, when stderr is a terminal and neither --quiet
// nor --json is set, and a function that clears it. line is called only
// when the status is shown, with the time since the start.
func (f *Factory) status() (show func(line func(elapsed time.Duration) string), done func()) {
	if !f.statusShown() {
		return func(func(time.Duration) string) {}, func() {}
	}
	start := f.Now()
	var last time.Time
	return func(line func(time.Duration) string) {
			now := f.Now()
			if now.Sub(last) < 100*time.Millisecond {
				return
			}
			last = now
			fmt.Fprintf(f.IO.ErrOut, "\r\033[K%s", line(max(now.Sub(start), time.Millisecond)))
		}, func() {
			if !last.IsZero() {
				fmt.Fprint(f.IO.ErrOut, "\r\033[K")
			}
		}
}
