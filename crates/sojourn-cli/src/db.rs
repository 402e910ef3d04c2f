//! The `--db` option (and `--key-file`): which store a command opens, and
//! the deployment in it.

use crate::error::{CliError, Result};
use clap::Args;
use sojourn_domain::unit::{Scope, Unit};
use sojourn_store::Store;
use sojourn_store::crypto::{KEY_ENV, KEY_FILE, KeySource, Keyring, load_keys, write_key_file};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A SQLite file in the working directory: nothing to install or set up.
pub const DEFAULT_DB: &str = "sojourn.db";

// The `--db` and `--key-file` options of every command that opens the
// store. (A plain comment: clap would take a doc comment for help text.)
#[derive(Debug, Args)]
pub(crate) struct DbArg {
    /// The store: a SQLite file path, or a postgres:// URL.
    #[arg(long, default_value = DEFAULT_DB)]
    pub(crate) db: String,
    /// The data key file (mode 0600; back it up). Default: sojourn.key
    /// beside the SQLite file, or in the working directory for PostgreSQL.
    /// The SOJOURN_KEY environment variable, if set, is used instead.
    #[arg(long, value_name = "PATH")]
    pub(crate) key_file: Option<PathBuf>,
}

impl DbArg {
    /// The store, with the key that must already exist.
    pub(crate) fn open(&self) -> Result<std::sync::Arc<dyn sojourn_store::Store>> {
        open(&self.db, self.key_file.as_deref(), Keys::Existing)
    }

    /// The initialised deployment in the store.
    pub(crate) fn deployment(&self) -> Result<Deployment> {
        Deployment::open(&self.db, self.key_file.as_deref())
    }
}

/// Whether a command may make the data key when there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// `init` and `demo`: a new deployment gets a new key file.
    CreateIfMissing,
    /// Every other command: the key must be there.
    Existing,
}

/// The key file a database uses unless `--key-file` says otherwise:
/// `sojourn.key` beside a SQLite file, or in the working directory for a
/// PostgreSQL URL.
pub fn default_key_file(db: &str) -> PathBuf {
    let is_url = db.starts_with("postgres://") || db.starts_with("postgresql://");
    let sqlite = Path::new(db.strip_prefix("sqlite://").unwrap_or(db));
    match sqlite.parent() {
        Some(dir) if !is_url => dir.join(KEY_FILE),
        _ => PathBuf::from(KEY_FILE),
    }
}

/// Opens the store `db` names (a SQLite path or a `postgres://` URL) with
/// the keys of `SOJOURN_KEY` or the key file. The server follows the key
/// file, so a rotation reaches it without a restart.
pub fn open(db: &str, key_file: Option<&Path>, keys: Keys) -> Result<Arc<dyn Store>> {
    tracing::info!(db = %redacted(db), "opening the store");
    let path = key_file.map_or_else(|| default_key_file(db), Path::to_owned);
    let from_env = std::env::var_os(KEY_ENV).is_some();
    let ring = load_keys(&path).map_err(|e| CliError::Keys(e.to_string()))?;
    let (ring, created) = match (ring, keys) {
        (Some(ring), _) => (ring, false),
        (None, Keys::Existing) => {
            return Err(CliError::NoKey {
                path: path.display().to_string(),
            });
        }
        (None, Keys::CreateIfMissing) => {
            let ring = Keyring::generate();
            write_key_file(&path, &ring)
                .map_err(|e| CliError::file(&path.display().to_string(), e))?;
            (ring, true)
        }
    };
    let source = if from_env {
        KeySource::fixed(ring)
    } else {
        KeySource::watch(&path, ring)
    };
    match sojourn_store::open(db, source) {
        Ok(store) => {
            if created {
                println!(
                    "created the data key file {} (mode 0600): back it up off this machine now —                      without it the ID and phone numbers in the database cannot be read
                     已生成数据密钥文件 {}：请立即备份到本机以外；丢失后数据库中的身份证号、电话将无法读取",
                    path.display(),
                    path.display()
                );
            }
            Ok(store)
        }
        Err(error) => {
            // A key made just now for a database that already holds
            // ciphertext is useless: do not leave it behind to confuse.
            if created {
                let _ = std::fs::remove_file(&path);
            }
            Err(error.into())
        }
    }
}

/// An initialised deployment: its store and root unit.
pub struct Deployment {
    pub store: Arc<dyn Store>,
    pub root: Unit,
}

impl Deployment {
    /// Opens `db` and refuses, saying what to run, if it has no root yet.
    pub fn open(db: &str, key_file: Option<&Path>) -> Result<Self> {
        Self::of(open(db, key_file, Keys::Existing)?, db)
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
