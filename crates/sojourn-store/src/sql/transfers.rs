//! Transfer requests over the register tables (see [`crate::transfers`]).
//!
//! Transfer requests (转移申请, `transfers.rs`, `sql/transfers.rs`, migration
//! `0730_transfer_requests`) are the next step after 重卡: the registration
//! form's live ID check (`Store::current_file`, the duplicate check's cross-
//! scope read: the unit's name, and the file only within scope; audited as a
//! read of the stay when it finds one) offers to ask the community holding
//! the current stay to end it. That community sees the count on its to-do
//! list and the request on `/transfers` (`pages/transfers.rs`), and accepts
//! — its stay departs today towards the asking community, in the request's
//! transaction — or declines with a reason. A request is read by the asking
//! and the asked units only, decided by the asked one only, and refused for
//! a stay in the caller's own jurisdiction; one pending request per stay (a
//! partial unique index).

use super::sealed::{self, ID_NUMBER};
use super::{Row, Tx, mapping, now, scope_bounds};
use crate::audit::AuditAction;
use crate::transfers::*;
use crate::{Actor, Result, StoreError};
use sojourn_domain::codes::IdNumber;
use sojourn_domain::person::PersonId;
use sojourn_domain::residence::{Departure, ResidenceId};
use sojourn_domain::text::{Address, Note};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::Scope;
use time::Date;

/// The current stay of a number, wherever it is.
pub(crate) fn current_file(
    tx: &mut dyn Tx,
    scope: &Scope,
    number: &IdNumber,
) -> Result<Option<(CurrentFile, PersonId)>> {
    let keys = tx.keys();
    let mut params = Vec::new();
    let matches = sealed::index_match(
        &keys,
        "p.id_number_bidx",
        ID_NUMBER,
        number.as_str(),
        &mut params,
    );
    let sql = format!(
        "SELECT p.id, r.id, r.unit_code, u.name FROM persons p \
         JOIN residences r ON r.person_id = p.id AND r.status <> 'departed' \
         JOIN units u ON u.code = r.unit_code WHERE {matches}"
    );
    let Some(row) = tx.query_opt(&sql, &params)? else {
        return Ok(None);
    };
    let person = PersonId(row.int(0)?);
    let unit = mapping::unit_code(row.text(2)?)?;
    let file = CurrentFile {
        residence: ResidenceId(row.int(1)?),
        person: scope.contains(&unit).then_some(person),
        unit_name: row.text(3)?.to_owned(),
        unit,
    };
    Ok(Some((file, person)))
}

const SELECT: &str = "SELECT t.id, t.from_unit, f.name, t.to_unit, o.name, t.person_id, \
    t.residence_id, p.name, t.note, t.requested_by, t.requested_at, t.state, t.decided_by, \
    t.decided_at, t.reason FROM transfer_requests t \
    JOIN units f ON f.code = t.from_unit JOIN units o ON o.code = t.to_unit \
    JOIN persons p ON p.id = t.person_id";

fn request(row: &Row) -> Result<TransferRequest> {
    let decided = |row: &Row| -> Result<(String, time::OffsetDateTime)> {
        Ok((row.text(12)?.to_owned(), row.time(13)?))
    };
    let state = match row.text(11)? {
        "pending" => TransferState::Pending,
        "accepted" => {
            let (by, at) = decided(row)?;
            TransferState::Accepted { by, at }
        }
        "declined" => {
            let (by, at) = decided(row)?;
            TransferState::Declined {
                by,
                at,
                reason: row.text(14)?.to_owned(),
            }
        }
        other => {
            return Err(StoreError::Corrupt(format!(
                "stored transfer state {other:?} no longer parses"
            )));
        }
    };
    Ok(TransferRequest {
        id: TransferId(row.int(0)?),
        from_unit: mapping::unit_code(row.text(1)?)?,
        from_name: row.text(2)?.to_owned(),
        to_unit: mapping::unit_code(row.text(3)?)?,
        to_name: row.text(4)?.to_owned(),
        person: PersonId(row.int(5)?),
        residence: ResidenceId(row.int(6)?),
        person_name: row.text(7)?.to_owned(),
        note: row.opt_text(8)?.map(str::to_owned),
        requested_by: row.text(9)?.to_owned(),
        requested_at: row.time(10)?,
        state,
    })
}

fn not_found(id: TransferId) -> StoreError {
    StoreError::NotFound {
        kind: sojourn_domain::record::RecordKind::TransferRequest,
        id: id.0.to_string(),
    }
}

/// A request asked by or of `scope`.
pub(crate) fn get(tx: &mut dyn Tx, scope: &Scope, id: TransferId) -> Result<TransferRequest> {
    let mut params = scope_bounds(scope).to_vec();
    params.push(id.0.into());
    // Placeholders in the order of first use: SQLite numbers `$n` by it.
    let sql = format!(
        "{SELECT} WHERE ((t.from_unit >= $1 AND t.from_unit < $2) \
         OR (t.to_unit >= $1 AND t.to_unit < $2)) AND t.id = $3"
    );
    tx.query_opt(&sql, &params)?
        .map(|row| request(&row))
        .transpose()?
        .ok_or_else(|| not_found(id))
}

pub(crate) fn list(
    tx: &mut dyn Tx,
    scope: &Scope,
    direction: TransferDirection,
    pending_only: bool,
    limit: u32,
) -> Result<Vec<TransferRequest>> {
    let column = match direction {
        TransferDirection::Incoming => "t.to_unit",
        TransferDirection::Outgoing => "t.from_unit",
    };
    let pending = if pending_only {
        " AND t.state = 'pending'"
    } else {
        ""
    };
    // The limit is a checked integer of our own.
    let sql = format!(
        "{SELECT} WHERE {column} >= $1 AND {column} < $2{pending} ORDER BY t.id DESC LIMIT {limit}"
    );
    tx.query(&sql, &scope_bounds(scope))?
        .iter()
        .map(request)
        .collect()
}

pub(crate) fn pending_count(tx: &mut dyn Tx, scope: &Scope) -> Result<u64> {
    let row = tx.query_one(
        "SELECT COUNT(*) FROM transfer_requests WHERE state = 'pending' \
         AND to_unit >= $1 AND to_unit < $2",
        &scope_bounds(scope),
    )?;
    Ok(row.int(0)?.max(0) as u64)
}

/// What the audit trail keeps of a request: ids and units, no person data.
fn audited(request: &TransferRequest) -> serde_json::Value {
    serde_json::json!({
        "from_unit": request.from_unit.as_str(),
        "to_unit": request.to_unit.as_str(),
        "person": request.person.0,
        "residence": request.residence.0,
        "state": request.state.code(),
        "note": request.note,
        "reason": match &request.state {
            TransferState::Declined { reason, .. } => Some(reason.as_str()),
            _ => None,
        },
    })
}

pub(crate) fn create(
    tx: &mut dyn Tx,
    scope: &Scope,
    number: &IdNumber,
    note: Option<&Note>,
    actor: &Actor,
) -> Result<TransferRequest> {
    let refused = |r| Err(StoreError::Transfer(r));
    let Some((file, person)) = current_file(tx, scope, number)? else {
        return refused(TransferRefusal::NoCurrentStay);
    };
    if scope.contains(&file.unit) {
        return refused(TransferRefusal::OwnJurisdiction);
    }
    let pending = tx.query_opt(
        "SELECT id FROM transfer_requests WHERE residence_id = $1 AND state = 'pending'",
        &[file.residence.0.into()],
    )?;
    if pending.is_some() {
        return refused(TransferRefusal::AlreadyPending);
    }
    let row = tx.query_one(
        "INSERT INTO transfer_requests (from_unit, to_unit, person_id, residence_id, note, \
         state, requested_at, requested_by) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) \
         RETURNING id",
        &[
            scope.root().as_str().into(),
            file.unit.as_str().into(),
            person.0.into(),
            file.residence.0.into(),
            note.map(Note::as_str).into(),
            now().into(),
            actor.name.as_str().into(),
        ],
    )?;
    let id = TransferId(row.int(0)?);
    let created = get(tx, scope, id)?;
    super::audit::record_change(
        tx,
        actor,
        AuditAction::Create,
        (sojourn_domain::record::RecordKind::TransferRequest, id.0),
        &created.from_unit,
        None,
        audited(&created),
    )?;
    Ok(created)
}

/// A request asked of `scope` still waiting for its decision.
fn pending_of(tx: &mut dyn Tx, scope: &Scope, id: TransferId) -> Result<TransferRequest> {
    let request = get(tx, scope, id)?;
    if !scope.contains(&request.to_unit) {
        // The asker reads its request but may not decide it.
        return Err(not_found(id));
    }
    if request.state != TransferState::Pending {
        return Err(StoreError::Transfer(TransferRefusal::AlreadyDecided));
    }
    Ok(request)
}

fn decide(
    tx: &mut dyn Tx,
    scope: &Scope,
    before: &TransferRequest,
    state: &str,
    reason: Option<&str>,
    actor: &Actor,
) -> Result<TransferRequest> {
    tx.execute(
        "UPDATE transfer_requests SET state = $1, decided_at = $2, decided_by = $3, reason = $4 \
         WHERE id = $5 AND state = 'pending'",
        &[
            state.into(),
            now().into(),
            actor.name.as_str().into(),
            reason.into(),
            before.id.0.into(),
        ],
    )?;
    let after = get(tx, scope, before.id)?;
    super::audit::record_change(
        tx,
        actor,
        AuditAction::Update,
        (
            sojourn_domain::record::RecordKind::TransferRequest,
            before.id.0,
        ),
        &before.to_unit,
        Some(audited(before)),
        audited(&after),
    )?;
    Ok(after)
}

pub(crate) fn accept(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: TransferId,
    today: Date,
    actor: &Actor,
) -> Result<TransferRequest> {
    let request = pending_of(tx, scope, id)?;
    let stay = super::get_residence(tx, scope, request.residence);
    match stay {
        Ok(stay) if stay.status.is_current() => {
            let departure = departure_towards(&request, today)?;
            super::register_departure(tx, scope, stay.id, &departure, stay.version, actor)?;
            super::quality::refresh(tx, crate::quality::RecordKind::Residence, stay.id.0)?;
        }
        // Ended (or moved out of the community) since it was asked:
        // nothing is left to end here.
        Ok(_) | Err(StoreError::NotFound { .. }) => {}
        Err(error) => return Err(error),
    }
    decide(tx, scope, &request, "accepted", None, actor)
}

/// The departure an accepted request records: today, to the asking
/// community, with the request named as the reason.
fn departure_towards(request: &TransferRequest, today: Date) -> Result<Departure> {
    let text = |input: String| StoreError::Internal(format!("departure text {input:?}"));
    let destination = format!("转至{}", request.from_name);
    let reason = format!("转移申请 {}（{}）", request.id.0, request.from_name);
    Ok(Departure {
        departed_on: PastDate::new(today, today)
            .map_err(|e| StoreError::Internal(format!("today as a departure date: {e}")))?,
        destination: None,
        destination_address: Some(Address::parse(&destination).map_err(|_| text(destination))?),
        reason: Some(Note::parse(&reason).map_err(|_| text(reason))?),
    })
}

pub(crate) fn decline(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: TransferId,
    reason: &Note,
    actor: &Actor,
) -> Result<TransferRequest> {
    let request = pending_of(tx, scope, id)?;
    decide(
        tx,
        scope,
        &request,
        "declined",
        Some(reason.as_str()),
        actor,
    )
}

/// A page size within what a page may hold (it is written into the SQL).
fn page_limit(limit: u32) -> Result<u32> {
    crate::query::PageRequest::new(0, limit)
        .map(|page| page.limit())
        .ok_or_else(|| StoreError::Internal(format!("page size {limit} out of range")))
}

impl<B: super::Backend> TransferStore for super::SqlStore<B> {
    fn current_file(&self, scope: &Scope, id_number: &IdNumber) -> Result<Option<CurrentFile>> {
        self.backend
            .read(|tx| Ok(current_file(tx, scope, id_number)?.map(|(file, _)| file)))
    }

    fn request_transfer(
        &self,
        scope: &Scope,
        id_number: &IdNumber,
        note: Option<&Note>,
        actor: &Actor,
    ) -> Result<TransferRequest> {
        self.backend
            .write(|tx| create(tx, scope, id_number, note, actor))
    }

    fn get_transfer(&self, scope: &Scope, id: TransferId) -> Result<TransferRequest> {
        self.backend.read(|tx| get(tx, scope, id))
    }

    fn transfers(
        &self,
        scope: &Scope,
        direction: TransferDirection,
        pending_only: bool,
        limit: u32,
    ) -> Result<Vec<TransferRequest>> {
        let limit = page_limit(limit)?;
        self.backend
            .read(|tx| list(tx, scope, direction, pending_only, limit))
    }

    fn pending_transfers(&self, scope: &Scope) -> Result<u64> {
        self.backend.read(|tx| pending_count(tx, scope))
    }

    fn accept_transfer(
        &self,
        scope: &Scope,
        id: TransferId,
        today: Date,
        actor: &Actor,
    ) -> Result<TransferRequest> {
        self.backend.write(|tx| accept(tx, scope, id, today, actor))
    }

    fn decline_transfer(
        &self,
        scope: &Scope,
        id: TransferId,
        reason: &Note,
        actor: &Actor,
    ) -> Result<TransferRequest> {
        self.backend
            .write(|tx| decline(tx, scope, id, reason, actor))
    }
}
