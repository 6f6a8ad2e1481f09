package config

// Housekeeping holds the settings of the periodic clean-up jobs.
type Housekeeping struct{}

// housekeeping reads the *_RETENTION_DAYS settings.
func (l *loader) housekeeping(c *Config) {}
