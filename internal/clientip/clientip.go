// Package clientip finds the address of the client behind a request, believing forwarding
// headers only when they come from a proxy the operator trusts.
package clientip

import (
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds client addresses. It is safe for concurrent use.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a Resolver that believes X-Forwarded-For and X-Real-IP only from peers in
// trusted. With no trusted prefixes the client is always the TCP peer. Invalid prefixes are
// ignored; IPv4-mapped IPv6 prefixes are read as IPv4.
func New(trusted []netip.Prefix) *Resolver {
	r := &Resolver{}
	for _, p := range trusted {
		if !p.IsValid() {
			continue
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		r.trusted = append(r.trusted, p.Masked())
	}
	return r
}

// ClientIP returns the client's address: the TCP peer, unless the peer is a trusted proxy.
// Then it is the rightmost address of X-Forwarded-For that is not itself a trusted proxy
// (the leftmost when all are), or X-Real-IP when there is no X-Forwarded-For. An entry that
// cannot be parsed ends the walk at the last good address, as anything left of it may be
// forged. The result is always valid, unmapped and without a zone; a peer that cannot be
// parsed (such as a Unix socket) is reported as 0.0.0.0.
func (r *Resolver) ClientIP(req *http.Request) netip.Addr {
	peer := parseAddr(req.RemoteAddr)
	if !peer.IsValid() {
		peer = netip.IPv4Unspecified()
	}
	if !r.isTrusted(peer) {
		return peer
	}

	if addr, found := r.fromForwardedFor(req.Header, peer); found {
		return addr
	}
	if addr := parseAddr(strings.TrimSpace(req.Header.Get("X-Real-IP"))); addr.IsValid() {
		return addr
	}
	return peer
}

// fromForwardedFor walks X-Forwarded-For from the right, across all its header lines, and
// reports whether the header held any entry.
func (r *Resolver) fromForwardedFor(h http.Header, peer netip.Addr) (netip.Addr, bool) {
	lines := h.Values("X-Forwarded-For")
	last, found := peer, false

	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for rest != "" {
			var entry string
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				rest, entry = rest[:j], rest[j+1:]
			} else {
				rest, entry = "", rest
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}

			found = true
			addr := parseAddr(entry)
			if !addr.IsValid() {
				return last, true
			}
			last = addr
			if !r.isTrusted(addr) {
				return addr, true
			}
		}
	}
	return last, found
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseAddr reads an address with or without a port or brackets, such as 192.0.2.1,
// 192.0.2.1:443, 2001:db8::1, [2001:db8::1] or [fe80::1%eth0]:80, and returns it unmapped
// and without its zone. It returns the zero Addr for anything else.
func parseAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return addr.Unmap().WithZone("")
}
