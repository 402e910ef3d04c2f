//! The operator's view of a store over any backend (the story is in
//! `crate::operations`): readiness, the inventory, every sealed value
//! opened.

use super::rotation::sealed_columns;
use super::sealed::{self, Field};
use super::{Backend, SqlStore, Tx};
use crate::operations::{COUNTED, Inventory, OperationsStore, Readiness, Schema, SealedCheck};
use crate::{Anchor, Result};
use std::collections::BTreeMap;

fn applied_migrations(tx: &mut dyn Tx) -> Result<Vec<String>> {
    tx.query("SELECT name FROM schema_migrations ORDER BY name", &[])?
        .iter()
        .map(|row| row.text(0).map(str::to_owned))
        .collect()
}

fn keys_in_use(tx: &mut dyn Tx) -> Result<Vec<String>> {
    tx.query(
        "SELECT id FROM encryption_keys WHERE retired_at IS NULL ORDER BY id",
        &[],
    )?
    .iter()
    .map(|row| row.text(0).map(str::to_owned))
    .collect()
}

fn audit_head(tx: &mut dyn Tx) -> Result<Option<Anchor>> {
    let row = tx.query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?;
    let Some(row) = row else { return Ok(None) };
    let seq = row.int(0)?;
    Ok((seq > 0).then(|| Anchor {
        seq,
        hash: row.text(1).unwrap_or_default().to_owned(),
    }))
}

/// The inventory, read in the caller's transaction (one moment).
pub(crate) fn inventory(tx: &mut dyn Tx) -> Result<Inventory> {
    let mut counts = BTreeMap::new();
    for table in COUNTED {
        let row = tx.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])?;
        counts.insert((*table).to_owned(), u64::try_from(row.int(0)?).unwrap_or(0));
    }
    Ok(Inventory {
        counts,
        audit_head: audit_head(tx)?,
        keys_in_use: keys_in_use(tx)?,
        migrations: applied_migrations(tx)?,
    })
}

/// The key column a sealed column's rows are walked by: `id`, but for the
/// family members of an outflow record, which have none of their own.
fn key_of(table: &str) -> &'static str {
    if table == "left_behind" {
        "outflow_id"
    } else {
        "id"
    }
}

/// Opens the values of one sealed column with keys in `(after, after +
/// batch]`; returns where the next range starts after (`None`: done).
fn open_range(
    tx: &mut dyn Tx,
    (table, column, field): (&str, &str, Field),
    after: i64,
    batch: u32,
    check: &mut SealedCheck,
) -> Result<Option<i64>> {
    let keys = tx.keys();
    let key = key_of(table);
    let rows = tx.query(
        &format!(
            "SELECT {key}, {column} FROM {table} WHERE {key} > $1 AND {key} <= $2 \
             AND {column} IS NOT NULL"
        ),
        &[after.into(), (after + i64::from(batch)).into()],
    )?;
    for row in &rows {
        let stored = row.text(1)?;
        let sealed = crate::crypto::Keyring::key_of(stored).is_some();
        if sealed && sealed::open(&keys, field, stored).is_ok() {
            check.opened += 1;
            continue;
        }
        check.failed += 1;
        if check.examples.len() < SealedCheck::EXAMPLES {
            check
                .examples
                .push(format!("{table}.{column} #{}", row.int(0)?));
        }
    }
    // Keys may have gaps: the next range starts at the next key there is.
    let next = tx
        .query_one(
            &format!("SELECT MIN({key}) FROM {table} WHERE {key} > $1"),
            &[(after + i64::from(batch)).into()],
        )?
        .opt_int(0)?;
    Ok(next.map(|key| key - 1))
}

impl<B: Backend> OperationsStore for SqlStore<B> {
    fn readiness_unscoped(&self) -> Result<Readiness> {
        self.backend.read(|tx| {
            let schema = Schema::of(&applied_migrations(tx)?);
            let keys = tx.keys();
            let keys_held = keys_in_use(tx)?
                .iter()
                .all(|id| keys.keys().iter().any(|k| k.id() == id.as_str()));
            Ok(Readiness { schema, keys_held })
        })
    }

    fn inventory_unscoped(&self) -> Result<Inventory> {
        self.backend.read(inventory)
    }

    fn audit_head_unscoped(&self) -> Result<Option<Anchor>> {
        self.backend.read(audit_head)
    }

    fn open_sealed_values_unscoped(&self, batch: u32) -> Result<SealedCheck> {
        let batch = batch.max(1);
        let mut check = SealedCheck::default();
        for sealed_column in sealed_columns() {
            let (table, _, _) = sealed_column;
            let key = key_of(table);
            let first = self.backend.read(|tx| {
                tx.query_one(&format!("SELECT MIN({key}) FROM {table}"), &[])?
                    .opt_int(0)
            })?;
            let mut after = first.map(|key| key - 1);
            while let Some(start) = after {
                after = self
                    .backend
                    .read(|tx| open_range(tx, sealed_column, start, batch, &mut check))?;
            }
        }
        Ok(check)
    }
}
