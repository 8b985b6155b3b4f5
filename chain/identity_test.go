package chain

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestIdentityRoundTrip(t *testing.T) {
	for _, pass := range []string{"", "correct horse battery staple"} {
		t.Run("passphrase="+pass, func(t *testing.T) {
			home := t.TempDir()
			id := newIdentity(t, "JD-123", "Jane Doe")
			if err := SaveIdentity(home, id, []byte(pass), false); err != nil {
				t.Fatal(err)
			}
			if runtime.GOOS != "windows" {
				fi, err := os.Stat(filepath.Join(home, KeyFile))
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("key file mode %o, want 600", fi.Mode().Perm())
				}
			}
			protected, err := IsProtected(home)
			if err != nil || protected != (pass != "") {
				t.Fatalf("IsProtected = %v, %v", protected, err)
			}
			asked := false
			got, err := LoadIdentity(home, func() ([]byte, error) { asked = true; return []byte(pass), nil })
			if err != nil {
				t.Fatal(err)
			}
			if asked != (pass != "") {
				t.Errorf("passphrase asked: %v", asked)
			}
			msg := []byte("m")
			if !got.Key.Equal(id.Key) || string(got.Sign(msg)) != string(id.Sign(msg)) {
				t.Fatal("loaded key differs")
			}
			if pass != "" {
				if _, err := LoadIdentity(home, func() ([]byte, error) { return []byte("wrong"), nil }); !errors.Is(err, ErrPassphrase) {
					t.Fatalf("wrong passphrase: %v", err)
				}
			}
			if err := SaveIdentity(home, newIdentity(t, "X", "Y"), nil, false); !errors.Is(err, ErrIdentityExists) {
				t.Fatalf("overwrite without force: %v", err)
			}
			if err := SaveIdentity(home, newIdentity(t, "X", "Y"), nil, true); err != nil {
				t.Fatalf("overwrite with force: %v", err)
			}
		})
	}
}

func TestIdentityHostileKeyFile(t *testing.T) {
	home := t.TempDir()
	id := newIdentity(t, "JD-123", "Jane Doe")
	if err := SaveIdentity(home, id, []byte("pw"), false); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, KeyFile)
	var kf keyFile
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &kf); err != nil {
		t.Fatal(err)
	}
	pw := func() ([]byte, error) { return []byte("pw"), nil }
	for name, edit := range map[string]func(k *keyFile){
		"huge scrypt cost": func(k *keyFile) { k.N = 1 << 40 },
		"bad nonce":        func(k *keyFile) { k.Nonce = k.Nonce[:3] },
		"other ciphertext": func(k *keyFile) { k.Ciphertext[0] ^= 1 },
		"unknown kind":     func(k *keyFile) { k.Kind = "rot13" },
		"another key":      func(k *keyFile) { k.Kind, k.Seed = "plain", make([]byte, 32) },
	} {
		t.Run(name, func(t *testing.T) {
			k := kf
			k.Ciphertext = append([]byte(nil), kf.Ciphertext...)
			edit(&k)
			b, _ := json.Marshal(k)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if _, err := LoadIdentity(home, pw); err == nil {
				t.Fatal("loaded a tampered key file")
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("tampered key file made loading slow")
			}
		})
	}
}
