package cluster_test

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
	"testing"
	"time"
)

// Names of the cookies the server sets.
const (
	refreshCookie = "refresh_token"
	csrfCookie    = "XSRF-TOKEN"
)

// client is one browser profile. Its cookie jar is shared by every instance, since cookies
// do not depend on the port: the instances look like one site behind a load balancer.
type client struct {
	t    *testing.T
	http *http.Client
	ip   string // sent as X-Forwarded-For through the trusted proxy 127.0.0.1
}

func newClient(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	return &client{t: t, http: c, ip: randomIP()}
}

// randomIP returns an address in 10.0.0.0/8, so that the rate-limit buckets of one test
// are not those of another test or of an earlier run sharing the Redis database.
func randomIP() string {
	return fmt.Sprintf("10.%d.%d.%d", rand.N(256), rand.N(256), 1+rand.N(254))
}

// reply is a finished response with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
	what   string // method, instance and path, for messages
}

// do sends a request to the instance at base.
func (c *client) do(method, base, path, body string, hdr map[string]string) reply {
	c.t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Forwarded-For", c.ip)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s%s: %v", method, base, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s%s: read body: %v", method, base, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data,
		what: method + " " + base + path}
}

// post sends a state-changing request with the CSRF token, fetching one from base first if
// the jar holds none.
func (c *client) post(base, path string, fields map[string]string) reply {
	c.t.Helper()
	tok := c.cookie(base, "/", csrfCookie)
	if tok == "" {
		if r := c.do("GET", base, "/auth/csrf", "", nil); r.status != http.StatusOK {
			c.t.Fatalf("%s: got %d, want 200; body %s", r.what, r.status, r.body)
		}
		tok = c.cookie(base, "/", csrfCookie)
	}
	body := ""
	if fields != nil {
		data, _ := json.Marshal(fields)
		body = string(data)
	}
	return c.do("POST", base, path, body, map[string]string{"X-CSRF-Token": tok})
}

func (c *client) register(base, user, pass string) reply {
	c.t.Helper()
	return c.post(base, "/auth/register",
		map[string]string{"username": user, "email": user + "@example.com", "password": pass})
}

func (c *client) login(base, user, pass string) reply {
	c.t.Helper()
	return c.post(base, "/auth/login", map[string]string{"username": user, "password": pass})
}

func (c *client) refresh(base string) reply {
	c.t.Helper()
	return c.post(base, "/auth/refresh", nil)
}

func (c *client) logout(base string) reply {
	c.t.Helper()
	return c.post(base, "/auth/logout", nil)
}

// me calls GET /api/me with an access token.
func (c *client) me(base, access string) reply {
	c.t.Helper()
	return c.do("GET", base, "/api/me", "", map[string]string{"Authorization": "Bearer " + access})
}

// cookie returns the value of a cookie the jar would send to base+path.
func (c *client) cookie(base, path, name string) string {
	u, err := url.Parse(base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// refreshToken returns the refresh cookie the jar holds for base.
func (c *client) refreshToken(base string) string {
	return c.cookie(base, "/auth/refresh", refreshCookie)
}

// setRefreshToken replaces the refresh cookie in the jar.
func (c *client) setRefreshToken(base, raw string) {
	u, err := url.Parse(base + "/auth/")
	if err != nil {
		c.t.Fatal(err)
	}
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: refreshCookie, Value: raw, Path: "/auth"}})
}

// want fails the test unless r has the given status.
func (r reply) want(t *testing.T, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: got status %d, want %d; body %s", r.what, r.status, status, r.body)
	}
	return r
}

// accessToken returns the access token of a successful register, login or refresh.
func (r reply) accessToken(t *testing.T) string {
	t.Helper()
	var v struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &v); err != nil || v.AccessToken == "" {
		t.Fatalf("%s: no access_token in %d response: %s", r.what, r.status, r.body)
	}
	return v.AccessToken
}

// wantLimited checks that r is a 429 with a JSON detail and a Retry-After of whole seconds
// between 1 and most.
func (r reply) wantLimited(t *testing.T, most int) {
	t.Helper()
	r.want(t, http.StatusTooManyRequests)
	var v struct{ Detail string }
	if err := json.Unmarshal(r.body, &v); err != nil || v.Detail == "" {
		t.Errorf("%s: got body %s, want a JSON detail", r.what, r.body)
	}
	raw := r.header.Get("Retry-After")
	if secs, err := strconv.Atoi(raw); err != nil || secs < 1 || secs > most {
		t.Fatalf("%s: got Retry-After %q, want whole seconds in 1..%d", r.what, raw, most)
	}
}
