use super::change::{self, Step};
use super::residents::{Filter, PinyinReading, pinyin_reading};
use super::sealed::{self, ID_NUMBER, PHONE};
use super::{Tx, Value, mapping, opt_text, scope_bounds, units};
use super::{narrow, page_of};
use crate::crypto::Keyring;
use crate::query::{OutflowQuery, Page};
use crate::{Actor, Result, StoreError, snapshot};
use sojourn_domain::codes::IdNumber;
use sojourn_domain::outflow::{LeftBehind, Outflow, OutflowDetails, OutflowId};
use sojourn_domain::search::SearchTerm;
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::Scope;

change::versioned!(Outflow: Outflow, snapshot::OutflowSnapshot, get_outflow, OutflowId, |outflow| &outflow.details.unit);

fn outflow_values(d: &OutflowDetails, keys: &Keyring) -> Vec<Value> {
    vec![
        d.unit.as_str().into(),
        d.name.as_str().into(),
        d.name.pinyin_full().into(),
        d.name.pinyin_initials().into(),
        d.left_on.date().into(),
        d.destination.as_str().into(),
        opt_text(d.destination_address.as_ref()),
        opt_text(d.reason.as_ref()),
        opt_text(d.employer_name.as_ref()),
        sealed::seal_opt(keys, PHONE, d.contact_phone.as_ref()),
    ]
}

pub(crate) fn create_outflow(
    tx: &mut dyn Tx,
    scope: &Scope,
    number: &IdNumber,
    d: &OutflowDetails,
    actor: &Actor,
) -> Result<Outflow> {
    units::require_unit(tx, scope, &d.unit)?;
    check_not_on_file(tx, number, d.left_on, None)?;
    let keys = tx.keys();
    let mut params = Vec::new();
    let matches = sealed::index_match(
        &keys,
        "id_number_bidx",
        ID_NUMBER,
        number.as_str(),
        &mut params,
    );
    let open = tx.query_opt(
        &format!("SELECT unit_code FROM outflows WHERE {matches} AND returned_on IS NULL"),
        &params,
    )?;
    if let Some(row) = open {
        let unit_code = row.text(0)?.to_owned();
        let unit_name = units::unit_name_unscoped(tx, &unit_code)?;
        return Err(StoreError::DuplicateOutflow {
            unit_code,
            unit_name,
        });
    }
    change::create(tx, scope, actor, |tx, stamp| {
        let mut values = outflow_values(d, &keys);
        values.extend([
            sealed::seal(&keys, ID_NUMBER, number.as_str()),
            sealed::index(&keys, ID_NUMBER, number.as_str()),
            stamp.at.into(),
            stamp.by.as_str().into(),
        ]);
        let row = tx.query_one(
            "INSERT INTO outflows (unit_code, name, name_pinyin, name_initials, left_on, destination, \
             destination_address, reason, employer_name, contact_phone, id_number, id_number_bidx, \
             version, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $13, $14) RETURNING id",
            &values,
        )?;
        let id = OutflowId(row.int(0)?);
        insert_left_behind(tx, id, &d.left_behind)?;
        Ok(id.0)
    })
}

/// Refuses a second record of the same departure (number and date), open
/// or closed, anywhere in the deployment: what `outflows_once` holds to,
/// found here under every key of the ring and answered clearly. `except`
/// is the record being edited.
fn check_not_on_file(
    tx: &mut dyn Tx,
    number: &IdNumber,
    left_on: PastDate,
    except: Option<OutflowId>,
) -> Result<()> {
    let keys = tx.keys();
    let mut params = vec![left_on.date().into(), except.map_or(0, |id| id.0).into()];
    let matches = sealed::index_match(
        &keys,
        "id_number_bidx",
        ID_NUMBER,
        number.as_str(),
        &mut params,
    );
    let on_file = tx.query_opt(
        // In order of the parameters: SQLite numbers `$n` as they appear.
        &format!("SELECT unit_code FROM outflows WHERE left_on = $1 AND id <> $2 AND {matches}"),
        &params,
    )?;
    match on_file {
        Some(row) => {
            let unit_code = row.text(0)?.to_owned();
            let unit_name = units::unit_name_unscoped(tx, &unit_code)?;
            Err(StoreError::OutflowOnFile {
                unit_code,
                unit_name,
            })
        }
        None => Ok(()),
    }
}

fn insert_left_behind(tx: &mut dyn Tx, id: OutflowId, family: &[LeftBehind]) -> Result<()> {
    tx.execute(
        "DELETE FROM left_behind WHERE outflow_id = $1",
        &[id.0.into()],
    )?;
    let keys = tx.keys();
    for (position, member) in (0_i64..).zip(family) {
        tx.execute(
            "INSERT INTO left_behind (outflow_id, position, name, id_number, birth_date, relation, kind) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                id.0.into(),
                position.into(),
                member.name.as_str().into(),
                sealed::seal_opt(&keys, ID_NUMBER, member.id_number.as_ref()),
                member.birth_date.into(),
                member.relation.as_str().into(),
                member.kind().key().into(),
            ],
        )?;
    }
    Ok(())
}

fn load_left_behind(
    tx: &mut dyn Tx,
    id: OutflowId,
    left_on: time::Date,
) -> Result<Vec<LeftBehind>> {
    let keys = tx.keys();
    tx.query(
        &format!(
            "SELECT {} FROM left_behind WHERE outflow_id = $1 ORDER BY position",
            mapping::LEFT_BEHIND_COLUMNS
        ),
        &[id.0.into()],
    )?
    .iter()
    .map(|row| mapping::left_behind(row, left_on, &keys))
    .collect()
}

fn outflow_from(tx: &mut dyn Tx, row: &super::Row) -> Result<Outflow> {
    let id = OutflowId(row.int(0)?);
    let family = load_left_behind(tx, id, row.date(4)?)?;
    mapping::outflow(row, family, &tx.keys())
}

pub(crate) fn get_outflow(tx: &mut dyn Tx, scope: &Scope, id: OutflowId) -> Result<Outflow> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {} FROM outflows o WHERE o.unit_code >= $1 AND o.unit_code < $2 AND o.id = $3",
        mapping::OUTFLOW_COLUMNS.select
    );
    let row = tx
        .query_opt(&sql, &[low, high, id.0.into()])?
        .ok_or_else(|| StoreError::NotFound {
            kind: sojourn_domain::record::RecordKind::Outflow,
            id: id.0.to_string(),
        })?;
    outflow_from(tx, &row)
}

pub(crate) fn update_outflow(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: OutflowId,
    d: &OutflowDetails,
    expected_version: i64,
    actor: &Actor,
) -> Result<Outflow> {
    let version = (id.0, expected_version);
    change::update(
        tx,
        scope,
        actor,
        version,
        Step::Updated,
        |tx, before: &Outflow, stamp| {
            units::require_unit(tx, scope, &d.unit)?;
            check_not_on_file(tx, &before.id_number, d.left_on, Some(id))?;
            let mut values = outflow_values(d, &tx.keys());
            values.extend(stamp.values());
            values.push(id.0.into());
            tx.execute(
            "UPDATE outflows SET unit_code = $1, name = $2, name_pinyin = $3, name_initials = $4, \
             left_on = $5, destination = $6, destination_address = $7, reason = $8, employer_name = $9, \
             contact_phone = $10, version = $11, updated_at = $12, updated_by = $13 WHERE id = $14",
            &values,
        )?;
            insert_left_behind(tx, id, &d.left_behind)
        },
    )
}

pub(crate) fn search_outflows(
    tx: &mut dyn Tx,
    scope: &Scope,
    query: &OutflowQuery,
) -> Result<Page<Outflow>> {
    let scope = narrow(scope, query.unit.as_ref())?;
    let mut filter = Filter::on("o.unit_code", &scope);
    if let Some(term) = &query.term {
        let clause = match term {
            // Stored encrypted: found whole through the blind index; a
            // part of a number matches nothing.
            SearchTerm::IdNumber(id) => sealed::index_match(
                &tx.keys(),
                "o.id_number_bidx",
                ID_NUMBER,
                id.as_str(),
                &mut filter.params,
            ),
            SearchTerm::Digits(_) => "1 = 0".to_owned(),
            // Read as residents' search reads them: one column where the
            // letters can match only one, so one index answers.
            SearchTerm::Pinyin(letters) => match pinyin_reading(letters) {
                PinyinReading::Initials => filter.prefix_clause("o.name_initials", letters),
                PinyinReading::Full => filter.prefix_clause("o.name_pinyin", letters),
                PinyinReading::Either => {
                    let initials = filter.prefix_clause("o.name_initials", letters);
                    let full = filter.prefix_clause("o.name_pinyin", letters);
                    format!("({initials} OR {full})")
                }
            },
            SearchTerm::Name(name) => filter.prefix_clause("o.name", name),
        };
        filter.sql.push_str(&format!(" AND {clause}"));
    }
    match query.returned {
        Some(true) => filter.sql.push_str(" AND o.returned_on IS NOT NULL"),
        Some(false) => filter.sql.push_str(" AND o.returned_on IS NULL"),
        None => {}
    }
    if let Some(province) = &query.destination_province {
        filter.prefix("o.destination", province);
    }
    let from = format!("FROM outflows o WHERE {}", filter.sql);
    let rows = page_of(
        tx,
        &from,
        mapping::OUTFLOW_COLUMNS.select,
        "o.left_on DESC, o.id DESC",
        &filter.params,
        query.page,
        |row| Ok(row.clone()),
    )?;
    let mut items = Vec::with_capacity(rows.items.len());
    for row in &rows.items {
        items.push(outflow_from(tx, row)?);
    }
    Ok(Page {
        items,
        total: rows.total,
    })
}

/// Every outflow record in scope in the order recorded, `limit` after
/// `after`: keyset paging, as `export_residents`.
pub(crate) fn export_outflows(
    tx: &mut dyn Tx,
    scope: &Scope,
    after: Option<OutflowId>,
    limit: u32,
) -> Result<Vec<Outflow>> {
    let filter = Filter::on("o.unit_code", scope);
    let sql = format!(
        "SELECT {} FROM outflows o WHERE {} AND o.id > $3 ORDER BY o.id LIMIT {limit}",
        mapping::OUTFLOW_COLUMNS.select,
        filter.sql,
    );
    let mut params = filter.params;
    params.push(after.map_or(0, |id| id.0).into());
    let rows = tx.query(&sql, &params)?;
    rows.iter().map(|row| outflow_from(tx, row)).collect()
}

/// Closes an open record: the person came back on `returned_on`. The
/// record stays, with its history; a later departure opens a new one.
pub(crate) fn register_return(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: OutflowId,
    returned_on: PastDate,
    expected_version: i64,
    actor: &Actor,
) -> Result<Outflow> {
    let version = (id.0, expected_version);
    change::update(
        tx,
        scope,
        actor,
        version,
        Step::Returned,
        |tx, before: &Outflow, stamp| {
            before.check_return(returned_on)?;
            let [version, at, by] = stamp.values();
            tx.execute(
            "UPDATE outflows SET returned_on = $1, version = $2, updated_at = $3, updated_by = $4 \
             WHERE id = $5",
            &[returned_on.date().into(), version, at, by, id.0.into()],
        )
        .map(drop)
        },
    )
}
