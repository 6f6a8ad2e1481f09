package failure_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/testenv"
)

// appName marks this package's own connections to a test database, which
// terminateBackends spares.
const appName = "failure-test"

// outage is the least time a simulated outage lasts.
const outage = 2 * time.Second

// TestPostgresRestartMidStream: PostgreSQL goes away in the middle of a stream of
// refreshes, logins and /api/me calls, and comes back.
//
// The shared PostgreSQL must not be restarted, so the restart is simulated on the way to it:
// the server reaches its test database through a proxy, and the test terminates every
// backend of that database (what a restart does to open connections, in-flight
// transactions included) and cuts the proxy, so that new connections are refused as they
// are while a server is down. Restoring the proxy brings the database back.
//
// During the outage the clients get 503 with Retry-After and a JSON detail, never another
// 5xx nor a trace of SQL; the server becomes ready again by itself; every session held
// before, during and after refreshes at the end, each successful refresh hands out the
// successor of the token presented (no fork), and the database holds no half-written
// rotation.
func TestPostgresRestartMidStream(t *testing.T) {
	t.Parallel()
	dbURL := testenv.Postgres(t)
	proxy := testenv.NewProxy(t, host(t, dbURL))
	base := startApp(t, map[string]string{"DATABASE_URL": withHost(t, dbURL, proxy.Addr())})
	db := openPostgres(t, ownConnection(t, dbURL))

	f := newFleet(t, base, 6)
	f.logins, f.db = true, db
	f.start()
	f.awaitRefreshes(f.refreshed(), 3)

	down := time.Now()
	terminateBackends(t, db)
	proxy.Cut()
	terminateBackends(t, db)
	waitFor(t, "503 answers and an unready server during the outage", func() bool {
		return f.count("POST /auth/refresh 503") >= 2*len(f.workers) &&
			getStatus(base+"/readyz") == http.StatusServiceUnavailable
	})
	if got := getStatus(base + "/healthz"); got != http.StatusOK {
		t.Errorf("/healthz during the outage: got %d, want 200", got)
	}
	time.Sleep(time.Until(down.Add(outage))) // keep it down for a while, whatever came first

	proxy.Restore()
	waitFor(t, "/readyz 200 after the outage", func() bool {
		return getStatus(base+"/readyz") == http.StatusOK
	})
	f.awaitRefreshes(f.refreshed(), 2)
	f.halt()

	f.checkAlive()
	n := checkChains(t, db)
	if got := f.count("transport error"); got > 0 {
		t.Errorf("got %d requests without an answer, want every request answered", got)
	}
	f.report()
	t.Logf("%d refresh tokens checked", n)
}

// TestRefreshAnswerLostAfterCommit: the connection to PostgreSQL breaks right after the
// database confirmed the COMMIT of a rotation, before the server read the confirmation. The
// server cannot know whether the rotation happened, answers 503, and the client keeps its
// old token. The rotation is in the database all the same, so the client's retry, within
// the reuse grace window, is answered with the very successor that was committed: the
// session goes on and its chain does not fork. This is the documented recovery path for
// every failure that loses an answer; here it is forced instead of hoped for.
func TestRefreshAnswerLostAfterCommit(t *testing.T) {
	t.Parallel()
	dbURL := testenv.Postgres(t)
	dropper := newCommitDropper(t, host(t, dbURL))
	base := startApp(t, map[string]string{"DATABASE_URL": withHost(t, dbURL, dropper.Addr())})
	db := openPostgres(t, ownConnection(t, dbURL))

	c := newClient(base)
	mustStatus(t, http.StatusCreated)(c.register("unlucky"))
	mustStatus(t, http.StatusOK)(c.refresh())
	sent := c.refreshToken()

	dropper.arm()
	r, err := c.refresh()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-dropper.dropped:
	default:
		t.Fatalf("the refresh got %d without a COMMIT passing the dropper", r.status)
	}
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("refresh whose COMMIT confirmation was lost: got %d, want 503; body %s",
			r.status, r.body)
	}
	if p := r.problem(); p != "" {
		t.Error(p)
	}
	if got := c.refreshToken(); got != sent {
		t.Fatal("the client's refresh cookie changed with a 503")
	}
	replaced, child := rotation(t, db, sent)
	if want := refresher.Hash(refresher.Successor(sent)); !replaced || child != want {
		t.Fatalf("after the lost confirmation: got replaced=%v child %.12s…, want the "+
			"rotation committed with child %.12s…", replaced, child, want)
	}

	r = mustStatus(t, http.StatusOK)(c.refresh())
	if got, want := c.refreshToken(), refresher.Successor(sent); got != want {
		t.Errorf("retry: got token %.8s…, want the committed successor %.8s…", got, want)
	}
	mustStatus(t, http.StatusOK)(c.me(r.accessToken()))
	mustStatus(t, http.StatusOK)(c.refresh())
	checkChains(t, db)
}

// terminateBackends ends every connection to the test database that db is open on, except
// this package's own, as a restart of PostgreSQL ends them. Only the test's own database
// is touched.
func terminateBackends(t *testing.T, db *sql.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := db.ExecContext(ctx, `
		SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()
		  AND application_name <> $1`, appName)
	if err != nil {
		t.Fatalf("terminate backends: %v", err)
	}
}

// getStatus returns the status of GET url, or 0 when it got no answer.
func getStatus(url string) int {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// host returns the host:port of a database URL.
func host(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// withHost returns the database URL raw pointed at addr instead, without TLS, which the
// proxies of this package do not speak.
func withHost(t *testing.T, raw, addr string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String()
}

// ownConnection returns the database URL raw with this package's application name.
func ownConnection(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", appName)
	u.RawQuery = q.Encode()
	return u.String()
}
