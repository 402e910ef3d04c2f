//! The reads and the one write behind the staffing ratios
//! (`crate::staffing`): four grouped counts over a scope's range, each
//! on an index that starts with the unit code, so the page costs a few
//! index scans however many residents the scope holds.

use super::mapping::{self, unit_code};
use super::{Row, Tx, Value, now, scope_bounds};
use crate::audit::AuditAction;
use crate::staffing::{CommunityStaffing, EmployerStaffing, Staffing};
use crate::{Actor, Result, StoreError};
use sojourn_domain::employer::EmployerId;
use sojourn_domain::record::RecordKind;
use sojourn_domain::staffing::EmployerCoordinators;
use sojourn_domain::unit::{Scope, UnitLevel};
use std::collections::HashMap;

pub(crate) fn staffing(tx: &mut dyn Tx, scope: &Scope) -> Result<Staffing> {
    Ok(Staffing {
        communities: communities(tx, scope)?,
        employers: employers(tx, scope, None)?,
    })
}

fn communities(tx: &mut dyn Tx, scope: &Scope) -> Result<Vec<CommunityStaffing>> {
    let [low, high] = scope_bounds(scope);
    let length = UnitLevel::Community.code_len();
    let units = tx.query(
        &format!(
            "SELECT {} FROM units WHERE code >= $1 AND code < $2 AND length(code) = {length} \
             ORDER BY code",
            mapping::UNIT_COLUMNS
        ),
        &[low.clone(), high.clone()],
    )?;
    // Each count groups the rows of a subtree under the community the
    // first 12 digits of their unit name.
    let mut by_community = |table: &str, count: &str, filter: &str| {
        let sql = format!(
            "SELECT substr(unit_code, 1, {length}), {count} FROM {table} \
             WHERE unit_code >= $1 AND unit_code < $2 AND length(unit_code) >= {length} \
             {filter} GROUP BY 1"
        );
        per_community(tx, &sql, [&low, &high])
    };
    let residents = by_community("stat_current", "CAST(SUM(n) AS BIGINT)", "")?;
    let houses = by_community("houses", "COUNT(*)", "")?;
    let coordinators = by_community(
        "accounts",
        "COUNT(*)",
        "AND disabled = 0 AND EXISTS (SELECT 1 FROM account_roles r \
         WHERE r.account_id = accounts.id AND r.role = 'coordinator')",
    )?;
    units
        .iter()
        .map(|row| {
            let unit = mapping::unit(row)?;
            let of = |counts: &HashMap<String, u64>| {
                counts.get(unit.code.as_str()).copied().unwrap_or(0)
            };
            Ok(CommunityStaffing {
                residents: of(&residents),
                houses: of(&houses),
                coordinators: of(&coordinators),
                unit,
            })
        })
        .collect()
}

/// A `(community code, count)` query as a map.
fn per_community(tx: &mut dyn Tx, sql: &str, bounds: [&Value; 2]) -> Result<HashMap<String, u64>> {
    tx.query(sql, &[bounds[0].clone(), bounds[1].clone()])?
        .iter()
        .map(|row| {
            let count = u64::try_from(row.int(1)?).unwrap_or(0);
            Ok((row.text(0)?.to_owned(), count))
        })
        .collect()
}

/// The scope's employers (or the one `only` names) with their workers
/// and coordinators.
fn employers(
    tx: &mut dyn Tx,
    scope: &Scope,
    only: Option<EmployerId>,
) -> Result<Vec<EmployerStaffing>> {
    let [low, high] = scope_bounds(scope);
    let mut params = vec![low, high];
    let mut sql = String::from(
        "SELECT e.id, e.name, e.unit_code, e.declared_workers, \
         (SELECT COUNT(*) FROM residences w WHERE w.employer_id = e.id AND w.status <> 'departed'), \
         c.full_time, c.part_time \
         FROM employers e LEFT JOIN employer_coordinators c ON c.employer_id = e.id \
         WHERE e.unit_code >= $1 AND e.unit_code < $2",
    );
    if let Some(id) = only {
        sql.push_str(" AND e.id = $3");
        params.push(id.0.into());
    }
    sql.push_str(" ORDER BY e.id");
    tx.query(&sql, &params)?.iter().map(employer).collect()
}

fn employer(row: &Row) -> Result<EmployerStaffing> {
    let count = |i| -> Result<u64> { Ok(u64::try_from(row.int(i)?).unwrap_or(0)) };
    let coordinators =
        |i| -> Result<u32> { Ok(u32::try_from(row.opt_int(i)?.unwrap_or(0)).unwrap_or(u32::MAX)) };
    Ok(EmployerStaffing {
        id: EmployerId(row.int(0)?),
        name: mapping::org_name(row.text(1)?)?,
        unit: unit_code(row.text(2)?)?,
        workers: count(3)?.max(count(4)?),
        coordinators: EmployerCoordinators {
            full_time: coordinators(5)?,
            part_time: coordinators(6)?,
        },
    })
}

pub(crate) fn set_employer_coordinators(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: EmployerId,
    coordinators: EmployerCoordinators,
    actor: &Actor,
) -> Result<EmployerStaffing> {
    let before = employers(tx, scope, Some(id))?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            kind: RecordKind::Employer,
            id: id.0.to_string(),
        })?;
    let figures = [
        i64::from(coordinators.full_time).into(),
        i64::from(coordinators.part_time).into(),
        now().into(),
        actor.name.as_str().into(),
        id.0.into(),
    ];
    let updated = tx.execute(
        "UPDATE employer_coordinators SET full_time = $1, part_time = $2, updated_at = $3, \
         updated_by = $4 WHERE employer_id = $5",
        &figures,
    )?;
    if updated == 0 {
        tx.execute(
            "INSERT INTO employer_coordinators (full_time, part_time, updated_at, updated_by, \
             employer_id) VALUES ($1, $2, $3, $4, $5)",
            &figures,
        )?;
    }
    super::audit::record_change(
        tx,
        actor,
        AuditAction::Update,
        (RecordKind::EmployerCoordinators, id.0),
        &before.unit,
        Some(snapshot(before.coordinators)),
        snapshot(coordinators),
    )?;
    Ok(EmployerStaffing {
        coordinators,
        ..before
    })
}

fn snapshot(c: EmployerCoordinators) -> serde_json::Value {
    serde_json::json!({ "full_time": c.full_time, "part_time": c.part_time })
}

impl<B: super::Backend> crate::StaffingStore for super::SqlStore<B> {
    fn staffing(&self, scope: &Scope) -> Result<Staffing> {
        self.backend.read(|tx| staffing(tx, scope))
    }

    fn set_employer_coordinators(
        &self,
        scope: &Scope,
        employer: EmployerId,
        coordinators: EmployerCoordinators,
        actor: &Actor,
    ) -> Result<EmployerStaffing> {
        self.backend
            .write(|tx| set_employer_coordinators(tx, scope, employer, coordinators, actor))
    }
}
