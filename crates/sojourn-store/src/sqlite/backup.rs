//! Copies of a SQLite store, and the store in such a copy, for `sojourn
//! backup` and `sojourn restore`.
//!
//! A copy is made with `VACUUM INTO`: one read transaction of its own, so
//! it is the database as of one commit while the server keeps writing (in
//! WAL mode a reader holds up no writer), and it comes out compacted, with
//! the log folded in: one self-contained file.

use super::{SqliteBackend, connect};
use crate::crypto::Keyring;
use crate::sql::SqlStore;
use crate::{Result, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// A mistyped path is an error, not a new empty database.
fn must_exist(path: &Path) -> Result<()> {
    if path.is_file() {
        Ok(())
    } else {
        Err(StoreError::Backend(format!(
            "{}: no such database file",
            path.display()
        )))
    }
}

/// Opens an existing file for reading and writing, never creating one.
fn open_existing(path: &Path) -> Result<Connection> {
    must_exist(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(conn)
}

/// Writes a consistent copy of the database at `source` to `target`, which
/// must not exist yet. The source is only read; a server may keep using it.
pub fn copy_into(source: &Path, target: &Path) -> Result<()> {
    if target.exists() {
        return Err(StoreError::Backend(format!(
            "{}: already exists",
            target.display()
        )));
    }
    let target = target
        .to_str()
        .ok_or_else(|| StoreError::Backend("the copy's path is not UTF-8".into()))?;
    open_existing(source)?.execute("VACUUM INTO ?1", [target])?;
    Ok(())
}

/// What `PRAGMA integrity_check` and `PRAGMA foreign_key_check` find wrong
/// with the database at `path`; empty when it is sound.
pub fn integrity_problems(path: &Path) -> Result<Vec<String>> {
    let conn = open_existing(path)?;
    let mut problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|line| line != "ok")
        .collect();
    let broken = conn
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |row| {
            Ok(format!(
                "{} row {} refers to a missing {} row",
                row.get::<_, String>(0)?,
                row.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                row.get::<_, String>(2)?
            ))
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    problems.extend(broken);
    Ok(problems)
}

/// The store in the file at `path` as it is: no migration applied, no key
/// recorded, nothing sealed again — what a backup's inventory reads and a
/// restore checks before it lets the store be opened for use. Only the
/// [`crate::OperationsStore`] and audit reads are meant for it; the
/// connections switch the file to WAL mode, as every open does.
pub fn open_as_is(path: &Path, keys: Keyring) -> Result<Box<dyn crate::Store>> {
    must_exist(path)?;
    let writer = connect(path, OpenFlags::default())?;
    Ok(Box::new(SqlStore {
        backend: SqliteBackend::around(path, writer, keys.into())?,
    }))
}

/// The migrations applied to the SQLite file at `path`, read without
/// changing it; none when there is no file yet.
pub(crate) fn applied_migrations(path: &Path) -> Result<Vec<String>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let conn = open_existing(path)?;
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' \
         AND name = 'schema_migrations')",
        [],
        |row| row.get(0),
    )?;
    if !exists {
        return Ok(Vec::new());
    }
    let names = conn
        .prepare("SELECT name FROM schema_migrations")?
        .query_map([], |row| row.get(0))?
        .collect::<std::result::Result<Vec<String>, _>>()?;
    Ok(names)
}

/// Folds the log into the database file and leaves it in rollback-journal
/// mode: one self-contained file, safe to checksum, copy or rename. Call
/// it with no other connection open; a server opening the file later
/// turns WAL mode back on.
pub fn settle(path: &Path) -> Result<()> {
    let conn = open_existing(path)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get(0))?;
    if mode.eq_ignore_ascii_case("delete") {
        Ok(())
    } else {
        Err(StoreError::Backend(format!(
            "{}: still in {mode} mode (is another process using it?)",
            path.display()
        )))
    }
}

/// The SHA-256 of a file, in lowercase hex.
pub fn file_digest(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(data_encoding::HEXLOWER.encode(&hasher.finalize()))
}
