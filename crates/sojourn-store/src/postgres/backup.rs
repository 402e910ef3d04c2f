//! What operations read of a PostgreSQL database beside the store.
//!
//! A backup's inventory is read in the very snapshot `pg_dump` dumps, so
//! its manifest describes the dump's moment exactly: one REPEATABLE READ
//! transaction exports its snapshot, `pg_dump --snapshot` reads in it, and
//! the inventory is counted in it, the transaction held open until both
//! are done.

use super::PgTx;
use crate::crypto::Keyring;
use crate::operations::Inventory;
use crate::{Result, StoreError};
use postgres::{Client, IsolationLevel, NoTls};
use std::collections::HashMap;
use std::sync::Arc;

/// Calls `dump` with the id of an exported snapshot of the database at
/// `url` and, once it has succeeded, returns the inventory of that same
/// snapshot. `dump`'s error (its message) is returned as a backend error.
pub fn inventory_of_dump(
    url: &str,
    dump: impl FnOnce(&str) -> std::result::Result<(), String>,
) -> Result<Inventory> {
    let mut client = Client::connect(url, NoTls)?;
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let snapshot: String = tx.query_one("SELECT pg_export_snapshot()", &[])?.get(0);
    dump(&snapshot).map_err(StoreError::Backend)?;
    let mut statements = HashMap::new();
    let mut pg = PgTx {
        tx,
        statements: &mut statements,
        // The inventory reads no sealed value: any ring will do.
        keys: Arc::new(Keyring::generate()),
    };
    let inventory = crate::sql::operations::inventory(&mut pg)?;
    pg.tx.commit()?;
    Ok(inventory)
}

/// The migrations applied to the database at `url`, read without changing
/// it; none before the first open.
pub(crate) fn applied_migrations(url: &str) -> Result<Vec<String>> {
    let mut client = Client::connect(url, NoTls)?;
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    Ok(client
        .query("SELECT name FROM schema_migrations", &[])?
        .iter()
        .map(|row| row.get(0))
        .collect())
}
