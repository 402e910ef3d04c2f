use super::{Row, Tx, Value, mapping, now, scope_bounds};
use crate::audit::{AuditAction, AuditEvent, Outcome};
use crate::{Actor, Result, StoreError};
use sojourn_domain::DomainError;
use sojourn_domain::codes::Phone;
use sojourn_domain::text::PersonName;
use sojourn_domain::unit::{Scope, Unit, UnitCode, UnitContacts};

pub(crate) fn deployment_root(tx: &mut dyn Tx) -> Result<Option<Unit>> {
    tx.query_opt(
        &format!(
            "SELECT {} FROM units WHERE is_root = 1",
            mapping::UNIT_COLUMNS
        ),
        &[],
    )?
    .as_ref()
    .map(mapping::unit)
    .transpose()
}

pub(crate) fn init_deployment(tx: &mut dyn Tx, root: &Unit, below: &[Unit]) -> Result<()> {
    if deployment_root(tx)?.is_some() {
        return Err(StoreError::Deployment(
            "the deployment already has a root unit",
        ));
    }
    insert_unit(tx, root, true, &Actor::new("init"))?;
    for unit in below {
        if !root.code.contains(&unit.code) {
            return Err(StoreError::ReferenceOutOfScope {
                kind: sojourn_domain::record::RecordKind::Unit,
                id: unit.code.to_string(),
            });
        }
        insert_unit(tx, unit, false, &Actor::new("init"))?;
    }
    Ok(())
}

fn insert_unit(tx: &mut dyn Tx, unit: &Unit, is_root: bool, actor: &Actor) -> Result<()> {
    let exists = tx.query_opt(
        "SELECT 1 FROM units WHERE code = $1",
        &[unit.code.as_str().into()],
    )?;
    if exists.is_some() {
        return Err(StoreError::DuplicateUnit(unit.code.to_string()));
    }
    tx.execute(
        "INSERT INTO units (code, name, is_root, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
        &[
            unit.code.as_str().into(),
            unit.name.as_str().into(),
            Value::Int(i64::from(is_root)),
            now().into(),
            actor.name.as_str().into(),
        ],
    )?;
    Ok(())
}

/// The unit with `code` if it lies in `scope`.
pub(crate) fn get_unit(tx: &mut dyn Tx, scope: &Scope, code: &UnitCode) -> Result<Unit> {
    if !scope.contains(code) {
        return Err(not_found(code));
    }
    tx.query_opt(
        &format!(
            "SELECT {} FROM units WHERE code = $1",
            mapping::UNIT_COLUMNS
        ),
        &[code.as_str().into()],
    )?
    .as_ref()
    .map(mapping::unit)
    .transpose()?
    .ok_or_else(|| not_found(code))
}

fn not_found(code: &UnitCode) -> StoreError {
    StoreError::NotFound {
        kind: sojourn_domain::record::RecordKind::Unit,
        id: code.to_string(),
    }
}

/// Checks that a record may be placed in `code`: the unit exists in scope.
pub(crate) fn require_unit(tx: &mut dyn Tx, scope: &Scope, code: &UnitCode) -> Result<Unit> {
    get_unit(tx, scope, code).map_err(|_| StoreError::ReferenceOutOfScope {
        kind: sojourn_domain::record::RecordKind::Unit,
        id: code.to_string(),
    })
}

pub(crate) fn create_unit(
    tx: &mut dyn Tx,
    scope: &Scope,
    unit: &Unit,
    actor: &Actor,
) -> Result<Unit> {
    let parent_code = unit
        .code
        .parent()
        .ok_or_else(|| StoreError::ReferenceOutOfScope {
            kind: sojourn_domain::record::RecordKind::Unit,
            id: unit.code.to_string(),
        })?;
    let parent = require_unit(tx, scope, &parent_code)?;
    if parent.level().child() != Some(unit.level()) {
        return Err(DomainError::UnitLevelMismatch {
            level: unit.level(),
            parent: parent.level(),
        }
        .into());
    }
    insert_unit(tx, unit, false, actor)?;
    let event = AuditEvent::new(AuditAction::Create, Outcome::Success)
        .object(sojourn_domain::record::RecordKind::Unit, unit.code.as_str())
        .unit(&unit.code)
        .details(serde_json::json!({ "name": unit.name.as_str() }));
    super::audit::append(tx, actor, event)?;
    Ok(unit.clone())
}

pub(crate) fn list_units(
    tx: &mut dyn Tx,
    scope: &Scope,
    parent: Option<&UnitCode>,
) -> Result<Vec<Unit>> {
    let rows: Vec<Row> = match parent {
        Some(parent) => {
            get_unit(tx, scope, parent)?;
            let child_len = parent.as_str().len() as i64 + 3;
            let [low, high] = scope_bounds(&Scope::of(parent.clone()));
            tx.query(
                &format!(
                    "SELECT {} FROM units WHERE code >= $1 AND code < $2 AND LENGTH(code) = CAST($3 AS BIGINT) ORDER BY code",
                    mapping::UNIT_COLUMNS
                ),
                &[low, high, Value::Int(child_len)],
            )?
        }
        None => {
            let [low, high] = scope_bounds(scope);
            tx.query(
                &format!(
                    "SELECT {} FROM units WHERE code >= $1 AND code < $2 ORDER BY code",
                    mapping::UNIT_COLUMNS
                ),
                &[low, high],
            )?
        }
    };
    rows.iter().map(mapping::unit).collect()
}

/// Name of a unit anywhere in the deployment, for messages that must name
/// the unit holding a duplicate.
pub(crate) fn unit_name_unscoped(tx: &mut dyn Tx, code: &str) -> Result<String> {
    Ok(tx
        .query_opt("SELECT name FROM units WHERE code = $1", &[code.into()])?
        .map(|r| r.text(0).map(str::to_owned))
        .transpose()?
        .unwrap_or_default())
}

/// The contacts of a unit in scope.
pub(crate) fn unit_contacts(
    tx: &mut dyn Tx,
    scope: &Scope,
    code: &UnitCode,
) -> Result<UnitContacts> {
    get_unit(tx, scope, code)?;
    let row = tx.query_one(
        "SELECT coordinator_name, contact_phone, police_name, police_phone FROM units \
         WHERE code = $1",
        &[code.as_str().into()],
    )?;
    let name = |at| -> Result<Option<PersonName>> {
        row.opt_text(at)?
            .map(|n| PersonName::parse(n).map_err(|e| corrupt_contact(code, &e.to_string())))
            .transpose()
    };
    let phone = |at| -> Result<Option<Phone>> {
        row.opt_text(at)?
            .map(|p| Phone::parse(p).map_err(|e| corrupt_contact(code, &e.to_string())))
            .transpose()
    };
    Ok(UnitContacts {
        coordinator: name(0)?,
        phone: phone(1)?,
        police_officer: name(2)?,
        police_phone: phone(3)?,
    })
}

fn corrupt_contact(code: &UnitCode, why: &str) -> StoreError {
    StoreError::Corrupt(format!(
        "stored contact of unit {code} no longer parses: {why}"
    ))
}

/// Sets the contacts of a unit in scope, audited.
pub(crate) fn set_unit_contacts(
    tx: &mut dyn Tx,
    scope: &Scope,
    code: &UnitCode,
    contacts: &UnitContacts,
    actor: &Actor,
) -> Result<()> {
    let before = unit_contacts(tx, scope, code)?;
    tx.execute(
        "UPDATE units SET coordinator_name = $1, contact_phone = $2, police_name = $3, \
         police_phone = $4 WHERE code = $5",
        &[
            contacts.coordinator.as_ref().map(|n| n.as_str()).into(),
            contacts.phone.as_ref().map(|p| p.as_str()).into(),
            contacts.police_officer.as_ref().map(|n| n.as_str()).into(),
            contacts.police_phone.as_ref().map(|p| p.as_str()).into(),
            code.as_str().into(),
        ],
    )?;
    super::audit::record_change(
        tx,
        actor,
        AuditAction::Update,
        (sojourn_domain::record::RecordKind::UnitContacts, 0),
        code,
        Some(contacts_snapshot(&before)),
        contacts_snapshot(contacts),
    )
}

fn contacts_snapshot(c: &UnitContacts) -> serde_json::Value {
    serde_json::json!({
        "coordinator": c.coordinator.as_ref().map(|n| n.as_str()),
        "phone": c.phone.as_ref().map(|p| p.as_str()),
        "police_officer": c.police_officer.as_ref().map(|n| n.as_str()),
        "police_phone": c.police_phone.as_ref().map(|p| p.as_str()),
    })
}
