package chain

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/scrypt"

	"github.com/pangolin-forensics/pangolin/internal/atomicfile"
)

// Identity files in an examiner's home folder.
const (
	IdentityFile = "examiner.json" // public part: id, name, org, key
	KeyFile      = "examiner.key"  // private key, mode 0600
)

// scrypt cost for passphrase-protected keys (N=2^17 takes about 0.3 s and
// 128 MiB, the level age and OpenSSH-era guidance use for files at rest).
const (
	scryptN = 1 << 17
	scryptR = 8
	scryptP = 1
)

// Identity is an examiner's key pair.
type Identity struct {
	Actor
	Created string `json:"created"`

	private ed25519.PrivateKey
}

// ErrIdentityExists is returned by [SaveIdentity] when the home folder already
// holds an identity and overwriting was not requested.
var ErrIdentityExists = errors.New("an examiner identity already exists")

// ErrNoIdentity is returned by [LoadIdentity] when the home folder holds none.
var ErrNoIdentity = errors.New("no examiner identity")

// ErrPassphrase is returned when a protected key cannot be decrypted.
var ErrPassphrase = errors.New("wrong passphrase for examiner key")

// keyFile is the on-disk form of the private key. Kind "plain" stores the
// 32-byte Ed25519 seed; kind "scrypt-aes256gcm" stores it sealed with
// AES-256-GCM under a key derived by scrypt from the passphrase.
type keyFile struct {
	Kind       string `json:"kind"`
	Seed       []byte `json:"seed,omitempty"`
	Salt       []byte `json:"salt,omitempty"`
	N          int    `json:"n,omitempty"`
	R          int    `json:"r,omitempty"`
	P          int    `json:"p,omitempty"`
	Nonce      []byte `json:"nonce,omitempty"`
	Ciphertext []byte `json:"ciphertext,omitempty"`
}

// NewIdentity makes a fresh Ed25519 key pair for the examiner.
func NewIdentity(id, name, org string, now time.Time) (*Identity, error) {
	if id == "" || name == "" {
		return nil, errors.New("examiner id and name are required")
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return &Identity{
		Actor:   Actor{ID: id, Name: name, Org: org, Key: pub},
		Created: now.UTC().Format(time.RFC3339),
		private: priv,
	}, nil
}

// Sign signs msg with the examiner's private key.
func (id *Identity) Sign(msg []byte) []byte { return ed25519.Sign(id.private, msg) }

// Fingerprint returns "SHA256:" and the unpadded base64 SHA-256 of the
// public key, the form ssh-keygen -l prints.
func Fingerprint(key ed25519.PublicKey) string {
	h := sha256.Sum256(key)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(h[:])
}

// SaveIdentity writes the identity into dir, creating it. With a non-empty
// passphrase the private key is encrypted. It refuses to replace an existing
// identity unless force is set.
func SaveIdentity(dir string, id *Identity, passphrase []byte, force bool) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("examiner home %s: %w", dir, err)
	}
	keyPath := filepath.Join(dir, KeyFile)
	if !force {
		for _, p := range []string{keyPath, filepath.Join(dir, IdentityFile)} {
			if _, err := os.Stat(p); err == nil {
				return fmt.Errorf("%s: %w (use --force to replace it)", p, ErrIdentityExists)
			}
		}
	}
	kf, err := sealSeed(id.private.Seed(), passphrase)
	if err != nil {
		return err
	}
	kb, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(keyPath, append(kb, '\n'), 0o600); err != nil {
		return err
	}
	pb, err := json.MarshalIndent(id, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, IdentityFile), append(pb, '\n'), 0o644)
}

// ReadPublicIdentity reads the public part of the identity in dir, without
// touching the private key.
func ReadPublicIdentity(dir string) (*Identity, error) {
	path := filepath.Join(dir, IdentityFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (run 'pangolin examiner init')", dir, ErrNoIdentity)
	}
	if err != nil {
		return nil, err
	}
	var id Identity
	if err := json.Unmarshal(b, &id); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(id.Key) != ed25519.PublicKeySize || id.ID == "" {
		return nil, fmt.Errorf("%s: incomplete examiner identity", path)
	}
	return &id, nil
}

// IsProtected reports whether the private key in dir needs a passphrase.
func IsProtected(dir string) (bool, error) {
	kf, err := readKeyFile(dir)
	if err != nil {
		return false, err
	}
	return kf.Kind != "plain", nil
}

// LoadIdentity reads the identity in dir with its private key. passphrase is
// called only when the key is protected.
func LoadIdentity(dir string, passphrase func() ([]byte, error)) (*Identity, error) {
	id, err := ReadPublicIdentity(dir)
	if err != nil {
		return nil, err
	}
	kf, err := readKeyFile(dir)
	if err != nil {
		return nil, err
	}
	var seed []byte
	switch kf.Kind {
	case "plain":
		seed = kf.Seed
	case "scrypt-aes256gcm":
		pass, err := passphrase()
		if err != nil {
			return nil, err
		}
		if seed, err = openSeed(kf, pass); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s: unknown key kind %q", filepath.Join(dir, KeyFile), kf.Kind)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s: key seed has %d bytes", filepath.Join(dir, KeyFile), len(seed))
	}
	id.private = ed25519.NewKeyFromSeed(seed)
	if !id.private.Public().(ed25519.PublicKey).Equal(id.Key) {
		return nil, fmt.Errorf("%s: private key does not match the public key in %s", KeyFile, IdentityFile)
	}
	return id, nil
}

func readKeyFile(dir string) (*keyFile, error) {
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (run 'pangolin examiner init')", dir, ErrNoIdentity)
	}
	if err != nil {
		return nil, err
	}
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &kf, nil
}

func sealSeed(seed, passphrase []byte) (*keyFile, error) {
	if len(passphrase) == 0 {
		return &keyFile{Kind: "plain", Seed: seed}, nil
	}
	kf := &keyFile{Kind: "scrypt-aes256gcm", N: scryptN, R: scryptR, P: scryptP,
		Salt: make([]byte, 16), Nonce: make([]byte, 12)}
	if _, err := rand.Read(kf.Salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(kf.Nonce); err != nil {
		return nil, err
	}
	aead, err := keyAEAD(kf, passphrase)
	if err != nil {
		return nil, err
	}
	kf.Ciphertext = aead.Seal(nil, kf.Nonce, seed, nil)
	return kf, nil
}

func openSeed(kf *keyFile, passphrase []byte) ([]byte, error) {
	// Bound the work a tampered key file can demand.
	if kf.N < 2 || kf.N > 1<<22 || kf.R < 1 || kf.R > 32 || kf.P < 1 || kf.P > 16 || len(kf.Nonce) != 12 {
		return nil, errors.New("examiner key: bad encryption parameters")
	}
	aead, err := keyAEAD(kf, passphrase)
	if err != nil {
		return nil, err
	}
	seed, err := aead.Open(nil, kf.Nonce, kf.Ciphertext, nil)
	if err != nil {
		return nil, ErrPassphrase
	}
	return seed, nil
}

func keyAEAD(kf *keyFile, passphrase []byte) (cipher.AEAD, error) {
	k, err := scrypt.Key(passphrase, kf.Salt, kf.N, kf.R, kf.P, 32)
	if err != nil {
		return nil, fmt.Errorf("examiner key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
