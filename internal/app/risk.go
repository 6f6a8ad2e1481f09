package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/finintelli/auth/internal/alert"
	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/config"
	"github.com/finintelli/auth/internal/geo"
)

// alertDrainTimeout bounds how long closing the App waits for queued alerts.
const alertDrainTimeout = 5 * time.Second

// riskParts are the offline geolocation database and the alert sink of the service.
// Either may be missing; the server runs without them.
type riskParts struct {
	geo    *geo.Reader // nil without a database
	alerts *alert.Sink
}

// openRisk opens GEOIP_DB and starts the alert sink. A missing or unreadable database does
// not stop the server: it is said once, here, and locations are left empty.
func openRisk(cfg *config.Config, log *slog.Logger) (*riskParts, error) {
	r := &riskParts{}
	switch {
	case cfg.GeoIPDB == "":
		log.Info("geolocation off: GEOIP_DB is not set (see scripts/geoip)")
	default:
		poll := cfg.Risk.GeoReload
		if poll == 0 {
			poll = -1 // GEOIP_RELOAD_SECONDS=0: never check for new files
		}
		g, err := geo.Open(cfg.GeoIPDB, geo.Options{Poll: poll, Logger: log})
		if err != nil {
			log.Warn("geolocation off: GEOIP_DB cannot be opened", "err", err)
			break
		}
		log.Info("geolocation on", "files", g.Describe())
		r.geo = g
	}

	sink, err := alert.New(alert.Options{URL: string(cfg.Risk.AlertWebhookURL),
		QueueSize: cfg.Risk.AlertQueue, Logger: log})
	if err != nil {
		r.close()
		return nil, err
	}
	r.alerts = sink
	return r, nil
}

// geoReader returns the database as an auth.GeoReader, or a nil interface without one.
func (r *riskParts) geoReader() auth.GeoReader {
	if r == nil || r.geo == nil {
		return nil
	}
	return r.geo
}

// alertSink returns the sink as an auth.AlertSink, or a nil interface without one.
func (r *riskParts) alertSink() auth.AlertSink {
	if r == nil || r.alerts == nil {
		return nil
	}
	return r.alerts
}

// close delivers the queued alerts (for a few seconds at most) and closes the database.
func (r *riskParts) close() {
	if r == nil {
		return
	}
	if r.alerts != nil {
		ctx, cancel := context.WithTimeout(context.Background(), alertDrainTimeout)
		_ = r.alerts.Close(ctx)
		cancel()
	}
	if r.geo != nil {
		_ = r.geo.Close()
	}
}
