//! The audit trail over any backend. Appends are serialised by the one
//! row of `audit_head`: the UPDATE that claims the next sequence number
//! takes that row's lock (PostgreSQL) or runs under the single writer
//! (SQLite) and holds it until the transaction ends, so two transactions
//! can never chain onto the same predecessor (the chain cannot fork), and
//! an entry written inside a change's transaction stands or falls with it.

use super::{Backend, Row, SqlStore, Tx, Value, now, page_of, scope_bounds};
use crate::audit::*;
use crate::mask::mask_sealed_fields;
use crate::snapshot::Snapshot;
use crate::{Actor, Page, Result, StoreError};
use sojourn_domain::record::RecordKind;
use sojourn_domain::unit::Scope;
use std::collections::{HashMap, HashSet};

const COLUMNS: &str = "seq, at_us, actor_name, actor_account, actor_role, actor_unit, \
    actor_token, address, action, object_kind, object_id, unit_code, outcome, details, \
    prev_hash, hash";

/// Entries read per round trip when walking the whole chain.
const BATCH: u32 = 5_000;

fn entry(row: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.int(0)?,
        at_us: row.int(1)?,
        actor_name: row.text(2)?.to_owned(),
        actor_account: row.opt_int(3)?,
        actor_role: row.opt_text(4)?.map(str::to_owned),
        actor_unit: row.opt_text(5)?.map(str::to_owned),
        actor_token: row.opt_int(6)?,
        address: row.opt_text(7)?.map(str::to_owned),
        action: row.text(8)?.to_owned(),
        object_kind: row.opt_text(9)?.map(str::to_owned),
        object_id: row.opt_text(10)?.map(str::to_owned),
        unit: row.opt_text(11)?.map(str::to_owned),
        outcome: row.text(12)?.to_owned(),
        details: row.text(13)?.to_owned(),
        prev_hash: row.text(14)?.to_owned(),
        hash: row.text(15)?.to_owned(),
    })
}

/// A row that no longer reads as an entry (someone stored a value of the
/// wrong type): it can only be reported as edited.
fn unreadable(row: &Row) -> AuditEntry {
    AuditEntry {
        seq: row.int(0).unwrap_or(-1),
        at_us: 0,
        actor_name: String::new(),
        actor_account: None,
        actor_role: None,
        actor_unit: None,
        actor_token: None,
        address: None,
        action: String::new(),
        object_kind: None,
        object_id: None,
        unit: None,
        outcome: String::new(),
        details: String::new(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// Appends `events` as one actor's, in order, inside the caller's
/// transaction.
pub(crate) fn append_all(
    tx: &mut dyn Tx,
    actor: &Actor,
    events: &[AuditEvent],
) -> Result<Vec<AuditEntry>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let n = i64::try_from(events.len()).unwrap_or(i64::MAX);
    // The lock: held until this transaction ends.
    let head = tx.query_one(
        "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash",
        &[n.into()],
    )?;
    let (last_seq, mut prev) = (head.int(0)?, head.text(1)?.to_owned());
    let root = if events
        .iter()
        .any(|e| e.unit.is_none() && actor.unit.is_none())
    {
        tx.query_opt("SELECT code FROM units WHERE is_root = 1", &[])?
            .map(|r| r.text(0).map(str::to_owned))
            .transpose()?
    } else {
        None
    };
    let at = now();
    let mut entries = Vec::with_capacity(events.len());
    for (k, event) in (0..).zip(events) {
        let unit = event
            .unit
            .as_ref()
            .or(actor.unit.as_ref())
            .map(|u| u.as_str().to_owned())
            .or_else(|| root.clone());
        // Masked here, the one way into the trail, whoever built the event.
        let mut event = event.clone();
        if !event.masked_by_type {
            mask_sealed_fields(&mut event.details);
        }
        let entry = seal(last_seq - n + 1 + k, at, actor, &event, unit, &prev);
        tx.execute(
            &format!(
                "INSERT INTO audit_log ({COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
            ),
            &[
                entry.seq.into(),
                entry.at_us.into(),
                entry.actor_name.as_str().into(),
                entry.actor_account.into(),
                entry.actor_role.clone().into(),
                entry.actor_unit.clone().into(),
                entry.actor_token.into(),
                entry.address.clone().into(),
                entry.action.as_str().into(),
                entry.object_kind.clone().into(),
                entry.object_id.clone().into(),
                entry.unit.clone().into(),
                entry.outcome.as_str().into(),
                entry.details.as_str().into(),
                entry.prev_hash.as_str().into(),
                entry.hash.as_str().into(),
            ],
        )?;
        prev = entry.hash.clone();
        entries.push(entry);
    }
    tx.execute(
        "UPDATE audit_head SET hash = $1 WHERE id = 1",
        &[prev.into()],
    )?;
    Ok(entries)
}

/// Appends one event inside the caller's transaction.
pub(crate) fn append(tx: &mut dyn Tx, actor: &Actor, event: AuditEvent) -> Result<AuditEntry> {
    append_all(tx, actor, std::slice::from_ref(&event))?
        .pop()
        .ok_or_else(|| StoreError::Internal("audit entry not written".into()))
}

/// Records a change inside the change's own transaction: what was (`None`
/// for a creation) and what is, free-form JSON masked on its way in by
/// the keys sealed fields declare. A versioned record's change goes
/// through [`record_snapshots`] instead (`sql/change.rs`).
pub(crate) fn record_change(
    tx: &mut dyn Tx,
    actor: &Actor,
    action: AuditAction,
    (kind, id): (impl Into<ObjectKind>, i64),
    unit: &sojourn_domain::unit::UnitCode,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<()> {
    let event = AuditEvent::new(action, Outcome::Success)
        .object(kind, id)
        .unit(unit)
        .details(change_details(before, after));
    append(tx, actor, event).map(drop)
}

/// Records the change of a versioned record: its snapshots before (`None`
/// for a creation) and after, each masked by its fields' types.
pub(crate) fn record_snapshots<S: Snapshot>(
    tx: &mut dyn Tx,
    actor: &Actor,
    action: AuditAction,
    record: (RecordKind, i64),
    unit: &sojourn_domain::unit::UnitCode,
    before: Option<&S>,
    after: &S,
) -> Result<()> {
    let before = before.map(Snapshot::masked).transpose()?;
    record_masked(tx, actor, action, record, unit, before, after.masked()?)
}

/// Records a change whose before and after were masked by their types
/// (`Snapshot::masked`), and are not masked again.
pub(crate) fn record_masked(
    tx: &mut dyn Tx,
    actor: &Actor,
    action: AuditAction,
    (kind, id): (RecordKind, i64),
    unit: &sojourn_domain::unit::UnitCode,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<()> {
    let mut event = AuditEvent::new(action, Outcome::Success)
        .object(kind, id)
        .unit(unit)
        .details(change_details(before, after));
    event.masked_by_type = true;
    append(tx, actor, event).map(drop)
}

fn change_details(
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> serde_json::Value {
    let mut details = serde_json::json!({ "after": after });
    if let Some(before) = before {
        details["before"] = before;
    }
    details
}

/// The WHERE clause (after `FROM audit_log`) and its parameters.
fn filter(scope: &Scope, query: &AuditQuery) -> (String, Vec<Value>) {
    let [low, high] = scope_bounds(scope);
    let mut sql = String::from("FROM audit_log WHERE unit_code >= $1 AND unit_code < $2");
    let mut params = vec![low, high];
    let mut add = |column: &str, op: &str, value: Value| {
        params.push(value);
        sql.push_str(&format!(" AND {column} {op} ${}", params.len()));
    };
    if let Some(actor) = &query.actor {
        add("actor_name", "=", actor.as_str().into());
    }
    if let Some(action) = query.action {
        add("action", "=", action.key().into());
    }
    if let Some(kind) = &query.object_kind {
        add("object_kind", "=", kind.as_str().into());
    }
    if let Some(id) = &query.object_id {
        add("object_id", "=", id.as_str().into());
    }
    let micros = |t: time::OffsetDateTime| {
        Value::Int(i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX))
    };
    if let Some(from) = query.from {
        add("at_us", ">=", micros(from));
    }
    if let Some(to) = query.to {
        add("at_us", "<", micros(to));
    }
    if let Some(outcome) = query.outcome {
        add("outcome", "=", outcome.key().into());
    }
    (sql, params)
}

fn verify(backend: &impl Backend, anchors: &[Anchor]) -> Result<AuditReport> {
    let head = backend.read(|tx| {
        let row = tx.query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?;
        Ok((row.int(0)?, row.text(1)?.to_owned()))
    })?;
    let walk = |visit: &mut dyn FnMut(AuditEntry)| -> Result<()> {
        let mut after = i64::MIN;
        loop {
            let rows = backend.read(|tx| {
                tx.query(
                    &format!(
                        "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {BATCH}"
                    ),
                    &[after.into()],
                )
            })?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.int(0)?;
            for row in &rows {
                visit(entry(row).unwrap_or_else(|_| unreadable(row)));
            }
        }
    };
    let head = (head.0 > 0).then_some(head);
    let mut verifier = Verifier::new(anchors, head);
    walk(&mut |e| verifier.feed(&e))?;
    let wanted = verifier.unresolved();
    let mut found: HashMap<String, i64> = HashMap::new();
    if !wanted.is_empty() {
        let wanted: HashSet<String> = wanted;
        walk(&mut |e| {
            if wanted.contains(&e.hash) {
                found.insert(e.hash, e.seq);
            }
        })?;
    }
    Ok(verifier.finish(&found))
}

impl<B: Backend> AuditLog for SqlStore<B> {
    fn append_audit(&self, actor: &Actor, event: &AuditEvent) -> Result<AuditEntry> {
        self.backend.write(|tx| append(tx, actor, event.clone()))
    }

    fn search_audit(&self, scope: &Scope, query: &AuditQuery) -> Result<Page<AuditEntry>> {
        self.backend.read(|tx| {
            let (from, params) = filter(scope, query);
            page_of(tx, &from, COLUMNS, "seq DESC", &params, query.page, entry)
        })
    }

    fn audit_entries(
        &self,
        scope: &Scope,
        query: &AuditQuery,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        self.backend.read(|tx| {
            let (from, mut params) = filter(scope, query);
            params.push(after.into());
            let sql = format!(
                "SELECT {COLUMNS} {from} AND seq > ${} ORDER BY seq LIMIT {}",
                params.len(),
                limit.min(BATCH)
            );
            tx.query(&sql, &params)?.iter().map(entry).collect()
        })
    }

    fn audit_entries_unscoped(&self, after: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        self.backend.read(|tx| {
            tx.query(
                &format!(
                    "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {}",
                    limit.min(BATCH)
                ),
                &[after.into()],
            )?
            .iter()
            .map(entry)
            .collect()
        })
    }

    fn verify_audit_unscoped(&self, anchors: &[Anchor]) -> Result<AuditReport> {
        verify(&self.backend, anchors)
    }
}
