package token_test

import (
	"testing"
	"time"

	"github.com/finintelli/auth/internal/token"
)

func TestDeviceTokens(t *testing.T) {
	d := token.NewDeviceTokens([]byte("device-test-secret-0123456789abcdef"))
	other := token.NewDeviceTokens([]byte("another-secret-entirely-0123456789"))
	tok := d.New("alice", "hash-1")

	tests := []struct {
		name    string
		tok     string
		account string
		binding string
		want    bool
	}{
		{"minted for the account", tok, "alice", "hash-1", true},
		{"another account", tok, "bob", "hash-1", false},
		{"the password changed", tok, "alice", "hash-2", false},
		{"account and binding shifted", d.New("alic", "ehash-1"), "alice", "hash-1", false},
		{"another secret", other.New("alice", "hash-1"), "alice", "hash-1", false},
		{"empty", "", "alice", "hash-1", false},
		{"garbage", "not-a-device-token", "alice", "hash-1", false},
		{"truncated", tok[:len(tok)-2], "alice", "hash-1", false},
		{"padded", tok + "==", "alice", "hash-1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.Valid(tt.tok, tt.account, tt.binding); got != tt.want {
				t.Fatalf("Valid(%q, %q, %q): got %v, want %v", tt.tok, tt.account,
					tt.binding, got, tt.want)
			}
		})
	}
	if d.New("alice", "hash-1") == tok {
		t.Fatal("two device tokens for one account are equal; the nonce is missing")
	}
}

func TestDeviceTokenExpires(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := token.NewDeviceTokens([]byte("device-test-secret-0123456789abcdef"))
	token.SetDeviceClock(d, func() time.Time { return now })
	tok := d.New("alice", "h")

	now = now.Add(token.DeviceTokenTTL - time.Hour)
	if !d.Valid(tok, "alice", "h") {
		t.Fatal("a device token was refused before its time was up")
	}
	now = now.Add(2 * time.Hour)
	if d.Valid(tok, "alice", "h") {
		t.Fatal("a device token was accepted after DeviceTokenTTL")
	}
}
