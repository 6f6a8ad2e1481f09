package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/finintelli/auth/internal/auth"
)

// MaxBodyBytes is the largest request body the server reads.
const MaxBodyBytes = 64 << 10

var (
	errTooLarge    = &auth.Error{Code: auth.ETOOLARGE, Message: "Request body too large"}
	errUnsupported = &auth.Error{Code: auth.EUNSUPPORTED,
		Message: "Unsupported content type; send JSON, a URL-encoded form or multipart form data"}
	errMalformed = auth.Errorf(auth.EINVALID, "Malformed request body")
)

// fields reads the named fields of a request body sent as JSON, as a URL-encoded form or as
// multipart form data. Other fields are ignored; a missing field reads as "". A request with
// no body and no Content-Type has only empty fields.
func fields(r *http.Request, names ...string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return out, emptyBody(r)
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, errUnsupported
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, errUnsupported // the body would be read as UTF-8 all the same
	}

	switch mt {
	case "application/json":
		return jsonFields(r, names, out)
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "multipart/form-data":
		err = r.ParseMultipartForm(MaxBodyBytes)
	default:
		return nil, errUnsupported
	}
	if err != nil {
		return nil, bodyErr(err)
	}
	for _, n := range names {
		out[n] = r.PostForm.Get(n)
	}
	return out, nil
}

// emptyBody checks that a request without a Content-Type carries no body either.
func emptyBody(r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	var b [1]byte
	n, err := r.Body.Read(b[:])
	if n > 0 {
		return errUnsupported
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return bodyErr(err)
	}
	return nil
}

func jsonFields(r *http.Request, names []string, out map[string]string) (map[string]string,
	error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, bodyErr(err)
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return nil, bodyErr(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, bodyErr(err)
		}
		return nil, errMalformed
	}
	if key, dup := duplicateKey(body); dup {
		// Parsers disagree on which of two values wins; refuse rather than pick one.
		return nil, auth.Errorf(auth.EINVALID, "Field %q is given more than once", key)
	}
	for _, n := range names {
		v, ok := raw[n]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, auth.Errorf(auth.EINVALID, "Field %q must be a string", n)
		}
		out[n] = s
	}
	return out, nil
}

// duplicateKey reports the first key that appears twice at the top level of the JSON
// object in body, which has already been decoded successfully.
func duplicateKey(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", false
		}
		key, _ := t.(string)
		if seen[key] {
			return key, true
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", false
		}
	}
	return "", false
}

// bodyErr classifies a failure to read a body: too large, or malformed.
func bodyErr(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) || strings.Contains(err.Error(), "request body too large") {
		return errTooLarge
	}
	return errMalformed
}
