package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/auth"
)

// TestClientMistakesAreNot5xx sends odd but harmless input to every route, on each store:
// the answer may be any 4xx (or a success), never a server error.
func TestClientMistakesAreNot5xx(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		wantStatus(t, e.browser().register("mallory", "mallory@example.com", strongPassword),
			http.StatusCreated)

		nested := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
		tests := []struct {
			name, path, ct, body string
			hdr                  map[string]string
		}{
			{"nul in login", "/auth/login", formCT, "username=a%00b&password=x", nil},
			{"nul in e-mail login", "/auth/login", formCT,
				"username=m%00@example.com&password=x", nil},
			{"invalid utf-8 login", "/auth/login", formCT, "username=%ff%fe&password=x", nil},
			{"invalid utf-8 password", "/auth/login", formCT,
				"username=mallory&password=%ff%fe%fd%fc%fb%fa%f9%f8", nil},
			{"nul in username", "/auth/register", formCT,
				"username=a%00b&email=nul@example.com&password=" + strongPassword, nil},
			{"nul in e-mail", "/auth/register", formCT,
				"username=nulmail&email=a%00b@example.com&password=" + strongPassword, nil},
			{"invalid utf-8 username", "/auth/register", formCT,
				"username=%ff%fe%fd&email=u8@example.com&password=" + strongPassword, nil},
			{"invalid utf-8 password on register", "/auth/register", formCT,
				"username=u8pass&email=u8p@example.com&password=%ff%fe%fd%fc%fb%fa%f9%f8", nil},
			{"huge username", "/auth/register", formCT, "username=" +
				strings.Repeat("u", 20000) + "&email=h@example.com&password=" + strongPassword,
				nil},
			{"huge login", "/auth/login", formCT,
				"username=" + strings.Repeat("u", 20000) + "&password=x", nil},
			{"deep json", "/auth/login", "application/json", `{"username":` + nested + `}`,
				nil},
			{"duplicate json keys", "/auth/login", "application/json",
				`{"username":"mallory","username":"x","password":"y"}`, nil},
			{"json null fields", "/auth/login", "application/json",
				`{"username":null,"password":null}`, nil},
			{"garbage refresh cookie", "/auth/refresh", "", "",
				map[string]string{"Cookie": "refresh_token=" + strings.Repeat("%", 300)}},
			{"garbage logout cookie", "/auth/logout", "", "",
				map[string]string{"Cookie": "refresh_token=..--..__"}},
			{"odd user agent on login", "/auth/login", "application/json",
				fmt.Sprintf(`{"username":"mallory","password":%q}`, strongPassword),
				map[string]string{"User-Agent": "Mozilla/5.0 \xff\xfe broken"}},
			{"odd user agent on register", "/auth/register", "application/json",
				fmt.Sprintf(`{"username":"uagent","email":"ua@example.com","password":%q}`,
					strongPassword),
				map[string]string{"User-Agent": "Mozilla/5.0 \xff\xfe broken"}},
			{"odd forwarded-for", "/auth/login", "application/json", `{}`,
				map[string]string{"X-Forwarded-For": "not an ip, \xff, 999.1.1.1"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				b := e.browser().on(t)
				hdr := map[string]string{"X-CSRF-Token": b.csrf()}
				for k, v := range tt.hdr {
					hdr[k] = v
				}
				r := b.do("POST", tt.path, tt.ct, tt.body, hdr)
				if r.StatusCode >= 500 {
					t.Errorf("got status %d, want no server error; body %s", r.StatusCode,
						r.body)
				}
			})
		}
	})
}
