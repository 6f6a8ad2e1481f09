package e2e_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
)

// recorder keeps what one tab did: the requests it sent with the status of each, and the
// exceptions, console messages and browser log entries that may point at a broken page.
// Its listen method runs on chromedp's reading goroutine; the test reads under the lock.
type recorder struct {
	tab string

	mu       sync.Mutex
	requests []*request
	byID     map[network.RequestID]*request
	notes    []note
}

// request is one request the tab sent.
type request struct {
	method string
	path   string
	status int64 // 0 until the response arrives
}

// note is an exception, a console message or a log entry, kept for classify.
type note struct {
	kind      string // "exception", "console" or "log"
	level     string
	source    log.EntrySource
	text      string
	url       string
	requestID network.RequestID
}

func newRecorder(tab string) *recorder {
	return &recorder{tab: tab, byID: map[network.RequestID]*request{}}
}

// listen is the tab's event listener. It must return fast and run no browser command.
func (r *recorder) listen(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()

	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		req := &request{method: ev.Request.Method, path: pathOf(ev.Request.URL)}
		r.requests = append(r.requests, req)
		r.byID[ev.RequestID] = req
	case *network.EventResponseReceived:
		if req := r.byID[ev.RequestID]; req != nil {
			req.status = ev.Response.Status
		}
	case *runtime.EventExceptionThrown:
		r.notes = append(r.notes, note{kind: "exception", level: "error",
			text: exceptionText(ev.ExceptionDetails), url: ev.ExceptionDetails.URL})
	case *runtime.EventConsoleAPICalled:
		r.notes = append(r.notes, note{kind: "console", level: string(ev.Type),
			text: consoleText(ev.Args)})
	case *log.EventEntryAdded:
		e := ev.Entry
		r.notes = append(r.notes, note{kind: "log", level: string(e.Level), source: e.Source,
			text: e.Text, url: e.URL, requestID: e.NetworkRequestID})
	}
}

func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.Text
}

func consoleText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		case a.Description != "":
			parts = append(parts, a.Description)
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// count returns how many method requests to path the tab has sent.
func (r *recorder) count(method, path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, req := range r.requests {
		if req.method == method && req.path == path {
			n++
		}
	}
	return n
}

// statuses returns the response statuses of the method requests to path, from the skip-th
// such request on, in the order they were sent (0 for one without a response yet).
func (r *recorder) statuses(method, path string, skip int) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int64
	for _, req := range r.requests {
		if req.method != method || req.path != path {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, req.status)
	}
	return out
}

// expected401 lists the endpoints the test makes answer 401 on purpose: a tampered or
// expired access token (/api/me), and a refresh after logout (/auth/refresh).
var expected401 = map[string]bool{"/api/me": true, "/auth/refresh": true}

// classify splits the notes into problems (CSP violations, JS errors, console errors,
// error log entries) and allowed ones. A browser "Failed to load resource" entry is allowed
// only when it names (by request id) a request of this tab that an expected401 endpoint
// answered with 401; every other error entry is a problem.
func (r *recorder) classify() (problems, allowed []string) {
	r.mu.Lock()
	defer r.mu.Unlock()

	for _, n := range r.notes {
		line := fmt.Sprintf("%s: %s %s/%s: %s", r.tab, n.kind, n.source, n.level, n.text)
		if n.url != "" {
			line += " (" + n.url + ")"
		}
		switch {
		case !r.isProblem(n):
			continue
		case r.isExpectedLoadFailure(n):
			allowed = append(allowed, line)
		default:
			problems = append(problems, line)
		}
	}
	return problems, allowed
}

// isProblem reports whether n is worth failing for: any exception, any console error or
// assertion, and any console message or log entry of level error, or one that reports a
// Content Security Policy violation at whatever level.
func (r *recorder) isProblem(n note) bool {
	if isCSP(n.text) {
		return true
	}
	switch n.kind {
	case "exception":
		return true
	case "console":
		return n.level == string(runtime.ConsoleAPICalledTypeError) ||
			n.level == string(runtime.ConsoleAPICalledTypeAssert)
	default:
		return n.level == string(log.EntryLevelError)
	}
}

func isCSP(text string) bool {
	return strings.Contains(text, "Content Security Policy") ||
		strings.Contains(text, "Refused to")
}

func (r *recorder) isExpectedLoadFailure(n note) bool {
	if n.kind != "log" || n.source != log.EntrySourceNetwork ||
		!strings.HasPrefix(n.text, "Failed to load resource") {
		return false
	}
	req := r.byID[n.requestID]
	if req == nil {
		return false
	}
	return req.status == 401 && expected401[req.path]
}
