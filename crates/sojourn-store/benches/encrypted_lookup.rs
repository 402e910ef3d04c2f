//! What encryption at rest costs a lookup by ID number (issue 3: within 2×
//! of the plain lookup).
//!
//! ```text
//! cargo bench -p sojourn-store --bench encrypted_lookup
//! ```
//!
//! Builds one SQLite file (under `target/bench-data/`, reused when
//! complete) with two tables of `SOJOURN_BENCH_ROWS` people (default
//! 1,000,000) holding the same values: `plain`, with the ID number in a
//! unique index as before encryption, and `sealed`, with the ID number and
//! phone encrypted (AES-256-GCM) and a unique index on the ID number's
//! blind index (HMAC-SHA256, 128 bits). Then it times, alternating, the
//! two lookups as the store does them — plain: select by the number, parse
//! it; sealed: compute the blind index, select by it, decrypt the number and
//! the phone, parse — over `SOJOURN_BENCH_ITERS` random people (default
//! 20,000), and prints p50/p95/p99 and the ratio.

use rusqlite::{Connection, OptionalExtension, params};
use sojourn_domain::codes::{IdNumber, Phone};
use sojourn_store::crypto::{DataKey, Keyring};
use std::path::PathBuf;
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// A fixed key, so a kept database stays readable across runs.
fn keyring() -> Keyring {
    Keyring::new(DataKey::from_bytes([7; 32]), Vec::new())
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The `n`-th person's ID number and phone: distinct for every `n`.
fn person(n: u64) -> (String, String) {
    let counties = ["410105", "110101", "440305", "510107", "320102"];
    let county = counties[(n % 5) as usize];
    let day = n / 5 % 10_000;
    let year = 1950 + day / 300;
    let month = 1 + day / 25 % 12;
    let dom = 1 + day % 25;
    let sequence = n / 50_000 % 1000;
    let first17 = format!("{county}{year:04}{month:02}{dom:02}{sequence:03}");
    let check = sojourn_domain::codes::id_number::check_character(&first17).unwrap_or('0');
    (format!("{first17}{check}"), format!("13{:09}", n))
}

fn build(conn: &mut Connection, rows: u64, ring: &Keyring) -> Res<()> {
    let done: Option<i64> = conn
        .query_row("SELECT rows FROM done", [], |r| r.get(0))
        .optional()
        .unwrap_or(None);
    if done == Some(rows as i64) {
        return Ok(());
    }
    conn.execute_batch(
        "DROP TABLE IF EXISTS plain; DROP TABLE IF EXISTS sealed; DROP TABLE IF EXISTS done;
         CREATE TABLE plain (id INTEGER PRIMARY KEY, id_number TEXT NOT NULL UNIQUE,
             phone TEXT, name TEXT NOT NULL, unit_code TEXT NOT NULL, birth_date TEXT NOT NULL);
         CREATE TABLE sealed (id INTEGER PRIMARY KEY, id_bidx TEXT NOT NULL UNIQUE,
             id_number TEXT NOT NULL, phone_bidx TEXT, phone TEXT, name TEXT NOT NULL,
             unit_code TEXT NOT NULL, birth_date TEXT NOT NULL);
         CREATE INDEX sealed_phone ON sealed (phone_bidx);
         CREATE INDEX plain_phone ON plain (phone);",
    )?;
    let started = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut plain = tx.prepare(
            "INSERT INTO plain (id, id_number, phone, name, unit_code, birth_date) \
             VALUES (?1, ?2, ?3, '张三', '110101001001', '1990-03-07')",
        )?;
        let mut sealed = tx.prepare(
            "INSERT INTO sealed (id, id_bidx, id_number, phone_bidx, phone, name, unit_code, \
             birth_date) VALUES (?1, ?2, ?3, ?4, ?5, '张三', '110101001001', '1990-03-07')",
        )?;
        for n in 0..rows {
            let (id, phone) = person(n);
            plain.execute(params![n as i64, id, phone])?;
            sealed.execute(params![
                n as i64,
                ring.blind_index("id_number", &id),
                ring.encrypt("id_number", &id),
                ring.blind_index("phone", &phone),
                ring.encrypt("phone", &phone),
            ])?;
        }
    }
    tx.execute_batch(&format!(
        "CREATE TABLE done (rows INTEGER); INSERT INTO done VALUES ({rows}); ANALYZE;"
    ))?;
    tx.commit()?;
    eprintln!("built {rows} rows in {:.0?}", started.elapsed());
    Ok(())
}

fn lookup_plain(conn: &Connection, id: &str) -> Res<(IdNumber, Option<Phone>)> {
    let mut stmt =
        conn.prepare_cached("SELECT id, id_number, phone, name FROM plain WHERE id_number = ?1")?;
    let (number, phone): (String, Option<String>) =
        stmt.query_row([id], |r| Ok((r.get(1)?, r.get(2)?)))?;
    Ok((
        IdNumber::parse(&number)?,
        phone.map(|p| Phone::parse(&p)).transpose()?,
    ))
}

fn lookup_sealed(conn: &Connection, ring: &Keyring, id: &str) -> Res<(IdNumber, Option<Phone>)> {
    let keys = ring.blind_indexes("id_number", id);
    let mut stmt =
        conn.prepare_cached("SELECT id, id_number, phone, name FROM sealed WHERE id_bidx = ?1")?;
    let (number, phone): (String, Option<String>) =
        stmt.query_row([&keys[0]], |r| Ok((r.get(1)?, r.get(2)?)))?;
    let number = ring.decrypt("id_number", &number)?;
    let phone = phone.map(|p| ring.decrypt("phone", &p)).transpose()?;
    Ok((
        IdNumber::parse(&number)?,
        phone.map(|p| Phone::parse(&p)).transpose()?,
    ))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() -> Res<()> {
    let rows = env_or("SOJOURN_BENCH_ROWS", 1_000_000);
    let iters = env_or("SOJOURN_BENCH_ITERS", 20_000) as usize;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("encrypted-lookup-{rows}.db"));
    let mut conn = Connection::open(&path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;",
    )?;
    let ring = keyring();
    build(&mut conn, rows, &ring)?;
    let mut rng = Rng(0x5EA1);
    let mut plain = Vec::with_capacity(iters);
    let mut sealed = Vec::with_capacity(iters);
    // Warm both indexes, then alternate so both see the same conditions.
    for _ in 0..2_000 {
        let (id, _) = person(rng.next() % rows);
        lookup_plain(&conn, &id)?;
        lookup_sealed(&conn, &ring, &id)?;
    }
    for k in 0..iters {
        let (id, phone) = person(rng.next() % rows);
        let time = |sealed_first: bool| -> Res<(Duration, Duration)> {
            let t = Instant::now();
            let a = if sealed_first {
                lookup_sealed(&conn, &ring, &id)?
            } else {
                lookup_plain(&conn, &id)?
            };
            let first = t.elapsed();
            let t = Instant::now();
            let b = if sealed_first {
                lookup_plain(&conn, &id)?
            } else {
                lookup_sealed(&conn, &ring, &id)?
            };
            let second = t.elapsed();
            assert_eq!(a, b);
            assert_eq!(a.1.as_ref().map(Phone::as_str), Some(phone.as_str()));
            Ok(if sealed_first {
                (second, first)
            } else {
                (first, second)
            })
        };
        let (p, s) = time(k % 2 == 0)?;
        plain.push(p);
        sealed.push(s);
    }
    plain.sort();
    sealed.sort();
    println!("lookup by ID number, SQLite, {rows} rows, {iters} lookups each");
    println!("| lookup | p50 | p95 | p99 |");
    println!("|---|---|---|---|");
    for (name, samples) in [
        ("plain (number in a unique index)", &plain),
        ("encrypted + blind index", &sealed),
    ] {
        println!(
            "| {name} | {} | {} | {} |",
            us(percentile(samples, 0.5)),
            us(percentile(samples, 0.95)),
            us(percentile(samples, 0.99))
        );
    }
    for p in [0.5, 0.95, 0.99] {
        let ratio = percentile(&sealed, p).as_secs_f64() / percentile(&plain, p).as_secs_f64();
        println!("ratio at p{:.0}: {ratio:.2}×", p * 100.0);
    }
    Ok(())
}
