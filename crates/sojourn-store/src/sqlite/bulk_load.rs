//! Index set-aside for the first load of an empty register, SQLite side
//! (the rules are in `sql::bulk_load`). SQLite cannot drop a foreign key
//! without rebuilding its table, and its checks are primary-key probes
//! costing little, so only indexes are deferred here, and the per-row
//! trigger that keeps the running totals (counted again afterwards).

use super::SqliteTx;
use crate::Result;
use crate::crypto::Keyring;
use crate::sql::Tx;
use crate::sql::bulk_load::{
    self, DEFERRABLE_INDEXES, DEFERRABLE_TRIGGERS, Deferred, DeferredKind,
};
use rusqlite::{Connection, TransactionBehavior};
use std::sync::Arc;

/// Worker threads the sorter of `CREATE INDEX` may use while rebuilding;
/// SQLite's default is none.
const SORTER_THREADS: i64 = 2;

/// The page cache while rebuilding, in KiB (SQLite's default). The sorter
/// of `CREATE INDEX` fills as much memory as the cache may hold before it
/// writes a sorted run: with the store's 64 MiB it sorts a few long runs
/// slowly, with 2 MiB many short ones its threads sort and merge fast.
/// Together with temp files (below), the six indexes of a million rows
/// took 2.0 s instead of 4.6 s (docs/PERFORMANCE.md).
const REBUILD_CACHE_KIB: i64 = -2000;

/// `temp_store` while rebuilding: files, which the operating system keeps
/// in its page cache anyway; the store's MEMORY setting makes the sorter's
/// runs SQLite's own in-memory files, twice as slow to write and read back.
const REBUILD_TEMP_STORE: &str = "FILE";

/// The running totals counted from the register, as the migration that
/// introduced them first counted them. Left to itself, SQLite walks
/// `residences_unit` for the grouping and fetches every row it counts from
/// the table, in random order. So the current residents are read from the
/// covering index of current stays (3.4 s → 0.4 s at a million residents,
/// their files fetched in id order), and the departures by one pass over
/// the table in its own order (1.9 s → 0.1 s).
const RECOUNT_STATISTICS: &[&str] = &[
    "DELETE FROM stat_arrivals",
    "DELETE FROM stat_current",
    "DELETE FROM stat_departures",
    "INSERT INTO stat_arrivals (unit_code, month, n) \
     SELECT unit_code, substr(arrived_on, 1, 7), count(*) FROM residences GROUP BY 1, 2",
    "INSERT INTO stat_current (unit_code, province, n) \
     SELECT r.unit_code, substr(p.domicile, 1, 2), count(*) \
     FROM residences r INDEXED BY residences_current_scope JOIN persons p ON p.id = r.person_id \
     WHERE r.status <> 'departed' GROUP BY 1, 2",
    "INSERT INTO stat_departures (unit_code, month, n) \
     SELECT unit_code, substr(departed_on, 1, 7), count(*) FROM residences NOT INDEXED \
     WHERE status = 'departed' GROUP BY 1, 2",
];

/// Keys are not read here; a transaction of the store carries them all the same.
pub(super) fn defer(conn: &mut Connection, keys: Arc<Keyring>) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut sql = SqliteTx(&tx, keys);
    if !bulk_load::register_is_empty(&mut sql)? {
        return Ok(false);
    }
    for &name in DEFERRABLE_INDEXES {
        let found = sql.query_opt(
            "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND name = $1",
            &[name.into()],
        )?;
        let Some(row) = found else { continue };
        let Some(definition) = row.opt_text(1)? else {
            continue; // an index SQLite made for a constraint: not ours to drop
        };
        let item = Deferred {
            name: name.to_owned(),
            kind: DeferredKind::Index,
            table: row.text(0)?.to_owned(),
            definition: definition.to_owned(),
        };
        bulk_load::note(&mut sql, &item)?;
        tx.execute_batch(&format!("DROP INDEX {name}"))?;
    }
    for &name in DEFERRABLE_TRIGGERS {
        let found = sql.query_opt(
            "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name = $1",
            &[name.into()],
        )?;
        let Some(row) = found else { continue };
        let item = Deferred {
            name: name.to_owned(),
            kind: DeferredKind::Trigger,
            table: row.text(0)?.to_owned(),
            definition: row.text(1)?.to_owned(),
        };
        bulk_load::note(&mut sql, &item)?;
        tx.execute_batch(&format!("DROP TRIGGER {name}"))?;
    }
    tx.commit()?;
    Ok(true)
}

pub(super) fn restore(conn: &mut Connection, keys: Arc<Keyring>) -> Result<()> {
    let pending = {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        bulk_load::pending(&mut SqliteTx(&tx, keys.clone()))?
    };
    if pending.is_empty() {
        return Ok(());
    }
    let cache: i64 = conn.query_row("PRAGMA cache_size", [], |row| row.get(0))?;
    let temp_store: i64 = conn.query_row("PRAGMA temp_store", [], |row| row.get(0))?;
    conn.pragma_update(None, "threads", SORTER_THREADS)?;
    conn.pragma_update(None, "cache_size", REBUILD_CACHE_KIB)?;
    conn.pragma_update(None, "temp_store", REBUILD_TEMP_STORE)?;
    let rebuilt = rebuild(conn, &pending, keys);
    conn.pragma_update(None, "threads", 0)?;
    conn.pragma_update(None, "cache_size", cache)?;
    conn.pragma_update(None, "temp_store", temp_store)?;
    rebuilt
}

/// All in one transaction: the indexes come back together or not at all.
fn rebuild(conn: &mut Connection, pending: &[Deferred], keys: Arc<Keyring>) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut sql = SqliteTx(&tx, keys);
    for item in pending {
        let kind = match item.kind {
            DeferredKind::Index => "index",
            DeferredKind::Trigger => "trigger",
            DeferredKind::ForeignKey => {
                bulk_load::forget(&mut sql, &item.name)?;
                continue;
            }
        };
        let exists = sql
            .query_opt(
                "SELECT 1 FROM sqlite_master WHERE type = $1 AND name = $2",
                &[kind.into(), item.name.as_str().into()],
            )?
            .is_some();
        if !exists {
            let started = std::time::Instant::now();
            tx.execute_batch(&item.definition)?;
            tracing::debug!(name = %item.name, took = ?started.elapsed(), "rebuilt");
        }
        bulk_load::forget(&mut sql, &item.name)?;
    }
    // Rows loaded while the trigger was away are in no total yet.
    if pending
        .iter()
        .any(|item| item.kind == DeferredKind::Trigger)
    {
        for statement in RECOUNT_STATISTICS {
            let started = std::time::Instant::now();
            tx.execute_batch(statement)?;
            tracing::debug!(took = ?started.elapsed(), statement, "running totals counted again");
        }
    }
    let started = std::time::Instant::now();
    tx.commit()?;
    tracing::debug!(took = ?started.elapsed(), "rebuild committed");
    Ok(())
}
