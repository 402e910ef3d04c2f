//! Index set-aside for the first load of an empty register, SQLite side
//! (the rules are in `sql::bulk_load`). SQLite cannot drop a foreign key
//! without rebuilding its table, and its checks are primary-key probes
//! costing little, so only indexes are deferred here.

use super::SqliteTx;
use crate::Result;
use crate::sql::Tx;
use crate::sql::bulk_load::{self, DEFERRABLE_INDEXES, Deferred, DeferredKind};
use rusqlite::{Connection, TransactionBehavior};

/// Worker threads the sorter of `CREATE INDEX` may use while rebuilding;
/// SQLite's default is none.
const SORTER_THREADS: i64 = 2;

pub(super) fn defer(conn: &mut Connection) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut sql = SqliteTx(&tx);
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
    tx.commit()?;
    Ok(true)
}

pub(super) fn restore(conn: &mut Connection) -> Result<()> {
    let pending = {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        bulk_load::pending(&mut SqliteTx(&tx))?
    };
    if pending.is_empty() {
        return Ok(());
    }
    conn.pragma_update(None, "threads", SORTER_THREADS)?;
    let rebuilt = rebuild(conn, &pending);
    conn.pragma_update(None, "threads", 0)?;
    rebuilt
}

/// All in one transaction: the indexes come back together or not at all.
fn rebuild(conn: &mut Connection, pending: &[Deferred]) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut sql = SqliteTx(&tx);
    for item in pending {
        let exists = sql
            .query_opt(
                "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = $1",
                &[item.name.as_str().into()],
            )?
            .is_some();
        if item.kind == DeferredKind::Index && !exists {
            tx.execute_batch(&item.definition)?;
        }
        bulk_load::forget(&mut sql, &item.name)?;
    }
    tx.commit()?;
    Ok(())
}
