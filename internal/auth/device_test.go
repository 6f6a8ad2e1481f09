package auth_test

import (
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/auth"
)

func TestDeviceInfo(t *testing.T) {
	tests := []struct {
		name, ua, want string
	}{
		{"Firefox on Linux",
			"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
			"Firefox on Linux (desktop)"},
		{"Chrome on Windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " +
				"Chrome/124.0.0.0 Safari/537.36",
			"Chrome on Windows (desktop)"},
		{"Edge is not Chrome",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " +
				"Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
			"Edge on Windows (desktop)"},
		{"Safari on an iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 " +
				"(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
			"Safari on iOS (mobile)"},
		{"Safari on an iPad",
			"Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 " +
				"(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
			"Safari on iOS (tablet)"},
		{"Chrome on Android",
			"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " +
				"Chrome/124.0.0.0 Mobile Safari/537.36",
			"Chrome on Android (mobile)"},
		{"curl", "curl/8.5.0", "curl (bot)"},
		{"a script", "python-requests/2.31.0", "python-requests (bot)"},
		{"a crawler in disguise",
			"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			"Unknown device (bot)"},
		{"empty", "", "Unknown device"},
		{"garbage", "\xff\xfe (((( ;;", "Unknown device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.DeviceInfo(tt.ua); got != tt.want {
				t.Errorf("DeviceInfo(%q): got %q, want %q", tt.ua, got, tt.want)
			}
		})
	}
}

// TestDeviceIgnoresVersions: the fingerprint must survive a browser update, or every
// update would look like a new device.
func TestDeviceIgnoresVersions(t *testing.T) {
	old := auth.ParseDevice("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 " +
		"Firefox/115.0")
	updated := auth.ParseDevice("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 " +
		"Firefox/128.0")
	if old != updated {
		t.Errorf("got %+v and %+v, want one device", old, updated)
	}
	want := auth.Device{Browser: "Firefox", OS: "Linux", Type: "desktop"}
	if old != want {
		t.Errorf("ParseDevice: got %+v, want %+v", old, want)
	}
}

// TestDeviceInfoBounded: a long or hostile User-Agent yields a short description.
func TestDeviceInfoBounded(t *testing.T) {
	for _, ua := range []string{strings.Repeat("a", 10_000) + "/1.0",
		strings.Repeat("(", 5000), strings.Repeat("Mozilla/5.0 ", 1000)} {
		if got := auth.DeviceInfo(ua); len(got) > 64 {
			t.Errorf("DeviceInfo of a %d-byte header: got %d bytes, want at most 64",
				len(ua), len(got))
		}
	}
}
