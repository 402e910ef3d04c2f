use super::{Tx, Value, now};
use crate::query::{RecordRef, Revision};
use crate::{Actor, Result};
use sojourn_domain::record::RecordKind;

/// Keeps `snapshot_before` (the record as it stood) as the revision that the
/// change to `new_version` superseded.
pub(crate) fn record_revision(
    tx: &mut dyn Tx,
    kind: RecordKind,
    id: i64,
    new_version: i64,
    action: &str,
    actor: &Actor,
    snapshot_before: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO revisions (record_kind, record_id, version, action, actor, at, snapshot) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            kind.code().into(),
            id.into(),
            new_version.into(),
            action.into(),
            actor.name.as_str().into(),
            now().into(),
            super::sealed::seal(&tx.keys(), super::sealed::REVISION, snapshot_before),
        ],
    )?;
    Ok(())
}

/// The versions of a record, oldest first, each with the state it left.
/// `current` is the record's snapshot now; `created` who made version 1 and
/// when. The caller has checked the record is in scope.
pub(crate) fn history(
    tx: &mut dyn Tx,
    record: RecordRef,
    table: &str,
    current: String,
) -> Result<Vec<Revision>> {
    history_of(tx, (record.kind(), record.id()), table, current)
}

/// [`history`] of a record of any kind kept under version (a service's
/// record, which is no register's [`RecordRef`]).
pub(crate) fn history_of(
    tx: &mut dyn Tx,
    record: (RecordKind, i64),
    table: &str,
    current: String,
) -> Result<Vec<Revision>> {
    let created = tx.query_one(
        &format!("SELECT created_at, created_by FROM {table} WHERE id = $1"),
        &[record.1.into()],
    )?;
    let changes = tx.query(
        "SELECT version, action, actor, at, snapshot FROM revisions \
         WHERE record_kind = $1 AND record_id = $2 ORDER BY version",
        &[Value::from(record.0.code()), record.1.into()],
    )?;
    // Version k's state is the snapshot kept when version k+1 replaced it.
    let mut states: Vec<String> = Vec::with_capacity(changes.len() + 1);
    let keys = tx.keys();
    for change in &changes {
        states.push(super::sealed::open(
            &keys,
            super::sealed::REVISION,
            change.text(4)?,
        )?);
    }
    states.push(current);
    let mut revisions = Vec::with_capacity(states.len());
    let mut states = states.into_iter();
    if let Some(first) = states.next() {
        revisions.push(Revision {
            kind: record.0,
            version: 1,
            at: created.time(0)?,
            actor: created.text(1)?.to_owned(),
            actor_name: None,
            action: "created".into(),
            snapshot: first,
        });
    }
    for (change, state) in changes.iter().zip(states) {
        revisions.push(Revision {
            kind: record.0,
            version: change.int(0)?,
            action: change.text(1)?.to_owned(),
            actor: change.text(2)?.to_owned(),
            actor_name: None,
            at: change.time(3)?,
            snapshot: state,
        });
    }
    name_staff(tx, &mut revisions)?;
    Ok(revisions)
}

/// Puts the staff member's name beside each user name: a clerk reads
/// "王芳" where the trail keeps `clerk1`. Staff names are not residents'
/// personal data, and whoever changed a record may work at a unit above
/// the reader's, so the names are read across the deployment.
fn name_staff(tx: &mut dyn Tx, revisions: &mut [Revision]) -> Result<()> {
    let mut names: std::collections::HashMap<String, Option<String>> = Default::default();
    for revision in revisions.iter_mut() {
        if !names.contains_key(&revision.actor) {
            let found = tx.query_opt(
                "SELECT display_name FROM accounts WHERE username = $1",
                &[revision.actor.as_str().into()],
            )?;
            let name = found
                .map(|row| row.text(0).map(str::to_owned))
                .transpose()?;
            names.insert(revision.actor.clone(), name);
        }
        revision.actor_name = names.get(&revision.actor).cloned().flatten();
    }
    Ok(())
}
