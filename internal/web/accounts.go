package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// sessionView is a session as GET /api/sessions shows it.
type sessionView struct {
	ID         string    `json:"id"`
	Device     string    `json:"device"`
	IP         string    `json:"ip"`
	City       string    `json:"city"`
	Country    string    `json:"country"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	Current    bool      `json:"current"`
}

// activityView is a row of the activity log as the API shows it. The user fields are
// filled only in the administrators' feed.
type activityView struct {
	ID           int64        `json:"id"`
	UserID       *int64       `json:"user_id,omitempty"`
	Username     string       `json:"username,omitempty"`
	EventType    string       `json:"event_type"`
	IPAddress    string       `json:"ip_address"`
	DeviceInfo   string       `json:"device_info"`
	City         string       `json:"geolocation_city"`
	Country      string       `json:"geolocation_country"`
	LoginSuccess *bool        `json:"login_success"`
	RiskScore    float64      `json:"risk_score"`
	Reasons      []reasonView `json:"reasons"`
	CreatedAt    time.Time    `json:"created_at"`
}

// reasonView is one signal behind a risk score.
type reasonView struct {
	Signal       string  `json:"signal"`
	Contribution float64 `json:"contribution"`
	Detail       string  `json:"detail,omitempty"`
}

// activityPage is a page of an activity listing. NextBefore, when set, is the "before"
// value that asks for the next (older) page.
type activityPage struct {
	Items      []activityView `json:"items"`
	NextBefore *int64         `json:"next_before"`
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	list, err := s.svc.Sessions(r.Context(), p.user.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	out := make([]sessionView, 0, len(list))
	for _, sess := range list {
		out = append(out, sessionView{ID: sess.ID, Device: sess.Client.DeviceInfo,
			IP: sess.Client.IP, City: sess.Client.City, Country: sess.Client.Country,
			CreatedAt: sess.CreatedAt, LastUsedAt: sess.LastUsedAt,
			Current: sess.ID == p.session.ID})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	err := s.svc.RevokeSession(r.Context(), p.user.ID, r.PathValue("id"), s.client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) revokeOtherSessions(w http.ResponseWriter, r *http.Request) {
	if _, err := fields(r); err != nil {
		s.fail(w, r, err)
		return
	}
	p := principalOf(r)
	n, err := s.svc.RevokeOtherSessions(r.Context(), p.user.ID, p.session.ID, s.client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"revoked": n})
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r, "current_password", "new_password")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := principalOf(r)
	in := auth.PasswordChange{Current: f["current_password"], New: f["new_password"]}
	if err := s.svc.ChangePassword(r.Context(), p.user, p.session.ID, in,
		s.client(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	writeDetail(w, http.StatusOK, "Password changed")
}

func (s *Server) ownActivity(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := queryInt(q, "limit", auth.DefaultPageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	before, err := queryInt(q, "before", 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	page := auth.ActivityPage{Limit: int(limit), Before: before}
	list, err := s.svc.Activity(r.Context(), principalOf(r).user.ID, page)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, activityPageOf(list, int(limit), false))
}

// activityPageOf turns rows into a page; withUser adds whose each row is.
func activityPageOf(list []auth.LoggedActivity, limit int, withUser bool) activityPage {
	page := activityPage{Items: make([]activityView, 0, len(list))}
	for _, l := range list {
		v := activityView{ID: l.ID, EventType: l.EventType, IPAddress: l.Client.IP,
			DeviceInfo: l.Client.DeviceInfo, City: l.Client.City, Country: l.Client.Country,
			LoginSuccess: l.LoginSuccess, RiskScore: l.RiskScore,
			Reasons: reasonsOf(l.ExtraInfo), CreatedAt: l.CreatedAt}
		if withUser {
			v.UserID, v.Username = l.UserID, l.Username
		}
		page.Items = append(page.Items, v)
	}
	if len(list) == limit && limit > 0 {
		next := list[len(list)-1].ID
		page.NextBefore = &next
	}
	return page
}

// reasonsOf reads the reasons of a risk score from a row's extra_info: a list of objects
// with a signal, its contribution (or score) and an optional detail, or of bare signal
// names. Anything else is left out.
func reasonsOf(extra map[string]any) []reasonView {
	list, _ := extra["reasons"].([]any)
	out := make([]reasonView, 0, len(list))
	for _, item := range list {
		switch v := item.(type) {
		case string:
			out = append(out, reasonView{Signal: v})
		case map[string]any:
			r := reasonView{}
			r.Signal, _ = v["signal"].(string)
			r.Detail, _ = v["detail"].(string)
			if c, ok := v["contribution"].(float64); ok {
				r.Contribution = c
			} else if c, ok := v["score"].(float64); ok {
				r.Contribution = c
			}
			if r.Signal != "" {
				out = append(out, r)
			}
		}
	}
	return out
}

// queryInt reads a whole-number query parameter, def when it is absent.
func queryInt(q url.Values, name string, def int64) (int64, error) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.ParseInt(q.Get(name), 10, 64)
	if err != nil {
		return 0, auth.Errorf(auth.EINVALID, "%s must be a whole number", name)
	}
	return n, nil
}

// accountRoutes adds the Bearer-authenticated account and administration API. A browser
// never adds the Authorization header by itself, so these routes need no CSRF token.
func (s *Server) accountRoutes() {
	m := s.mux
	api := func(h http.HandlerFunc) http.Handler { return withNoStore(s.bearer(h)) }
	admin := func(h http.HandlerFunc) http.Handler { return api(s.adminOnly(h)) }

	m.Handle("GET /api/sessions", api(s.listSessions))
	m.Handle("DELETE /api/sessions/{id}", api(s.revokeSession))
	m.Handle("POST /api/sessions/revoke-others", api(s.revokeOtherSessions))
	m.Handle("POST /api/password", api(s.changePassword))
	m.Handle("GET /api/activity", api(s.ownActivity))

	m.Handle("GET /api/admin/users", admin(s.adminUsers))
	m.Handle("PATCH /api/admin/users/{id}", admin(s.adminUpdateUser))
	m.Handle("GET /api/admin/activity", admin(s.adminActivity))
}
