package token

import "time"

// SetDeviceClock makes d read the time from now.
func SetDeviceClock(d *DeviceTokens, now func() time.Time) { d.now = now }
