package geo

import (
	"math"

	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"

	"github.com/finintelli/auth/internal/auth"
)

// record holds the fields of both layouts. Only "city" is shared, with a different type
// in each, which place reads.
type record struct {
	// DB-IP City Lite, flat.
	CountryCode string   `maxminddb:"country_code"`
	Latitude    *float64 `maxminddb:"latitude"`
	Longitude   *float64 `maxminddb:"longitude"`

	// GeoLite2 and GeoIP2 City, nested.
	Country           isoCode `maxminddb:"country"`
	RegisteredCountry isoCode `maxminddb:"registered_country"`
	Location          struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`

	City place `maxminddb:"city"`
}

type isoCode struct {
	ISOCode string `maxminddb:"iso_code"`
}

// location turns the record into what the service records.
func (r record) location() auth.Location {
	loc := auth.Location{City: string(r.City), Country: Unknown}
	for _, code := range []string{r.CountryCode, r.Country.ISOCode, r.RegisteredCountry.ISOCode} {
		if code != "" {
			loc.Country = code
			break
		}
	}

	lat, lon := r.Latitude, r.Longitude
	if lat == nil || lon == nil {
		lat, lon = r.Location.Latitude, r.Location.Longitude
	}
	if validCoordinates(lat, lon) {
		loc.Latitude, loc.Longitude = round4(*lat), round4(*lon)
	}
	return loc
}

// round4 rounds a coordinate to four decimals (about 11 m), which is finer than any city
// database and drops the noise of the single-precision numbers DB-IP stores.
func round4(x float64) *float64 {
	r := math.Round(x*1e4) / 1e4
	return &r
}

// validCoordinates reports whether lat and lon are both there and on the globe. Exactly
// 0,0 is taken as a placeholder for "unknown", as several databases use it.
func validCoordinates(lat, lon *float64) bool {
	if lat == nil || lon == nil || *lat == 0 && *lon == 0 {
		return false
	}
	return !math.IsNaN(*lat) && !math.IsNaN(*lon) && math.Abs(*lat) <= 90 &&
		math.Abs(*lon) <= 180
}

// maxNameBytes bounds a city name taken from a database.
const maxNameBytes = 256

// place is a record's "city": the name itself in DB-IP's flat layout, or a map whose
// "names" map holds the name by language in the GeoIP2 layout, of which the English one
// is kept. Any other shape reads as no name.
type place string

// UnmarshalMaxMindDBCursor implements mmdbdata.CursorUnmarshaler.
func (p *place) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return entry(c, "names", func(names mmdbdata.Cursor) (mmdbdata.Cursor, error) {
		return entry(names, "en", p.name, mmdbdata.Cursor.Skip)
	}, p.name)
}

// name reads the string at c into p; a value of another kind, or too long to be a name,
// is skipped.
func (p *place) name(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if kind != mmdbdata.KindString {
		return c.Skip()
	}
	s, next, err := c.ReadStringMaxSize(maxNameBytes)
	if err != nil {
		return c.Skip()
	}
	*p = place(s)
	return next, nil
}

// entry reads the value under key of the map at c with read, skipping the other entries.
// When c is not a map, other reads it instead.
func entry(c mmdbdata.Cursor, key string, read, other func(mmdbdata.Cursor) (
	mmdbdata.Cursor, error)) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if kind != mmdbdata.KindMap {
		return other(c)
	}

	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		k, v, ok := m.Next(next)
		if !ok {
			break
		}
		if string(k) == key {
			next, err = read(v)
		} else {
			next, err = v.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	return m.End()
}
