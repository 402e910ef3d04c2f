//! PostgreSQL backend (the production store): a small pool of blocking
//! clients. Calls come from `spawn_blocking` threads, where the `postgres`
//! crate's own runtime may block.

use crate::crypto::{KeySource, Keyring};
use crate::sql::{Backend, BatchFacts, Row, SqlStore, Tx, Value};
use crate::{Result, StoreError};
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement, Transaction};
use sojourn_domain::residence::Arrival;
use sojourn_domain::unit::Scope;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The inventory of the snapshot `pg_dump` dumps (`sojourn backup`), and
/// the migrations applied, read without migrating.
pub mod backup;
/// The bulk hooks: facts per batch in one statement each, rows by binary
/// COPY.
mod bulk;
/// Index and foreign-key set-aside for the first load of an empty register.
mod bulk_load;

/// The schema, in order (`crate::migrations`, the list both engines follow).
const MIGRATIONS: &[crate::migrations::Migration] = crate::migrations::POSTGRES;

/// Connections kept open; calls beyond this many wait their turn.
const POOL_SIZE: usize = 4;

/// Connects to the database at `url`, applies the migrations it has not
/// seen, and checks that `keys` hold every key the data is encrypted under.
pub fn open(url: &str, keys: impl Into<KeySource>) -> Result<Box<dyn crate::Store>> {
    let mut clients = Vec::with_capacity(POOL_SIZE);
    for _ in 0..POOL_SIZE {
        let mut client = Client::connect(url, NoTls)?;
        // Statements stay prepared (see `Connection`), but each execution
        // is planned with its values: after five runs PostgreSQL would
        // otherwise switch to a generic plan, which for a range search
        // cannot tell a whole-town scope or a common surname from a narrow
        // one, and costs seconds where the custom plan costs milliseconds
        // (docs/PERFORMANCE.md, lookup and search, cause 3).
        client.batch_execute("SET plan_cache_mode = force_custom_plan")?;
        clients.push(client);
    }
    migrate(&mut clients[0])?;
    let backend = PostgresBackend {
        clients: clients
            .into_iter()
            .map(|client| {
                Mutex::new(Connection {
                    client,
                    statements: HashMap::new(),
                })
            })
            .collect(),
        next: AtomicUsize::new(0),
        keys: keys.into(),
    };
    // A bulk load that never finished left indexes and keys set aside.
    bulk_load::restore(&backend)?;
    let store = SqlStore { backend };
    store.check_keys()?;
    Ok(Box::new(store))
}

fn migrate(client: &mut Client) -> Result<()> {
    client.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
    )?;
    for (name, sql) in MIGRATIONS {
        let mut tx = client.transaction()?;
        // Two servers starting at once: the second waits, then sees the
        // migration applied.
        tx.batch_execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")?;
        let applied = tx.query_opt("SELECT 1 FROM schema_migrations WHERE name = $1", &[name])?;
        if applied.is_none() {
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES ($1, now())",
                &[name],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

pub(crate) struct PostgresBackend {
    clients: Vec<Mutex<Connection>>,
    next: AtomicUsize,
    keys: KeySource,
}

/// Statements kept prepared per connection. Most SQL is a fixed string, but
/// a page's LIMIT and OFFSET are written into its text, so the cache is
/// emptied when it reaches this size rather than growing with every page.
const CACHED_STATEMENTS: usize = 256;

/// A client and the statements prepared on it: preparing once saves a
/// round trip on every later call.
struct Connection {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl Connection {
    fn transaction(&mut self, keys: Arc<Keyring>) -> Result<PgTx<'_>> {
        Ok(PgTx {
            tx: self.client.transaction()?,
            statements: &mut self.statements,
            keys,
        })
    }
}

impl PostgresBackend {
    fn client(&self) -> Result<MutexGuard<'_, Connection>> {
        let start = self.next.fetch_add(1, Ordering::Relaxed) % self.clients.len();
        let idle = (0..self.clients.len()).find_map(|i| {
            crate::sql::try_lock_recovering(&self.clients[(start + i) % self.clients.len()])
        });
        // A client whose holder panicked had its transaction rolled back
        // by the transaction's drop as the panic unwound.
        Ok(idle.unwrap_or_else(|| crate::sql::lock_recovering(&self.clients[start])))
    }
}

impl Backend for PostgresBackend {
    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut conn = self.client()?;
        let Connection { client, statements } = &mut *conn;
        let mut pg = PgTx {
            tx: client.build_transaction().read_only(true).start()?,
            statements,
            keys: self.keys.current(),
        };
        let result = f(&mut pg)?;
        pg.tx.commit()?;
        Ok(result)
    }

    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut conn = self.client()?;
        let mut pg = conn.transaction(self.keys.current())?;
        let result = f(&mut pg)?;
        pg.tx.commit()?;
        Ok(result)
    }

    fn rehearse<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut conn = self.client()?;
        let mut pg = conn.transaction(self.keys.current())?;
        let result = f(&mut pg);
        pg.tx.rollback()?;
        result
    }

    fn write_each<I, T>(
        &self,
        items: &[I],
        mut f: impl FnMut(&mut dyn Tx, &I) -> Result<T>,
    ) -> Result<Vec<Result<T>>> {
        let mut conn = self.client()?;
        let mut pg = conn.transaction(self.keys.current())?;
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            let mut savepoint = PgTx {
                tx: pg.tx.savepoint("item")?,
                statements: &mut *pg.statements,
                keys: pg.keys.clone(),
            };
            let outcome = f(&mut savepoint, item);
            if outcome.is_ok() {
                savepoint.tx.commit()?;
            }
            // A dropped savepoint rolls back what the failed item wrote.
            outcomes.push(outcome);
        }
        pg.tx.commit()?;
        Ok(outcomes)
    }

    fn defer_for_bulk_load(&self) -> Result<bool> {
        bulk_load::defer(self)
    }

    fn restore_deferred(&self) -> Result<()> {
        bulk_load::restore(self)
    }
}

struct PgTx<'a> {
    tx: Transaction<'a>,
    statements: &'a mut HashMap<String, Statement>,
    keys: Arc<Keyring>,
}

impl PgTx<'_> {
    /// The statement for `sql`, prepared on this connection once.
    fn prepare(&mut self, sql: &str) -> Result<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(sql)?;
        if self.statements.len() >= CACHED_STATEMENTS {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    /// Runs a query with parameters of any type (arrays for the bulk hooks).
    fn query_typed(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let statement = self.prepare(sql)?;
        let rows = self.tx.query(&statement, params)?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| read_value(row, i))
                    .collect::<Result<_>>()
                    .map(Row::new)
            })
            .collect()
    }
}

/// A NULL that binds to a parameter of any type.
#[derive(Debug)]
struct AnyNull;

impl ToSql for AnyNull {
    fn to_sql(
        &self,
        _: &Type,
        _: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Ok(IsNull::Yes)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn bind(value: &Value) -> &(dyn ToSql + Sync) {
    match value {
        Value::Null => &AnyNull,
        Value::Int(v) => v,
        Value::Text(v) => v,
        Value::Date(v) => v,
        Value::Time(v) => v,
    }
}

fn read_value(row: &postgres::Row, i: usize) -> Result<Value> {
    let ty = row.columns()[i].type_().clone();
    let value = match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map(|v| Value::Int(v.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map(|v| Value::Int(v.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map(|v| Value::Int(v.into())),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
            row.try_get::<_, Option<String>>(i)?.map(Value::Text)
        }
        Type::DATE => row.try_get::<_, Option<time::Date>>(i)?.map(Value::Date),
        Type::TIMESTAMPTZ => row
            .try_get::<_, Option<time::OffsetDateTime>>(i)?
            .map(Value::Time),
        other => {
            return Err(StoreError::Corrupt(format!(
                "unexpected column type {other}"
            )));
        }
    };
    Ok(value.unwrap_or(Value::Null))
}

impl Tx for PgTx<'_> {
    fn keys(&self) -> Arc<Keyring> {
        self.keys.clone()
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let bound: Vec<&(dyn ToSql + Sync)> = params.iter().map(bind).collect();
        self.query_typed(sql, &bound)
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let statement = self.prepare(sql)?;
        let bound: Vec<&(dyn ToSql + Sync)> = params.iter().map(bind).collect();
        Ok(self.tx.execute(&statement, &bound)?)
    }

    fn arrival_facts(&mut self, scope: &Scope, arrivals: &[Arrival]) -> Result<BatchFacts> {
        bulk::arrival_facts(self, scope, arrivals)
    }

    fn reserve_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>> {
        bulk::reserve_ids(self, table, n)
    }

    fn insert_rows(&mut self, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<()> {
        bulk::insert_rows(self, table, columns, rows)
    }
}
