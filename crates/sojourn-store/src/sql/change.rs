//! The one write path of the versioned registers (people, stays, houses,
//! employers, outflows): every creation and every change of one record
//! goes through [`create`] or [`update`], which do the whole sequence in
//! the caller's transaction, in this order:
//!
//! 1. read the record as it stands, in the caller's scope, and refuse a
//!    stale version (nothing is overwritten that the clerk did not see);
//! 2. keep that state as a revision (sealed), so every version can be
//!    read again;
//! 3. let the register write its columns, stamped with the next version,
//!    the time and the actor ([`Stamp`]);
//! 4. read the record back, keep its review with the unit that now holds
//!    it (or open its review, for a creation) where the kind is reviewed
//!    and the unit changed, and judge it again where the data-quality
//!    rules judge the kind and the change can alter what they read;
//! 5. write the audit entry, before and after masked by the snapshot's
//!    field types (`crate::snapshot`).
//!
//! A register states only what is its own: how to read a record
//! ([`Versioned`]), the checks before its write, and the write itself. A
//! new register implements [`Versioned`] and gets the rest.
//!
//! What does not pass here, on purpose: a batch of arrivals (one audit
//! entry for the batch, reviews opened together; `sql/arrivals.rs`) and
//! the bulk load, which write thousands of records at once.

use super::{Tx, Value, now, record_revision};
use crate::audit::AuditAction;
use crate::snapshot::Snapshot;
use crate::{Actor, Result, StoreError};
use sojourn_domain::record::RecordKind;
use sojourn_domain::unit::{Scope, UnitCode};

/// A record kept under version in a register.
pub(crate) trait Versioned: Sized {
    const KIND: RecordKind;
    /// What the history and the audit trail keep of it.
    type Snapshot: Snapshot + for<'a> From<&'a Self>;

    /// The record `id` as it stands, if `scope` may read it.
    fn read(tx: &mut dyn Tx, scope: &Scope, id: i64) -> Result<Self>;
    fn id(&self) -> i64;
    fn version(&self) -> i64;
    /// The unit that holds the record.
    fn unit(&self) -> &UnitCode;
}

/// Implements [`Versioned`] for a register's record type: its kind, its
/// snapshot, the function reading one in scope by its typed id, and the
/// path to the unit that holds it. Every register's record carries `id`
/// (a newtype over `i64`) and `version`.
macro_rules! versioned {
    ($record:ty: $kind:ident, $snapshot:ty, $read:path, $id:path, |$it:ident| $unit:expr) => {
        impl $crate::sql::change::Versioned for $record {
            const KIND: sojourn_domain::record::RecordKind =
                sojourn_domain::record::RecordKind::$kind;
            type Snapshot = $snapshot;

            fn read(
                tx: &mut dyn $crate::sql::Tx,
                scope: &sojourn_domain::unit::Scope,
                id: i64,
            ) -> $crate::Result<Self> {
                $read(tx, scope, $id(id))
            }
            fn id(&self) -> i64 {
                self.id.0
            }
            fn version(&self) -> i64 {
                self.version
            }
            fn unit(&self) -> &sojourn_domain::unit::UnitCode {
                let $it = self;
                $unit
            }
        }
    };
}
pub(crate) use versioned;

/// What a change is, as the history and the audit trail name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Updated,
    Activated,
    Departed,
    /// An outflow's person came back.
    Returned,
    /// A known person arrived again, with details of the arrival's.
    Arrived,
    /// A duplicate file merged into the one kept (audited with the
    /// decision on the pair).
    Merged,
    /// A step of a service's workflow, by its code (a residence permit's
    /// acceptance, issue, endorsement …).
    Service(&'static str),
}

impl Step {
    fn revision_action(self) -> &'static str {
        match self {
            Self::Updated => "updated",
            Self::Activated => "activated",
            Self::Departed => "departed",
            Self::Returned => "returned",
            Self::Arrived => "arrival",
            Self::Merged => "merged",
            Self::Service(step) => step,
        }
    }

    /// Whether the change can alter what the data-quality rules read. An
    /// activation cannot: the rules ask whether a stay is current, and a
    /// stay is current before and after (so an import activating a
    /// million stays does not judge each twice).
    fn rejudges(self) -> bool {
        self != Self::Activated
    }

    fn audit_action(self) -> AuditAction {
        match self {
            Self::Updated | Self::Returned | Self::Arrived | Self::Merged | Self::Service(_) => {
                AuditAction::Update
            }
            Self::Activated => AuditAction::Activate,
            Self::Departed => AuditAction::Depart,
        }
    }
}

/// The bookkeeping a write stores beside the record's own columns.
pub(crate) struct Stamp {
    pub version: i64,
    pub at: time::OffsetDateTime,
    pub by: String,
}

impl Stamp {
    fn new(version: i64, actor: &Actor) -> Self {
        Self {
            version,
            at: now(),
            by: actor.name.as_str().to_owned(),
        }
    }

    /// The version, the time and the actor, in that order.
    pub(crate) fn values(&self) -> [Value; 3] {
        [self.version.into(), self.at.into(), self.by.as_str().into()]
    }
}

/// Creates a record: `insert` writes it at version 1 and answers its id.
pub(crate) fn create<R: Versioned>(
    tx: &mut dyn Tx,
    scope: &Scope,
    actor: &Actor,
    insert: impl FnOnce(&mut dyn Tx, &Stamp) -> Result<i64>,
) -> Result<R> {
    let id = insert(tx, &Stamp::new(1, actor))?;
    let created = R::read(tx, scope, id)?;
    let after = R::Snapshot::from(&created);
    audit(tx, actor, AuditAction::Create, &created, None, &after)?;
    if RecordKind::REVIEWED.contains(&R::KIND) {
        super::review::open_review(tx, R::KIND, id, created.unit(), actor)?;
    }
    judge(tx, &created)?;
    Ok(created)
}

/// Changes the record `id` at `expected_version`: `write` stores the new
/// state, given the record as it stood and the stamp to store with it.
pub(crate) fn update<R: Versioned>(
    tx: &mut dyn Tx,
    scope: &Scope,
    actor: &Actor,
    (id, expected_version): (i64, i64),
    step: Step,
    write: impl FnOnce(&mut dyn Tx, &R, &Stamp) -> Result<()>,
) -> Result<R> {
    let before = R::read(tx, scope, id)?;
    let stamp = revise(tx, &before, expected_version, step, actor)?;
    write(tx, &before, &stamp)?;
    let after = R::read(tx, scope, id)?;
    let moved = before.unit() != after.unit();
    if moved && RecordKind::REVIEWED.contains(&R::KIND) {
        super::review::follow_unit(tx, R::KIND, id, after.unit())?;
    }
    if step.rejudges() {
        judge(tx, &after)?;
    }
    let snapshots = (R::Snapshot::from(&before), R::Snapshot::from(&after));
    audit(
        tx,
        actor,
        step.audit_action(),
        &after,
        Some(&snapshots.0),
        &snapshots.1,
    )?;
    Ok(after)
}

/// Steps 1 and 2 alone: refuses a stale version and keeps the record as
/// it stands as a revision, answering the stamp of the next version. For
/// the one change recorded elsewhere (a known person's arrival, audited
/// with the batch that brings it).
pub(crate) fn revise<R: Versioned>(
    tx: &mut dyn Tx,
    before: &R,
    expected_version: i64,
    step: Step,
    actor: &Actor,
) -> Result<Stamp> {
    if expected_version != before.version() {
        return Err(StoreError::VersionConflict {
            expected: expected_version,
            current: before.version(),
        });
    }
    let next = before.version() + 1;
    let kept = R::Snapshot::from(before).full()?;
    let action = step.revision_action();
    record_revision(tx, R::KIND, before.id(), next, action, actor, &kept)?;
    Ok(Stamp::new(next, actor))
}

/// The record `id` as it stands, as the history keeps it.
pub(crate) fn snapshot_now<R: Versioned>(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: i64,
) -> Result<String> {
    R::Snapshot::from(&R::read(tx, scope, id)?).full()
}

fn judge<R: Versioned>(tx: &mut dyn Tx, record: &R) -> Result<()> {
    if RecordKind::JUDGED.contains(&R::KIND) {
        super::quality::refresh(tx, R::KIND, record.id())?;
    }
    Ok(())
}

fn audit<R: Versioned>(
    tx: &mut dyn Tx,
    actor: &Actor,
    action: AuditAction,
    record: &R,
    before: Option<&R::Snapshot>,
    after: &R::Snapshot,
) -> Result<()> {
    let (kind, id, unit) = (R::KIND, record.id(), record.unit());
    super::audit::record_snapshots(tx, actor, action, (kind, id), unit, before, after)
}
