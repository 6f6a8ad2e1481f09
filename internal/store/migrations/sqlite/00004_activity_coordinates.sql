-- The risk engine reads the activity log: the coordinates of each event's client, for
-- impossible travel, the failed logins of one address across accounts, for password
-- spraying, which the per-user index cannot serve, and the devices and countries of past
-- logins. NULL coordinates mean unknown.

-- +goose Up
ALTER TABLE user_activity_logs ADD COLUMN latitude REAL;
ALTER TABLE user_activity_logs ADD COLUMN longitude REAL;

CREATE INDEX IF NOT EXISTS user_activity_logs_ip_address_created_at_idx
    ON user_activity_logs (ip_address, created_at);

-- Whether an account has logged in from a device or a country before: partial indexes over
-- the successful logins only, so that the look-up does not read the whole history.
CREATE INDEX IF NOT EXISTS user_activity_logs_login_device_idx
    ON user_activity_logs (user_id, device_info, created_at)
    WHERE event_type IN ('login_success', 'register');
CREATE INDEX IF NOT EXISTS user_activity_logs_login_country_idx
    ON user_activity_logs (user_id, geolocation_country)
    WHERE event_type IN ('login_success', 'register');

-- +goose Down
DROP INDEX IF EXISTS user_activity_logs_login_country_idx;
DROP INDEX IF EXISTS user_activity_logs_login_device_idx;
DROP INDEX IF EXISTS user_activity_logs_ip_address_created_at_idx;
ALTER TABLE user_activity_logs DROP COLUMN longitude;
ALTER TABLE user_activity_logs DROP COLUMN latitude;
