package config

// Risk holds the settings of the risk engine and of alerts.
type Risk struct{}

// risk reads the RISK_* and ALERT_* settings.
func (l *loader) risk(c *Config) {}
