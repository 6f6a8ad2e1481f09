package clientip_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/clientip"
)

// proxies are the trusted prefixes of most cases.
var proxies = []string{"10.0.0.0/8", "::1/128", "127.0.0.1/32"}

func prefixes(t testing.TB, list []string) []netip.Prefix {
	t.Helper()
	var out []netip.Prefix
	for _, s := range list {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func request(remote string, xff []string, realIP string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = remote
	for _, v := range xff {
		r.Header.Add("X-Forwarded-For", v)
	}
	if realIP != "" {
		r.Header.Set("X-Real-IP", realIP)
	}
	return r
}

func TestClientIP(t *testing.T) {
	manyHops := []string{"203.0.113.50"}
	for range 200 {
		manyHops = append(manyHops, "10.9.8.7")
	}

	tests := []struct {
		name    string
		trusted []string
		remote  string
		xff     []string
		realIP  string
		want    string
	}{
		{"peer ipv4", nil, "203.0.113.7:5555", nil, "", "203.0.113.7"},
		{"peer ipv6", nil, "[2001:db8::1]:443", nil, "", "2001:db8::1"},
		{"peer mapped", nil, "[::ffff:192.0.2.1]:80", nil, "", "192.0.2.1"},
		{"peer zone", nil, "[fe80::1%eth0]:80", nil, "", "fe80::1"},
		{"peer without port", nil, "192.0.2.1", nil, "", "192.0.2.1"},
		{"peer garbage", nil, "@", nil, "", "0.0.0.0"},
		{"peer empty", nil, "", nil, "", "0.0.0.0"},
		{"no proxies ignore xff", nil, "203.0.113.7:1", []string{"1.1.1.1"}, "", "203.0.113.7"},
		{"no proxies ignore real ip", nil, "203.0.113.7:1", nil, "1.1.1.1", "203.0.113.7"},
		{"untrusted peer forged xff", proxies, "203.0.113.7:1", []string{"10.0.0.1, 1.1.1.1"},
			"2.2.2.2", "203.0.113.7"},

		{"one hop", proxies, "10.0.0.1:80", []string{"203.0.113.9"}, "", "203.0.113.9"},
		{"forged left part", proxies, "10.0.0.1:80", []string{"1.1.1.1, 203.0.113.9"}, "",
			"203.0.113.9"},
		{"skip trusted hops", proxies, "10.0.0.1:80", []string{"203.0.113.9, 10.0.0.2"}, "",
			"203.0.113.9"},
		{"several lines", proxies, "10.0.0.1:80", []string{"1.1.1.1", "203.0.113.9, 10.0.0.3"},
			"", "203.0.113.9"},
		{"walk crosses lines", proxies, "10.0.0.1:80", []string{"203.0.113.9", "10.0.0.3"},
			"", "203.0.113.9"},
		{"all trusted gives leftmost", proxies, "10.0.0.1:80", []string{"10.0.0.5, 10.0.0.6"},
			"", "10.0.0.5"},
		{"garbage rightmost gives peer", proxies, "10.0.0.1:80",
			[]string{"1.1.1.1, garbage"}, "", "10.0.0.1"},
		{"garbage stops walk", proxies, "10.0.0.1:80",
			[]string{"1.1.1.1, not-an-ip, 10.0.0.7"}, "", "10.0.0.7"},
		{"garbage hides real ip", proxies, "10.0.0.1:80", []string{"%%%"}, "198.51.100.4",
			"10.0.0.1"},
		{"spaces", proxies, "10.0.0.1:80", []string{"  203.0.113.9  ,\t 10.0.0.2 "}, "",
			"203.0.113.9"},
		{"empty entries", proxies, "10.0.0.1:80", []string{"203.0.113.9,, , ", ""}, "",
			"203.0.113.9"},
		{"entry with port", proxies, "10.0.0.1:80", []string{"203.0.113.9:1234"}, "",
			"203.0.113.9"},
		{"ipv6 entry", proxies, "10.0.0.1:80", []string{"2001:db8::5"}, "", "2001:db8::5"},
		{"ipv6 entry bracketed", proxies, "10.0.0.1:80", []string{"[2001:db8::5]"}, "",
			"2001:db8::5"},
		{"ipv6 entry with port", proxies, "10.0.0.1:80", []string{"[2001:db8::5]:80"}, "",
			"2001:db8::5"},
		{"mapped entry", proxies, "10.0.0.1:80", []string{"::ffff:203.0.113.9"}, "",
			"203.0.113.9"},
		{"zoned entry", proxies, "10.0.0.1:80", []string{"fe80::9%eth0"}, "", "fe80::9"},
		{"many hops", proxies, "10.0.0.1:80", []string{strings.Join(manyHops, ", ")}, "",
			"203.0.113.50"},
		{"ipv6 proxy", proxies, "[::1]:9000", []string{"203.0.113.9"}, "", "203.0.113.9"},
		{"mapped proxy", proxies, "[::ffff:10.0.0.1]:80", []string{"203.0.113.9"}, "",
			"203.0.113.9"},
		{"mapped prefix", []string{"::ffff:10.0.0.0/104"}, "10.1.1.1:80",
			[]string{"203.0.113.9"}, "", "203.0.113.9"},
		{"real ip", proxies, "10.0.0.1:80", nil, "198.51.100.4", "198.51.100.4"},
		{"real ip when xff blank", proxies, "10.0.0.1:80", []string{" , "}, "198.51.100.4",
			"198.51.100.4"},
		{"xff wins over real ip", proxies, "10.0.0.1:80", []string{"203.0.113.9"},
			"198.51.100.4", "203.0.113.9"},
		{"real ip garbage", proxies, "10.0.0.1:80", nil, "nope", "10.0.0.1"},
		{"real ip with spaces", proxies, "10.0.0.1:80", nil, " 198.51.100.4 ", "198.51.100.4"},
		{"wide prefix", []string{"0.0.0.0/0"}, "203.0.113.7:1", []string{"1.1.1.1"}, "",
			"1.1.1.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := clientip.New(prefixes(t, tc.trusted))
			got := r.ClientIP(request(tc.remote, tc.xff, tc.realIP))
			if want := netip.MustParseAddr(tc.want); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestNewIgnoresInvalidPrefixes(t *testing.T) {
	r := clientip.New([]netip.Prefix{{}, netip.MustParsePrefix("10.0.0.0/8")})
	got := r.ClientIP(request("10.0.0.1:1", []string{"203.0.113.9"}, ""))
	if want := netip.MustParseAddr("203.0.113.9"); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.1:80", "1.1.1.1, 203.0.113.9", "10.0.0.2", "198.51.100.4")
	f.Add("203.0.113.7:1", "10.0.0.1", "", "")
	f.Add("[::1]:9000", "[2001:db8::5]:80,, garbage", "fe80::1%eth0", "::ffff:1.2.3.4")
	f.Add("[::ffff:10.0.0.1]:80", " , ", "", "nope")
	f.Add("", "", "", "")
	f.Add("@", "10.0.0.1", "", "1.2.3.4")
	none := clientip.New(nil)
	trusting := clientip.New(prefixes(f, proxies))

	f.Fuzz(func(t *testing.T, remote, xff1, xff2, realIP string) {
		r := request(remote, nil, "")
		peer := none.ClientIP(r)
		for _, v := range []string{xff1, xff2} {
			r.Header.Add("X-Forwarded-For", v)
		}
		r.Header.Set("X-Real-IP", realIP)

		for _, res := range []*clientip.Resolver{none, trusting} {
			got := res.ClientIP(r)
			if !got.IsValid() || got.Zone() != "" || got.Is4In6() {
				t.Fatalf("got %#v, want a valid unmapped address without a zone", got)
			}
		}
		if got := none.ClientIP(r); got != peer {
			t.Fatalf("no trusted proxies: got %v, want the peer %v", got, peer)
		}
		if got := trusting.ClientIP(r); !isTrustedPeer(peer) && got != peer {
			t.Fatalf("untrusted peer %v: got %v, want the peer", peer, got)
		}
	})
}

func isTrustedPeer(a netip.Addr) bool {
	for _, p := range proxies {
		if netip.MustParsePrefix(p).Contains(a) {
			return true
		}
	}
	return false
}
