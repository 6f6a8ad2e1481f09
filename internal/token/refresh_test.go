package token_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/token"
)

func TestRefreshNew(t *testing.T) {
	r := token.NewRefresher(secret)
	seen := map[string]bool{}

	for range 1000 {
		raw, err := r.New()
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		if len(raw) != token.RefreshLen {
			t.Fatalf("length of %q: got %d, want %d", raw, len(raw), token.RefreshLen)
		}
		if !r.Valid(raw) {
			t.Fatalf("Valid(%q): got false for a fresh token, want true", raw)
		}
		if seen[raw] {
			t.Fatalf("token %q repeated", raw)
		}
		seen[raw] = true
	}
}

func TestRefreshDerived(t *testing.T) {
	r := token.NewRefresher(secret)
	other := token.NewRefresher([]byte("a different server secret, 32b!"))
	raw, err := r.New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	hash := r.Hash(raw)
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 {
		t.Errorf("Hash: got %q, want 64 hex digits", hash)
	}
	succ := r.Successor(raw)
	if !r.Valid(succ) {
		t.Errorf("Successor: got %q, want a valid refresh token", succ)
	}

	tests := []struct {
		name      string
		got, want string
		same      bool
	}{
		{"Hash is deterministic", r.Hash(raw), hash, true},
		{"Successor is deterministic", r.Successor(raw), succ, true},
		{"Hash depends on the secret", other.Hash(raw), hash, false},
		{"Successor depends on the secret", other.Successor(raw), succ, false},
		{"Successor differs from its token", succ, raw, false},
		{"Hash of successor differs", r.Hash(succ), hash, false},
		{"Hash and Successor use different keys",
			r.Successor(raw), hexToB64(t, hash), false},
		{"Hash depends on the token", r.Hash(raw[:42] + flip(raw[42])), hash, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.got == tt.want) != tt.same {
				t.Errorf("got %q and %q, want equal: %v", tt.got, tt.want, tt.same)
			}
		})
	}
}

// The keys are derived, not the secret itself: HMAC under the raw secret gives neither output.
func TestRefreshKeysAreNotTheSecret(t *testing.T) {
	r := token.NewRefresher(secret)
	raw := strings.Repeat("A", token.RefreshLen)

	direct := macHex(secret, raw)
	if r.Hash(raw) == direct {
		t.Errorf("Hash: got HMAC under the raw secret, want a derived key")
	}
	if r.Successor(raw) == hexToB64(t, direct) {
		t.Errorf("Successor: got HMAC under the raw secret, want a derived key")
	}
}

func TestRefreshValid(t *testing.T) {
	r := token.NewRefresher(secret)
	good, err := r.New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	tests := []struct {
		name string
		raw  string
		want bool
	}{
		{"fresh", good, true},
		{"all A", strings.Repeat("A", 43), true},
		{"empty", "", false},
		{"too short", good[:42], false},
		{"too long", good + "A", false},
		{"padded", good + "=", false},
		{"standard alphabet plus", strings.Repeat("+", 43), false},
		{"standard alphabet slash", strings.Repeat("/", 43), false},
		{"space", strings.Repeat("A", 42) + " ", false},
		{"non-canonical last char", strings.Repeat("A", 42) + "B", false},
		{"sql", "' OR 1=1 --" + strings.Repeat("A", 32), false},
		{"multi-byte", strings.Repeat("é", 21) + "A", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Valid(tt.raw); got != tt.want {
				t.Errorf("Valid(%q): got %v, want %v", tt.raw, got, tt.want)
			}
		})
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
