-- The schema may pre-date these migrations: a fin_intelli database can already hold users,
-- refresh_tokens and user_activity_logs, with rows and without a goose version table. Every
-- statement is therefore written to be a no-op on what already exists, and nothing here
-- drops or rewrites an existing column.

-- +goose Up
CREATE TABLE IF NOT EXISTS users (
    id              bigserial PRIMARY KEY,
    username        varchar(64)  NOT NULL,
    email           varchar(254) NOT NULL,
    hashed_password varchar(255) NOT NULL,
    is_active       boolean      NOT NULL DEFAULT true,
    is_admin        boolean      NOT NULL DEFAULT false
);

-- The login keys stay nullable until migration 2 has filled them for existing rows;
-- migration 3 then makes them NOT NULL and unique.
ALTER TABLE users
    ADD COLUMN IF NOT EXISTS created_at   timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN IF NOT EXISTS updated_at   timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN IF NOT EXISTS username_key text,
    ADD COLUMN IF NOT EXISTS email_key    text;

CREATE TABLE IF NOT EXISTS sessions (
    id                  text        PRIMARY KEY,
    user_id             bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_used_at        timestamptz NOT NULL DEFAULT now(),
    revoked_at          timestamptz,
    ip_address          text        NOT NULL DEFAULT '',
    user_agent          text        NOT NULL DEFAULT '',
    device_info         text        NOT NULL DEFAULT '',
    geolocation_city    text        NOT NULL DEFAULT '',
    geolocation_country text        NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id);

CREATE TABLE IF NOT EXISTS refresh_tokens (
    id          bigserial    PRIMARY KEY,
    user_id     bigint       NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  varchar(128) NOT NULL UNIQUE,
    device_info text         NOT NULL DEFAULT '',
    ip_address  text         NOT NULL DEFAULT '',
    expires_at  timestamptz  NOT NULL,
    is_revoked  boolean      NOT NULL DEFAULT false,
    created_at  timestamptz  NOT NULL DEFAULT now()
);

-- session_id stays nullable: tokens issued before sessions existed have none.
ALTER TABLE refresh_tokens
    ADD COLUMN IF NOT EXISTS session_id   text REFERENCES sessions (id) ON DELETE CASCADE,
    ADD COLUMN IF NOT EXISTS parent_id    bigint REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    ADD COLUMN IF NOT EXISTS replaced_at  timestamptz,
    ADD COLUMN IF NOT EXISTS last_used_at timestamptz;

CREATE INDEX IF NOT EXISTS refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_session_id_idx ON refresh_tokens (session_id);

-- One child per parent: a rotated token can never fork into two chains.
CREATE UNIQUE INDEX IF NOT EXISTS refresh_tokens_parent_id_uniq ON refresh_tokens (parent_id);

-- A legacy user_activity_logs already has every column below (extra_info as json, which
-- stays json; reads cast it to text).
CREATE TABLE IF NOT EXISTS user_activity_logs (
    id                  bigserial        PRIMARY KEY,
    user_id             bigint           REFERENCES users (id) ON DELETE CASCADE,
    event_type          varchar(64)      NOT NULL,
    ip_address          text             NOT NULL DEFAULT '',
    device_info         text             NOT NULL DEFAULT '',
    user_agent          text             NOT NULL DEFAULT '',
    geolocation_city    text             NOT NULL DEFAULT '',
    geolocation_country text             NOT NULL DEFAULT '',
    login_success       boolean,
    risk_score          double precision NOT NULL DEFAULT 0,
    extra_info          jsonb            NOT NULL DEFAULT '{}',
    created_at          timestamptz      NOT NULL DEFAULT now()
);

-- A legacy log may hold rows of users deleted long ago, so the foreign key is added without
-- checking old rows (NOT VALID); it still holds for every new row.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint
        WHERE conrelid = 'user_activity_logs'::regclass AND contype = 'f'
    ) THEN
        ALTER TABLE user_activity_logs
            ADD CONSTRAINT user_activity_logs_user_id_fkey FOREIGN KEY (user_id)
            REFERENCES users (id) ON DELETE CASCADE NOT VALID;
    END IF;
END
$$;
-- +goose StatementEnd

CREATE INDEX IF NOT EXISTS user_activity_logs_user_id_created_at_idx
    ON user_activity_logs (user_id, created_at);

-- No Down section: the tables may hold data that existed before this migration.
