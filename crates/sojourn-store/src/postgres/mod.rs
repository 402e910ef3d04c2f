//! PostgreSQL backend (the production store): a small pool of blocking
//! clients. Calls come from `spawn_blocking` threads, where the `postgres`
//! crate's own runtime may block.

use crate::sql::{Backend, Row, SqlStore, Tx, Value};
use crate::{Result, StoreError};
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Transaction};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_registers",
    include_str!("../../migrations/postgres/0001_registers.sql"),
)];

/// Connections kept open; calls beyond this many wait their turn.
const POOL_SIZE: usize = 4;

/// Connects to the database at `url` and applies the migrations it has not
/// seen.
pub fn open(url: &str) -> Result<Box<dyn crate::Store>> {
    let mut clients = Vec::with_capacity(POOL_SIZE);
    for _ in 0..POOL_SIZE {
        clients.push(Client::connect(url, NoTls)?);
    }
    migrate(&mut clients[0])?;
    Ok(Box::new(SqlStore {
        backend: PostgresBackend {
            clients: clients.into_iter().map(Mutex::new).collect(),
            next: AtomicUsize::new(0),
        },
    }))
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
    clients: Vec<Mutex<Client>>,
    next: AtomicUsize,
}

impl PostgresBackend {
    fn client(&self) -> Result<MutexGuard<'_, Client>> {
        let start = self.next.fetch_add(1, Ordering::Relaxed) % self.clients.len();
        let idle = (0..self.clients.len()).find_map(|i| {
            self.clients[(start + i) % self.clients.len()]
                .try_lock()
                .ok()
        });
        match idle {
            Some(client) => Ok(client),
            None => self.clients[start]
                .lock()
                .map_err(|_| StoreError::Backend("connection poisoned".into())),
        }
    }
}

impl Backend for PostgresBackend {
    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut client = self.client()?;
        let tx = client.build_transaction().read_only(true).start()?;
        let mut pg = PgTx(tx);
        let result = f(&mut pg)?;
        pg.0.commit()?;
        Ok(result)
    }

    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut client = self.client()?;
        let mut pg = PgTx(client.transaction()?);
        let result = f(&mut pg)?;
        pg.0.commit()?;
        Ok(result)
    }

    fn write_each<I, T>(
        &self,
        items: &[I],
        mut f: impl FnMut(&mut dyn Tx, &I) -> Result<T>,
    ) -> Result<Vec<Result<T>>> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            let mut savepoint = PgTx(tx.savepoint("item")?);
            let outcome = f(&mut savepoint, item);
            if outcome.is_ok() {
                savepoint.0.commit()?;
            }
            // A dropped savepoint rolls back what the failed item wrote.
            outcomes.push(outcome);
        }
        tx.commit()?;
        Ok(outcomes)
    }
}

struct PgTx<'a>(Transaction<'a>);

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
            return Err(StoreError::Backend(format!(
                "unexpected column type {other}"
            )));
        }
    };
    Ok(value.unwrap_or(Value::Null))
}

impl Tx for PgTx<'_> {
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let statement = self.0.prepare(sql)?;
        let bound: Vec<&(dyn ToSql + Sync)> = params.iter().map(bind).collect();
        let rows = self.0.query(&statement, &bound)?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| read_value(row, i))
                    .collect::<Result<_>>()
                    .map(Row::new)
            })
            .collect()
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let bound: Vec<&(dyn ToSql + Sync)> = params.iter().map(bind).collect();
        Ok(self.0.execute(sql, &bound)?)
    }
}
