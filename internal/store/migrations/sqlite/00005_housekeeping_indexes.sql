-- Indexes for housekeeping: pruning old activity and expired refresh tokens reads by time
-- across all users, which the per-user indexes cannot serve.

-- +goose Up
CREATE INDEX IF NOT EXISTS user_activity_logs_created_at_idx ON user_activity_logs (created_at);
CREATE INDEX IF NOT EXISTS refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

-- +goose Down
DROP INDEX IF EXISTS refresh_tokens_expires_at_idx;
DROP INDEX IF EXISTS user_activity_logs_created_at_idx;
