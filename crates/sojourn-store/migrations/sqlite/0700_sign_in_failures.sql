-- Failed sign-ins are counted per user name, whether or not the name is
-- an account's, so that a name's answers (and its lock) do not tell
-- whether it exists. An account keeps its count on its row; a name that
-- is no account's has a row here. Five failures within 15 minutes of the
-- first lock the name for 15 minutes (the numbers are the server's).

-- When the account's current count of failures began.
ALTER TABLE accounts ADD COLUMN failures_since TEXT;

-- The name is kept as its keyed blind index, never as typed: what is
-- typed into the name field is sometimes a password. (A key rotation
-- starts these counts afresh; they last 15 minutes anyway.)
CREATE TABLE sign_in_failures (
    name_index      TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    failures_since  TEXT,
    locked_until    TEXT,
    -- Unix seconds after which the row says nothing (its count window and
    -- lock are over): rows are swept by it, so a spray of invented names
    -- leaves no lasting trace.
    forget_after    INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_forget ON sign_in_failures (forget_after);
