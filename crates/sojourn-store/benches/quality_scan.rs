//! The full data-quality scan of a large register (issue 5: 1,000,000
//! residents ≤ 30 s), through `Store::scan_quality` on SQLite.
//!
//! ```text
//! cargo bench -p sojourn-store --bench quality_scan
//! ```
//!
//! Builds a SQLite store of `SOJOURN_BENCH_ROWS` residents (default
//! 1,000,000) with the lookup bench's generator, through
//! `Store::register_arrivals` in batches of 10,000 (so the write path's
//! findings are there, as in production), or reuses the one under
//! `target/bench-data/` if it is complete. Then scans the whole deployment
//! twice and prints each scan's time and summary: the first after the
//! load (every record judged, the probable duplicates queued), the second
//! on an unchanged register (what a routine scan costs).
//! `SOJOURN_BENCH_BATCH` sets records per transaction (default 5,000);
//! `SOJOURN_BENCH_FRESH=1` rebuilds the store.
//!
//! `SOJOURN_BENCH_BULK=1` builds the store (a file of its own) as the
//! first bulk load of an empty register (`begin_bulk_load_unscoped` …
//! `finish_bulk_load_unscoped`), which queues no pair as it goes. Before
//! the scans, the duplicate pass alone (`queue_probable_duplicates`) is
//! timed: after a bulk load it queues every pair; otherwise the writes
//! have queued them and it finds them there. `SOJOURN_BENCH_SCANS=0`
//! stops after it.

#[path = "lookup/data.rs"]
#[allow(dead_code)]
mod data;

use data::Generator;
use sojourn_domain::unit::Scope;
use sojourn_store::crypto::{DataKey, Keyring};
use sojourn_store::{Actor, Store};
use std::path::{Path, PathBuf};
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const BATCH: usize = 10_000;
const SEED: u64 = 0x51_55_41_4C_49_54;

/// A fixed data key (benchmark data only: synthetic residents).
fn bench_keys() -> Keyring {
    Keyring::new(DataKey::from_bytes([7; 32]), Vec::new())
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() -> Res<()> {
    let rows = env_or("SOJOURN_BENCH_ROWS", 1_000_000);
    let batch = env_or("SOJOURN_BENCH_BATCH", 5_000) as u32;
    let bulk = std::env::var("SOJOURN_BENCH_BULK").is_ok_and(|v| v == "1");
    let kind = if bulk { "bulk-" } else { "" };
    let path = bench_dir()?.join(format!("quality-sqlite-{kind}{rows}.db"));
    let store = sqlite_store(&path, rows, bulk)?;
    let (root, _) = data::units();
    let scope = Scope::of(root.code.clone());
    let today = sojourn_domain::time_rules::china_today();
    let started = Instant::now();
    let cpu = cpu_seconds();
    let pass = store.queue_probable_duplicates(&scope)?;
    let cpu = cpu_seconds().zip(cpu).map(|(after, before)| after - before);
    println!(
        "SQLite, {rows} residents, duplicate pass: {:.1} s wall, {} s CPU; {} files read, \
         {} pairs ({} new to the queue)",
        started.elapsed().as_secs_f64(),
        cpu.map_or_else(|| "?".to_owned(), |c| format!("{c:.1}")),
        pass.records,
        pass.pairs,
        pass.new_pairs
    );
    if env_or("SOJOURN_BENCH_SCANS", 1) == 0 {
        return Ok(());
    }
    for label in ["first scan", "second scan (unchanged)"] {
        let started = Instant::now();
        let cpu = cpu_seconds();
        let summary = store.scan_quality(&scope, today, batch)?;
        let secs = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu).map(|(after, before)| after - before);
        println!(
            "SQLite, {rows} residents, {label}: {secs:.1} s wall, {} s CPU; {} records judged, \
             {} findings opened, {} resolved, {} pairs ({} new to the queue)",
            cpu.map_or_else(|| "?".to_owned(), |c| format!("{c:.1}")),
            summary.records,
            summary.opened,
            summary.resolved,
            summary.pairs,
            summary.new_pairs
        );
    }
    let counts = store.quality_counts(&scope)?;
    let open: u64 = counts.findings.iter().map(|c| c.count).sum();
    println!("open findings after the scans: {open}");
    Ok(())
}

/// This process's CPU time (user + system), from `/proc/self/stat` on
/// Linux: on a shared machine it tells the work from the waiting.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Clock ticks of 1/100 s, the kernel's USER_HZ on Linux.
    Some((utime + stime) / 100.0)
}

/// `target/bench-data/`, made if needed.
fn bench_dir() -> Res<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn sqlite_store(path: &Path, rows: u64, bulk: bool) -> Res<Box<dyn Store>> {
    let fresh = std::env::var("SOJOURN_BENCH_FRESH").is_ok_and(|v| v == "1");
    if path.exists() && !fresh {
        let store = sojourn_store::sqlite::open(path, bench_keys())?;
        let persons = rusqlite::Connection::open(path)?.query_row(
            "SELECT COUNT(*) FROM persons",
            [],
            |r| r.get::<_, i64>(0),
        )?;
        if persons == rows as i64 {
            println!("SQLite: reusing {} ({rows} residents)", path.display());
            return Ok(store);
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::remove_file(file)?;
        }
    }
    let store = sojourn_store::sqlite::open(path, bench_keys())?;
    let deferred = bulk && store.begin_bulk_load_unscoped()?;
    fill(store.as_ref(), rows)?;
    if deferred {
        let started = Instant::now();
        store.finish_bulk_load_unscoped()?;
        println!(
            "SQLite: indexes rebuilt in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(store)
}

/// Registers `rows` generated arrivals through the store, in batches.
fn fill(store: &dyn Store, rows: u64) -> Res<()> {
    let (root, below) = data::units();
    store.init_deployment_unscoped(&root, &below)?;
    let scope = Scope::of(root.code.clone());
    let actor = Actor::new("bench");
    let mut generator = Generator::new(SEED);
    let started = Instant::now();
    let mut done = 0u64;
    while done < rows {
        let n = BATCH.min((rows - done) as usize);
        let batch: Vec<_> = (0..n).map(|_| generator.arrival()).collect();
        for outcome in store.register_arrivals(&scope, &batch, &actor)? {
            outcome?;
        }
        done += n as u64;
        if done.is_multiple_of(200_000) || done == rows {
            println!(
                "SQLite: {done} residents registered in {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}
