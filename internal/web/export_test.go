package web

import (
	"log/slog"
	"slices"
)

// RoutePatterns returns the patterns that routes() registers, in order. The server behind
// them has no service or CSRF protector: registering a route must not call either.
func RoutePatterns() []string {
	s := &Server{mux: newRouteMux(), log: slog.Default()}
	s.routes()
	return slices.Clone(s.mux.patterns)
}
