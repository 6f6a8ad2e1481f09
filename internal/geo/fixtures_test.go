package geo_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/finintelli/auth/internal/auth"
)

// networks maps CIDRs to the records a fixture database holds for them.
type networks map[string]mmdbtype.Map

// writeDB builds a database of IP version ipVersion with mmdbwriter and puts it at path the
// way an update should: written beside it, then renamed over it.
func writeDB(t *testing.T, path string, ipVersion int, nets networks) {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "finintelli-test",
		IPVersion: ipVersion, RecordSize: 24})
	if err != nil {
		t.Fatalf("mmdbwriter.New: %v", err)
	}
	for cidr, rec := range nets {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatalf("parse %s: %v", cidr, err)
		}
		if err := tree.Insert(n, rec); err != nil {
			t.Fatalf("insert %s: %v", cidr, err)
		}
	}

	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatalf("write %s: %v", tmp, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatalf("rename: %v", err)
	}
}

// flat is a record in DB-IP City Lite's layout.
func flat(country, state, city string, lat, lon float64) mmdbtype.Map {
	return mmdbtype.Map{
		"country_code": mmdbtype.String(country),
		"state1":       mmdbtype.String(state),
		"state2":       mmdbtype.String(""),
		"city":         mmdbtype.String(city),
		"postcode":     mmdbtype.String(""),
		"latitude":     mmdbtype.Float64(lat),
		"longitude":    mmdbtype.Float64(lon),
		"timezone":     mmdbtype.String(""),
	}
}

// names is a GeoIP2 "names" map.
func names(byLang map[string]string) mmdbtype.Map {
	m := mmdbtype.Map{}
	for lang, name := range byLang {
		m[mmdbtype.String(lang)] = mmdbtype.String(name)
	}
	return m
}

// nested is a record in the GeoLite2/GeoIP2 City layout. An empty country leaves the
// country out; cityNames may be nil, and so may lat and lon.
func nested(country string, cityNames map[string]string, lat, lon *float64) mmdbtype.Map {
	m := mmdbtype.Map{
		"continent": mmdbtype.Map{"code": mmdbtype.String("EU"),
			"names": names(map[string]string{"en": "Europe"})},
		"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("SE"),
			"names": names(map[string]string{"en": "Sweden"})},
	}
	if country != "" {
		m["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(country),
			"geoname_id": mmdbtype.Uint32(2635167),
			"names":      names(map[string]string{"en": "Country " + country})}
	}
	if cityNames != nil {
		m["city"] = mmdbtype.Map{"geoname_id": mmdbtype.Uint32(2643743),
			"names": names(cityNames)}
	}
	if lat != nil && lon != nil {
		m["location"] = mmdbtype.Map{"latitude": mmdbtype.Float64(*lat),
			"longitude": mmdbtype.Float64(*lon), "accuracy_radius": mmdbtype.Uint16(50),
			"time_zone": mmdbtype.String("Europe/London")}
	}
	return m
}

func fptr(f float64) *float64 { return &f }

// fmtLoc renders a location so that two compare as strings.
func fmtLoc(l auth.Location) string {
	pos := "none"
	if l.Latitude != nil && l.Longitude != nil {
		pos = fmt.Sprintf("%.4f,%.4f", *l.Latitude, *l.Longitude)
	} else if l.Latitude != nil || l.Longitude != nil {
		pos = "half"
	}
	return fmt.Sprintf("city=%q country=%q at=%s", l.City, l.Country, pos)
}

// dbipFolder writes a DB-IP-like pair of files into a new folder and returns it. The IPv6
// file also lists 8.8.8.0/24, as country XX, to show that IPv4 addresses are looked up
// in the IPv4 file only.
func dbipFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeDB(t, filepath.Join(dir, "dbip-city-ipv4.mmdb"), 4, networks{
		"8.8.8.0/24": flat("US", "California", "Mountain View", 37.422, -122.085),
		"1.1.1.0/24": flat("AU", "New South Wales", "Sydney", -33.8688, 151.209),
		"5.5.5.0/24": flat("", "", "", 0, 0),
	})
	writeDB(t, filepath.Join(dir, "dbip-city-ipv6.mmdb"), 6, networks{
		"2001:4860::/32": flat("US", "California", "Mountain View", 37.422, -122.085),
		"2a00:1450::/32": flat("DE", "Hesse", "Frankfurt am Main", 50.1109, 8.68213),
		"8.8.8.0/24":     flat("XX", "", "Wrong file", 0, 0),
	})
	return dir
}

// geoLiteFile writes a GeoLite2-City-like file (IPv6, with IPv4 inside) and returns its
// path.
func geoLiteFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "GeoLite2-City.mmdb")
	writeDB(t, path, 6, networks{
		"81.2.69.0/24": nested("GB",
			map[string]string{"de": "London", "en": "London", "fr": "Londres"},
			fptr(51.5142), fptr(-0.0931)),
		"2a02:8000::/24": nested("DE", map[string]string{"de": "München"}, fptr(48.1374),
			fptr(11.5755)),
		"89.160.20.0/24": nested("", nil, nil, nil),
		"2.125.160.0/24": nested("GB", map[string]string{"en": "Boxford"}, fptr(91), fptr(0)),
	})
	return path
}
