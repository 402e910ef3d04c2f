use super::change::{self, Step};
use super::residents::Filter;
use super::sealed::{self, LEGAL_REPRESENTATIVE, PHONE};
use super::{Tx, Value, mapping, scope_bounds, units};
use super::{links_of, narrow, page_of};
use crate::crypto::Keyring;
use crate::query::{EmployerQuery, Link, Page};
use crate::{Actor, Result, StoreError, snapshot};
use sojourn_domain::codes::Uscc;
use sojourn_domain::employer::{Employer, EmployerDetails, EmployerId};
use sojourn_domain::record::RecordKind;
use sojourn_domain::unit::Scope;

fn employer_values(d: &EmployerDetails, keys: &Keyring) -> Vec<Value> {
    vec![
        d.unit.as_str().into(),
        d.name.as_str().into(),
        sealed::seal(keys, LEGAL_REPRESENTATIVE, d.legal_representative.as_str()),
        d.address.as_str().into(),
        sealed::seal_opt(keys, PHONE, d.phone.as_ref()),
        i64::from(d.declared_workers).into(),
    ]
}

change::versioned!(Employer: Employer, snapshot::EmployerSnapshot, get_employer, EmployerId, |employer| &employer.details.unit);

pub(crate) fn create_employer(
    tx: &mut dyn Tx,
    scope: &Scope,
    uscc: &Uscc,
    d: &EmployerDetails,
    actor: &Actor,
) -> Result<Employer> {
    units::require_unit(tx, scope, &d.unit)?;
    let taken = tx.query_opt(
        "SELECT 1 FROM employers WHERE uscc = $1",
        &[uscc.as_str().into()],
    )?;
    if taken.is_some() {
        return Err(StoreError::DuplicateEmployer);
    }
    change::create(tx, scope, actor, |tx, stamp| {
        let mut values = employer_values(d, &tx.keys());
        values.extend([
            uscc.as_str().into(),
            stamp.at.into(),
            stamp.by.as_str().into(),
        ]);
        let row = tx.query_one(
            "INSERT INTO employers (unit_code, name, legal_representative, address, phone, \
             declared_workers, uscc, version, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $8, $9) RETURNING id",
            &values,
        )?;
        row.int(0)
    })
}

pub(crate) fn get_employer(tx: &mut dyn Tx, scope: &Scope, id: EmployerId) -> Result<Employer> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {} FROM employers e WHERE e.unit_code >= $1 AND e.unit_code < $2 AND e.id = $3",
        mapping::EMPLOYER_COLUMNS.select
    );
    let keys = tx.keys();
    tx.query_opt(&sql, &[low, high, id.0.into()])?
        .map(|row| mapping::employer(&row, &keys))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            kind: RecordKind::Employer,
            id: id.0.to_string(),
        })
}

pub(crate) fn update_employer(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: EmployerId,
    d: &EmployerDetails,
    expected_version: i64,
    actor: &Actor,
) -> Result<Employer> {
    let version = (id.0, expected_version);
    change::update(
        tx,
        scope,
        actor,
        version,
        Step::Updated,
        |tx, _: &Employer, stamp| {
            units::require_unit(tx, scope, &d.unit)?;
            let mut values = employer_values(d, &tx.keys());
            values.extend(stamp.values());
            values.push(id.0.into());
            tx.execute(
            "UPDATE employers SET unit_code = $1, name = $2, legal_representative = $3, address = $4, \
             phone = $5, declared_workers = $6, version = $7, updated_at = $8, updated_by = $9 WHERE id = $10",
            &values,
        )
        .map(drop)
        },
    )
}

pub(crate) fn search_employers(
    tx: &mut dyn Tx,
    scope: &Scope,
    query: &EmployerQuery,
) -> Result<Page<Employer>> {
    let scope = narrow(scope, query.unit.as_ref())?;
    let mut filter = Filter::on("e.unit_code", &scope);
    if let Some(text) = &query.text {
        let name = filter.contains_clause("e.name", text);
        let uscc = filter.prefix_clause("e.uscc", &text.to_ascii_uppercase());
        filter.sql.push_str(&format!(" AND ({name} OR {uscc})"));
    }
    let from = format!("FROM employers e WHERE {}", filter.sql);
    let keys = tx.keys();
    page_of(
        tx,
        &from,
        mapping::EMPLOYER_COLUMNS.select,
        "e.id",
        &filter.params,
        query.page,
        |row| mapping::employer(row, &keys),
    )
}

pub(crate) fn workers_of(
    tx: &mut dyn Tx,
    scope: &Scope,
    employer: EmployerId,
) -> Result<Vec<Link>> {
    get_employer(tx, scope, employer)?;
    links_of(tx, scope, "employer", employer.0)
}
