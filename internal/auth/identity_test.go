package auth_test

import (
	"testing"

	"github.com/finintelli/auth/internal/auth"
)

func TestValidateUsername(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"alice", true},
		{"Alice_B-2.x", true},
		{"école", true},
		{"e\u0301cole", true}, // the same name typed decomposed
		{"владимир", true},
		{"σωκράτης", true},
		{"山田太郎", true},
		{"taro山田", true},
		{"\u0430lice", false}, // Cyrillic "а" among Latin letters
		{"p\u0430ypal", false},
		{"\u03bfmega", false}, // Greek "ο" among Latin letters
		{"ab", false},
		{"has space", false},
		{"at@sign", false},
		{"\u0301abc", false}, // a combining mark cannot come first
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.ValidateUsername(tt.name)
			if (err == nil) != tt.ok {
				t.Fatalf("ValidateUsername(%q): got %v, want ok=%v", tt.name, err, tt.ok)
			}
		})
	}
}
