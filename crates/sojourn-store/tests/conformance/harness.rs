//! Fresh, isolated stores for each test.

use sojourn_store::Store;
use sojourn_store::crypto::Keyring;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A store and whatever must outlive it (temp dir, test database).
pub struct TestDb {
    store: Option<Arc<dyn Store>>,
    /// The keys the store was opened with (a fresh test key per database).
    pub keys: Keyring,
    url: String,
    _dir: Option<tempfile::TempDir>,
    raw: Raw,
    drop_database: Option<(String, String)>,
}

/// How to reach the database behind the store's back.
enum Raw {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl TestDb {
    pub fn store(&self) -> &dyn Store {
        self.store.as_deref().expect("store is open until drop")
    }

    /// Runs SQL directly on the database, behind the store's back (to prove
    /// what the schema itself refuses).
    pub fn execute_raw(&self, sql: &str) -> Result<(), String> {
        match &self.raw {
            Raw::Sqlite(path) => rusqlite::Connection::open(path)
                .and_then(|c| c.execute_batch(sql))
                .map_err(|e| e.to_string()),
            // The server's message names the constraint or trigger that
            // refused; the error's Display alone says "db error".
            Raw::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .and_then(|mut c| c.batch_execute(sql))
                .map_err(|e| match e.as_db_error() {
                    Some(db) => format!("{}: {}", db.code().code(), db.message()),
                    None => e.to_string(),
                }),
        }
    }

    /// Runs SQL behind the store's back that the schema must refuse, and
    /// checks the refusal is the one meant: the message of the trigger, or
    /// the constraint as each engine names it (`sqlite`, `postgres`).
    #[track_caller]
    pub fn assert_refused(&self, sql: &str, sqlite: &str, postgres: &str) {
        let because = match self.raw {
            Raw::Sqlite(_) => sqlite,
            Raw::Postgres(_) => postgres,
        };
        match self.execute_raw(sql) {
            Ok(()) => panic!("the schema accepted {sql}"),
            Err(error) => assert!(
                error.contains(because),
                "{sql}: refused, but not by {because:?}: {error}"
            ),
        }
    }

    /// Opens the same database again with other keys (a rotated key
    /// file, a wrong one), beside the store already open.
    pub fn open_with(&self, keys: Keyring) -> Result<Arc<dyn Store>, sojourn_store::StoreError> {
        sojourn_store::open(&self.url, keys)
    }

    /// Every text value of one column, read behind the store's back.
    pub fn raw_texts(&self, table: &str, column: &str) -> Vec<String> {
        let sql = format!("SELECT {column} FROM {table} WHERE {column} IS NOT NULL");
        match &self.raw {
            Raw::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).expect("open raw");
                let mut stmt = conn.prepare(&sql).expect("prepare");
                stmt.query_map([], |row| row.get::<_, String>(0))
                    .expect("query")
                    .collect::<Result<_, _>>()
                    .expect("rows")
            }
            Raw::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .expect("connect raw")
                .query(&sql, &[])
                .expect("query")
                .iter()
                .map(|row| row.get::<_, String>(0))
                .collect(),
        }
    }

    /// Everything the database holds, as text, read behind the store's
    /// back: every row of every table and, for SQLite, the bytes of the
    /// database file and its write-ahead log (what a copy of the disk shows).
    pub fn raw_everything(&self) -> String {
        let mut out = String::new();
        match &self.raw {
            Raw::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).expect("open raw");
                let tables: Vec<String> = conn
                    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                    .expect("tables");
                for table in tables {
                    let mut stmt = conn
                        .prepare(&format!("SELECT * FROM \"{table}\""))
                        .expect("prepare");
                    let n = stmt.column_count();
                    let mut rows = stmt.query([]).expect("query");
                    while let Some(row) = rows.next().expect("row") {
                        for i in 0..n {
                            use rusqlite::types::ValueRef;
                            match row.get_ref(i).expect("value") {
                                ValueRef::Text(t) | ValueRef::Blob(t) => {
                                    out.push_str(&String::from_utf8_lossy(t));
                                }
                                ValueRef::Integer(v) => out.push_str(&v.to_string()),
                                ValueRef::Real(v) => out.push_str(&v.to_string()),
                                ValueRef::Null => {}
                            }
                            out.push('\u{1f}');
                        }
                    }
                }
                drop(conn);
                for file in [path.clone(), path.with_extension("db-wal")] {
                    if let Ok(bytes) = std::fs::read(&file) {
                        out.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
            }
            Raw::Postgres(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
                let tables: Vec<String> = client
                    .query(
                        "SELECT table_name::text FROM information_schema.tables \
                         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                        &[],
                    )
                    .expect("tables")
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                for table in tables {
                    for row in client
                        .query(&format!("SELECT t::text FROM \"{table}\" t"), &[])
                        .expect("rows")
                    {
                        out.push_str(row.get::<_, &str>(0));
                        out.push('\n');
                    }
                }
            }
        }
        out
    }

    /// A second store opened on the same database, as the next run of the
    /// program would open it (migrations and recovery on open included).
    pub fn open_again(&self) -> Arc<dyn Store> {
        let url = match &self.raw {
            Raw::Sqlite(path) => path.to_str().expect("utf-8 path").to_owned(),
            Raw::Postgres(url) => url.clone(),
        };
        sojourn_store::open(&url, self.keys.clone()).expect("open the store again")
    }

    /// A fresh, empty database of the same backend, under the same keys
    /// (a batch opens new files in blind-index order, so equal keys give
    /// equal ids).
    pub fn another(&self) -> TestDb {
        match self.raw {
            Raw::Sqlite(_) => sqlite_with(self.keys.clone()),
            Raw::Postgres(_) => postgres_with(self.keys.clone()),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.raw, Raw::Postgres(_))
    }

    /// Runs the SQL written for this test's backend (DDL differs).
    pub fn execute_raw_for_backend(&self, sqlite: &str, postgres: &str) -> Result<(), String> {
        match &self.raw {
            Raw::Sqlite(_) => self.execute_raw(sqlite),
            Raw::Postgres(_) => self.execute_raw(postgres),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.store.take();
        if let Some((name, admin_url)) = &self.drop_database
            && let Ok(mut client) = postgres::Client::connect(admin_url, postgres::NoTls)
        {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

pub fn sqlite() -> TestDb {
    sqlite_with(Keyring::generate())
}

fn sqlite_with(keys: Keyring) -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.db");
    let url = path.to_str().expect("utf-8 path").to_owned();
    let store = sojourn_store::open(&url, keys.clone()).expect("open sqlite");
    TestDb {
        store: Some(store),
        keys,
        url,
        _dir: Some(dir),
        raw: Raw::Sqlite(path),
        drop_database: None,
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A new database on the test server, dropped afterwards.
pub fn postgres() -> TestDb {
    postgres_with(Keyring::generate())
}

fn postgres_with(keys: Keyring) -> TestDb {
    let admin_url = std::env::var("SOJOURN_TEST_POSTGRES_URL").expect(
        "SOJOURN_TEST_POSTGRES_URL must name a PostgreSQL server for the conformance suite; \
         run scripts/test, which starts one",
    );
    let name = format!(
        "sojourn_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin =
        postgres::Client::connect(&admin_url, postgres::NoTls).expect("connect to test server");
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        ))
        .expect("create test database");
    let url = database_url(&admin_url, &name);
    let store = sojourn_store::open(&url, keys.clone()).expect("open postgres store");
    TestDb {
        store: Some(store),
        keys,
        url: url.clone(),
        _dir: None,
        raw: Raw::Postgres(url),
        drop_database: Some((name, admin_url)),
    }
}

/// The admin URL with its database name replaced.
pub fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin_url, String::new()),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}
