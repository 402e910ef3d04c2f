//! Keys in use and re-encryption under the current key.
//!
//! The database records which keys its values are encrypted under
//! (`encryption_keys`: ids only, never a key). Opening a store checks the
//! ring holds each of them, so a wrong or missing key file is refused at
//! start rather than on the first read. `sojourn keys rotate` puts a new
//! key first in the ring; [`reencrypt`] then walks every sealed column in
//! id order, one transaction per batch, rewriting each value (and its blind
//! index) not yet under the current key. It can stop anywhere and start
//! again: a value already under the current key is left as it is. Values
//! stored before encryption existed (plaintext, no `v1:` prefix) are sealed
//! by the same walk, which the first open after the upgrade runs.

use super::sealed::{self, Field, ID_NUMBER, LANDLORD_CODE, LEGAL_REPRESENTATIVE, PHONE, REVISION};
use super::{Backend, SqlStore, Tx, Value, now};
use crate::Result;
use crate::crypto::{CryptoError, Keyring};

/// One sealed column.
struct Column {
    name: &'static str,
    field: Field,
    /// The blind-index column kept beside it, if any.
    index: Option<&'static str>,
}

const fn col(name: &'static str, field: Field, index: Option<&'static str>) -> Column {
    Column { name, field, index }
}

/// A table with sealed columns and an integer `id`.
struct Table {
    name: &'static str,
    columns: &'static [Column],
}

const TABLES: &[Table] = &[
    Table {
        name: "persons",
        columns: &[
            col("id_number", ID_NUMBER, Some("id_number_bidx")),
            col("phone", PHONE, Some("phone_bidx")),
            col("guardian_id_number", sealed::GUARDIAN_ID_NUMBER, None),
            col("guardian_phone", sealed::GUARDIAN_PHONE, None),
        ],
    },
    Table {
        name: "houses",
        columns: &[
            col("landlord_code", LANDLORD_CODE, None),
            col("landlord_phone", PHONE, None),
        ],
    },
    Table {
        name: "employers",
        columns: &[
            col("legal_representative", LEGAL_REPRESENTATIVE, None),
            col("phone", PHONE, None),
        ],
    },
    Table {
        name: "outflows",
        columns: &[
            col("id_number", ID_NUMBER, Some("id_number_bidx")),
            col("contact_phone", PHONE, None),
        ],
    },
    Table {
        name: "accounts",
        columns: &[col("totp_secret", sealed::TOTP_SECRET, None)],
    },
    Table {
        name: "revisions",
        columns: &[col("snapshot", REVISION, None)],
    },
    Table {
        name: "fp_files",
        columns: &[col("contents", sealed::FAMILY_PLANNING, None)],
    },
    Table {
        name: "fp_checks",
        columns: &[col("findings", sealed::FAMILY_PLANNING_CHECK, None)],
    },
];

/// Whether a stored value must be (re-)sealed: plaintext from before
/// encryption, or a ciphertext under another key than the current.
fn needs_sealing(keys: &Keyring, stored: &str) -> bool {
    Keyring::key_of(stored).is_none() || keys.is_stale(stored)
}

/// The plaintext of a value about to be re-sealed.
fn plaintext(keys: &Keyring, field: Field, stored: &str) -> Result<String> {
    match Keyring::key_of(stored) {
        Some(_) => sealed::open(keys, field, stored),
        None => Ok(stored.to_owned()),
    }
}

/// SET clauses and their values re-sealing the columns of one row that
/// need it (none when all are current).
fn resealed(
    keys: &Keyring,
    columns: &[Column],
    stored: &[Option<&str>],
    params: &mut Vec<Value>,
) -> Result<Vec<String>> {
    let mut sets = Vec::new();
    for (column, stored) in columns.iter().zip(stored) {
        let Some(stored) = stored.filter(|s| needs_sealing(keys, s)) else {
            continue;
        };
        let plain = plaintext(keys, column.field, stored)?;
        params.push(sealed::seal(keys, column.field, &plain));
        sets.push(format!("{} = ${}", column.name, params.len()));
        if let Some(index) = column.index {
            params.push(sealed::index(keys, column.field, &plain));
            sets.push(format!("{index} = ${}", params.len()));
        }
    }
    Ok(sets)
}

/// Re-seals one batch of `table` after id `after`; returns the last id
/// seen (`None`: the table is done) and the rows rewritten.
fn table_batch(
    tx: &mut dyn Tx,
    table: &Table,
    after: i64,
    batch: u32,
) -> Result<(Option<i64>, u64)> {
    let keys = tx.keys();
    let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let rows = tx.query(
        &format!(
            "SELECT id, {} FROM {} WHERE id > $1 ORDER BY id LIMIT {batch}",
            names.join(", "),
            table.name
        ),
        &[after.into()],
    )?;
    let mut rewritten = 0;
    for row in &rows {
        let stored = (1..=table.columns.len())
            .map(|i| row.opt_text(i))
            .collect::<Result<Vec<_>>>()?;
        let mut params = Vec::new();
        let sets = resealed(&keys, table.columns, &stored, &mut params)?;
        if sets.is_empty() {
            continue;
        }
        params.push(row.int(0)?.into());
        tx.execute(
            &format!(
                "UPDATE {} SET {} WHERE id = ${}",
                table.name,
                sets.join(", "),
                params.len()
            ),
            &params,
        )?;
        rewritten += 1;
    }
    let last = rows.last().map(|r| r.int(0)).transpose()?;
    Ok((last, rewritten))
}

/// Left-behind family members have no id of their own: batches run over
/// whole outflows.
fn left_behind_batch(tx: &mut dyn Tx, after: i64, batch: u32) -> Result<(Option<i64>, u64)> {
    let keys = tx.keys();
    let Some(last) = tx
        .query_one(
            &format!(
                "SELECT MAX(outflow_id) FROM (SELECT DISTINCT outflow_id FROM left_behind \
                 WHERE outflow_id > $1 ORDER BY outflow_id LIMIT {batch}) b"
            ),
            &[after.into()],
        )?
        .opt_int(0)?
    else {
        return Ok((None, 0));
    };
    let rows = tx.query(
        "SELECT outflow_id, position, id_number FROM left_behind \
         WHERE outflow_id > $1 AND outflow_id <= $2",
        &[after.into(), last.into()],
    )?;
    let column = [LEFT_BEHIND_ID_NUMBER];
    let mut rewritten = 0;
    for row in &rows {
        let mut params = Vec::new();
        let sets = resealed(&keys, &column, &[row.opt_text(2)?], &mut params)?;
        if sets.is_empty() {
            continue;
        }
        params.extend([row.int(0)?.into(), row.int(1)?.into()]);
        let n = params.len();
        tx.execute(
            &format!(
                "UPDATE left_behind SET {} WHERE outflow_id = ${} AND position = ${n}",
                sets.join(", "),
                n - 1
            ),
            &params,
        )?;
        rewritten += 1;
    }
    Ok((Some(last), rewritten))
}

/// Re-seals every value not under the current key, `batch` rows per
/// transaction. `progress` hears each batch (table, rows rewritten) and
/// may stop the walk by returning `false`; returns the rows rewritten.
pub(crate) fn reencrypt(
    backend: &impl Backend,
    batch: u32,
    progress: &mut dyn FnMut(&str, u64) -> bool,
) -> Result<u64> {
    let batch = batch.max(1);
    let mut total = 0;
    let walks: Vec<(&str, Option<&Table>)> = TABLES
        .iter()
        .map(|t| (t.name, Some(t)))
        .chain([("left_behind", None)])
        .collect();
    for (name, table) in walks {
        let mut after = i64::MIN;
        loop {
            let (last, rewritten) = backend.write(|tx| match table {
                Some(table) => table_batch(tx, table, after, batch),
                None => left_behind_batch(tx, after, batch),
            })?;
            total += rewritten;
            let Some(last) = last else { break };
            after = last;
            if !progress(name, rewritten) {
                return Ok(total);
            }
        }
    }
    Ok(total)
}

/// The sealed family column, walked by outflow ([`left_behind_batch`]).
const LEFT_BEHIND_ID_NUMBER: Column = col("id_number", ID_NUMBER, None);

/// Every sealed column as (table, column, field): what a rotation
/// re-encrypts, and what the tests search the database for in the clear.
pub(crate) fn sealed_columns() -> Vec<(&'static str, &'static str, Field)> {
    TABLES
        .iter()
        .flat_map(|t| t.columns.iter().map(move |c| (t.name, c.name, c.field)))
        .chain([(
            "left_behind",
            LEFT_BEHIND_ID_NUMBER.name,
            LEFT_BEHIND_ID_NUMBER.field,
        )])
        .collect()
}

/// How many stored values are not under the current key.
pub(crate) fn stale_values(tx: &mut dyn Tx) -> Result<u64> {
    let keys = tx.keys();
    let current = format!("v1:{}:%", keys.current().id());
    let mut stale = 0;
    for (table, column, _) in sealed_columns() {
        let row = tx.query_one(
            &format!(
                "SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL AND {column} NOT LIKE $1"
            ),
            &[current.as_str().into()],
        )?;
        stale += u64::try_from(row.int(0)?).unwrap_or(0);
    }
    Ok(stale)
}

impl<B: Backend> SqlStore<B> {
    /// Refuses keys that cannot read the data; records the current key as
    /// in use. The first open of a database from before encryption seals
    /// its plaintext values.
    pub(crate) fn check_keys(&self) -> Result<()> {
        let first = self.backend.write(|tx| {
            let keys = tx.keys();
            let in_use = tx.query(
                "SELECT id FROM encryption_keys WHERE retired_at IS NULL",
                &[],
            )?;
            let mut missing = Vec::new();
            for row in &in_use {
                let id = row.text(0)?;
                if keys.keys().iter().all(|k| k.id() != id) {
                    missing.push(id.to_owned());
                }
            }
            if !missing.is_empty() {
                return Err(CryptoError::WrongKey(missing.join(", ")).into());
            }
            let current = keys.current().id();
            let known = tx.query_opt(
                "SELECT 1 FROM encryption_keys WHERE id = $1",
                &[current.into()],
            )?;
            if known.is_none() {
                tx.execute(
                    "INSERT INTO encryption_keys (id, added_at) VALUES ($1, $2)",
                    &[current.into(), now().into()],
                )?;
            }
            Ok(in_use.is_empty())
        })?;
        if first {
            reencrypt(&self.backend, 1000, &mut |_, _| true)?;
        }
        Ok(())
    }

    /// Marks every key but the current one retired, once no value uses
    /// one; returns the ids retired.
    pub(crate) fn retire_keys(&self) -> Result<Vec<String>> {
        self.backend.write(|tx| {
            let stale = stale_values(tx)?;
            if stale > 0 {
                return Err(crate::StoreError::KeysStillInUse { values: stale });
            }
            let current = tx.keys().current().id().to_owned();
            let old = tx.query(
                "SELECT id FROM encryption_keys WHERE retired_at IS NULL AND id <> $1",
                &[current.as_str().into()],
            )?;
            let ids = old
                .iter()
                .map(|r| r.text(0).map(str::to_owned))
                .collect::<Result<Vec<_>>>()?;
            tx.execute(
                "UPDATE encryption_keys SET retired_at = $1 WHERE retired_at IS NULL AND id <> $2",
                &[now().into(), current.into()],
            )?;
            Ok(ids)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field sealed nowhere would be a field whose values no rotation
    /// re-encrypts and no test searches for.
    #[test]
    fn every_sealed_field_has_a_column() {
        let columns = sealed_columns();
        for field in Field::ALL {
            assert!(
                columns.iter().any(|(_, _, f)| f == field),
                "{field:?} is sealed in no column"
            );
        }
    }
}
