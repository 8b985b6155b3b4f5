package chain

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Actions recorded by pangolin itself. Other packages may record further
// actions (acquire, verify, process, export, report, …); the ledger treats
// the action as an opaque word except for the ones that introduce keys.
const (
	ActionCaseInit    = "case-init"
	ActionExaminerAdd = "examiner-add"
	ActionNote        = "note"
	ActionTransfer    = "transfer"
	ActionSeal        = "seal"
	ActionRepair      = "repair"
)

// introduces reports whether an entry with this action introduces its
// actor's key to the ledger (see [Verify]).
func introduces(action string) bool {
	return action == ActionCaseInit || action == ActionExaminerAdd
}

// Actor is an examiner: who acted, with which public key.
type Actor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Org  string `json:"org,omitempty"`
	// Key is the Ed25519 public key, 32 bytes, base64 in JSON.
	Key ed25519.PublicKey `json:"key"`
}

// Fingerprint returns the actor's key fingerprint (see [Fingerprint]).
func (a Actor) Fingerprint() string { return Fingerprint(a.Key) }

// Ref names a file that an action read or wrote.
type Ref struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Tool names the program that wrote an entry.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Go      string `json:"go"`
	OS      string `json:"os"`
}

// Entry is one line of the custody ledger.
//
// The field order below is the canonical order of the JSON line; see the
// package documentation for the byte-level format.
type Entry struct {
	Seq     int64             `json:"seq"`
	Time    string            `json:"time"`
	Zone    string            `json:"zone"`
	Actor   Actor             `json:"actor"`
	Action  string            `json:"action"`
	Exhibit string            `json:"exhibit,omitempty"`
	Inputs  []Ref             `json:"inputs,omitempty"`
	Outputs []Ref             `json:"outputs,omitempty"`
	Note    string            `json:"note,omitempty"`
	Attrs   map[string]string `json:"attrs,omitempty"`
	Tool    Tool              `json:"tool"`
	Host    string            `json:"host"`
	Prev    string            `json:"prev"`
	Sig     []byte            `json:"sig,omitempty"`
}

// GenesisPrev is the prev value of the first entry: 32 zero bytes in hex.
var GenesisPrev = hex.EncodeToString(make([]byte, sha256.Size))

// MaxLineSize bounds one ledger line; longer lines are rejected as malformed
// so that a hostile ledger cannot make the parser allocate without limit.
const MaxLineSize = 1 << 20

// ErrMalformed is returned (wrapped) for a ledger line that is not a
// canonical, well-formed entry.
var ErrMalformed = errors.New("malformed ledger entry")

// signedPart returns the canonical encoding of e without its signature.
func (e *Entry) signedPart() ([]byte, error) {
	c := *e
	c.Sig = nil
	return marshal(&c)
}

// marshal encodes e in canonical form: the struct's field order, no
// insignificant space, map keys sorted (encoding/json sorts them).
func marshal(e *Entry) ([]byte, error) {
	for _, s := range e.strings() {
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("entry %d: field holds invalid UTF-8", e.Seq)
		}
	}
	return json.Marshal(e)
}

// strings lists every free-text field, for validation.
func (e *Entry) strings() []string {
	s := []string{e.Time, e.Zone, e.Actor.ID, e.Actor.Name, e.Actor.Org, e.Action,
		e.Exhibit, e.Note, e.Tool.Name, e.Tool.Version, e.Tool.Go, e.Tool.OS, e.Host, e.Prev}
	for _, r := range append(append([]Ref(nil), e.Inputs...), e.Outputs...) {
		s = append(s, r.Path, r.SHA256)
	}
	for k, v := range e.Attrs {
		s = append(s, k, v)
	}
	return s
}

// sign fills in e.Sig and returns the complete canonical line (without the
// trailing newline).
func (e *Entry) sign(key ed25519.PrivateKey) ([]byte, error) {
	msg, err := e.signedPart()
	if err != nil {
		return nil, err
	}
	e.Sig = ed25519.Sign(key, msg)
	return marshal(e)
}

// ParseEntry decodes one ledger line (without its newline) and checks that it
// is in canonical form: re-encoding the decoded entry must give the same
// bytes. This rejects extra or duplicated fields, different spacing or
// escaping, and any field name in another case. It does not check the
// signature; see [Entry.VerifySig].
func ParseEntry(line []byte) (*Entry, error) {
	if len(line) > MaxLineSize {
		return nil, fmt.Errorf("%w: line of %d bytes exceeds %d", ErrMalformed, len(line), MaxLineSize)
	}
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	again, err := marshal(&e)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !bytes.Equal(again, line) {
		return nil, fmt.Errorf("%w: not in canonical form", ErrMalformed)
	}
	if len(e.Actor.Key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: actor key has %d bytes, want %d", ErrMalformed, len(e.Actor.Key), ed25519.PublicKeySize)
	}
	return &e, nil
}

// VerifySig reports whether e.Sig is the actor's valid signature over the
// entry's canonical encoding without the signature.
func (e *Entry) VerifySig() bool {
	msg, err := e.signedPart()
	if err != nil || len(e.Actor.Key) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(e.Actor.Key, msg, e.Sig)
}

// signedPart returns the bytes an entry's signature covers, cut from its
// canonical line: the sig field is last, so the line without it is the
// line up to `,"sig":` closed with a brace. Only for lines ParseEntry
// accepted.
func signedPart(line []byte) []byte {
	i := bytes.LastIndex(line, []byte(`,"sig":"`))
	if i < 0 {
		return line
	}
	return append(bytes.Clone(line[:i]), '}')
}

// Line returns the entry's ledger line, without its newline: ParseEntry
// accepts canonical lines only, so an entry read from a ledger re-encodes
// to the exact bytes it was read from.
func (e *Entry) Line() ([]byte, error) { return marshal(e) }

// Hash returns the SHA-256 of the entry's ledger line (see [LineHash]).
func (e *Entry) Hash() (string, error) {
	line, err := marshal(e)
	if err != nil {
		return "", err
	}
	return LineHash(line), nil
}

// LineHash is the value the next entry's prev field holds: the SHA-256 of the
// whole line (signature included, newline excluded), in hex.
func LineHash(line []byte) string {
	h := sha256.Sum256(line)
	return hex.EncodeToString(h[:])
}
