-- Export and import jobs of the web server, kept so that a restart
-- neither loses a finished job's file or report nor leaves a job that
-- was running looking as if it still were (issue 17). The files
-- themselves are on disk, in the server's jobs directory; `file` names
-- one there. A job is its owner's alone; rows are deleted once expired.
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    -- export | import
    kind          TEXT NOT NULL,
    -- Who started it (the web layer's key for an account).
    owner         TEXT NOT NULL,
    -- The list exported, or the register imported into.
    subject       TEXT NOT NULL,
    -- running | done | failed | interrupted
    status        TEXT NOT NULL,
    -- Rows written (export) or committed (import) so far.
    rows_done     INTEGER NOT NULL DEFAULT 0,
    -- Rows to write, once counted (0 until then).
    rows_total    INTEGER NOT NULL DEFAULT 0,
    -- The job's file in the jobs directory (a name, never a path).
    file          TEXT,
    -- What the web layer needs to serve the file (download names, type);
    -- JSON, never a personal value.
    details       TEXT NOT NULL,
    failure_code  TEXT,
    failure_zh    TEXT,
    failure_en    TEXT,
    -- Unix seconds.
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX jobs_expiry ON jobs (expires_at);
CREATE INDEX jobs_status ON jobs (status);
