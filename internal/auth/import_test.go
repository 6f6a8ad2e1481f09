package auth_test

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/finintelli/auth/internal/auth"
)

func TestImportableHash(t *testing.T) {
	h, err := bcrypt.GenerateFromPassword([]byte("some password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	good := string(h) // $2a$04$...
	body := good[4:]
	tests := []struct {
		name string
		hash string
		want bool
	}{
		{"bcrypt $2a$", good, true},
		{"bcrypt $2b$", "$2b$" + body, true},
		{"bcrypt $2y$", "$2y$" + body, true},
		{"bcrypt $2x$", "$2x$" + body, false},
		{"bcrypt cut short", good[:59], false},
		{"bcrypt with a character outside its alphabet", good[:59] + "!", false},
		{"bcrypt cost 99", "$2a$99$" + good[7:], false},
		{"bcrypt cost 16", "$2a$16$" + good[7:], true},
		{"bcrypt cost 17: a login would hold a hashing slot too long", "$2a$17$" + good[7:],
			false},
		{"bcrypt cost 31", "$2b$31$" + good[7:], false},
		{"bcrypt cost not a number", "$2a$xx$" + good[7:], false},
		{"sha-256 lower case", strings.Repeat("ab", 32), true},
		{"sha-256 upper case", strings.Repeat("AB", 32), true},
		{"sha-256 with a non-hex digit", strings.Repeat("ab", 31) + "ag", false},
		{"63 hex digits", strings.Repeat("a", 63), false},
		{"plain text", "hunter2hunter2", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.ImportableHash(tt.hash); got != tt.want {
				t.Errorf("ImportableHash(%q): got %t, want %t", tt.hash, got, tt.want)
			}
		})
	}
}
