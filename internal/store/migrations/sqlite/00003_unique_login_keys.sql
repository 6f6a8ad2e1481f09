-- Usernames and e-mail addresses are unique through their keys (see auth.UsernameKey), so
-- uniqueness ignores case and Unicode width. The numbering matches the PostgreSQL set, where
-- migration 2 fills the keys of rows that pre-date them.

-- +goose Up
CREATE UNIQUE INDEX IF NOT EXISTS users_username_key_uniq ON users (username_key);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_key_uniq ON users (email_key);

-- +goose Down
DROP INDEX IF EXISTS users_email_key_uniq;
DROP INDEX IF EXISTS users_username_key_uniq;
