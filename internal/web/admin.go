package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// userView is an account as the administration API shows it.
type userView struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	IsActive  bool      `json:"is_active"`
	IsAdmin   bool      `json:"is_admin"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// usersPage is a page of the user listing.
type usersPage struct {
	Items  []userView `json:"items"`
	Total  int        `json:"total"`
	Limit  int        `json:"limit"`
	Offset int        `json:"offset"`
}

// userPatch is the body of PATCH /api/admin/users/{id}.
type userPatch struct {
	IsActive *bool `json:"is_active"`
	IsAdmin  *bool `json:"is_admin"`
}

// adminOnly refuses callers who are not administrators before h reads anything of the
// request. It goes inside bearer.
func (s *Server) adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := auth.RequireAdmin(principalOf(r).user); err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r)
	}
}

func viewOfUser(u auth.User) userView {
	return userView{ID: u.ID, Username: u.Username, Email: u.Email, IsActive: u.IsActive,
		IsAdmin: u.IsAdmin, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := queryInt(q, "limit", auth.DefaultPageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	offset, err := queryInt(q, "offset", 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	users, total, err := s.svc.Users(r.Context(), principalOf(r).user, q.Get("query"),
		int(limit), int(offset))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := usersPage{Items: make([]userView, 0, len(users)), Total: total,
		Limit: int(limit), Offset: int(offset)}
	for _, u := range users {
		page.Items = append(page.Items, viewOfUser(u))
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) adminUpdateUser(w http.ResponseWriter, r *http.Request) {
	// An id that is not a number names no user; the service answers 404 for id 0.
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	body, err := readPatch(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	patch := auth.UserPatch{IsActive: body.IsActive, IsAdmin: body.IsAdmin}
	u, err := s.svc.UpdateUser(r.Context(), principalOf(r).user, id, patch, s.client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewOfUser(u))
}

// readPatch decodes a JSON user patch. Unknown fields and values that are not booleans are
// refused, so that a typo cannot pass as "nothing to change".
func readPatch(r *http.Request) (userPatch, error) {
	var p userPatch
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	cs, hasCharset := params["charset"]
	if err != nil || mt != "application/json" ||
		(hasCharset && !strings.EqualFold(cs, "utf-8")) {
		return p, &auth.Error{Code: auth.EUNSUPPORTED, Message: "Send the changes as JSON"}
	}

	body, err := io.ReadAll(r.Body)
	if err != nil {
		return p, bodyErr(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return p, auth.Errorf(auth.EINVALID, "Field %q must be true or false",
				typeErr.Field)
		}
		if errors.Is(err, io.EOF) {
			return p, errMalformed
		}
		if e := bodyErr(err); e == errTooLarge {
			return p, e
		}
		return p, auth.Errorf(auth.EINVALID, "Malformed request body; only is_active and "+
			"is_admin may be set")
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return p, errMalformed
	}
	if key, dup := duplicateKey(body); dup {
		return p, auth.Errorf(auth.EINVALID, "Field %q is given more than once", key)
	}
	return p, nil
}

func (s *Server) adminActivity(w http.ResponseWriter, r *http.Request) {
	f, err := activityFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.svc.RiskFeed(r.Context(), principalOf(r).user, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, activityPageOf(list, f.Limit, true))
}

// activityFilter reads the query of the risk feed.
func activityFilter(r *http.Request) (auth.ActivityFilter, error) {
	q := r.URL.Query()
	f := auth.ActivityFilter{EventType: q.Get("event_type")}
	limit, err := queryInt(q, "limit", auth.DefaultPageSize)
	if err != nil {
		return f, err
	}
	f.Limit = int(limit)
	if f.Before, err = queryInt(q, "before", 0); err != nil {
		return f, err
	}
	if f.UserID, err = queryInt(q, "user_id", 0); err != nil {
		return f, err
	}

	if q.Has("min_risk") {
		v, err := strconv.ParseFloat(q.Get("min_risk"), 64)
		if err != nil {
			return f, auth.Errorf(auth.EINVALID, "min_risk must be a number from 0 to 1")
		}
		f.MinRisk = v
	}
	return f, nil
}
