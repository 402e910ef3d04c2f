//! SQLite backend: one file in WAL mode, one writer connection and a few
//! readers, so lists stay fast while a clerk saves.

use crate::crypto::{KeySource, Keyring};
use crate::sql::{Backend, BatchFacts, Row, SqlStore, Tx, Value};
use crate::{Result, StoreError};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use sojourn_domain::residence::Arrival;
use sojourn_domain::unit::Scope;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The schema, in order (`crate::migrations`, the list both engines follow).
const MIGRATIONS: &[crate::migrations::Migration] = crate::migrations::SQLITE;

/// Copies for `sojourn backup`, and the store in a copy as it is.
pub mod backup;
/// Index set-aside for the first load of an empty register.
mod bulk_load;
/// WAL checkpoints on a thread of their own, off the commit path.
mod checkpoint;
/// A batch's facts, gathered the SQLite way.
mod facts;

/// Reader connections kept open; reads beyond this many wait their turn.
const READERS: usize = 4;

/// Opens (creating if needed) the SQLite store at `path`, applies the
/// migrations it has not seen, and checks that `keys` hold every key the
/// data is encrypted under.
pub fn open(path: &Path, keys: impl Into<KeySource>) -> Result<Box<dyn crate::Store>> {
    let store = SqlStore {
        backend: SqliteBackend::open(path, keys.into())?,
    };
    store.check_keys()?;
    Ok(Box::new(store))
}

pub(crate) struct SqliteBackend {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    keys: KeySource,
    /// Stopped when the store is dropped.
    _checkpointer: checkpoint::Checkpointer,
}

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // When the log is checkpointed is the writer's business
    // (`checkpoint.rs`); the size limit gives the space back once a
    // checkpoint has let the log start over.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; \
         PRAGMA journal_size_limit = 67108864;",
    )?;
    Ok(conn)
}

impl SqliteBackend {
    fn open(path: &Path, keys: KeySource) -> Result<Self> {
        let mut writer = connect(path, OpenFlags::default())?;
        migrate(&mut writer)?;
        // A bulk load that never finished left its indexes set aside.
        bulk_load::restore(&mut writer, keys.current())?;
        Self::around(path, writer, keys)
    }

    /// The backend around a writer made ready (migrated, or deliberately
    /// not): its readers and its checkpointer.
    fn around(path: &Path, mut writer: Connection, keys: KeySource) -> Result<Self> {
        let checkpointer = checkpoint::Checkpointer::start(path, &mut writer)?;
        let readers = (0..READERS)
            .map(|_| {
                connect(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map(Mutex::new)
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            keys,
            _checkpointer: checkpointer,
        })
    }

    fn lock_writer(&self) -> Result<std::sync::MutexGuard<'_, Connection>> {
        let conn = crate::sql::lock_recovering(&self.writer);
        if !conn.is_autocommit() {
            // Left inside a transaction by a holder that panicked before
            // its drop could end it.
            conn.execute_batch("ROLLBACK")?;
        }
        Ok(conn)
    }
}

/// Applies the migrations not yet applied, in one transaction with
/// foreign keys off (a migration may rebuild a table others reference,
/// which SQLite allows only so), and checks the references before it
/// commits: a migration that would leave a broken one is rolled back
/// whole, so the next open tries again and is refused again.
///
/// Checked only when a migration ran: `PRAGMA foreign_key_check` reads
/// every table whole (some 200,000 pages at a million residents, seconds
/// before the server could answer), and with foreign keys on no write of
/// the store can break a reference; only a migration, run with them off,
/// can. So an open with nothing to migrate costs the same for a register
/// of any size.
fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let migrated = apply_migrations(conn);
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    migrated
}

fn apply_migrations(conn: &mut Connection) -> Result<()> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")?;
    // Immediate: two processes opening at once apply the list once.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let seen: std::collections::HashSet<String> = tx
        .prepare("SELECT name FROM schema_migrations")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut applied = 0;
    for (name, sql) in MIGRATIONS.iter().filter(|(name, _)| !seen.contains(*name)) {
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (name, applied_at) VALUES (?1, datetime('now'))",
            [name],
        )?;
        applied += 1;
    }
    if applied > 0 {
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .optional()?;
        if let Some(table) = broken {
            // Dropping the transaction rolls every migration back.
            return Err(StoreError::Corrupt(format!(
                "a migration left a broken reference in {table}"
            )));
        }
    }
    tx.commit()?;
    Ok(())
}

impl Backend for SqliteBackend {
    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        // Take the first idle reader, else wait for the one whose turn it is.
        let guard = (0..self.readers.len()).find_map(|i| {
            crate::sql::try_lock_recovering(&self.readers[(start + i) % self.readers.len()])
        });
        let mut conn = match guard {
            Some(conn) => conn,
            None => crate::sql::lock_recovering(&self.readers[start]),
        };
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK")?;
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let result = f(&mut SqliteTx(&tx, self.keys.current()))?;
        tx.commit()?;
        Ok(result)
    }

    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut conn = self.lock_writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let result = f(&mut SqliteTx(&tx, self.keys.current()))?;
        tx.commit()?;
        Ok(result)
    }

    fn rehearse<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut conn = self.lock_writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let result = f(&mut SqliteTx(&tx, self.keys.current()));
        tx.rollback()?;
        result
    }

    fn write_each<I, T>(
        &self,
        items: &[I],
        mut f: impl FnMut(&mut dyn Tx, &I) -> Result<T>,
    ) -> Result<Vec<Result<T>>> {
        let mut conn = self.lock_writer()?;
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::with_capacity(items.len());
        let keys = self.keys.current();
        for item in items {
            let savepoint = tx.savepoint()?;
            let outcome = f(&mut SqliteTx(&savepoint, keys.clone()), item);
            if outcome.is_ok() {
                savepoint.commit()?;
            }
            // A dropped savepoint rolls back what the failed item wrote.
            outcomes.push(outcome);
        }
        tx.commit()?;
        Ok(outcomes)
    }

    fn defer_for_bulk_load(&self) -> Result<bool> {
        bulk_load::defer(&mut *self.lock_writer()?, self.keys.current())
    }

    fn restore_deferred(&self) -> Result<()> {
        bulk_load::restore(&mut *self.lock_writer()?, self.keys.current())
    }
}

struct SqliteTx<'a>(&'a Connection, Arc<Keyring>);

/// Binds without copying text: most of what a bulk import binds.
impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as V;
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Owned(V::Integer(*v)),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Value::Date(d) => ToSqlOutput::Owned(V::Text(d.to_string())),
            Value::Time(t) => ToSqlOutput::Owned(V::Text(
                rfc3339(t).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
            )),
        })
    }
}

/// How times are stored: RFC 3339 text.
fn rfc3339(at: &time::OffsetDateTime) -> Result<String> {
    at.format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| StoreError::Backend(e.to_string()))
}

fn read_value(value: ValueRef<'_>) -> Result<Value> {
    match value {
        ValueRef::Null => Ok(Value::Null),
        ValueRef::Integer(v) => Ok(Value::Int(v)),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map(|s| Value::Text(s.to_owned()))
            .map_err(|e| StoreError::Backend(e.to_string())),
        ValueRef::Real(_) | ValueRef::Blob(_) => {
            Err(StoreError::Corrupt("unexpected REAL or BLOB column".into()))
        }
    }
}

impl SqliteTx<'_> {
    fn statement(&self, sql: &str, params: &[Value]) -> Result<rusqlite::CachedStatement<'_>> {
        let mut stmt = self.0.prepare_cached(sql)?;
        for (i, value) in params.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, value)?;
        }
        Ok(stmt)
    }
}

impl Tx for SqliteTx<'_> {
    fn keys(&self) -> Arc<Keyring> {
        self.1.clone()
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut stmt = self.statement(sql, params)?;
        let width = stmt.column_count();
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let values = (0..width)
                .map(|i| {
                    row.get_ref(i)
                        .map_err(StoreError::from)
                        .and_then(read_value)
                })
                .collect::<Result<_>>()?;
            out.push(Row::new(values));
        }
        Ok(out)
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self.statement(sql, params)?;
        Ok(stmt.raw_execute()? as u64)
    }

    /// Row by row: an indexed lookup in SQLite costs about a microsecond.
    fn arrival_facts(&mut self, scope: &Scope, arrivals: &[Arrival]) -> Result<BatchFacts> {
        facts::arrival_facts(self, scope, arrivals)
    }

    /// The ids after the largest: what SQLite would assign itself. Sound
    /// because every write transaction here is IMMEDIATE: no other writer
    /// can insert until this one ends.
    fn reserve_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let max: i64 = self
            .0
            .prepare_cached(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))?
            .query_row([], |row| row.get(0))?;
        Ok((1..).take(n).map(|i| max + i).collect())
    }

    /// One prepared INSERT stepped per row, inside the caller's transaction.
    fn insert_rows(&mut self, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            placeholders.join(", ")
        );
        let mut stmt = self.0.prepare_cached(&sql)?;
        // A batch stamps all its rows with one time: format it once.
        let mut stamp: Option<(time::OffsetDateTime, String)> = None;
        for row in rows {
            for (i, value) in row.iter().enumerate() {
                match value {
                    Value::Time(at) => {
                        if stamp.as_ref().is_none_or(|(formatted, _)| formatted != at) {
                            stamp = Some((*at, rfc3339(at)?));
                        }
                        let text = stamp.as_ref().map(|(_, text)| text.as_str());
                        stmt.raw_bind_parameter(i + 1, text)?;
                    }
                    other => stmt.raw_bind_parameter(i + 1, other)?,
                }
            }
            stmt.raw_execute()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Keyring;
    use sojourn_domain::codes::IdNumber;
    use sojourn_domain::unit::UnitCode;

    /// A write that panics halfway (a bug meeting an input nobody
    /// foresaw) costs that request only: its transaction is rolled back
    /// and the next writes and reads go through.
    #[test]
    fn a_write_that_panics_leaves_the_store_working_and_unchanged() {
        let dir = tempfile::tempdir().expect("dir");
        let backend = SqliteBackend::open(&dir.path().join("s.db"), Keyring::generate().into())
            .expect("open");
        let insert = |tx: &mut dyn crate::sql::Tx, name: &str| {
            tx.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES ($1, '2026-01-01')",
                &[name.into()],
            )
        };
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            backend.write(|tx| {
                insert(tx, "half-written")?;
                panic!("a bug in the middle of a write");
                #[allow(unreachable_code)]
                Ok(())
            })
        }));
        assert!(panicked.is_err());
        backend
            .write(|tx| insert(tx, "written after"))
            .expect("the writer works again");
        let names: Vec<String> = backend
            .read(|tx| {
                tx.query(
                    "SELECT name FROM schema_migrations WHERE applied_at = '2026-01-01'",
                    &[],
                )?
                .iter()
                .map(|row| Ok(row.text(0)?.to_owned()))
                .collect()
            })
            .expect("read");
        assert_eq!(
            names,
            ["written after"],
            "the half-written row was rolled back"
        );
    }

    /// A database from before encryption, with a resident in the clear,
    /// is migrated (persons rebuilt under its references) and sealed on
    /// its first open with a key, and reads back whole.
    #[test]
    fn a_database_from_before_encryption_is_sealed_on_first_open() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("old.db");
        let number = "11010519491231002X";
        {
            let mut conn = database_before(&path, "0300_encryption");
            let blind_index: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM pragma_table_info('persons') WHERE name = 'id_number_bidx'",
                    [],
                    |r| r.get(0),
                )
                .expect("columns");
            assert_eq!(blind_index, 0, "the old database predates encryption");
            let tx = conn.transaction().expect("tx");
            tx.execute_batch(&format!(
                "PRAGMA foreign_keys = ON;
                 INSERT INTO units VALUES ('110101001', '东华门街道', 1, 't', 'x');
                 INSERT INTO persons (id, id_number, unit_code, name, name_pinyin, name_initials,
                    sex, birth_date, ethnicity, domicile, phone, version, created_at, created_by,
                    updated_at, updated_by)
                 VALUES (1, '{number}', '110101001', '张三', 'zhangsan', 'zs', '2',
                    '1949-12-31', '01', '110105', '13800138000', 1, 't', 'x', 't', 'x');
                 INSERT INTO residences (id, person_id, unit_code, arrived_on, reason,
                    current_address, status, version, created_at, created_by, updated_at, updated_by)
                 VALUES (1, 1, '110101001', '2024-03-05', '01', '多福巷12号', 'registered', 1,
                    't', 'x', 't', 'x');"
            ))
            .expect("old rows");
            tx.commit().expect("commit");
        }
        let keys = Keyring::generate();
        let store = open(&path, keys).expect("migrated and sealed");
        let raw = Connection::open(&path).expect("raw");
        let stored: String = raw
            .query_row("SELECT id_number || ' ' || phone FROM persons", [], |r| {
                r.get(0)
            })
            .expect("row");
        assert!(!stored.contains(number) && !stored.contains("13800138000"));
        let scope = Scope::of(UnitCode::parse("110101001").expect("code"));
        let id = IdNumber::parse(number).expect("number");
        let person = store
            .find_person(&scope, &id)
            .expect("find")
            .expect("found by blind index");
        assert_eq!(person.id_number, id);
        assert_eq!(
            store.residences_of(&scope, person.id).expect("stays").len(),
            1
        );
        let broken: Option<String> = raw
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .ok();
        assert_eq!(broken, None);
    }

    /// A migration that runs while a reference is broken is refused and
    /// rolled back, on this open and on the next: the check is skipped
    /// only when nothing was migrated.
    #[test]
    fn a_broken_reference_after_a_migration_is_refused_on_every_open() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("old.db");
        let last = MIGRATIONS
            .last()
            .map(|(name, _)| *name)
            .expect("migrations");
        database_before(&path, last)
            .execute_batch(
                "PRAGMA foreign_keys = OFF; \
                 INSERT INTO account_roles (account_id, role) VALUES (42, 'clerk');",
            )
            .expect("an orphan row");
        for _ in 0..2 {
            let refused = open(&path, Keyring::generate());
            assert!(
                matches!(refused, Err(StoreError::Corrupt(ref m)) if m.contains("account_roles")),
                "refused as corrupt"
            );
            let raw = Connection::open(&path).expect("raw");
            let recorded: i64 = raw
                .query_row(
                    "SELECT COUNT(*) FROM schema_migrations WHERE name = ?1",
                    [last],
                    |r| r.get(0),
                )
                .expect("count");
            assert_eq!(recorded, 0, "the migration was rolled back");
        }
        Connection::open(&path)
            .expect("raw")
            .execute("DELETE FROM account_roles WHERE account_id = 42", [])
            .expect("repaired");
        open(&path, Keyring::generate()).expect("migrated once repaired");
    }

    /// A database whose migrations stop before `name`.
    fn database_before(path: &Path, name: &str) -> Connection {
        let conn = connect(path, OpenFlags::default()).expect("connect");
        conn.execute_batch(
            "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .expect("table");
        for (applied, sql) in MIGRATIONS.iter().take_while(|(m, _)| *m != name) {
            conn.execute_batch(sql).expect("old migration");
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?1, 'then')",
                [applied],
            )
            .expect("recorded");
        }
        conn
    }

    /// Findings stored under their API codes with their two messages, as
    /// before `0620_compact_findings`, read back whole after it.
    #[test]
    fn findings_from_before_their_particulars_read_back_whole() {
        use crate::quality::RecordKind;
        use sojourn_domain::quality::Rule;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("old.db");
        database_before(&path, "0620_compact_findings")
            .execute_batch(
                "INSERT INTO quality_findings (unit_code, rule, record_kind, record_id, \
                    detail_zh, detail_en, found_at) VALUES \
                 ('110101001001', 'quality_house_without_security_agreement', 'house', 7, \
                    '旧说明', 'old words', '2026-01-01T00:00:00Z'), \
                 ('110101001002', 'quality_id_missing', 'outflow', 8, \
                    '未登记', 'none', '2026-01-02T00:00:00Z')",
            )
            .expect("old findings");
        let store = open(&path, Keyring::generate()).expect("migrated");
        let scope = Scope::of(UnitCode::parse("110101001").expect("code"));
        let found = store
            .quality_findings(&scope, None, None, 10)
            .expect("findings");
        let read: Vec<_> = found
            .iter()
            .map(|f| {
                (
                    f.rule,
                    f.record,
                    f.unit.as_str(),
                    f.detail_zh.as_str(),
                    f.detail_en.as_str(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                (
                    Rule::HouseWithoutSecurityAgreement,
                    RecordKind::House,
                    "110101001001",
                    "旧说明",
                    "old words"
                ),
                (
                    Rule::IdMissing,
                    RecordKind::Outflow,
                    "110101001002",
                    "未登记",
                    "none"
                ),
            ]
        );
        let house_findings = store
            .quality_findings(&scope, Some(Rule::HouseWithoutSecurityAgreement), None, 10)
            .expect("one rule");
        assert_eq!(house_findings.len(), 1);
    }
}
