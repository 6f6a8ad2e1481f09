package failure_test

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Names of the cookies the server sets.
const (
	refreshCookie = "refresh_token"
	csrfCookie    = "XSRF-TOKEN"
)

// client is one browser profile with a cookie jar of its own. Its methods never touch the
// test, so that client goroutines can use them; they return transport errors instead.
type client struct {
	http *http.Client
	base string // the server's URL; cookies do not depend on the port, so it may change
	ip   string // sent as X-Forwarded-For when set, for servers that trust 127.0.0.1
}

func newClient(base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		panic(err) // cookiejar.New fails only for bad options, and it gets none
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	return &client{http: c, base: base}
}

// randomIP returns an address in 10.0.0.0/8, so that rate-limit buckets of one test are not
// those of another test or of an earlier run sharing the Redis database.
func randomIP() string {
	return fmt.Sprintf("10.%d.%d.%d", rand.N(256), rand.N(256), 1+rand.N(254))
}

// reply is a finished response with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
	what   string // method and path, for messages
}

// do sends one request.
func (c *client) do(method, path, body string, hdr map[string]string) (reply, error) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.ip != "" {
		req.Header.Set("X-Forwarded-For", c.ip)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data,
		what: method + " " + path}, nil
}

// post sends a state-changing request with the CSRF token, fetching one first if the jar
// holds none. The token endpoint needs no database, so it works during outages too.
func (c *client) post(path string, fields map[string]string) (reply, error) {
	tok := c.cookie("/", csrfCookie)
	if tok == "" {
		r, err := c.do("GET", "/auth/csrf", "", nil)
		if err != nil {
			return reply{}, err
		}
		if r.status != http.StatusOK {
			return r, nil
		}
		tok = c.cookie("/", csrfCookie)
	}
	body := ""
	if fields != nil {
		data, _ := json.Marshal(fields)
		body = string(data)
	}
	return c.do("POST", path, body, map[string]string{"X-CSRF-Token": tok})
}

func (c *client) register(user string) (reply, error) {
	return c.post("/auth/register", map[string]string{"username": user,
		"email": user + "@example.com", "password": password})
}

func (c *client) login(user, pass string) (reply, error) {
	return c.post("/auth/login", map[string]string{"username": user, "password": pass})
}

func (c *client) refresh() (reply, error) {
	return c.post("/auth/refresh", nil)
}

// me calls GET /api/me with an access token.
func (c *client) me(access string) (reply, error) {
	return c.do("GET", "/api/me", "", map[string]string{"Authorization": "Bearer " + access})
}

// refreshToken returns the refresh cookie the jar holds.
func (c *client) refreshToken() string {
	return c.cookie("/auth/refresh", refreshCookie)
}

// cookie returns the value of a cookie the jar would send to path.
func (c *client) cookie(path, name string) string {
	u, err := url.Parse(c.base + path)
	if err != nil {
		return ""
	}
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// accessToken returns the access token of a successful register, login or refresh, or "".
func (r reply) accessToken() string {
	var v struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(r.body, &v)
	return v.AccessToken
}

// leaks are words that must never reach a client: SQL, driver and service names, and
// traces of a panic. They are looked for in error answers only, since the random characters
// of a token in a successful answer could spell one of them.
var leaks = []string{"sqlstate", "pq:", "pgx", "pgconn", "select ", "insert ", "update ",
	"sqlite", "postgres", "redis", "dial tcp", "connection refused", "goroutine", "panic"}

// problem says why r is not an answer a client may get while something the server depends
// on fails, or returns "" when it may: any status but a 5xx other than 503; a 503 carries a
// Retry-After of whole seconds and a JSON detail; no error answer shows internals.
func (r reply) problem() string {
	switch {
	case r.status >= 500 && r.status != http.StatusServiceUnavailable:
		return fmt.Sprintf("%s: got status %d, want no 5xx but 503; body %s",
			r.what, r.status, r.body)
	case r.status < 300:
		return ""
	}

	low := strings.ToLower(string(r.body))
	for _, w := range leaks {
		if strings.Contains(low, w) {
			return fmt.Sprintf("%s: %d answer shows %q: %s", r.what, r.status, w, r.body)
		}
	}
	if r.status != http.StatusServiceUnavailable {
		return ""
	}
	if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs < 1 {
		return fmt.Sprintf("%s: 503 with Retry-After %q, want whole seconds of at least 1",
			r.what, r.header.Get("Retry-After"))
	}
	var v struct{ Detail string }
	if err := json.Unmarshal(r.body, &v); err != nil || v.Detail == "" {
		return fmt.Sprintf("%s: 503 with body %s, want a JSON detail", r.what, r.body)
	}
	return ""
}
