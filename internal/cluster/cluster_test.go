package cluster_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

const password = "correct horse battery staple 42"

// TestRefreshOnOtherInstance: a session started on A is refreshed on B, and each access
// token works on both, since the instances share the database and the secret.
func TestRefreshOnOtherInstance(t *testing.T) {
	t.Parallel()
	a, b := startCluster(t, nil)
	c := newClient(t)
	c.register(a.url, "roamer", password).want(t, http.StatusCreated)

	first := c.login(a.url, "roamer", password).want(t, http.StatusOK).accessToken(t)
	second := c.refresh(b.url).want(t, http.StatusOK).accessToken(t)
	third := c.refresh(a.url).want(t, http.StatusOK).accessToken(t)

	for _, access := range []string{first, second, third} {
		c.me(a.url, access).want(t, http.StatusOK)
		c.me(b.url, access).want(t, http.StatusOK)
	}
}

// TestReuseAcrossInstances: a token rotated on A and presented again on B once the grace
// window has passed is taken as theft, and the session ends on both instances.
func TestReuseAcrossInstances(t *testing.T) {
	t.Parallel()
	a, b := startCluster(t, map[string]string{"REFRESH_REUSE_GRACE_SECONDS": "1"})
	holder := newClient(t)
	holder.register(a.url, "holder", password).want(t, http.StatusCreated)
	holder.login(a.url, "holder", password).want(t, http.StatusOK)

	stolen := holder.refreshToken(a.url)
	access := holder.refresh(a.url).want(t, http.StatusOK).accessToken(t)
	current := holder.refreshToken(a.url)

	// Within the window a replay yields the holder's own successor and changes nothing;
	// after it, the replay is refused. The window is real time: poll, do not sleep a guess.
	thief := newClient(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		thief.setRefreshToken(b.url, stolen)
		r := thief.refresh(b.url)
		if r.status == http.StatusUnauthorized {
			break
		}
		r.want(t, http.StatusOK)
		if got := thief.refreshToken(b.url); got != current {
			t.Fatalf("replay within the window: got successor %q, want %q", got, current)
		}
		if time.Now().After(deadline) {
			t.Fatal("the replayed token was still accepted 20s after its rotation")
		}
		time.Sleep(250 * time.Millisecond)
	}

	for _, in := range []*instance{a, b} {
		holder.setRefreshToken(in.url, current)
		holder.refresh(in.url).want(t, http.StatusUnauthorized)
		holder.me(in.url, access).want(t, http.StatusUnauthorized)
	}
}

// TestLoginLimitSpansInstances: the per-address login limit is counted in Redis, so
// attempts spread over A and B share one bucket.
func TestLoginLimitSpansInstances(t *testing.T) {
	t.Parallel()
	a, b := startCluster(t, nil)
	c := newClient(t)

	// A new name each time, so that only the per-address limit can refuse.
	for i, in := range []*instance{a, a, a, b, b} {
		c.login(in.url, fmt.Sprintf("ghost%d", i), "wrong password").
			want(t, http.StatusUnauthorized)
	}
	c.login(a.url, "ghost5", "wrong password").wantLimited(t, 60)
	c.login(b.url, "ghost6", "wrong password").wantLimited(t, 60)
}

// TestLogoutOnOtherInstance: a logout on B ends the session at once on A too, for the
// access token as well as the refresh token.
func TestLogoutOnOtherInstance(t *testing.T) {
	t.Parallel()
	a, b := startCluster(t, nil)
	c := newClient(t)
	c.register(b.url, "leaver", password).want(t, http.StatusCreated)
	access := c.login(a.url, "leaver", password).want(t, http.StatusOK).accessToken(t)
	c.me(a.url, access).want(t, http.StatusOK)
	token := c.refreshToken(a.url)

	c.logout(b.url).want(t, http.StatusOK)

	c.me(a.url, access).want(t, http.StatusUnauthorized)
	c.me(b.url, access).want(t, http.StatusUnauthorized)
	c.setRefreshToken(a.url, token)
	c.refresh(a.url).want(t, http.StatusUnauthorized)
}
