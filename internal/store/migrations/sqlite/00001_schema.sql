-- Times are TEXT in UTC with a fixed six-digit fraction, such as 2026-01-02T15:04:05.123456Z:
-- valid RFC 3339, readable in the sqlite3 shell, and ordered the same as text and as time.
-- Booleans are INTEGER 0 or 1.

-- +goose Up
CREATE TABLE IF NOT EXISTS users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    hashed_password TEXT    NOT NULL,
    is_active       INTEGER NOT NULL DEFAULT 1,
    is_admin        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    username_key    TEXT    NOT NULL,
    email_key       TEXT    NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
    id                  TEXT    PRIMARY KEY,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    last_used_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    revoked_at          TEXT,
    ip_address          TEXT    NOT NULL DEFAULT '',
    user_agent          TEXT    NOT NULL DEFAULT '',
    device_info         TEXT    NOT NULL DEFAULT '',
    geolocation_city    TEXT    NOT NULL DEFAULT '',
    geolocation_country TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id);

CREATE TABLE IF NOT EXISTS refresh_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT    NOT NULL UNIQUE,
    device_info  TEXT    NOT NULL DEFAULT '',
    ip_address   TEXT    NOT NULL DEFAULT '',
    expires_at   TEXT    NOT NULL,
    is_revoked   INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    session_id   TEXT    REFERENCES sessions (id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    replaced_at  TEXT,
    last_used_at TEXT
);

CREATE INDEX IF NOT EXISTS refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_session_id_idx ON refresh_tokens (session_id);

-- One child per parent: a rotated token can never fork into two chains.
CREATE UNIQUE INDEX IF NOT EXISTS refresh_tokens_parent_id_uniq ON refresh_tokens (parent_id);

CREATE TABLE IF NOT EXISTS user_activity_logs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             INTEGER REFERENCES users (id) ON DELETE CASCADE,
    event_type          TEXT    NOT NULL,
    ip_address          TEXT    NOT NULL DEFAULT '',
    device_info         TEXT    NOT NULL DEFAULT '',
    user_agent          TEXT    NOT NULL DEFAULT '',
    geolocation_city    TEXT    NOT NULL DEFAULT '',
    geolocation_country TEXT    NOT NULL DEFAULT '',
    login_success       INTEGER,
    risk_score          REAL    NOT NULL DEFAULT 0,
    extra_info          TEXT    NOT NULL DEFAULT '{}',
    created_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
);

CREATE INDEX IF NOT EXISTS user_activity_logs_user_id_created_at_idx
    ON user_activity_logs (user_id, created_at);

-- +goose Down
DROP TABLE IF EXISTS user_activity_logs;
DROP TABLE IF EXISTS refresh_tokens;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS users;
