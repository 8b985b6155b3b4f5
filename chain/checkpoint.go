package chain

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a signed tree head: the ledger's size and Merkle root at a
// moment, signed by the examiner who made the last append.
//
// Its text, signed in golang.org/x/mod/sumdb/note format, is four lines:
//
//	pangolin/custody/OP-THUNDER          origin: the case
//	42                                   tree size (entries), decimal
//	kMvW…base64…=                        RFC 6962 root hash, standard base64
//	time 2026-11-26T10:04:05.123456789Z  when it was signed, UTC
//
// followed by a blank line and one signature line per signer
// ("— NAME BASE64(keyhash||sig)"). Readers reject other line counts; a
// later version may add lines after "time" and must bump the origin prefix.
type Checkpoint struct {
	Origin string    `json:"origin"`
	Size   int64     `json:"size"`
	Root   tlog.Hash `json:"root"`
	Time   time.Time `json:"time"`
	// Signer is the note signer name (the examiner id, made safe for notes).
	Signer string `json:"signer"`
	// Note is the complete signed note as written.
	Note string `json:"note"`
}

// originPrefix starts every checkpoint origin line.
const originPrefix = "pangolin/custody/"

// Origin returns the checkpoint origin line for a case.
func Origin(caseID string) string { return originPrefix + caseID }

// ErrCheckpoint is returned (wrapped) for a checkpoint that does not parse
// or whose signature does not verify against the roster.
var ErrCheckpoint = errors.New("bad checkpoint")

func (c *Checkpoint) text() string {
	return fmt.Sprintf("%s\n%d\n%s\ntime %s\n", c.Origin, c.Size, c.Root, c.Time.UTC().Format(time.RFC3339Nano))
}

func parseCheckpointText(text string) (*Checkpoint, error) {
	lines := strings.Split(text, "\n")
	if len(lines) != 5 || lines[4] != "" {
		return nil, fmt.Errorf("%w: want 4 lines of text", ErrCheckpoint)
	}
	c := &Checkpoint{Origin: lines[0]}
	if !strings.HasPrefix(c.Origin, originPrefix) {
		return nil, fmt.Errorf("%w: origin %q is not a pangolin custody ledger", ErrCheckpoint, c.Origin)
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return nil, fmt.Errorf("%w: bad tree size %q", ErrCheckpoint, lines[1])
	}
	c.Size = n
	if c.Root, err = tlog.ParseHash(lines[2]); err != nil {
		return nil, fmt.Errorf("%w: bad root hash", ErrCheckpoint)
	}
	ts, ok := strings.CutPrefix(lines[3], "time ")
	if !ok {
		return nil, fmt.Errorf("%w: missing time line", ErrCheckpoint)
	}
	if c.Time, err = time.Parse(time.RFC3339Nano, ts); err != nil {
		return nil, fmt.Errorf("%w: bad time: %v", ErrCheckpoint, err)
	}
	return c, nil
}

// noteName turns an examiner id into a valid note signer name: no spaces,
// no plus signs.
func noteName(id string) string {
	s := strings.Map(func(r rune) rune {
		if r == '+' || unicode.IsSpace(r) {
			return '_'
		}
		return r
	}, id)
	if s == "" {
		return "examiner"
	}
	return s
}

// noteKeyHash is sumdb/note's key hash for an Ed25519 key.
func noteKeyHash(name string, key ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{1}) // algorithm byte: Ed25519
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// noteSigner adapts an Identity to note.Signer.
type noteSigner struct{ id *Identity }

func (s noteSigner) Name() string                    { return noteName(s.id.ID) }
func (s noteSigner) KeyHash() uint32                 { return noteKeyHash(s.Name(), s.id.Key) }
func (s noteSigner) Sign(msg []byte) ([]byte, error) { return s.id.Sign(msg), nil }

// signCheckpoint returns the signed note for a tree head.
func signCheckpoint(id *Identity, origin string, size int64, root tlog.Hash, now time.Time) (*Checkpoint, error) {
	c := &Checkpoint{Origin: origin, Size: size, Root: root, Time: now.UTC(), Signer: noteName(id.ID)}
	msg, err := note.Sign(&note.Note{Text: c.text()}, noteSigner{id})
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	c.Note = string(msg)
	return c, nil
}

// rosterKeys finds a roster key by its note signer name and key hash.
type rosterKeys map[noteKeyID]ed25519.PublicKey

type noteKeyID struct {
	name string
	hash uint32
}

func newRosterKeys(roster []Actor) rosterKeys {
	keys := make(rosterKeys, len(roster))
	for _, a := range roster {
		name := noteName(a.ID)
		keys[noteKeyID{name, noteKeyHash(name, a.Key)}] = a.Key
	}
	return keys
}

// collector is a note.Verifiers whose verifiers accept every signature by
// a roster key and record it, so that the signatures can be checked
// afterwards, in a batch, by verifySigs.
type collector struct {
	keys  rosterKeys
	items []sigItem
}

func (c *collector) Verifier(name string, hash uint32) (note.Verifier, error) {
	pub, ok := c.keys[noteKeyID{name, hash}]
	if !ok {
		return nil, &note.UnknownVerifierError{Name: name, KeyHash: hash}
	}
	return collectVerifier{c, name, hash, pub}, nil
}

type collectVerifier struct {
	c    *collector
	name string
	hash uint32
	pub  ed25519.PublicKey
}

func (v collectVerifier) Name() string    { return v.name }
func (v collectVerifier) KeyHash() uint32 { return v.hash }
func (v collectVerifier) Verify(msg, sig []byte) bool {
	v.c.items = append(v.c.items, sigItem{pub: v.pub, msg: bytes.Clone(msg), sig: bytes.Clone(sig)})
	return true
}

// OpenCheckpoint parses a signed checkpoint and checks that examiners on
// the roster signed it, and that every roster signature on it is valid.
func OpenCheckpoint(msg []byte, roster []Actor) (*Checkpoint, error) {
	cp, sigs, err := parseSignedCheckpoint(msg, newRosterKeys(roster))
	if err != nil {
		return nil, err
	}
	for _, ok := range verifySigs(sigs) {
		if !ok {
			return nil, fmt.Errorf("%w: invalid signature by %s", ErrCheckpoint, cp.Signer)
		}
	}
	return cp, nil
}

// parseSignedCheckpoint parses a signed checkpoint and returns the roster
// signatures on it, not yet verified.
func parseSignedCheckpoint(msg []byte, keys rosterKeys) (*Checkpoint, []sigItem, error) {
	col := &collector{keys: keys}
	n, err := note.Open(msg, col)
	if err != nil {
		var unv *note.UnverifiedNoteError
		if errors.As(err, &unv) {
			return nil, nil, fmt.Errorf("%w: not signed by any examiner on the roster", ErrCheckpoint)
		}
		return nil, nil, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	c, err := parseCheckpointText(n.Text)
	if err != nil {
		return nil, nil, err
	}
	c.Signer = n.Sigs[0].Name
	c.Note = string(msg)
	return c, col.items, nil
}

// checkpointLine is one line of the checkpoints file.
type checkpointLine struct {
	Note string `json:"note"`
}

func encodeCheckpointLine(c *Checkpoint) ([]byte, error) {
	return json.Marshal(checkpointLine{Note: c.Note})
}

// decodeCheckpointLine returns the note held by one checkpoints-file line.
func decodeCheckpointLine(line []byte) ([]byte, error) {
	if len(line) > MaxLineSize {
		return nil, fmt.Errorf("%w: line too long", ErrCheckpoint)
	}
	var cl checkpointLine
	if err := json.Unmarshal(line, &cl); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	return []byte(cl.Note), nil
}
