//! The store as a whole, as an operator sees it: whether it can serve
//! (`/readyz`), what it holds (the inventory a backup's manifest records
//! and a restore is checked against), and whether its keys open every
//! sealed value (what a restore proves before it declares success).
//!
//! An inventory is read in one transaction, so its counts and the audit
//! chain's head belong to one moment. It names the keys the values are
//! sealed under by their ids only: a key never leaves the key file.

use crate::{Anchor, Result};
use std::collections::BTreeMap;

/// The tables an inventory counts: every register, its history, the
/// review and quality records, the accounts and the audit trail. Counted
/// the same way on both engines.
pub const COUNTED: &[&str] = &[
    "units",
    "accounts",
    "persons",
    "residences",
    "houses",
    "employers",
    "links",
    "outflows",
    "left_behind",
    "document_checks",
    "house_inspections",
    "transfer_requests",
    "revisions",
    "review_states",
    "review_steps",
    "quality_findings",
    "audit_log",
];

/// The migrations this build knows, in the order they apply.
pub fn known_migrations() -> Vec<&'static str> {
    crate::migrations::SQLITE
        .iter()
        .map(|(name, _)| *name)
        .collect()
}

/// Where a store's schema stands against this build's migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    /// Every migration this build knows is applied, and no other.
    Current,
    /// Migrations this build would apply at open (an upgrade).
    Behind(Vec<String>),
    /// Migrations this build does not know: the store was made or upgraded
    /// by a newer version.
    Ahead(Vec<String>),
}

impl Schema {
    /// Compares the migrations applied to a store with those known.
    pub fn of(applied: &[String]) -> Self {
        let known = known_migrations();
        let unknown: Vec<String> = applied
            .iter()
            .filter(|name| !known.contains(&name.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Self::Ahead(unknown);
        }
        let missing: Vec<String> = known
            .iter()
            .filter(|name| !applied.iter().any(|a| a == *name))
            .map(|name| (*name).to_owned())
            .collect();
        if missing.is_empty() {
            Self::Current
        } else {
            Self::Behind(missing)
        }
    }
}

/// Whether a store can serve requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub schema: Schema,
    /// The keys at hand hold every key a value is sealed under.
    pub keys_held: bool,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.schema == Schema::Current && self.keys_held
    }
}

/// What a store holds at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    /// Rows of each table in [`COUNTED`].
    pub counts: BTreeMap<String, u64>,
    /// The audit chain's last entry; `None` while the trail is empty.
    pub audit_head: Option<Anchor>,
    /// Ids of the keys values are sealed under (not retired), sorted.
    pub keys_in_use: Vec<String>,
    /// The migrations applied, in name order.
    pub migrations: Vec<String>,
}

/// What opening every sealed value found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedCheck {
    /// Values opened (decrypted) with the keys at hand.
    pub opened: u64,
    /// Values that did not open, or were stored in the clear.
    pub failed: u64,
    /// The first few of them, as `table.column #id`.
    pub examples: Vec<String>,
}

impl SealedCheck {
    /// How many failures are named in [`SealedCheck::examples`].
    pub const EXAMPLES: usize = 5;

    pub fn is_whole(&self) -> bool {
        self.failed == 0
    }
}

/// The operator's view of a store (part of [`crate::Store`]), with the
/// web server's jobs ([`crate::jobs::JobStore`]).
pub trait OperationsStore: crate::jobs::JobStore {
    /// Whether the store is reachable (an `Err` says it is not), its
    /// schema current and its keys held. Reads two small tables.
    fn readiness_unscoped(&self) -> Result<Readiness>;
    /// Counts, the audit head, the keys in use and the migrations, in one
    /// read transaction.
    fn inventory_unscoped(&self) -> Result<Inventory>;
    /// The audit chain's last entry (its `seq` is the entries written);
    /// one row read, for a metrics scrape.
    fn audit_head_unscoped(&self) -> Result<Option<Anchor>>;
    /// Opens every sealed value with the keys at hand, `batch` rows a
    /// transaction; a value that does not open is counted, not an error.
    fn open_sealed_values_unscoped(&self, batch: u32) -> Result<SealedCheck>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_schema_is_current_behind_or_ahead_of_the_build() {
        let known = known_migrations();
        assert_eq!(Schema::of(&names(&known)), Schema::Current);
        let older = &known[..known.len() - 2];
        assert_eq!(
            Schema::of(&names(older)),
            Schema::Behind(names(&known[known.len() - 2..]))
        );
        let mut newer = names(&known);
        newer.push("9999_from_the_future".into());
        assert_eq!(
            Schema::of(&newer),
            Schema::Ahead(names(&["9999_from_the_future"]))
        );
    }
}
