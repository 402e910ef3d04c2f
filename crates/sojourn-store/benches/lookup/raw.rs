//! Direct access to the database behind the store, for what the `Store`
//! interface does not show: picking sample residents, timing the COUNT and
//! the page query of a search separately, and the engine's query plan.
//!
//! The SQL here is a copy of what `src/sql/residents.rs` builds for the
//! default resident list (scope = the town, status = current, newest
//! arrival first, page of 20). It must be kept in step with it by hand:
//! the benchmark prints both timings, so a drift shows as a mismatch
//! between the `Store` figures and these.

use sojourn_domain::search::SearchTerm;
use sojourn_store::crypto::Keyring;

/// The columns `search_residents` reads (`mapping::PERSON_COLUMNS` and
/// `mapping::RESIDENCE_COLUMNS`).
const COLUMNS: &str = "p.id, p.id_number, p.unit_code, p.name, p.ethnicity, \
    p.domicile, p.domicile_address, p.phone, p.marital_status, p.education, \
    p.political_status, p.occupation, p.version, \
    r.id, r.person_id, r.unit_code, r.arrived_on, \
    r.intended_stay_months, r.reason, r.current_address, r.house_id, r.employer_id, r.status, \
    r.departed_on, r.destination, r.destination_address, r.departure_reason, r.version";

/// `find_person` as the store runs it.
pub const FIND_PERSON: &str = "SELECT p.id, p.id_number, p.unit_code, p.name, p.ethnicity, \
    p.domicile, p.domicile_address, p.phone, p.marital_status, p.education, \
    p.political_status, p.occupation, p.version FROM persons p WHERE \
    ((p.unit_code >= $1 AND p.unit_code < $2) OR EXISTS \
    (SELECT 1 FROM residences s WHERE s.person_id = p.id AND s.unit_code >= $1 AND s.unit_code < $2)) \
    AND p.id_number_bidx = $3";

/// The two statements of one `search_residents` call and their parameters.
pub struct Search {
    pub count: String,
    pub page: String,
    pub params: Vec<String>,
}

/// What `search_residents` runs for a term in a scope, default options.
pub fn search(scope: (&str, &str), term: &SearchTerm, keys: &Keyring) -> Search {
    let mut params = vec![scope.0.to_owned(), scope.1.to_owned()];
    let prefix = |column: &str, prefix: &str, params: &mut Vec<String>| {
        params.push(prefix.to_owned());
        params.push(format!("{prefix}\u{10FFFF}"));
        let (low, high) = (params.len() - 1, params.len());
        format!("({column} >= ${low} AND {column} < ${high})")
    };
    let clause = match term {
        SearchTerm::IdNumber(id) => {
            params.push(keys.blind_index("id_number", id.as_str()));
            "p.id_number_bidx = $3".to_owned()
        }
        SearchTerm::Digits(d) => {
            params.push(keys.blind_index("phone", d));
            "p.phone_bidx = $3".to_owned()
        }
        SearchTerm::Pinyin(l) => {
            let initials = prefix("p.name_initials", l, &mut params);
            let full = prefix("p.name_pinyin", l, &mut params);
            format!("({initials} OR {full})")
        }
        SearchTerm::Name(n) => prefix("p.name", n, &mut params),
    };
    let from = format!(
        "FROM residences r JOIN persons p ON p.id = r.person_id WHERE \
         r.unit_code >= $1 AND r.unit_code < $2 AND r.status <> 'departed' AND {clause}"
    );
    Search {
        count: format!("SELECT COUNT(*) {from}"),
        page: format!(
            "SELECT {COLUMNS} {from} ORDER BY r.arrived_on DESC, r.id DESC LIMIT 20 OFFSET 0"
        ),
        params,
    }
}

/// A resident to build queries from.
pub struct Sample {
    pub id_number: String,
    pub name: String,
    pub name_pinyin: String,
    pub name_initials: String,
    pub phone: String,
}

const SAMPLE: &str =
    "SELECT id_number, name, name_pinyin, name_initials, phone FROM persons WHERE id = $1";

/// A raw connection to either engine.
pub enum Raw {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

impl Raw {
    pub fn sqlite(path: &std::path::Path) -> Res<Self> {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // As the store's readers are set up.
        conn.execute_batch("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;")?;
        Ok(Self::Sqlite(conn))
    }

    pub fn postgres(url: &str) -> Res<Self> {
        Ok(Self::Postgres(postgres::Client::connect(
            url,
            postgres::NoTls,
        )?))
    }

    /// Number of person files.
    pub fn persons(&mut self) -> Res<i64> {
        self.count("SELECT COUNT(*) FROM persons", &[])
    }

    /// The residents with the given row ids.
    /// ID and phone numbers are read sealed and opened with `keys`.
    pub fn samples(&mut self, ids: &[i64], keys: &Keyring) -> Res<Vec<Sample>> {
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let sample = match self {
                Self::Sqlite(c) => c.query_row(SAMPLE, [id], |r| {
                    Ok(Sample {
                        id_number: r.get(0)?,
                        name: r.get(1)?,
                        name_pinyin: r.get(2)?,
                        name_initials: r.get(3)?,
                        phone: r.get(4)?,
                    })
                })?,
                Self::Postgres(c) => {
                    let r = c.query_one(SAMPLE, &[&id])?;
                    Sample {
                        id_number: r.try_get(0)?,
                        name: r.try_get(1)?,
                        name_pinyin: r.try_get(2)?,
                        name_initials: r.try_get(3)?,
                        phone: r.try_get(4)?,
                    }
                }
            };
            let sample = Sample {
                id_number: keys.decrypt("id_number", &sample.id_number)?,
                phone: keys.decrypt("phone", &sample.phone)?,
                ..sample
            };
            out.push(sample);
        }
        Ok(out)
    }

    /// Runs a `SELECT COUNT(*)`.
    pub fn count(&mut self, sql: &str, params: &[String]) -> Res<i64> {
        match self {
            Self::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                for (i, p) in params.iter().enumerate() {
                    stmt.raw_bind_parameter(i + 1, p)?;
                }
                let mut rows = stmt.raw_query();
                let row = rows.next()?.ok_or("no row")?;
                Ok(row.get(0)?)
            }
            Self::Postgres(c) => {
                let bound: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as _).collect();
                Ok(c.query_one(sql, &bound)?.try_get(0)?)
            }
        }
    }

    /// Runs a query and reads every column of every row as the store would
    /// (as owned values), returning the number of rows.
    pub fn rows(&mut self, sql: &str, params: &[String]) -> Res<usize> {
        match self {
            Self::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                for (i, p) in params.iter().enumerate() {
                    stmt.raw_bind_parameter(i + 1, p)?;
                }
                let width = stmt.column_count();
                let mut rows = stmt.raw_query();
                let mut n = 0;
                while let Some(row) = rows.next()? {
                    for i in 0..width {
                        let _: rusqlite::types::Value = row.get(i)?;
                    }
                    n += 1;
                }
                Ok(n)
            }
            Self::Postgres(c) => {
                let bound: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as _).collect();
                Ok(c.query(sql, &bound)?.len())
            }
        }
    }

    /// The engine's plan for a statement: SQLite's `EXPLAIN QUERY PLAN`, or
    /// PostgreSQL's `EXPLAIN (ANALYZE, BUFFERS)` (which runs it).
    pub fn explain(&mut self, sql: &str, params: &[String]) -> Res<String> {
        match self {
            Self::Sqlite(c) => {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                for (i, p) in params.iter().enumerate() {
                    stmt.raw_bind_parameter(i + 1, p)?;
                }
                let mut rows = stmt.raw_query();
                let mut depth: Vec<(i64, usize)> = Vec::new();
                let mut out = String::from("QUERY PLAN\n");
                while let Some(row) = rows.next()? {
                    let (id, parent, detail): (i64, i64, String) =
                        (row.get(0)?, row.get(1)?, row.get(3)?);
                    while depth.last().is_some_and(|&(p, _)| p != parent) {
                        depth.pop();
                    }
                    let level = depth.last().map_or(0, |&(_, l)| l + 1);
                    depth.push((id, level));
                    out.push_str(&format!("{}|--{detail}\n", "|  ".repeat(level)));
                }
                Ok(out)
            }
            Self::Postgres(c) => {
                let bound: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as _).collect();
                let rows = c.query(&format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"), &bound)?;
                let mut out = String::new();
                for row in rows {
                    out.push_str(&row.try_get::<_, String>(0)?);
                    out.push('\n');
                }
                Ok(out)
            }
        }
    }
}
