package auth

import "strings"

// DeviceInfo returns a short description of the browser and system named by a User-Agent,
// such as "Firefox on Linux", or "Unknown device".
func DeviceInfo(userAgent string) string {
	ua := strings.ToLower(userAgent)
	browser := firstMatch(ua, [][2]string{{"edg/", "Edge"}, {"opr/", "Opera"},
		{"firefox/", "Firefox"}, {"chromium/", "Chromium"}, {"chrome/", "Chrome"},
		{"safari/", "Safari"}, {"curl/", "curl"}, {"python", "Python"}, {"go-http", "Go"}})
	system := firstMatch(ua, [][2]string{{"android", "Android"}, {"iphone", "iOS"},
		{"ipad", "iPadOS"}, {"windows", "Windows"}, {"mac os", "macOS"},
		{"cros", "ChromeOS"}, {"linux", "Linux"}})
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return system
	}
	return "Unknown device"
}

func firstMatch(s string, table [][2]string) string {
	for _, e := range table {
		if strings.Contains(s, e[0]) {
			return e[1]
		}
	}
	return ""
}
