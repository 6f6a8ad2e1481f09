package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/auth"
)

// usersJSON is the body of GET /api/admin/users.
type usersJSON struct {
	Items []struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
		Email    string `json:"email"`
		IsActive bool   `json:"is_active"`
		IsAdmin  bool   `json:"is_admin"`
	} `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

func (u usersJSON) names() []string {
	out := make([]string, 0, len(u.Items))
	for _, it := range u.Items {
		out = append(out, it.Username)
	}
	return out
}

// promote makes name an administrator, as the operator would at the command line.
func promote(t *testing.T, e *env, name string) {
	t.Helper()
	yes := true
	if _, err := e.svc.UpdateUserByLogin(context.Background(), name,
		auth.UserPatch{IsAdmin: &yes}); err != nil {
		t.Fatalf("promote %s: %v", name, err)
	}
}

// userID looks up the id of name through the admin API.
func userID(t *testing.T, admin *member, name string) int64 {
	t.Helper()
	var page usersJSON
	wantStatus(t, admin.get("/api/admin/users?query="+name, &page), http.StatusOK)
	for _, it := range page.Items {
		if strings.EqualFold(it.Username, name) {
			return it.ID
		}
	}
	t.Fatalf("user %s not listed: %+v", name, page)
	return 0
}

// patchUser sends PATCH /api/admin/users/{id} with a JSON body.
func patchUser(admin *member, id int64, body string) response {
	admin.t.Helper()
	return admin.call("PATCH", fmt.Sprintf("/api/admin/users/%d", id), "application/json",
		body)
}

// TestAdminForbidden: a member who is not an administrator gets 403 everywhere, even with a
// bad body, and the refusal changes nothing.
func TestAdminForbidden(t *testing.T) {
	e := newEnv(t, backends["sqlite"](t), options{})
	signUp(t, e, "Boss")
	promote(t, e, "Boss")
	m := signUp(t, e, "Minion")

	for _, rq := range []struct{ method, path, body string }{
		{"GET", "/api/admin/users", ""},
		{"GET", "/api/admin/users?limit=0", ""},
		{"PATCH", "/api/admin/users/1", `{"is_admin":false}`},
		{"PATCH", "/api/admin/users/2", `{"is_admin":true}`},
		{"PATCH", "/api/admin/users/2", `not json`},
		{"GET", "/api/admin/activity", ""},
		{"GET", "/api/admin/activity?min_risk=0.5", ""},
	} {
		t.Run(rq.method+" "+rq.path+" "+rq.body, func(t *testing.T) {
			r := m.as(t).call(rq.method, rq.path, "application/json", rq.body)
			wantStatus(t, r, http.StatusForbidden)
			if d := r.detail(t); !strings.Contains(d, "Administrator") {
				t.Errorf("detail: got %q, want it to say administrators only", d)
			}
		})
	}
	var me map[string]any
	wantStatus(t, m.get("/api/me", &me), http.StatusOK)
	if me["is_admin"] != false {
		t.Errorf("after refused PATCH: got is_admin %v, want false", me["is_admin"])
	}
}

// TestAdminUsers lists, searches and pages through the users, and changes their flags.
func TestAdminUsers(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		admin := signUp(t, e, "Chief")
		promote(t, e, "Chief")
		target := signUp(t, e, "Target_one")
		other := signIn(t, e, "Target_one")
		for _, name := range []string{"Target_two", "Bystander"} {
			signUp(t, e, name)
		}

		var page usersJSON
		r := admin.get("/api/admin/users", &page)
		wantStatus(t, r, http.StatusOK)
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control: got %q, want no-store", cc)
		}
		want := []string{"Chief", "Target_one", "Target_two", "Bystander"}
		if !slices.Equal(page.names(), want) || page.Total != 4 || page.Limit != 20 {
			t.Fatalf("users: got %v (total %d, limit %d), want %v (4, 20)", page.names(),
				page.Total, page.Limit, want)
		}
		if !page.Items[0].IsAdmin || page.Items[1].IsAdmin || page.Items[1].Email == "" {
			t.Errorf("flags: got %+v", page.Items[:2])
		}

		queries := []struct {
			query string
			want  []string
			total int
		}{
			{"?query=target&limit=1", []string{"Target_one"}, 2},
			{"?query=TARGET&limit=1&offset=1", []string{"Target_two"}, 2},
			{"?query=%5F", []string{"Target_one", "Target_two"}, 2},
			{"?query=bystander%40example.com", []string{"Bystander"}, 1},
			{"?query=nobody", []string{}, 0},
			{"?offset=10", []string{}, 4},
		}
		for _, q := range queries {
			var got usersJSON
			wantStatus(t, admin.get("/api/admin/users"+q.query, &got), http.StatusOK)
			if !slices.Equal(got.names(), q.want) || got.Total != q.total {
				t.Errorf("%s: got %v (total %d), want %v (total %d)", q.query, got.names(),
					got.Total, q.want, q.total)
			}
		}
		for _, q := range []string{"limit=0", "limit=101", "limit=x", "offset=-1",
			"offset=y", "query=" + strings.Repeat("a", 400)} {
			wantStatus(t, admin.call("GET", "/api/admin/users?"+q, "", ""),
				http.StatusBadRequest)
		}

		// Deactivating ends every session of the account at once.
		id := userID(t, admin, "Target_one")
		r = patchUser(admin, id, `{"is_active":false}`)
		wantStatus(t, r, http.StatusOK)
		if got := r.json(t); got["is_active"] != false || got["username"] != "Target_one" {
			t.Errorf("PATCH answer: got %s", r.body)
		}
		wantStatus(t, target.me(target.access), http.StatusUnauthorized)
		wantStatus(t, other.me(other.access), http.StatusUnauthorized)
		wantStatus(t, other.post("/auth/refresh", "", ""), http.StatusUnauthorized)
		wantStatus(t, e.browser().login("Target_one", strongPassword), http.StatusUnauthorized)

		wantStatus(t, patchUser(admin, id, `{"is_active":true,"is_admin":true}`),
			http.StatusOK)
		back := signIn(t, e, "Target_one")
		wantStatus(t, back.call("GET", "/api/admin/users", "", ""), http.StatusOK)

		bad := []struct {
			name, path, contentType, body string
			status                        int
		}{
			{"unknown id", "/api/admin/users/999999", "application/json",
				`{"is_active":false}`, http.StatusNotFound},
			{"id not a number", "/api/admin/users/abc", "application/json",
				`{"is_active":false}`, http.StatusNotFound},
			{"nothing to change", fmt.Sprintf("/api/admin/users/%d", id), "application/json",
				`{}`, http.StatusBadRequest},
			{"not a boolean", fmt.Sprintf("/api/admin/users/%d", id), "application/json",
				`{"is_admin":"yes"}`, http.StatusBadRequest},
			{"unknown field", fmt.Sprintf("/api/admin/users/%d", id), "application/json",
				`{"is_superuser":true}`, http.StatusBadRequest},
			{"two objects", fmt.Sprintf("/api/admin/users/%d", id), "application/json",
				`{"is_admin":true}{}`, http.StatusBadRequest},
			{"empty body", fmt.Sprintf("/api/admin/users/%d", id), "application/json",
				``, http.StatusBadRequest},
			{"form body", fmt.Sprintf("/api/admin/users/%d", id),
				"application/x-www-form-urlencoded", `is_admin=false`,
				http.StatusUnsupportedMediaType},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				r := admin.as(t).call("PATCH", tt.path, tt.contentType, tt.body)
				wantStatus(t, r, tt.status)
			})
		}

		var feed activityJSON
		wantStatus(t, admin.get("/api/admin/activity?event_type=user_updated&user_id="+
			fmt.Sprint(id), &feed), http.StatusOK)
		if len(feed.Items) != 2 || feed.Items[0].Username != "Target_one" {
			t.Fatalf("admin actions on the target: got %+v, want 2 rows", feed.Items)
		}
		row := rawActivity(t, e.store, feed.Items[1].ID)
		if row.ExtraInfo["actor"] != "Chief" || row.ExtraInfo["target"] != "Target_one" ||
			row.ExtraInfo["sessions_revoked"] != float64(2) {
			t.Errorf("recorded action: got %v, want actor Chief, target Target_one and 2 "+
				"sessions revoked", row.ExtraInfo)
		}
	})
}

// rawActivity reads one row of the activity log from the store.
func rawActivity(t *testing.T, s auth.Store, id int64) auth.Activity {
	t.Helper()
	r, ok := s.(interface {
		ActivityByID(ctx context.Context, id int64) (auth.Activity, error)
	})
	if !ok {
		t.Fatalf("store %T cannot read the activity log", s)
	}
	a, err := r.ActivityByID(context.Background(), id)
	if err != nil {
		t.Fatalf("activity %d: %v", id, err)
	}
	return a
}

// TestLastAdmin: the only active administrator can neither drop the flag nor deactivate
// themself; with a second administrator both work.
func TestLastAdmin(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		solo := signUp(t, e, "Solo")
		promote(t, e, "Solo")
		heir := signUp(t, e, "Heir")
		soloID, heirID := userID(t, solo, "Solo"), userID(t, solo, "Heir")

		for _, body := range []string{`{"is_admin":false}`, `{"is_active":false}`,
			`{"is_active":false,"is_admin":false}`} {
			r := patchUser(solo, soloID, body)
			wantStatus(t, r, http.StatusBadRequest)
			if d := r.detail(t); !strings.Contains(d, "last active administrator") {
				t.Errorf("%s: got detail %q, want the last-administrator rule", body, d)
			}
		}
		wantStatus(t, patchUser(solo, soloID, `{"is_admin":true}`), http.StatusOK)

		wantStatus(t, patchUser(solo, heirID, `{"is_admin":true}`), http.StatusOK)
		wantStatus(t, patchUser(heir, soloID, `{"is_admin":false}`), http.StatusOK)
		wantStatus(t, solo.call("GET", "/api/admin/users", "", ""), http.StatusForbidden)
		r := patchUser(heir, heirID, `{"is_admin":false}`)
		wantStatus(t, r, http.StatusBadRequest)
	})
}

// TestRiskFeed filters everyone's activity by score, event and user.
func TestRiskFeed(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		admin := signUp(t, e, "Watcher")
		promote(t, e, "Watcher")
		signUp(t, e, "Suspect")
		suspectID := userID(t, admin, "Suspect")

		add := func(uid *int64, event string, risk float64, extra map[string]any) {
			a := auth.Activity{UserID: uid, EventType: event, RiskScore: risk,
				ExtraInfo: extra, Client: auth.Client{IP: "203.0.113.9", Country: "NZ"}}
			err := e.store.InTx(context.Background(), func(tx auth.Tx) error {
				return tx.AddActivity(context.Background(), &a)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		add(&suspectID, auth.EventLoginSuccess, 0.85, map[string]any{"reasons": []any{
			map[string]any{"signal": "new_country", "contribution": 0.5, "detail": "NZ"},
			map[string]any{"signal": "new_device", "contribution": 0.7},
		}})
		add(nil, auth.EventLoginFailed, 0.6, map[string]any{"attempted_username": "ghost",
			"reasons": []any{"spraying", 42}})
		add(&suspectID, auth.EventRefresh, 0.2, nil)
		add(&suspectID, auth.EventRefreshReuse, 1, map[string]any{"reasons": []any{
			map[string]any{"signal": "token_reuse", "score": 1.0}}})

		var feed activityJSON
		wantStatus(t, admin.get("/api/admin/activity?min_risk=0.5", &feed), http.StatusOK)
		want := []string{auth.EventRefreshReuse, auth.EventLoginFailed, auth.EventLoginSuccess}
		if got := feed.events(); !slices.Equal(got, want) {
			t.Fatalf("min_risk=0.5: got %v, want %v", got, want)
		}
		reuse, anon, login := feed.Items[0], feed.Items[1], feed.Items[2]
		if reuse.Username != "Suspect" || reuse.UserID == nil || *reuse.UserID != suspectID {
			t.Errorf("reuse row: got user %v %q, want %d Suspect", reuse.UserID,
				reuse.Username, suspectID)
		}
		if len(reuse.Reasons) != 1 || reuse.Reasons[0].Contribution != 1 {
			t.Errorf("reuse reasons: got %+v, want token_reuse scored 1", reuse.Reasons)
		}
		if anon.UserID != nil || len(anon.Reasons) != 1 || anon.Reasons[0].Signal != "spraying" {
			t.Errorf("anonymous row: got user %v, reasons %+v", anon.UserID, anon.Reasons)
		}
		if len(login.Reasons) != 2 || login.Reasons[0].Signal != "new_country" ||
			login.Reasons[0].Detail != "NZ" || login.Reasons[1].Contribution != 0.7 {
			t.Errorf("login reasons: got %+v", login.Reasons)
		}

		filters := []struct {
			query string
			want  []string
		}{
			{"event_type=refresh", []string{auth.EventRefresh}},
			{fmt.Sprintf("user_id=%d&limit=2", suspectID),
				[]string{auth.EventRefreshReuse, auth.EventRefresh}},
			{fmt.Sprintf("user_id=%d&min_risk=0.9", suspectID), []string{auth.EventRefreshReuse}},
			{"min_risk=1&event_type=login_failed", []string{}},
		}
		for _, f := range filters {
			var got activityJSON
			wantStatus(t, admin.get("/api/admin/activity?"+f.query, &got), http.StatusOK)
			if !slices.Equal(got.events(), f.want) {
				t.Errorf("%s: got %v, want %v", f.query, got.events(), f.want)
			}
		}

		var first activityJSON
		wantStatus(t, admin.get("/api/admin/activity?limit=1", &first), http.StatusOK)
		if first.NextBefore == nil || *first.NextBefore != first.Items[0].ID {
			t.Fatalf("limit=1: got next_before %v, want the id of the row", first.NextBefore)
		}
		var second activityJSON
		wantStatus(t, admin.get(fmt.Sprintf("/api/admin/activity?limit=1&before=%d",
			*first.NextBefore), &second), http.StatusOK)
		if len(second.Items) != 1 || second.Items[0].ID >= first.Items[0].ID {
			t.Errorf("second page: got %+v, want one older row", second.Items)
		}

		for _, q := range []string{"min_risk=2", "min_risk=-0.1", "min_risk=abc",
			"min_risk=NaN", "user_id=x", "user_id=-1", "limit=500", "before=z",
			"event_type=" + strings.Repeat("e", 65)} {
			wantStatus(t, admin.call("GET", "/api/admin/activity?"+q, "", ""),
				http.StatusBadRequest)
		}
	})
}
