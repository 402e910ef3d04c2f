use super::change::{self, Step};
use super::residents::Filter;
use super::sealed::{self, LANDLORD_CODE, PHONE};
use super::{Tx, Value, mapping, scope_bounds, units};
use crate::crypto::Keyring;
use crate::query::{HouseQuery, Link, Page};
use crate::{Actor, Result, StoreError, snapshot};
use sojourn_domain::house::{Filing, House, HouseDetails, HouseId, Landlord};
use sojourn_domain::person::PersonId;
use sojourn_domain::record::RecordKind;
use sojourn_domain::residence::ResidenceId;
use sojourn_domain::unit::Scope;

fn house_values(d: &HouseDetails, keys: &Keyring) -> Vec<Value> {
    let (kind, name, code) = match &d.landlord {
        Landlord::Person {
            name, id_number, ..
        } => ("person", name.as_str(), id_number.as_str()),
        Landlord::Company { name, uscc, .. } => ("company", name.as_str(), uscc.as_str()),
    };
    let filed_on = match &d.filing {
        Filing::Filed { on } => Value::Date(on.date()),
        Filing::NotFiled => Value::Null,
    };
    vec![
        d.unit.as_str().into(),
        d.address.as_str().into(),
        kind.into(),
        name.into(),
        sealed::seal(keys, LANDLORD_CODE, code),
        sealed::seal_opt(keys, PHONE, d.landlord.phone()),
        i64::from(d.rooms).into(),
        d.usage.key().into(),
        filed_on,
        d.security_agreement_on.map(|on| on.date()).into(),
    ]
}

change::versioned!(House: House, snapshot::HouseSnapshot, get_house, HouseId, |house| &house.details.unit);

pub(crate) fn create_house(
    tx: &mut dyn Tx,
    scope: &Scope,
    d: &HouseDetails,
    actor: &Actor,
) -> Result<House> {
    units::require_unit(tx, scope, &d.unit)?;
    change::create(tx, scope, actor, |tx, stamp| {
        let mut values = house_values(d, &tx.keys());
        values.extend([stamp.at.into(), stamp.by.as_str().into()]);
        let row = tx.query_one(
            "INSERT INTO houses (unit_code, address, landlord_kind, landlord_name, landlord_code, \
             landlord_phone, rooms, usage, filed_on, security_agreement_on, version, created_at, \
             created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $11, $12) RETURNING id",
            &values,
        )?;
        row.int(0)
    })
}

pub(crate) fn get_house(tx: &mut dyn Tx, scope: &Scope, id: HouseId) -> Result<House> {
    let [low, high] = scope_bounds(scope);
    let sql = format!(
        "SELECT {} FROM houses h WHERE h.unit_code >= $1 AND h.unit_code < $2 AND h.id = $3",
        mapping::HOUSE_COLUMNS.select
    );
    let keys = tx.keys();
    tx.query_opt(&sql, &[low, high, id.0.into()])?
        .map(|row| mapping::house(&row, &keys))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            kind: RecordKind::House,
            id: id.0.to_string(),
        })
}

pub(crate) fn update_house(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: HouseId,
    d: &HouseDetails,
    expected_version: i64,
    actor: &Actor,
) -> Result<House> {
    let version = (id.0, expected_version);
    change::update(
        tx,
        scope,
        actor,
        version,
        Step::Updated,
        |tx, _: &House, stamp| {
            units::require_unit(tx, scope, &d.unit)?;
            let mut values = house_values(d, &tx.keys());
            values.extend(stamp.values());
            values.push(id.0.into());
            tx.execute(
            "UPDATE houses SET unit_code = $1, address = $2, landlord_kind = $3, landlord_name = $4, \
             landlord_code = $5, landlord_phone = $6, rooms = $7, usage = $8, filed_on = $9, \
             security_agreement_on = $10, version = $11, updated_at = $12, updated_by = $13 WHERE id = $14",
            &values,
        )
        .map(drop)
        },
    )
}

pub(crate) fn search_houses(
    tx: &mut dyn Tx,
    scope: &Scope,
    query: &HouseQuery,
) -> Result<Page<House>> {
    let scope = narrow(scope, query.unit.as_ref())?;
    let mut filter = Filter::on("h.unit_code", &scope);
    if let Some(text) = &query.text {
        let address = filter.contains_clause("h.address", text);
        let landlord = filter.prefix_clause("h.landlord_name", text);
        filter
            .sql
            .push_str(&format!(" AND ({address} OR {landlord})"));
    }
    match query.filed {
        Some(true) => filter.sql.push_str(" AND h.filed_on IS NOT NULL"),
        Some(false) => filter.sql.push_str(" AND h.filed_on IS NULL"),
        None => {}
    }
    let from = format!("FROM houses h WHERE {}", filter.sql);
    let keys = tx.keys();
    page_of(
        tx,
        &from,
        mapping::HOUSE_COLUMNS.select,
        "h.id",
        &filter.params,
        query.page,
        |row| mapping::house(row, &keys),
    )
}

/// Narrows a scope to a unit filter, refusing a unit outside it.
pub(crate) fn narrow(
    scope: &Scope,
    unit: Option<&sojourn_domain::unit::UnitCode>,
) -> Result<Scope> {
    match unit {
        Some(unit) => scope
            .narrow_to(unit)
            .map_err(|_| StoreError::ReferenceOutOfScope {
                kind: sojourn_domain::record::RecordKind::Unit,
                id: unit.to_string(),
            }),
        None => Ok(scope.clone()),
    }
}

/// Counts and reads one page of `from`, ordered by `order`.
pub(crate) fn page_of<T>(
    tx: &mut dyn Tx,
    from: &str,
    columns: &str,
    order: &str,
    params: &[Value],
    page: crate::PageRequest,
    map: impl Fn(&super::Row) -> Result<T>,
) -> Result<Page<T>> {
    Ok(Page {
        total: count(tx, from, params, None)?,
        items: rows(tx, from, columns, order, params, page, map)?,
    })
}

/// Counts the rows of `from`; with a cap, counts at most `cap + 1` so a
/// search matching half the register answers at once ("1000+").
pub(crate) fn count(
    tx: &mut dyn Tx,
    from: &str,
    params: &[Value],
    cap: Option<u64>,
) -> Result<u64> {
    let sql = match cap {
        // The cap is a constant of the store, safe as a literal.
        Some(cap) => format!(
            "SELECT COUNT(*) FROM (SELECT 1 AS one {from} LIMIT {}) capped",
            cap + 1
        ),
        None => format!("SELECT COUNT(*) {from}"),
    };
    let total = tx.query_one(&sql, params)?.int(0)?;
    Ok(u64::try_from(total).unwrap_or(0))
}

/// Reads one page of `from`, ordered by `order`.
pub(crate) fn rows<T>(
    tx: &mut dyn Tx,
    from: &str,
    columns: &str,
    order: &str,
    params: &[Value],
    page: crate::PageRequest,
    map: impl Fn(&super::Row) -> Result<T>,
) -> Result<Vec<T>> {
    // LIMIT and OFFSET are bounded integers from a `PageRequest`.
    let sql = format!(
        "SELECT {columns} {from} ORDER BY {order} LIMIT {} OFFSET {}",
        page.limit(),
        page.offset()
    );
    tx.query(&sql, params)?.iter().map(map).collect()
}

/// Links (tenancies or employments) of a target, newest first: only those
/// whose residence lies in scope, since a house may shelter people
/// registered by another community.
pub(crate) fn links_of(
    tx: &mut dyn Tx,
    scope: &Scope,
    kind: &str,
    target: i64,
) -> Result<Vec<Link>> {
    let [low, high] = scope_bounds(scope);
    let rows = tx.query(
        "SELECT l.person_id, l.residence_id, p.name, l.started_on, l.ended_on FROM links l \
         JOIN persons p ON p.id = l.person_id JOIN residences r ON r.id = l.residence_id \
         WHERE r.unit_code >= $1 AND r.unit_code < $2 AND l.target_kind = $3 AND l.target_id = $4 \
         ORDER BY l.started_on DESC, l.id DESC",
        &[low, high, kind.into(), target.into()],
    )?;
    rows.iter()
        .map(|row| {
            Ok(Link {
                person: PersonId(row.int(0)?),
                residence: ResidenceId(row.int(1)?),
                name: row.text(2)?.to_owned(),
                started_on: row.date(3)?,
                ended_on: row.opt_date(4)?,
            })
        })
        .collect()
}

pub(crate) fn tenants_of(tx: &mut dyn Tx, scope: &Scope, house: HouseId) -> Result<Vec<Link>> {
    get_house(tx, scope, house)?;
    links_of(tx, scope, "house", house.0)
}
