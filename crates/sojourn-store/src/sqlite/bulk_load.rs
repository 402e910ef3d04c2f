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
    self, DEFERRABLE_INDEXES, DEFERRABLE_TRIGGERS, Deferred, DeferredKind, RECOUNT_STATISTICS,
};
use rusqlite::{Connection, TransactionBehavior};
use std::sync::Arc;

/// Worker threads the sorter of `CREATE INDEX` may use while rebuilding;
/// SQLite's default is none.
const SORTER_THREADS: i64 = 2;

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
    conn.pragma_update(None, "threads", SORTER_THREADS)?;
    let rebuilt = rebuild(conn, &pending, keys);
    conn.pragma_update(None, "threads", 0)?;
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
            tx.execute_batch(&item.definition)?;
        }
        bulk_load::forget(&mut sql, &item.name)?;
    }
    // Rows loaded while the trigger was away are in no total yet.
    if pending
        .iter()
        .any(|item| item.kind == DeferredKind::Trigger)
    {
        for statement in RECOUNT_STATISTICS {
            tx.execute_batch(statement)?;
        }
    }
    tx.commit()?;
    Ok(())
}
