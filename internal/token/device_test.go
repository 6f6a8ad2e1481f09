package token_test

import (
	"testing"

	"github.com/finintelli/auth/internal/token"
)

func TestDeviceTokens(t *testing.T) {
	d := token.NewDeviceTokens([]byte("device-test-secret-0123456789abcdef"))
	other := token.NewDeviceTokens([]byte("another-secret-entirely-0123456789"))
	tok := d.New("alice")

	tests := []struct {
		name    string
		tok     string
		account string
		want    bool
	}{
		{"minted for the account", tok, "alice", true},
		{"another account", tok, "bob", false},
		{"another secret", other.New("alice"), "alice", false},
		{"empty", "", "alice", false},
		{"garbage", "not-a-device-token", "alice", false},
		{"truncated", tok[:len(tok)-2], "alice", false},
		{"padded", tok + "==", "alice", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.Valid(tt.tok, tt.account); got != tt.want {
				t.Fatalf("Valid(%q, %q): got %v, want %v", tt.tok, tt.account, got, tt.want)
			}
		})
	}
	if d.New("alice") == tok {
		t.Fatal("two device tokens for one account are equal; the nonce is missing")
	}
}
