package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// runAccounts runs the contract of auth.AccountQueries, each part on a fresh store of its
// own and in parallel.
func runAccounts(t *testing.T, open func(t *testing.T) auth.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s auth.Store)
	}{
		{"ActiveSessions", testActiveSessions},
		{"RevokeUserSessions", testRevokeUserSessions},
		{"ListUsers", testListUsers},
		{"UserFlags", testUserFlags},
		{"SwapPasswordHash", testSwapPasswordHash},
		{"LockAdminsSerialises", testLockAdmins},
		{"ListActivity", testListActivity},
		{"PruneTokens", testPruneTokens},
		{"PruneActivity", testPruneActivity},
		{"ConcurrentPrunes", testConcurrentPrunes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, open(t))
		})
	}
}

// createTokenAt saves a refresh token of a session that expires at expires.
func createTokenAt(t *testing.T, s auth.Store, userID int64, sessionID, hash string,
	expires time.Time, revoked bool) auth.RefreshToken {
	t.Helper()
	r := newToken(userID, sessionID, hash, nil)
	r.ExpiresAt, r.IsRevoked = expires, revoked
	inTx(t, s, func(tx auth.Tx) error { return tx.CreateRefreshToken(t.Context(), &r) })
	return r
}

// sessionIDs returns the ids of sessions, in order.
func sessionIDs(list []auth.Session) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		out = append(out, s.ID)
	}
	return out
}

// activeSessions reads the user's active sessions at now.
func activeSessions(t *testing.T, s auth.Store, userID int64, now time.Time) []auth.Session {
	t.Helper()
	var out []auth.Session
	inTx(t, s, func(tx auth.Tx) (err error) {
		out, err = tx.ActiveSessions(t.Context(), userID, now, 100)
		return err
	})
	return out
}

func testActiveSessions(t *testing.T, s auth.Store) {
	u := createUser(t, s, "lister")
	other := createUser(t, s, "bystander")
	later := base.Add(time.Hour)

	older := createSession(t, s, u.ID, "as-older")
	createTokenAt(t, s, u.ID, older.ID, "as-h1", base.Add(24*time.Hour), false)
	newer := createSession(t, s, u.ID, "as-newer")
	createTokenAt(t, s, u.ID, newer.ID, "as-h2", base.Add(24*time.Hour), false)
	inTx(t, s, func(tx auth.Tx) error { return tx.TouchSession(t.Context(), newer.ID, later) })
	newer.LastUsedAt = later

	revoked := createSession(t, s, u.ID, "as-revoked")
	createTokenAt(t, s, u.ID, revoked.ID, "as-h3", base.Add(24*time.Hour), false)
	inTx(t, s, func(tx auth.Tx) error {
		return tx.RevokeSession(t.Context(), revoked.ID, base)
	})
	expired := createSession(t, s, u.ID, "as-expired")
	createTokenAt(t, s, u.ID, expired.ID, "as-h4", base.Add(-time.Second), false)
	tokenless := createSession(t, s, u.ID, "as-tokenless")
	_ = tokenless
	foreign := createSession(t, s, other.ID, "as-foreign")
	createTokenAt(t, s, other.ID, foreign.ID, "as-h5", base.Add(24*time.Hour), false)

	got := activeSessions(t, s, u.ID, base)
	if ids, want := sessionIDs(got), []string{newer.ID, older.ID}; !slices.Equal(ids, want) {
		t.Fatalf("ActiveSessions: got %q, want %q (most recently used first)", ids, want)
	}
	if fmtSession(got[0]) != fmtSession(newer) {
		t.Errorf("ActiveSessions[0]:\n got %s\nwant %s", fmtSession(got[0]), fmtSession(newer))
	}

	// A day later every token has expired: no session is active any more.
	if got := activeSessions(t, s, u.ID, base.Add(25*time.Hour)); len(got) != 0 {
		t.Errorf("ActiveSessions after expiry: got %q, want none", sessionIDs(got))
	}
	var limited []auth.Session
	inTx(t, s, func(tx auth.Tx) (err error) {
		limited, err = tx.ActiveSessions(t.Context(), u.ID, base, 1)
		return err
	})
	if ids := sessionIDs(limited); !slices.Equal(ids, []string{newer.ID}) {
		t.Errorf("ActiveSessions with limit 1: got %q, want [%q]", ids, newer.ID)
	}
}

func testRevokeUserSessions(t *testing.T, s auth.Store) {
	u := createUser(t, s, "everywhere")
	other := createUser(t, s, "elsewhere")
	expires := base.Add(24 * time.Hour)

	keep := createSession(t, s, u.ID, "ru-keep")
	kept := createTokenAt(t, s, u.ID, keep.ID, "ru-kept", expires, false)
	var ended []auth.RefreshToken
	for i := range 3 {
		sess := createSession(t, s, u.ID, fmt.Sprintf("ru-end-%d", i))
		ended = append(ended, createTokenAt(t, s, u.ID, sess.ID, "ru-h"+sess.ID, expires, false))
	}
	legacy := createTokenAt(t, s, u.ID, "", "ru-legacy", expires, false)
	foreign := createSession(t, s, other.ID, "ru-foreign")
	foreignTok := createTokenAt(t, s, other.ID, foreign.ID, "ru-foreign-h", expires, false)

	at := base.Add(time.Minute)
	var n int
	inTx(t, s, func(tx auth.Tx) (err error) {
		n, err = tx.RevokeUserSessions(t.Context(), u.ID, keep.ID, at)
		return err
	})
	if n != 3 {
		t.Errorf("RevokeUserSessions: got %d sessions revoked, want 3", n)
	}
	if ids := sessionIDs(activeSessions(t, s, u.ID, base)); !slices.Equal(ids,
		[]string{keep.ID}) {
		t.Errorf("after revoking the others: got active %q, want [%q]", ids, keep.ID)
	}
	for _, tok := range append(ended, legacy) {
		if !tokenByHash(t, s, tok.TokenHash).IsRevoked {
			t.Errorf("token %s: got not revoked, want revoked", tok.TokenHash)
		}
	}
	for _, tok := range []auth.RefreshToken{kept, foreignTok} {
		if tokenByHash(t, s, tok.TokenHash).IsRevoked {
			t.Errorf("token %s: got revoked, want untouched", tok.TokenHash)
		}
	}
	got, _, err := s.SessionWithUser(t.Context(), "ru-end-0")
	if err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(at) {
		t.Errorf("revoked session: got RevokedAt %s (err %v), want %s",
			fmtTimePtr(got.RevokedAt), err, fmtTime(at))
	}

	// Without a session to keep, everything goes; a second call finds nothing to do.
	inTx(t, s, func(tx auth.Tx) (err error) {
		n, err = tx.RevokeUserSessions(t.Context(), u.ID, "", at)
		return err
	})
	if n != 1 || len(activeSessions(t, s, u.ID, base)) != 0 {
		t.Errorf("RevokeUserSessions without keep: got %d revoked, want 1 and none left", n)
	}
	inTx(t, s, func(tx auth.Tx) (err error) {
		n, err = tx.RevokeUserSessions(t.Context(), u.ID, "", at)
		return err
	})
	if n != 0 {
		t.Errorf("RevokeUserSessions again: got %d, want 0", n)
	}
}

// listUsers returns the usernames of one page and the total.
func listUsers(t *testing.T, s auth.Store, f auth.UserFilter) ([]string, int) {
	t.Helper()
	var users []auth.User
	var total int
	inTx(t, s, func(tx auth.Tx) (err error) {
		users, total, err = tx.ListUsers(t.Context(), f)
		return err
	})
	names := make([]string, 0, len(users))
	for _, u := range users {
		names = append(names, u.Username)
	}
	return names, total
}

func testListUsers(t *testing.T, s auth.Store) {
	for _, name := range []string{"Anna", "Bert_x", "Bertha", "carl", "Dora%"} {
		u := newUser(strings.TrimSuffix(name, "%"))
		if strings.HasSuffix(name, "%") {
			u.Email = "dora.100pct@example.org"
			u.EmailKey = auth.EmailKey(u.Email)
		}
		inTx(t, s, func(tx auth.Tx) error { return tx.CreateUser(t.Context(), &u) })
	}

	tests := []struct {
		name      string
		f         auth.UserFilter
		want      []string
		wantTotal int
	}{
		{"all", auth.UserFilter{Limit: 10}, []string{"Anna", "Bert_x", "Bertha", "carl",
			"Dora"}, 5},
		{"first page", auth.UserFilter{Limit: 2}, []string{"Anna", "Bert_x"}, 5},
		{"second page", auth.UserFilter{Limit: 2, Offset: 2}, []string{"Bertha", "carl"}, 5},
		{"past the end", auth.UserFilter{Limit: 2, Offset: 9}, []string{}, 5},
		{"substring of username key", auth.UserFilter{Query: "ert", Limit: 10},
			[]string{"Bert_x", "Bertha"}, 2},
		{"underscore is literal", auth.UserFilter{Query: "t_", Limit: 10},
			[]string{"Bert_x"}, 1},
		{"percent is literal", auth.UserFilter{Query: "%", Limit: 10}, []string{}, 0},
		{"e-mail domain", auth.UserFilter{Query: "example.org", Limit: 10},
			[]string{"Dora"}, 1},
		{"no match", auth.UserFilter{Query: "zed", Limit: 10}, []string{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total := listUsers(t, s, tt.f)
			if !slices.Equal(got, tt.want) || total != tt.wantTotal {
				t.Errorf("got %q (total %d), want %q (total %d)", got, total, tt.want,
					tt.wantTotal)
			}
		})
	}
}

// lockAdmins reads the active administrators.
func lockAdmins(t *testing.T, s auth.Store) []int64 {
	t.Helper()
	var ids []int64
	inTx(t, s, func(tx auth.Tx) (err error) {
		ids, err = tx.LockAdmins(t.Context())
		return err
	})
	return ids
}

func testUserFlags(t *testing.T, s auth.Store) {
	a := newUser("flag_admin")
	a.IsAdmin = true
	inTx(t, s, func(tx auth.Tx) error { return tx.CreateUser(t.Context(), &a) })
	b := createUser(t, s, "flag_member")
	inactive := newUser("flag_sleeper")
	inactive.IsAdmin, inactive.IsActive = true, false
	inTx(t, s, func(tx auth.Tx) error { return tx.CreateUser(t.Context(), &inactive) })

	if got := lockAdmins(t, s); !slices.Equal(got, []int64{a.ID}) {
		t.Fatalf("LockAdmins: got %v, want [%d] (inactive admins do not count)", got, a.ID)
	}

	at := base.Add(time.Hour)
	inTx(t, s, func(tx auth.Tx) error { return tx.SetUserFlags(t.Context(), b.ID, true, true, at) })
	if got := lockAdmins(t, s); !slices.Equal(got, []int64{a.ID, b.ID}) {
		t.Errorf("LockAdmins after promotion: got %v, want [%d %d]", got, a.ID, b.ID)
	}
	var got auth.User
	inTx(t, s, func(tx auth.Tx) (err error) {
		got, err = tx.UserByID(t.Context(), b.ID)
		return err
	})
	b.IsAdmin, b.UpdatedAt = true, at
	if fmtUser(got) != fmtUser(b) {
		t.Errorf("after SetUserFlags:\n got %s\nwant %s", fmtUser(got), fmtUser(b))
	}

	err := s.InTx(t.Context(), func(tx auth.Tx) error {
		return tx.SetUserFlags(t.Context(), 987654, false, false, at)
	})
	if !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("SetUserFlags of a missing user: got %v, want ErrNotFound", err)
	}
}

// testLockAdmins races two administrators who each remove their own flag only if another
// administrator remains: with the lock, exactly one of them may do it.
func testLockAdmins(t *testing.T, s auth.Store) {
	var admins []auth.User
	for _, name := range []string{"race_admin_a", "race_admin_b"} {
		u := newUser(name)
		u.IsAdmin = true
		inTx(t, s, func(tx auth.Tx) error { return tx.CreateUser(t.Context(), &u) })
		admins = append(admins, u)
	}

	var removed atomic.Int32
	var wg sync.WaitGroup
	for _, u := range admins {
		wg.Go(func() {
			err := s.InTx(t.Context(), func(tx auth.Tx) error {
				ids, err := tx.LockAdmins(t.Context())
				if err != nil || len(ids) < 2 {
					return err
				}
				time.Sleep(think)
				if err := tx.SetUserFlags(t.Context(), u.ID, true, false, base); err != nil {
					return err
				}
				removed.Add(1)
				return nil
			})
			if err != nil {
				t.Errorf("%s: got %v, want no error", u.Username, err)
			}
		})
	}
	wg.Wait()

	if n := removed.Load(); n != 1 {
		t.Errorf("got %d administrators removed, want exactly 1", n)
	}
	if got := lockAdmins(t, s); len(got) != 1 {
		t.Errorf("got %d administrators left, want 1", len(got))
	}
}

// listActivity returns the ids of the rows ListActivity returns for f.
func listActivity(t *testing.T, s auth.Store, f auth.ActivityFilter) []int64 {
	t.Helper()
	var rows []auth.LoggedActivity
	inTx(t, s, func(tx auth.Tx) (err error) {
		rows, err = tx.ListActivity(t.Context(), f)
		return err
	})
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}

func testListActivity(t *testing.T, s auth.Store) {
	ann := createUser(t, s, "feed_ann")
	bob := createUser(t, s, "feed_bob")
	yes := true

	add := func(uid *int64, event string, risk float64) auth.Activity {
		a := auth.Activity{UserID: uid, EventType: event, RiskScore: risk, CreatedAt: base,
			Client: auth.Client{IP: "192.0.2.9", DeviceInfo: "curl", City: "Bern",
				Country: "CH"},
			ExtraInfo: map[string]any{"reasons": []any{map[string]any{"signal": "new_device",
				"contribution": 0.4}}}}
		if event == auth.EventLoginSuccess {
			a.LoginSuccess = &yes
		}
		inTx(t, s, func(tx auth.Tx) error { return tx.AddActivity(t.Context(), &a) })
		return a
	}
	a1 := add(&ann.ID, auth.EventLoginSuccess, 0.1)
	a2 := add(&bob.ID, auth.EventLoginFailed, 0.8)
	a3 := add(&ann.ID, auth.EventLoginFailed, 0.5)
	a4 := add(nil, auth.EventLoginFailed, 0.9)
	a5 := add(&ann.ID, auth.EventLogout, 0)

	tests := []struct {
		name string
		f    auth.ActivityFilter
		want []int64
	}{
		{"everything, newest first", auth.ActivityFilter{Limit: 10},
			[]int64{a5.ID, a4.ID, a3.ID, a2.ID, a1.ID}},
		{"limit", auth.ActivityFilter{Limit: 2}, []int64{a5.ID, a4.ID}},
		{"before", auth.ActivityFilter{Limit: 2, Before: a4.ID}, []int64{a3.ID, a2.ID}},
		{"one user", auth.ActivityFilter{UserID: ann.ID, Limit: 10},
			[]int64{a5.ID, a3.ID, a1.ID}},
		{"one user before", auth.ActivityFilter{UserID: ann.ID, Before: a3.ID, Limit: 10},
			[]int64{a1.ID}},
		{"event", auth.ActivityFilter{EventType: auth.EventLoginFailed, Limit: 10},
			[]int64{a4.ID, a3.ID, a2.ID}},
		{"min risk", auth.ActivityFilter{MinRisk: 0.5, Limit: 10},
			[]int64{a4.ID, a3.ID, a2.ID}},
		{"all filters", auth.ActivityFilter{UserID: ann.ID, EventType: auth.EventLoginFailed,
			MinRisk: 0.5, Limit: 10}, []int64{a3.ID}},
		{"nothing", auth.ActivityFilter{EventType: "no_such_event", Limit: 10}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listActivity(t, s, tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("got ids %v, want %v", got, tt.want)
			}
		})
	}

	var rows []auth.LoggedActivity
	inTx(t, s, func(tx auth.Tx) (err error) {
		rows, err = tx.ListActivity(t.Context(), auth.ActivityFilter{Limit: 10})
		return err
	})
	names := map[int64]string{}
	for _, r := range rows {
		names[r.ID] = r.Username
	}
	if names[a1.ID] != ann.Username || names[a2.ID] != bob.Username || names[a4.ID] != "" {
		t.Errorf("usernames: got %q, %q, %q; want %q, %q, \"\"", names[a1.ID], names[a2.ID],
			names[a4.ID], ann.Username, bob.Username)
	}
	if got := fmtActivity(rows[len(rows)-1].Activity); got != fmtActivity(a1) {
		t.Errorf("row:\n got %s\nwant %s", got, fmtActivity(a1))
	}
	reasons, _ := rows[0].ExtraInfo["reasons"].([]any)
	if len(reasons) != 1 {
		t.Errorf("extra_info reasons: got %#v, want one reason", rows[0].ExtraInfo)
	}
}

// tokenGone reports whether no token has that hash any more.
func tokenGone(t *testing.T, s auth.Store, hash string) bool {
	t.Helper()
	err := s.InTx(t.Context(), func(tx auth.Tx) error {
		_, err := tx.RefreshTokenByHash(t.Context(), hash)
		return err
	})
	if err != nil && !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("RefreshTokenByHash: %v", err)
	}
	return errors.Is(err, auth.ErrNotFound)
}

// sessionGone reports whether the session no longer exists.
func sessionGone(t *testing.T, s auth.Store, id string) bool {
	t.Helper()
	_, _, err := s.SessionWithUser(t.Context(), id)
	if err != nil && !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("SessionWithUser: %v", err)
	}
	return errors.Is(err, auth.ErrNotFound)
}

func testPruneTokens(t *testing.T, s auth.Store) {
	u := createUser(t, s, "pruned")
	cutoff := base
	old, recent := cutoff.Add(-time.Hour), cutoff.Add(time.Hour)

	live := createSession(t, s, u.ID, "pt-live")
	liveTok := createTokenAt(t, s, u.ID, live.ID, "pt-live-h", recent, false)
	// An old rotated token whose child is still valid: the child survives and loses its
	// parent link.
	rotated := createTokenAt(t, s, u.ID, live.ID, "pt-rotated", old, false)
	child := newToken(u.ID, live.ID, "pt-child", &rotated.ID)
	child.ExpiresAt = recent
	inTx(t, s, func(tx auth.Tx) error { return tx.CreateRefreshToken(t.Context(), &child) })

	revokedLong := createSession(t, s, u.ID, "pt-revoked-long")
	revokedLongTok := createTokenAt(t, s, u.ID, revokedLong.ID, "pt-rl-h", recent, false)
	inTx(t, s, func(tx auth.Tx) error {
		return tx.RevokeSession(t.Context(), revokedLong.ID, old)
	})
	revokedNow := createSession(t, s, u.ID, "pt-revoked-now")
	revokedNowTok := createTokenAt(t, s, u.ID, revokedNow.ID, "pt-rn-h", recent, false)
	inTx(t, s, func(tx auth.Tx) error {
		return tx.RevokeSession(t.Context(), revokedNow.ID, recent)
	})
	idle := createSession(t, s, u.ID, "pt-idle") // last used at base, i.e. not before cutoff
	idleTok := createTokenAt(t, s, u.ID, idle.ID, "pt-idle-h", old, false)
	legacy := createTokenAt(t, s, u.ID, "", "pt-legacy", old, true)

	var n int
	inTx(t, s, func(tx auth.Tx) (err error) {
		n, err = tx.PruneTokens(t.Context(), cutoff, 100)
		return err
	})
	if n != 4 {
		t.Errorf("PruneTokens: got %d deleted, want 4", n)
	}
	for _, tok := range []auth.RefreshToken{rotated, revokedLongTok, idleTok, legacy} {
		if !tokenGone(t, s, tok.TokenHash) {
			t.Errorf("token %s: still there, want deleted", tok.TokenHash)
		}
	}
	for _, tok := range []auth.RefreshToken{liveTok, child, revokedNowTok} {
		if tokenGone(t, s, tok.TokenHash) {
			t.Errorf("token %s: deleted, want kept", tok.TokenHash)
		}
	}
	if got := tokenByHash(t, s, child.TokenHash); got.ParentID != nil {
		t.Errorf("child of a pruned token: got parent %s, want nil", fmtInt64Ptr(got.ParentID))
	}

	// The idle session has no token left but was used at the cutoff: it stays until a
	// later cutoff. The session revoked long ago goes.
	inTx(t, s, func(tx auth.Tx) (err error) {
		n, err = tx.PruneSessions(t.Context(), cutoff, 100)
		return err
	})
	if n != 1 || !sessionGone(t, s, revokedLong.ID) {
		t.Errorf("PruneSessions: got %d deleted, want 1 (the long revoked session)", n)
	}
	inTx(t, s, func(tx auth.Tx) (err error) {
		n, err = tx.PruneSessions(t.Context(), cutoff.Add(time.Minute), 100)
		return err
	})
	if n != 1 || !sessionGone(t, s, idle.ID) {
		t.Errorf("PruneSessions later: got %d deleted, want 1 (the idle session)", n)
	}
	for _, id := range []string{live.ID, revokedNow.ID} {
		if sessionGone(t, s, id) {
			t.Errorf("session %s: deleted, want kept", id)
		}
	}
}

func testPruneActivity(t *testing.T, s auth.Store) {
	u := createUser(t, s, "forgetful")
	var kept []int64
	for i := range 5 {
		a := auth.Activity{UserID: &u.ID, EventType: auth.EventRefresh,
			CreatedAt: base.Add(time.Duration(i-3) * time.Hour)}
		inTx(t, s, func(tx auth.Tx) error { return tx.AddActivity(t.Context(), &a) })
		if i >= 3 {
			kept = append(kept, a.ID)
		}
	}

	var n int
	inTx(t, s, func(tx auth.Tx) (err error) {
		n, err = tx.PruneActivity(t.Context(), base, 2)
		return err
	})
	if n != 2 {
		t.Errorf("PruneActivity with limit 2: got %d deleted, want 2", n)
	}
	inTx(t, s, func(tx auth.Tx) (err error) {
		n, err = tx.PruneActivity(t.Context(), base, 2)
		return err
	})
	if n != 1 {
		t.Errorf("PruneActivity again: got %d deleted, want the last 1", n)
	}
	got := listActivity(t, s, auth.ActivityFilter{UserID: u.ID, Limit: 10})
	if !slices.Equal(got, []int64{kept[1], kept[0]}) {
		t.Errorf("left: got ids %v, want %v", got, []int64{kept[1], kept[0]})
	}
}

// testConcurrentPrunes runs prunes in several goroutines at once over the same rows, as
// several server instances would: none may fail, and together they delete every row once.
func testConcurrentPrunes(t *testing.T, s auth.Store) {
	const rows, workers, batch = 60, 4, 7
	u := createUser(t, s, "crowded")
	old := base.Add(-time.Hour)
	inTx(t, s, func(tx auth.Tx) error {
		for i := range rows {
			a := auth.Activity{UserID: &u.ID, EventType: auth.EventRefresh, CreatedAt: old}
			if err := tx.AddActivity(t.Context(), &a); err != nil {
				return err
			}
			sess := auth.Session{ID: fmt.Sprintf("cp-%02d", i), UserID: u.ID, CreatedAt: old,
				LastUsedAt: old}
			if err := tx.CreateSession(t.Context(), &sess); err != nil {
				return err
			}
			var parent *int64
			for j := range 2 {
				r := newToken(u.ID, sess.ID, fmt.Sprintf("cp-%02d-%d", i, j), parent)
				r.ExpiresAt = old
				if err := tx.CreateRefreshToken(t.Context(), &r); err != nil {
					return err
				}
				parent = &r.ID
			}
		}
		return nil
	})

	var tokens, sessions, activity atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for _, step := range []struct {
				count *atomic.Int64
				run   func(tx auth.Tx) (int, error)
			}{
				{&tokens, func(tx auth.Tx) (int, error) {
					return tx.PruneTokens(t.Context(), base, batch)
				}},
				{&sessions, func(tx auth.Tx) (int, error) {
					return tx.PruneSessions(t.Context(), base, batch)
				}},
				{&activity, func(tx auth.Tx) (int, error) {
					return tx.PruneActivity(t.Context(), base, batch)
				}},
			} {
				if err := pruneAll(t, s, step.run, step.count); err != nil {
					t.Errorf("got %v, want no error", err)
				}
			}
		})
	}
	wg.Wait()

	if tokens.Load() != 2*rows || sessions.Load() != rows || activity.Load() != rows {
		t.Errorf("deleted %d tokens, %d sessions, %d activity rows; want %d, %d, %d",
			tokens.Load(), sessions.Load(), activity.Load(), 2*rows, rows, rows)
	}
}

// pruneAll runs one prune step in transactions until a batch deletes nothing.
func pruneAll(t *testing.T, s auth.Store, run func(tx auth.Tx) (int, error),
	count *atomic.Int64) error {
	for {
		var n int
		err := s.InTx(t.Context(), func(tx auth.Tx) (err error) {
			n, err = run(tx)
			return err
		})
		if err != nil {
			return err
		}
		count.Add(int64(n))
		if n == 0 {
			return nil
		}
	}
}

// testSwapPasswordHash: the hash changes only while it still is the one the caller read,
// so of two concurrent swaps from the same hash exactly one wins.
func testSwapPasswordHash(t *testing.T, s auth.Store) {
	u := createUser(t, s, "swapper")
	at := base.Add(time.Hour)

	var wg sync.WaitGroup
	var won, lost atomic.Int32
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InTx(t.Context(), func(tx auth.Tx) error {
				return tx.SwapPasswordHash(t.Context(), u.ID, u.HashedPassword,
					fmt.Sprintf("new-hash-%d", i), at)
			})
			switch {
			case err == nil:
				won.Add(1)
			case errors.Is(err, auth.ErrNotFound):
				lost.Add(1)
			default:
				t.Errorf("swap %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 || lost.Load() != 7 {
		t.Fatalf("got %d swaps won and %d lost, want 1 and 7", won.Load(), lost.Load())
	}

	err := s.InTx(t.Context(), func(tx auth.Tx) error {
		return tx.SwapPasswordHash(t.Context(), u.ID+1000, "x", "y", at)
	})
	if !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("swap for a missing user: got %v, want ErrNotFound", err)
	}
}
