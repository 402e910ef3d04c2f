//! Index and foreign-key set-aside for the first load of an empty
//! register, PostgreSQL side (the rules are in `sql::bulk_load`). The
//! indexes are rebuilt over two connections at once, so both cores sort;
//! the foreign keys come back after them, each validated by one join
//! instead of a probe per row.

use super::{PgTx, PostgresBackend};
use crate::sql::Tx;
use crate::sql::bulk_load::{
    self, DEFERRABLE_FOREIGN_KEYS, DEFERRABLE_INDEXES, Deferred, DeferredKind,
};
use crate::{Result, StoreError};
use std::sync::Mutex;

/// Connections building indexes at once: one per core of the machine the
/// project is sized for; the server's own parallel workers are turned off
/// for these builds, so the two do not compete.
const BUILDERS: usize = 2;

/// Memory for each index build's sort: a million names fit, so the build
/// sorts in memory rather than in temporary files.
const BUILD_MEMORY: &str = "SET LOCAL maintenance_work_mem = '256MB'; \
     SET LOCAL max_parallel_maintenance_workers = 0";

pub(super) fn defer(backend: &PostgresBackend) -> Result<bool> {
    let mut conn = backend.client()?;
    let mut pg = conn.transaction(backend.keys.current())?;
    // Writers wait until the set-aside is committed: none can slip a row in
    // between the emptiness check and the drops.
    pg.tx
        .batch_execute("LOCK TABLE persons, residences IN ACCESS EXCLUSIVE MODE")?;
    if !bulk_load::register_is_empty(&mut pg)? {
        return Ok(false);
    }
    let mut items = Vec::new();
    for &name in DEFERRABLE_INDEXES {
        let found = pg.query_opt(
            "SELECT tablename, indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() AND indexname = $1",
            &[name.into()],
        )?;
        if let Some(row) = found {
            items.push(Deferred {
                name: name.to_owned(),
                kind: DeferredKind::Index,
                table: row.text(0)?.to_owned(),
                definition: row.text(1)?.to_owned(),
            });
        }
    }
    for &(table, name) in DEFERRABLE_FOREIGN_KEYS {
        let found = pg.query_opt(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.conrelid \
             WHERE c.contype = 'f' AND t.relname = $1 AND c.conname = $2 \
               AND t.relnamespace = current_schema()::regnamespace",
            &[table.into(), name.into()],
        )?;
        if let Some(row) = found {
            items.push(Deferred {
                name: name.to_owned(),
                kind: DeferredKind::ForeignKey,
                table: table.to_owned(),
                definition: format!("ALTER TABLE {table} ADD CONSTRAINT {name} {}", row.text(0)?),
            });
        }
    }
    for item in &items {
        bulk_load::note(&mut pg, item)?;
        let drop = match item.kind {
            DeferredKind::Index => format!("DROP INDEX {}", item.name),
            DeferredKind::ForeignKey => {
                format!("ALTER TABLE {} DROP CONSTRAINT {}", item.table, item.name)
            }
            // PostgreSQL keeps the running totals per statement, not per
            // row: its triggers stay.
            DeferredKind::Trigger => continue,
        };
        pg.tx.batch_execute(&drop)?;
    }
    pg.tx.commit()?;
    Ok(true)
}

pub(super) fn restore(backend: &PostgresBackend) -> Result<()> {
    let pending = {
        let mut conn = backend.client()?;
        let mut pg = conn.transaction(backend.keys.current())?;
        bulk_load::pending(&mut pg)?
    };
    if pending.is_empty() {
        return Ok(());
    }
    let (indexes, keys): (Vec<_>, Vec<_>) = pending
        .into_iter()
        .partition(|item| item.kind == DeferredKind::Index);
    let queue = Mutex::new(indexes);
    std::thread::scope(|threads| {
        let builders: Vec<_> = (0..BUILDERS)
            .map(|_| threads.spawn(|| build_indexes(backend, &queue)))
            .collect();
        builders.into_iter().try_for_each(|builder| {
            builder
                .join()
                .map_err(|_| StoreError::Internal("an index builder panicked".into()))?
        })
    })?;
    for key in &keys {
        restore_one(backend, key, "")?;
    }
    Ok(())
}

/// Takes indexes off the shared queue until it is empty.
fn build_indexes(backend: &PostgresBackend, queue: &Mutex<Vec<Deferred>>) -> Result<()> {
    loop {
        let next = queue
            .lock()
            .map_err(|_| StoreError::Internal("index queue poisoned".into()))?
            .pop();
        match next {
            Some(index) => restore_one(backend, &index, BUILD_MEMORY)?,
            None => return Ok(()),
        }
    }
}

/// Recreates one item unless it exists already, and forgets it, in one
/// transaction on a connection of its own.
fn restore_one(backend: &PostgresBackend, item: &Deferred, settings: &str) -> Result<()> {
    let mut conn = backend.client()?;
    let mut pg = conn.transaction(backend.keys.current())?;
    if !settings.is_empty() {
        pg.tx.batch_execute(settings)?;
    }
    if !exists(&mut pg, item)? {
        pg.tx.batch_execute(&item.definition)?;
    }
    bulk_load::forget(&mut pg, &item.name)?;
    pg.tx.commit()?;
    Ok(())
}

fn exists(pg: &mut PgTx<'_>, item: &Deferred) -> Result<bool> {
    let sql = match item.kind {
        DeferredKind::Index => {
            "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() \
             AND tablename = $1 AND indexname = $2"
        }
        DeferredKind::ForeignKey => {
            "SELECT 1 FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             WHERE t.relnamespace = current_schema()::regnamespace \
             AND t.relname = $1 AND c.conname = $2"
        }
        DeferredKind::Trigger => {
            "SELECT 1 FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid \
             WHERE t.relnamespace = current_schema()::regnamespace \
             AND t.relname = $1 AND g.tgname = $2"
        }
    };
    Ok(pg
        .query_opt(
            sql,
            &[item.table.as_str().into(), item.name.as_str().into()],
        )?
        .is_some())
}
