package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/finintelli/auth/internal/csrf"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoSecrets runs the whole flow with the log at debug level, with secrets in
// the query string too, and checks that no password, token or cookie reaches the log,
// while the access lines are there.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	e := newEnv(t, backends["sqlite"](t), options{logs: logs})
	b := e.browser()

	const pass = "secret-horse-battery-9931"
	r := b.register("logger", "logger@example.com", pass)
	wantStatus(t, r, http.StatusCreated)
	secrets := []string{pass, accessToken(t, r), b.refreshCookie(), b.cookie(csrf.CookieName)}

	r = b.login("logger", pass)
	wantStatus(t, r, http.StatusOK)
	secrets = append(secrets, accessToken(t, r), b.refreshCookie())
	wantStatus(t, b.login("logger", "wrong-"+pass), http.StatusUnauthorized)
	r = b.post("/auth/refresh?token="+b.refreshCookie(), "", "")
	wantStatus(t, r, http.StatusOK)
	secrets = append(secrets, accessToken(t, r), b.refreshCookie())
	wantStatus(t, b.me(accessToken(t, r)), http.StatusOK)
	wantStatus(t, b.me("not-a-token-but-secret-anyway"), http.StatusUnauthorized)
	secrets = append(secrets, "not-a-token-but-secret-anyway")
	wantStatus(t, b.post("/auth/logout", "", ""), http.StatusOK)

	out := logs.String()
	if !strings.Contains(out, "path=/auth/refresh ") || !strings.Contains(out, "request_id=") {
		t.Fatalf("the access lines are missing from the log:\n%s", out)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("the log contains a secret (%.6s…):\n%s", s, out)
		}
	}
}
