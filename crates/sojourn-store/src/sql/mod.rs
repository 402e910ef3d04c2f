//! The register logic over a minimal driver interface. SQL text uses `$1`,
//! `$2`, … placeholders numbered in order of first use, which PostgreSQL
//! reads natively and SQLite reads as named parameters bound by position.

use crate::Result;
use crate::StoreError;
use time::{Date, OffsetDateTime};

/// Rows to and from the register tables.
/// Columns declared once per table, read by name.
pub(crate) mod columns;
mod mapping;

/// A value bound to or read from SQL. Dates and times are kinds of their own
/// because the engines store them differently (TEXT in SQLite, DATE and
/// TIMESTAMPTZ in PostgreSQL).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Text(String),
    Date(Date),
    Time(OffsetDateTime),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<Date> for Value {
    fn from(v: Date) -> Self {
        Self::Date(v)
    }
}
impl From<OffsetDateTime> for Value {
    fn from(v: OffsetDateTime) -> Self {
        Self::Time(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// A result row, read column by column in select order.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn new(values: Vec<Value>) -> Self {
        Self { values }
    }

    fn get(&self, i: usize) -> Result<&Value> {
        self.values
            .get(i)
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} missing from row")))
    }

    pub(crate) fn int(&self, i: usize) -> Result<i64> {
        match self.get(i)? {
            Value::Int(v) => Ok(*v),
            other => Err(corrupt(i, "integer", other)),
        }
    }

    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.get(i)? {
            Value::Null => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    pub(crate) fn text(&self, i: usize) -> Result<&str> {
        match self.get(i)? {
            Value::Text(v) => Ok(v),
            other => Err(corrupt(i, "text", other)),
        }
    }

    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<&str>> {
        match self.get(i)? {
            Value::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    pub(crate) fn date(&self, i: usize) -> Result<Date> {
        match self.get(i)? {
            Value::Date(d) => Ok(*d),
            Value::Text(t) => sojourn_domain::time_rules::parse_iso_date(t)
                .map_err(|_| corrupt(i, "date", &Value::Text(t.clone()))),
            other => Err(corrupt(i, "date", other)),
        }
    }

    pub(crate) fn opt_date(&self, i: usize) -> Result<Option<Date>> {
        match self.get(i)? {
            Value::Null => Ok(None),
            _ => self.date(i).map(Some),
        }
    }

    pub(crate) fn opt_time(&self, i: usize) -> Result<Option<OffsetDateTime>> {
        match self.get(i)? {
            Value::Null => Ok(None),
            _ => self.time(i).map(Some),
        }
    }

    pub(crate) fn time(&self, i: usize) -> Result<OffsetDateTime> {
        match self.get(i)? {
            Value::Time(t) => Ok(*t),
            Value::Text(t) => {
                OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .map_err(|_| corrupt(i, "timestamp", &Value::Text(t.clone())))
            }
            other => Err(corrupt(i, "timestamp", other)),
        }
    }
}

fn corrupt(i: usize, want: &str, got: &Value) -> StoreError {
    StoreError::Corrupt(format!("column {i}: expected {want}, found {got:?}"))
}

/// One open transaction of a backend.
pub(crate) trait Tx {
    /// The keys this transaction encrypts and decrypts with (taken once,
    /// when it began, so a reloaded key file never changes keys midway).
    fn keys(&self) -> std::sync::Arc<crate::crypto::Keyring>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64>;

    // The bulk hooks: what a batch of arrivals needs, each done the way the
    // engine does it fastest. The rules stay in `arrivals`.

    /// What the database says about a batch of arrivals. SQLite asks in
    /// small indexed lookups (`sqlite/facts.rs`); a backend with a costly
    /// round trip asks in a few statements per batch.
    fn arrival_facts(&mut self, scope: &Scope, arrivals: &[Arrival]) -> Result<BatchFacts>;
    /// `n` unused values for `table`'s `id` column, ascending, that no other
    /// transaction will take.
    fn reserve_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>>;
    /// Inserts `rows`, each holding a value for every one of `columns`.
    fn insert_rows(&mut self, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<()>;

    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::Internal("query returned no row".into()))
    }
}

/// A backend: runs a closure in a read or write transaction, committing on
/// `Ok` and rolling back on `Err`.
pub(crate) trait Backend: Send + Sync {
    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T>;
    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T>;
    /// Runs `f` in a write transaction that is rolled back however `f`
    /// ends: a rehearsal meets every refusal the real write would, and
    /// leaves nothing.
    fn rehearse<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T>;
    /// Runs `f` for each item in its own savepoint inside one transaction,
    /// so one failing item leaves the others committed.
    fn write_each<I, T>(
        &self,
        items: &[I],
        f: impl FnMut(&mut dyn Tx, &I) -> Result<T>,
    ) -> Result<Vec<Result<T>>>;
    /// Sets aside what `bulk_load` lets an empty register's first load
    /// go without; `false` (nothing done) unless the register is empty.
    fn defer_for_bulk_load(&self) -> Result<bool>;
    /// Brings back whatever is still set aside; nothing to do is fine.
    fn restore_deferred(&self) -> Result<()>;
}

/// Arrivals, one or many: rules decided per batch, rows written together.
pub(crate) mod arrivals;
/// Export and import jobs kept across restarts.
mod jobs;
/// Houses and employers named by stays in other communities.
pub(crate) mod links;
/// Readiness, the inventory and every sealed value opened, for operators.
pub(crate) mod operations;
/// Re-encryption under a new key, batch by batch.
pub(crate) mod rotation;
/// Encrypted columns and their blind indexes.
pub(crate) mod sealed;
pub(crate) use arrivals::{BatchFacts, KnownPerson};
/// Index set-aside for the first load of an empty register.
pub(crate) mod bulk_load;
/// Imported stays: arrivals with their status, stays on file set aside.
pub(crate) mod imports;
/// The deployment's tree.
mod units;
pub(crate) use units::*;
/// Person files and residence episodes.
mod residents;
pub(crate) use residents::*;
/// Rental houses and tenancies.
mod houses;
pub(crate) use houses::*;
/// Employers and employments.
mod employers;
pub(crate) use employers::*;
/// The outflow register.
mod outflows;
pub(crate) use outflows::*;
/// Documents checked or chased for a person.
mod documents;
pub(crate) use documents::*;
/// The family-planning follow-up: files, the 三查 schedule, worklists.
mod family_planning;
/// Safety inspections kept with a house.
mod inspections;
pub(crate) use inspections::*;
pub(crate) mod change;
/// Revision history.
mod history;
/// Residence permits 居住证: the versioned record, worklists and rate.
pub(crate) mod permits;
/// The data-quality monitor: findings on every write, scans, duplicates.
pub(crate) mod quality;
/// The review workflow: states, steps, queues and counts.
pub(crate) mod review;
/// Transfer requests between communities (重卡).
pub(crate) mod transfers;
pub(crate) use history::*;
/// Accounts, sessions and API tokens (`AccountStore`).
mod accounts;
/// The audit trail (`AuditLog`).
pub(crate) mod audit;
/// Patrols, their worklists and tasks.
mod patrols;
/// The resident list in order of arrival, for large scopes.
mod recent;
/// Service requests at the one-stop window (R4.2).
pub(crate) mod requests;
/// The staffing ratios' counts and an employer's coordinators.
mod staffing;
/// Running totals for the home page.
mod statistics;
/// The `Store` implementation over any backend.
mod store;
pub(crate) use store::SqlStore;

use sojourn_domain::residence::Arrival;
use sojourn_domain::unit::Scope;

/// The bounds of a scope's code range, as two parameters.
pub(crate) fn scope_bounds(scope: &Scope) -> [Value; 2] {
    let (low, high) = scope.code_range();
    [Value::Text(low), Value::Text(high)]
}

/// Time of a change, to the microsecond (what both engines keep).
pub(crate) fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t)
}

/// Text of an optional displayable value.
pub(crate) fn opt_text<T: ToString>(v: Option<&T>) -> Value {
    v.map_or(Value::Null, |v| Value::Text(v.to_string()))
}

/// Locks a connection, taking it back from a holder that panicked. The
/// panic unwound through the holder's transaction, whose drop rolled it
/// back, so the connection is as clean as after an error; refusing every
/// later call instead would let one bad request stop the server (a
/// poisoned writer fails every write until a restart).
pub(crate) fn lock_recovering<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| {
        mutex.clear_poison();
        poisoned.into_inner()
    })
}

/// [`lock_recovering`] without waiting: `None` while another holds it.
pub(crate) fn try_lock_recovering<T>(
    mutex: &std::sync::Mutex<T>,
) -> Option<std::sync::MutexGuard<'_, T>> {
    match mutex.try_lock() {
        Ok(guard) => Some(guard),
        Err(std::sync::TryLockError::Poisoned(poisoned)) => {
            mutex.clear_poison();
            Some(poisoned.into_inner())
        }
        Err(std::sync::TryLockError::WouldBlock) => None,
    }
}
