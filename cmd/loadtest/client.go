package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
)

// client is one simulated browser: a cookie jar, its CSRF token and its access token.
type client struct {
	base string
	http *http.Client
	csrf string

	mu     sync.Mutex // guards access: the overload phase shares clients between requests
	access string
}

func (c *client) token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.access
}

func (c *client) setToken(tok string) {
	c.mu.Lock()
	c.access = tok
	c.mu.Unlock()
}

func newClient(base string, transport http.RoundTripper) (*client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &client{base: base, http: &http.Client{Jar: jar, Transport: transport}}
	if _, err := c.do(context.Background(), "GET", "/auth/csrf", "", nil); err != nil {
		return nil, err
	}
	u, _ := url.Parse(base + "/")
	for _, k := range jar.Cookies(u) {
		if k.Name == "XSRF-TOKEN" {
			c.csrf = k.Value
		}
	}
	if c.csrf == "" {
		return nil, fmt.Errorf("no XSRF-TOKEN cookie from %s", base)
	}
	return c, nil
}

// do sends one request and returns its status, reading and discarding the body unless out
// is given.
func (c *client) do(ctx context.Context, method, path, body string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != "GET" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if tok := c.token(); tok != "" && strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, err
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// credentials posts a register or login form and keeps the access token.
func (c *client) credentials(ctx context.Context, path string, fields map[string]string) (int,
	error) {
	b, _ := json.Marshal(fields)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	status, err := c.do(ctx, "POST", path, string(b), &tok)
	if err == nil && tok.AccessToken != "" {
		c.setToken(tok.AccessToken)
	}
	return status, err
}

func (c *client) register(ctx context.Context, user, pass string) (int, error) {
	return c.credentials(ctx, "/auth/register",
		map[string]string{"username": user, "email": user + "@load.test", "password": pass})
}

func (c *client) login(ctx context.Context, user, pass string) (int, error) {
	return c.credentials(ctx, "/auth/login", map[string]string{"username": user, "password": pass})
}

func (c *client) refresh(ctx context.Context) (int, error) {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	status, err := c.do(ctx, "POST", "/auth/refresh", "", &tok)
	if err == nil && tok.AccessToken != "" {
		c.setToken(tok.AccessToken)
	}
	return status, err
}

func (c *client) me(ctx context.Context) (int, error) {
	return c.do(ctx, "GET", "/api/me", "", nil)
}

// expect returns a classifier of answers: want is success, 503 a deliberate refusal.
func expect(want int) func(status int, err error) outcome {
	return func(status int, err error) outcome { return classify(status, err, want) }
}

func classify(status int, err error, want int) outcome {
	switch {
	case err != nil:
		return failedOutcome
	case status == want:
		return okOutcome
	case status == http.StatusServiceUnavailable:
		return rejectedOutcome
	}
	return failedOutcome
}
