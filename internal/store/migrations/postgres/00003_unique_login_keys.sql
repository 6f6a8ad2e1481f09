-- Migration 2 (a Go migration) has filled username_key and email_key for every row; from now
-- on they are required and unique, which makes usernames and e-mail addresses unique
-- regardless of case and Unicode width.

-- +goose Up
ALTER TABLE users
    ALTER COLUMN username_key SET NOT NULL,
    ALTER COLUMN email_key SET NOT NULL;

CREATE UNIQUE INDEX IF NOT EXISTS users_username_key_uniq ON users (username_key);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_key_uniq ON users (email_key);

-- +goose Down
DROP INDEX IF EXISTS users_email_key_uniq;
DROP INDEX IF EXISTS users_username_key_uniq;

ALTER TABLE users
    ALTER COLUMN email_key DROP NOT NULL,
    ALTER COLUMN username_key DROP NOT NULL;
