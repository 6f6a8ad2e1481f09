package auth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Signals of the risk engine, as named in the reasons of an activity row.
const (
	SignalNewDevice        = "new_device"
	SignalNewCountry       = "new_country"
	SignalImpossibleTravel = "impossible_travel"
	SignalFailureBurst     = "failure_burst"
	SignalSpraying         = "spraying"
	SignalRefreshReuse     = "refresh_reuse"
)

// Ways of combining the contributions of the signals into one score.
const (
	// CombineNoisyOr treats each contribution as an independent chance that the event is
	// an attack: 1 - (1-c1)(1-c2)... Several weak signals add up, none can pass 1.
	CombineNoisyOr = "noisy_or"
	// CombineMax takes the strongest contribution alone.
	CombineMax = "max"
	// CombineSum adds the contributions, capped at 1.
	CombineSum = "sum"
)

// Time windows the signals look at.
const (
	burstWindow    = time.Hour
	baselineWindow = 7 * 24 * time.Hour
	// maxFailureRows bounds how many failed logins of an account are read to compute its
	// baseline; an account attacked harder than that has a burst anyway.
	maxFailureRows = 5000
	// minTravelTime is the shortest time between two logins that impossible travel divides
	// by, so that equal or skewed clocks (a previous login "after" this one) still give a
	// finite speed.
	minTravelTime = time.Minute
)

// RiskWeights are what each signal contributes to the score at full strength, each from 0
// (the signal is off) to 1.
type RiskWeights struct {
	NewDevice        float64
	NewCountry       float64
	ImpossibleTravel float64
	FailureBurst     float64
	Spraying         float64
}

// RiskConfig tunes the risk engine. DefaultRiskConfig gives the defaults; in a Config, a
// zero RiskConfig means the defaults, and zero thresholds within one mean their defaults.
type RiskConfig struct {
	Weights RiskWeights
	Combine string // CombineNoisyOr (default), CombineMax or CombineSum

	// AlertThreshold is the score from which an event is sent to the AlertSink (0.7).
	AlertThreshold float64
	// DeviceWindow is how long a device stays known after a successful login (90 days).
	DeviceWindow time.Duration
	// TravelKmh is the speed above which travel between two logins is impossible (900).
	TravelKmh float64
	// TravelMinKm is the distance below which travel is never flagged, since city-level
	// geolocation is often off by that much (300).
	TravelMinKm float64
	// BurstZ is the z-score of the last hour's failed logins, against the account's hourly
	// failures over the week before, from which they are a burst (3).
	BurstZ float64
	// BurstMinFailures is the fewest failed logins in an hour that can be a burst (5).
	BurstMinFailures int
	// SprayAccounts is how many distinct accounts failing from one address within an hour
	// make the address a password sprayer (5).
	SprayAccounts int
}

// DefaultRiskConfig returns the default weights and thresholds.
func DefaultRiskConfig() RiskConfig {
	return RiskConfig{
		Weights: RiskWeights{NewDevice: 0.3, NewCountry: 0.4, ImpossibleTravel: 0.8,
			FailureBurst: 0.5, Spraying: 0.6},
		Combine:          CombineNoisyOr,
		AlertThreshold:   0.7,
		DeviceWindow:     90 * 24 * time.Hour,
		TravelKmh:        900,
		TravelMinKm:      300,
		BurstZ:           3,
		BurstMinFailures: 5,
		SprayAccounts:    5,
	}
}

// withDefaults fills in the zero fields of c; a wholly zero c becomes DefaultRiskConfig.
func (c RiskConfig) withDefaults() RiskConfig {
	d := DefaultRiskConfig()
	if c == (RiskConfig{}) {
		return d
	}
	if c.Combine == "" {
		c.Combine = d.Combine
	}
	if c.AlertThreshold <= 0 {
		c.AlertThreshold = d.AlertThreshold
	}
	if c.DeviceWindow <= 0 {
		c.DeviceWindow = d.DeviceWindow
	}
	if c.TravelKmh <= 0 {
		c.TravelKmh = d.TravelKmh
	}
	if c.TravelMinKm <= 0 {
		c.TravelMinKm = d.TravelMinKm
	}
	if c.BurstZ <= 0 {
		c.BurstZ = d.BurstZ
	}
	if c.BurstMinFailures <= 0 {
		c.BurstMinFailures = d.BurstMinFailures
	}
	if c.SprayAccounts <= 0 {
		c.SprayAccounts = d.SprayAccounts
	}
	return c
}

// RiskInput holds the facts about one login that the signals are computed from.
type RiskInput struct {
	Now    time.Time
	Client Client // with its DeviceInfo and location filled in

	// Previous is the account's latest successful login, or nil for its first one (or an
	// unknown account). Without it, new device and new country do not fire: there is
	// nothing yet to compare with.
	Previous *PastLogin
	// DeviceSeen: the account had a successful login from Client.DeviceInfo within
	// RiskConfig.DeviceWindow.
	DeviceSeen bool
	// CountrySeen: the account had a successful login from Client.Country before.
	CountrySeen bool
	// Failures are the account's failed logins over the last hour and the week before it,
	// including the attempt being scored when it failed.
	Failures []time.Time
	// SprayAccounts is the number of distinct accounts that failed logins from the
	// client's address within the last hour, before this attempt.
	SprayAccounts int
}

// Reason is one signal that fired, as listed in an activity row's extra_info.reasons.
type Reason struct {
	Signal       string  `json:"signal"`
	Contribution float64 `json:"contribution"`
	Detail       string  `json:"detail"`
}

// Risk is the outcome of scoring an event: a score from 0 to 1 and the signals behind it.
type Risk struct {
	Score   float64
	Reasons []Reason
}

// Score rates a login from its facts. It is a pure function: the same input and
// configuration always give the same Risk, with the reasons in a fixed order.
func (c RiskConfig) Score(in RiskInput) Risk {
	c = c.withDefaults()
	var reasons []Reason
	add := func(signal string, weight, strength float64, detail string) {
		contribution := round4(clamp01(weight) * clamp01(strength))
		if contribution > 0 {
			reasons = append(reasons, Reason{signal, contribution, detail})
		}
	}

	if in.Previous != nil && !in.DeviceSeen {
		add(SignalNewDevice, c.Weights.NewDevice, 1, fmt.Sprintf(
			"%s: not seen on this account in %d days", in.Client.DeviceInfo,
			int(c.DeviceWindow.Hours()/24)))
	}
	if in.Previous != nil && !in.CountrySeen && isCountryCode(in.Client.Country) {
		add(SignalNewCountry, c.Weights.NewCountry, 1,
			"first login from "+in.Client.Country)
	}
	if strength, detail := c.travel(in); strength > 0 {
		add(SignalImpossibleTravel, c.Weights.ImpossibleTravel, strength, detail)
	}
	if strength, detail := c.burst(in); strength > 0 {
		add(SignalFailureBurst, c.Weights.FailureBurst, strength, detail)
	}
	if in.SprayAccounts >= c.SprayAccounts {
		add(SignalSpraying, c.Weights.Spraying, ramp(float64(in.SprayAccounts),
			float64(c.SprayAccounts)), fmt.Sprintf(
			"%d accounts failed to log in from this address in the last hour",
			in.SprayAccounts))
	}

	return Risk{Score: c.combine(reasons), Reasons: reasons}
}

// travel returns the strength of the impossible-travel signal and its detail.
func (c RiskConfig) travel(in RiskInput) (float64, string) {
	p, cur := in.Previous, in.Client
	if p == nil || p.At.IsZero() || in.Now.IsZero() || p.Latitude == nil ||
		p.Longitude == nil || cur.Latitude == nil || cur.Longitude == nil {
		return 0, ""
	}
	km := GreatCircleKm(*p.Latitude, *p.Longitude, *cur.Latitude, *cur.Longitude)
	if !(km >= c.TravelMinKm) {
		return 0, ""
	}

	took := in.Now.Sub(p.At)
	kmh := km / max(took, minTravelTime).Hours()
	if kmh <= c.TravelKmh {
		return 0, ""
	}
	when := "within a minute"
	if took >= minTravelTime {
		when = fmt.Sprintf("in %s (%.0f km/h)", took.Round(time.Minute), kmh)
	}
	return ramp(kmh, c.TravelKmh), fmt.Sprintf("%.0f km from %s %s", km,
		placeName(p.City, p.Country), when)
}

// burst returns the strength of the failure-burst signal and its detail: the failed logins
// of the last hour against the account's hourly failures over the week before.
func (c RiskConfig) burst(in RiskInput) (float64, string) {
	if len(in.Failures) < c.BurstMinFailures || in.Now.IsZero() {
		return 0, ""
	}
	recentFrom := in.Now.Add(-burstWindow)
	baseFrom := recentFrom.Add(-baselineWindow)
	hours := int(baselineWindow / time.Hour)
	buckets := make([]float64, hours)
	recent := 0
	for _, t := range in.Failures {
		switch {
		case t.After(recentFrom): // also a time "after now" from a skewed clock
			recent++
		case !t.Before(baseFrom):
			buckets[min(int(t.Sub(baseFrom)/time.Hour), hours-1)]++
		}
	}
	if recent < c.BurstMinFailures {
		return 0, ""
	}

	mean, sd := meanSD(buckets)
	z := (float64(recent) - mean) / max(sd, 1)
	if z < c.BurstZ {
		return 0, ""
	}
	return ramp(z, c.BurstZ), fmt.Sprintf(
		"%d failed logins in the last hour; usually %.2f an hour (z=%.1f)", recent, mean, z)
}

// combine turns the contributions into a score in [0, 1].
func (c RiskConfig) combine(reasons []Reason) float64 {
	score := 0.0
	switch c.Combine {
	case CombineMax:
		for _, r := range reasons {
			score = max(score, r.Contribution)
		}
	case CombineSum:
		for _, r := range reasons {
			score += r.Contribution
		}
	default:
		keep := 1.0
		for _, r := range reasons {
			keep *= 1 - r.Contribution
		}
		score = 1 - keep
	}
	return round4(clamp01(score))
}

// GreatCircleKm returns the distance in kilometres between two points on the Earth,
// given in degrees, by the haversine formula on a sphere of the Earth's mean radius.
func GreatCircleKm(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKm = 6371.0088
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(1, max(0, h))))
}

// ramp maps a value at or over its threshold to a strength: 0.5 at the threshold, rising
// linearly to 1 at twice the threshold.
func ramp(v, threshold float64) float64 {
	if threshold <= 0 {
		return 1
	}
	return clamp01(0.5 * v / threshold)
}

// meanSD returns the mean and the population standard deviation of xs.
func meanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)))
}

// clamp01 bounds x to [0, 1]; NaN becomes 0.
func clamp01(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	return min(x, 1)
}

// round4 rounds x to four decimals, so that scores print and compare the same everywhere.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// isCountryCode reports whether s is an ISO 3166-1 alpha-2 code, not "Local" or "Unknown".
func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func placeName(city, country string) string {
	switch {
	case city != "" && country != "":
		return city + ", " + country
	case country != "":
		return country
	}
	return "the previous location"
}

// assess gathers the facts about a login of userID (nil for an unknown account) from tx
// and scores it. failed says whether the attempt being scored failed; failed attempts are
// scored by failure burst and spraying only.
func (s *Service) assess(ctx context.Context, tx Tx, userID *int64, c Client, now time.Time,
	failed bool) (Risk, error) {
	in := RiskInput{Now: now, Client: c}
	if err := s.sprayFacts(ctx, tx, &in); err != nil {
		return Risk{}, err
	}
	if userID != nil {
		if err := s.accountFacts(ctx, tx, *userID, failed, &in); err != nil {
			return Risk{}, err
		}
	}
	return s.cfg.Risk.Score(in), nil
}

func (s *Service) sprayFacts(ctx context.Context, tx Tx, in *RiskInput) error {
	if in.Client.IP == "" {
		return nil
	}
	n, err := tx.FailedAccountsFromIP(ctx, in.Client.IP, in.Now.Add(-burstWindow))
	if err != nil {
		return fmt.Errorf("risk: spraying: %w", err)
	}
	in.SprayAccounts = n
	return nil
}

func (s *Service) accountFacts(ctx context.Context, tx Tx, userID int64, failed bool,
	in *RiskInput) error {
	since := in.Now.Add(-burstWindow - baselineWindow)
	failures, err := tx.FailedLoginTimes(ctx, userID, since, maxFailureRows)
	if err != nil {
		return fmt.Errorf("risk: failures: %w", err)
	}
	in.Failures = failures
	if failed {
		// A failed attempt is scored on the failures alone: whether the device and place
		// are the owner's says something only about a login that got in.
		in.Failures = append(in.Failures, in.Now)
		return nil
	}

	prev, err := tx.LastLogin(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("risk: last login: %w", err)
	}
	in.Previous = &prev

	since = in.Now.Add(-s.cfg.Risk.DeviceWindow)
	in.DeviceSeen, err = tx.DeviceSeen(ctx, userID, in.Client.DeviceInfo, since)
	if err != nil {
		return fmt.Errorf("risk: device: %w", err)
	}
	if isCountryCode(in.Client.Country) {
		in.CountrySeen, err = tx.CountrySeen(ctx, userID, in.Client.Country)
		if err != nil {
			return fmt.Errorf("risk: country: %w", err)
		}
	}
	return nil
}

// recordRisk stores r in the activity row.
func recordRisk(a *Activity, r Risk) {
	a.RiskScore = r.Score
	reasons := r.Reasons
	if reasons == nil {
		reasons = []Reason{}
	}
	a.ExtraInfo["reasons"] = reasons
}

// alert sends a to the AlertSink when its score reaches the alert threshold, and logs it
// at WARN whether or not a sink is configured. It never blocks.
func (s *Service) alert(a Activity) {
	if a.RiskScore < s.cfg.Risk.AlertThreshold {
		return
	}
	s.Logger.Warn("high-risk event", "event", a.EventType, "user_id", logID(a.UserID),
		"client_ip", a.Client.IP, "risk_score", a.RiskScore, "signals", signals(a))
	if s.Alerts != nil {
		s.Alerts.Alert(a)
	}
}

// logID returns a user id for a log line: the number, or nil for none. (A *int64 would be
// logged as an address.)
func logID(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}

// signals lists the names of the signals in a's reasons.
func signals(a Activity) []string {
	reasons, _ := a.ExtraInfo["reasons"].([]Reason)
	out := make([]string, 0, len(reasons))
	for _, r := range reasons {
		out = append(out, r.Signal)
	}
	return out
}
