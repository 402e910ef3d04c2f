//! The `--db` option: which store a command opens, and the deployment in it.

use crate::error::{CliError, Result};
use sojourn_domain::unit::{Scope, Unit};
use sojourn_store::Store;
use std::sync::Arc;

/// A SQLite file in the working directory: nothing to install or set up.
pub const DEFAULT_DB: &str = "sojourn.db";

/// Opens the store `db` names (a SQLite path or a `postgres://` URL).
pub fn open(db: &str) -> Result<Arc<dyn Store>> {
    tracing::info!(db = %redacted(db), "opening the store");
    Ok(sojourn_store::open(db)?)
}

/// An initialised deployment: its store and root unit.
pub struct Deployment {
    pub store: Arc<dyn Store>,
    pub root: Unit,
}

impl Deployment {
    /// Opens `db` and refuses, saying what to run, if it has no root yet.
    pub fn open(db: &str) -> Result<Self> {
        Self::of(open(db)?, db)
    }

    pub fn of(store: Arc<dyn Store>, db: &str) -> Result<Self> {
        match store.deployment_root_unscoped()? {
            Some(root) => Ok(Self { store, root }),
            None => Err(CliError::NotInitialised { db: redacted(db) }),
        }
    }

    /// The command line acts for the root unit: whoever runs it holds the
    /// database itself. Staff reach data through the server, signed in.
    pub fn scope(&self) -> Scope {
        Scope::of(self.root.code.clone())
    }
}

/// The URL without its password, fit for messages and logs.
pub fn redacted(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://…@{}", &db[..scheme_end], &db[at + 1..])
        }
        _ => db.to_owned(),
    }
}
