-- Staff accounts, sessions and API tokens, SQLite dialect. Secrets are
-- never stored: passwords as Argon2id PHC strings, session ids and API
-- tokens as SHA-256 hex digests. Times are RFC 3339 text; the application
-- compares them (text order is not time order across precisions).

CREATE TABLE accounts (
    id                    INTEGER PRIMARY KEY,
    username              TEXT NOT NULL UNIQUE,
    display_name          TEXT NOT NULL,
    unit_code             TEXT NOT NULL REFERENCES units (code),
    password_hash         TEXT NOT NULL,
    password_changed_at   TEXT NOT NULL,
    must_change_password  INTEGER NOT NULL DEFAULT 0,
    failed_logins         INTEGER NOT NULL DEFAULT 0,
    locked_until          TEXT,
    totp_secret           TEXT,
    totp_last_step        INTEGER,
    disabled              INTEGER NOT NULL DEFAULT 0,
    last_login_at         TEXT,
    created_at            TEXT NOT NULL,
    created_by            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    updated_by            TEXT NOT NULL
);
CREATE INDEX accounts_unit ON accounts (unit_code);

CREATE TABLE account_roles (
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    role        TEXT NOT NULL,
    PRIMARY KEY (account_id, role)
);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    address       TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    unit_code     TEXT NOT NULL REFERENCES units (code),
    role          TEXT NOT NULL,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT,
    revoked_by    TEXT,
    last_used_at  TEXT
);
CREATE INDEX api_tokens_unit ON api_tokens (unit_code);
