package password_test

import (
	"fmt"
	"testing"

	"github.com/finintelli/auth/internal/password"
)

func BenchmarkHash(b *testing.B) {
	for _, cost := range []int{4, 12} {
		b.Run(fmt.Sprintf("cost=%d", cost), func(b *testing.B) {
			h := password.New(password.Config{Cost: cost, MaxConcurrent: 1})
			for b.Loop() {
				if _, err := h.Hash(b.Context(), "correct horse battery staple"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, cost := range []int{4, 12} {
		b.Run(fmt.Sprintf("cost=%d", cost), func(b *testing.B) {
			h := password.New(password.Config{Cost: cost, MaxConcurrent: 1})
			hash, err := h.Hash(b.Context(), "correct horse battery staple")
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				ok, _, err := h.Verify(b.Context(), hash, "correct horse battery staple")
				if err != nil || !ok {
					b.Fatalf("got ok=%v err=%v, want ok", ok, err)
				}
			}
		})
	}
}
