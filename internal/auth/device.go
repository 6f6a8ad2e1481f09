package auth

import (
	"strings"

	"github.com/medama-io/go-useragent"
)

// Device is what a User-Agent header says about a client: its browser family, operating
// system and device type, without versions. Two logins from the same browser on the same
// machine have the same Device even across browser updates; the risk engine uses it as the
// device fingerprint.
type Device struct {
	Browser string // "Firefox", "Chrome", ... or, for a non-browser client, its product name
	OS      string // "Linux", "Windows", "iOS", ... or ""
	Type    string // "desktop", "mobile", "tablet", "tv", "bot" or ""
}

// maxProductName bounds the product name taken from a User-Agent that names no browser.
const maxProductName = 32

// ParseDevice reads a User-Agent header with a maintained parser
// (github.com/medama-io/go-useragent). Clients that are not browsers, such as curl or a
// script, get the product name at the start of the header as their Browser.
func ParseDevice(userAgent string) Device {
	ua := useragent.NewParser().Parse(userAgent)
	d := Device{
		Browser: ua.Browser().String(),
		OS:      ua.OS().String(),
		Type:    strings.ToLower(ua.Device().String()),
	}
	if d.Browser == "" {
		d.Browser = productName(userAgent)
	}
	return d
}

// String describes the device for people, such as "Firefox on Linux (desktop)", or
// "Unknown device". It is also the fingerprint stored as an activity row's device_info.
func (d Device) String() string {
	name := "Unknown device"
	switch {
	case d.Browser != "" && d.OS != "":
		name = d.Browser + " on " + d.OS
	case d.Browser != "":
		name = d.Browser
	case d.OS != "":
		name = d.OS
	}
	if d.Type != "" {
		name += " (" + d.Type + ")"
	}
	return name
}

// DeviceInfo returns ParseDevice(userAgent).String().
func DeviceInfo(userAgent string) string {
	return ParseDevice(userAgent).String()
}

// productName returns the leading product token of a User-Agent, such as "curl" in
// "curl/8.5.0", when it is made of letters, digits, '-', '_' and '.', else "".
func productName(userAgent string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(userAgent), "/")
	if name == "" || len(name) > maxProductName || strings.EqualFold(name, "Mozilla") {
		return ""
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || r == '.'
		if !ok {
			return ""
		}
	}
	return name
}
