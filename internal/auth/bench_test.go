package auth_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/password"
	"github.com/finintelli/auth/internal/store/postgres"
	"github.com/finintelli/auth/internal/store/sqlite"
	"github.com/finintelli/auth/internal/testenv"
	"github.com/finintelli/auth/internal/token"
)

// BenchmarkRefresh measures one refresh-token rotation through the service (validation,
// lookup and lock, rotation, activity row, access token) on each store.
func BenchmarkRefresh(b *testing.B) {
	stores := map[string]func(b *testing.B) auth.Store{
		"sqlite": func(b *testing.B) auth.Store {
			s, err := sqlite.Open(context.Background(),
				filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
		"postgres": func(b *testing.B) auth.Store {
			s, err := postgres.Open(context.Background(), testenv.Postgres(b))
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
	}
	for name, open := range stores {
		b.Run(name, func(b *testing.B) {
			store := open(b)
			defer store.Close()
			svc := benchService(b, store)
			ctx := context.Background()
			g, err := svc.Register(ctx, auth.RegisterInput{Username: "bencher",
				Email: "bencher@example.com", Password: goodPass}, auth.Client{IP: "10.1.1.1"})
			if err != nil {
				b.Fatal(err)
			}

			raw := g.RefreshToken
			b.ResetTimer()
			for b.Loop() {
				g, err := svc.Refresh(ctx, raw, auth.Client{IP: "10.1.1.1"})
				if err != nil {
					b.Fatal(err)
				}
				raw = g.RefreshToken
			}
		})
	}
}

func benchService(b *testing.B, store auth.Store) *auth.Service {
	issuer, err := token.NewIssuer(token.Config{Alg: "HS256", Secret: testSecret,
		Issuer: "finintelli"})
	if err != nil {
		b.Fatal(err)
	}
	return auth.NewService(auth.Deps{
		Store:         store,
		Passwords:     password.New(password.Config{Cost: 4}),
		AccessTokens:  issuer,
		RefreshTokens: token.NewRefresher(testSecret),
	}, auth.Config{})
}
