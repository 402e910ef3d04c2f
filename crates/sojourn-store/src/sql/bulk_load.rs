//! The first load of an empty register, fast: the indexes that only
//! searches use are dropped before it and built once after it, from sorted
//! data, instead of taking a million scattered inserts each.
//!
//! What stays during the load is everything the rules of an arrival read
//! or rely on: primary keys, the unique ID number (a person file per
//! number, found by it) and the one current residence per person (重卡),
//! so every row is decided exactly as it is on the normal path, against
//! the same constraints, by the same code.
//!
//! What is set aside is written, with the statement that recreates it, to
//! `deferred_schema` in the transaction that drops it, and deleted in the
//! transaction that recreates it. A load that never finishes (killed, a
//! full disk) thus leaves a note that the next opening of the store acts
//! on; rebuilding is idempotent, so whoever runs it first, the others find
//! nothing left to do.
//!
//! The load is asked for by `Store::begin_bulk_load_unscoped` and ended by
//! `Store::finish_bulk_load_unscoped`, around the residents' import of the
//! command line (`sojourn-import`'s `Running::bulk_load`); the web's
//! import never asks, since other requests run meanwhile. It does anything
//! only into an empty register. Besides the search indexes it sets aside
//! the list indexes of the review queue and of the monitor's findings;
//! SQLite also its per-row trigger of the home page's running totals,
//! which are counted again at the end, and PostgreSQL the foreign keys
//! every arrival checks (`sqlite::bulk_load`, `postgres::bulk_load`). While
//! the name and pinyin indexes are away, writes pair no probable
//! duplicates (`duplicates`); the monitor's scan pairs the loaded files.

use super::{Tx, Value};
use crate::Result;

/// The indexes set aside: each serves searches and lists only, never the
/// rules of an arrival, and each has a key in random order relative to the
/// load (names, spellings, phones, arrival dates), where a row by row
/// insert touches a random leaf page. An index not found under its name is
/// simply not deferred, so a schema that renames one stays correct (only
/// slower). Indexes a load grows at the right edge stay, since keeping
/// them costs less than building them again: everything keyed by the
/// person or residence id (ascending in a load), `persons_unit` (a few
/// units, each run ending in the newest id) and the partial house and
/// employer indexes (empty until a house or employer exists).
///
/// The lists of the review and of the data-quality monitor are set aside
/// too: a load opens a review and writes about two findings per stay, and
/// their list indexes lead with a state, unit or rule (a few values, each
/// run of keys growing in the middle of the index). The one a write reads,
/// the open finding of a record (`quality_findings_open`), stays.
pub(crate) const DEFERRABLE_INDEXES: &[&str] = &[
    "persons_name",
    "persons_pinyin",
    "persons_initials",
    "persons_phone_bidx",
    "residences_unit",
    "residences_arrival",
    "review_states_queue",
    "quality_findings_rule",
    "quality_findings_unit",
];

/// Foreign keys an engine that can drop them defers too, by table and
/// name: the ones every arrival checks (the rules have already checked
/// them). A key on a column a first load leaves empty (a residence's house
/// or employer) costs nothing per row, and would cost a scan to validate
/// again, so it stays.
pub(crate) const DEFERRABLE_FOREIGN_KEYS: &[(&str, &str)] = &[
    ("persons", "persons_unit_code_fkey"),
    ("residences", "residences_person_id_fkey"),
    ("residences", "residences_unit_code_fkey"),
];

/// Triggers an engine whose triggers run per row sets aside too: the
/// running totals of the home page (migration `0400_statistics`), three
/// upserts for every residence loaded. Once the load is over the totals
/// are counted again from the register (SQLite's `RECOUNT_STATISTICS`).
pub(crate) const DEFERRABLE_TRIGGERS: &[&str] = &["stat_residence_insert"];

/// Something set aside, and how to bring it back.
#[derive(Debug, Clone)]
pub(crate) struct Deferred {
    pub(crate) name: String,
    pub(crate) kind: DeferredKind,
    pub(crate) table: String,
    /// The statement that recreates it.
    pub(crate) definition: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeferredKind {
    Index,
    ForeignKey,
    Trigger,
}

impl DeferredKind {
    fn code(self) -> &'static str {
        match self {
            Self::Index => "index",
            Self::ForeignKey => "foreign_key",
            Self::Trigger => "trigger",
        }
    }
}

/// True when neither persons nor residences has a row: the only time a
/// load may set indexes aside.
pub(crate) fn register_is_empty(tx: &mut dyn Tx) -> Result<bool> {
    let persons = tx.query_opt("SELECT 1 FROM persons LIMIT 1", &[])?;
    let residences = tx.query_opt("SELECT 1 FROM residences LIMIT 1", &[])?;
    Ok(persons.is_none() && residences.is_none())
}

/// Notes `item` as set aside; the caller drops it in the same transaction.
pub(crate) fn note(tx: &mut dyn Tx, item: &Deferred) -> Result<()> {
    tx.execute(
        "INSERT INTO deferred_schema (name, kind, table_name, definition) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name) DO NOTHING",
        &[
            item.name.as_str().into(),
            item.kind.code().into(),
            item.table.as_str().into(),
            item.definition.as_str().into(),
        ],
    )?;
    Ok(())
}

/// Everything still set aside, triggers and indexes first: adding a
/// foreign key locks out index builds on its tables, so the keys come back
/// last.
pub(crate) fn pending(tx: &mut dyn Tx) -> Result<Vec<Deferred>> {
    let rows = tx.query(
        "SELECT name, kind, table_name, definition FROM deferred_schema ORDER BY kind DESC, name",
        &[],
    )?;
    rows.iter()
        .map(|row| {
            let kind = match row.text(1)? {
                "index" => DeferredKind::Index,
                "trigger" => DeferredKind::Trigger,
                _ => DeferredKind::ForeignKey,
            };
            Ok(Deferred {
                name: row.text(0)?.to_owned(),
                kind,
                table: row.text(2)?.to_owned(),
                definition: row.text(3)?.to_owned(),
            })
        })
        .collect()
}

/// Forgets `name`; the caller has recreated it in the same transaction.
pub(crate) fn forget(tx: &mut dyn Tx, name: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM deferred_schema WHERE name = $1",
        &[Value::from(name)],
    )?;
    Ok(())
}
