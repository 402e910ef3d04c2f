//! Export speed with a large register (issue 5: 1,000,000 rows to .xlsx at
//! ≥ 100,000 rows/s), the store read included: the resident ledger
//! (流动人口登记台账, 22 columns and the row number) of every resident of a
//! street office, through the function the export jobs run
//! (`sojourn_web::export::write_export`: keyset pages read on one thread,
//! rows written on another).
//!
//! ```text
//! cargo bench -p sojourn-web --bench export
//! ```
//!
//! Builds a SQLite store of `SOJOURN_BENCH_ROWS` residents (default
//! 1,000,000) with the store benchmark's generator through
//! `Store::register_arrivals` (as a bulk load), kept under
//! `target/bench-data/` and reused when complete (`SOJOURN_BENCH_FRESH=1`
//! rebuilds it). Then writes the ledger as .xlsx and as CSV, and times the
//! count the progress page shows, each with wall clock and the process's
//! CPU time (user + system, from `/proc/self/stat`).

#[allow(dead_code)]
#[path = "../../sojourn-store/benches/lookup/data.rs"]
mod data;

use data::{Generator, TOWN, unit_code};
use sojourn_domain::unit::Scope;
use sojourn_store::{Actor, PageRequest, ResidentQuery, StatusFilter, Store};
use sojourn_web::export::{ExportList, ExportSpec, Progress, count, write_export};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const BATCH: usize = 10_000;
const SEED: u64 = 0x45_58_50_4F_52_54;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Res<()> {
    let rows = env_or("SOJOURN_BENCH_ROWS", 1_000_000);
    let dir = bench_dir()?;
    let store = open_store(&dir.join(format!("export-sqlite-{rows}.db")), rows)?;
    let scope = Scope::of(unit_code(TOWN));
    println!("load average: {}", load_average());
    for format in ["xlsx", "csv"] {
        let params = HashMap::from([("format".to_owned(), format.to_owned())]);
        let spec =
            ExportSpec::parse(ExportList::Residents, &params).map_err(|e| format!("spec: {e}"))?;
        let path = dir.join(format!("export-bench.{format}"));
        let progress = Progress::default();
        let (written, wall, cpu) =
            measured(|| write_export(store.as_ref(), &scope, &spec, &path, &progress))?;
        let size = std::fs::metadata(&path)?.len();
        println!(
            "ledger {format}: {written} rows in {:.2} s wall ({:.0} rows/s), {:.2} s CPU \
             ({:.0} rows/s of CPU), {:.1} MB",
            wall.as_secs_f64(),
            written as f64 / wall.as_secs_f64(),
            cpu.as_secs_f64(),
            written as f64 / cpu.as_secs_f64(),
            size as f64 / 1e6
        );
        std::fs::remove_file(&path)?;
    }
    let params = HashMap::from([("format".to_owned(), "xlsx".to_owned())]);
    let spec =
        ExportSpec::parse(ExportList::Residents, &params).map_err(|e| format!("spec: {e}"))?;
    let (total, wall, cpu) = measured(|| count(store.as_ref(), &scope, &spec))?;
    println!(
        "count for the progress page: {total} in {:.2} s wall, {:.2} s CPU",
        wall.as_secs_f64(),
        cpu.as_secs_f64()
    );
    println!("load average: {}", load_average());
    Ok(())
}

fn measured<T, E: std::fmt::Display>(
    run: impl FnOnce() -> Result<T, E>,
) -> Res<(T, Duration, Duration)> {
    let (cpu0, t0) = (cpu_time(), Instant::now());
    let value = run().map_err(|e| e.to_string())?;
    Ok((value, t0.elapsed(), cpu_time().saturating_sub(cpu0)))
}

/// User + system time of this process (all threads), from `/proc`.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here;
    // clock ticks are 100 a second on Linux.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn bench_dir() -> Res<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A fixed data key, so a store built by one run can be reused by the
/// next (benchmark data only: synthetic residents).
fn bench_keys() -> sojourn_store::crypto::Keyring {
    use sojourn_store::crypto::{DataKey, Keyring};
    Keyring::new(DataKey::from_bytes([7; 32]), Vec::new())
}

fn resident_count(store: &dyn Store, scope: &Scope) -> Res<u64> {
    let query = ResidentQuery {
        status: StatusFilter::Any,
        page: PageRequest::new(0, 1).unwrap_or_default(),
        ..ResidentQuery::default()
    };
    Ok(store.search_residents(scope, &query)?.total)
}

fn open_store(path: &std::path::Path, rows: u64) -> Res<Box<dyn Store>> {
    let scope = Scope::of(unit_code(TOWN));
    let fresh = std::env::var("SOJOURN_BENCH_FRESH").is_ok_and(|v| v == "1");
    if path.exists() && !fresh {
        let store = sojourn_store::sqlite::open(path, bench_keys())?;
        if resident_count(store.as_ref(), &scope)? >= rows {
            println!("reusing {}", path.display());
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
    let (root, below) = data::units();
    store.init_deployment_unscoped(&root, &below)?;
    let bulk = store.begin_bulk_load_unscoped()?;
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
        if done.is_multiple_of(100_000) || done == rows {
            println!(
                "{done} residents registered ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    if bulk {
        store.finish_bulk_load_unscoped()?;
    }
    Ok(store)
}
