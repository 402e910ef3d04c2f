//! Lookup and search latency with a large register (issue: ID lookup p99
//! ≤ 1 ms, name or pinyin prefix search p99 ≤ 20 ms, with 1,000,000
//! residents, in-process).
//!
//! ```text
//! cargo bench -p sojourn-store --bench lookup
//! ```
//!
//! Builds a SQLite store of `SOJOURN_BENCH_ROWS` residents (default
//! 1,000,000) through `Store::register_arrivals`, in batches of 10,000, or
//! reuses the one under `target/bench-data/` if it is complete; then times
//! `find_person` and `search_residents` over random residents with
//! `std::time::Instant` and prints p50/p95/p99/max per kind of query, the
//! time of the COUNT and of the page query of each search measured apart,
//! and the engine's plan for each.
//!
//! With `SOJOURN_BENCH_POSTGRES_URL` (an admin URL, as for the conformance
//! suite) the same runs on PostgreSQL, in a database of its own
//! (`sojourn_bench_lookup_<rows>`, kept for the next run when complete);
//! `SOJOURN_BENCH_POSTGRES_ROWS` gives it another size.
//!
//! Other knobs: `SOJOURN_BENCH_ITERS` (samples per kind, default 2,000),
//! `SOJOURN_BENCH_SECONDS` (time budget per kind, default 30; a kind that
//! runs out stops early and says how many samples it took),
//! `SOJOURN_BENCH_FRESH=1` (rebuild the stores), `SOJOURN_BENCH_SKIP_SQLITE=1`.

#[path = "lookup/data.rs"]
mod data;
#[path = "lookup/raw.rs"]
mod raw;

use data::{Generator, Rng, TOWN};
use raw::{Raw, Sample};
use sojourn_domain::codes::IdNumber;
use sojourn_domain::search::SearchTerm;
use sojourn_domain::text::PersonName;
use sojourn_domain::unit::Scope;
use sojourn_store::crypto::{DataKey, Keyring};
use sojourn_store::{Actor, ResidentQuery, Store};
use std::path::PathBuf;
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const BATCH: usize = 10_000;

/// A fixed data key, so a store built by one run can be reused by the
/// next (benchmark data only: synthetic residents).
fn bench_keys() -> Keyring {
    Keyring::new(DataKey::from_bytes([7; 32]), Vec::new())
}
const SEED: u64 = 0x50_4A_4F_55_52_4E;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

struct Settings {
    iters: usize,
    budget: Duration,
}

fn main() -> Res<()> {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let rows = env_or("SOJOURN_BENCH_ROWS", 1_000_000);
    let settings = Settings {
        iters: env_or("SOJOURN_BENCH_ITERS", 2_000) as usize,
        budget: Duration::from_secs(env_or("SOJOURN_BENCH_SECONDS", 30)),
    };
    if !flag("SOJOURN_BENCH_SKIP_SQLITE") {
        let path = bench_dir()?.join(format!("lookup-sqlite-{rows}.db"));
        let (store, raw) = sqlite_store(&path, rows)?;
        run("SQLite", store.as_ref(), raw, rows, &settings)?;
    }
    if let Ok(admin_url) = std::env::var("SOJOURN_BENCH_POSTGRES_URL") {
        let pg_rows = env_or("SOJOURN_BENCH_POSTGRES_ROWS", rows);
        let (store, raw) = postgres_store(&admin_url, pg_rows)?;
        run("PostgreSQL", store.as_ref(), raw, pg_rows, &settings)?;
    }
    Ok(())
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

fn sqlite_store(path: &std::path::Path, rows: u64) -> Res<(Box<dyn Store>, Raw)> {
    if path.exists() {
        let complete = !flag("SOJOURN_BENCH_FRESH")
            && Raw::sqlite(path).and_then(|mut raw| raw.persons()).ok() == Some(rows as i64);
        if complete {
            println!("SQLite: reusing {} ({rows} residents)", path.display());
            return Ok((
                sojourn_store::sqlite::open(path, bench_keys())?,
                Raw::sqlite(path)?,
            ));
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::remove_file(file)?;
            }
        }
    }
    let store = sojourn_store::sqlite::open(path, bench_keys())?;
    fill("SQLite", store.as_ref(), rows)?;
    Ok((store, Raw::sqlite(path)?))
}

fn postgres_store(admin_url: &str, rows: u64) -> Res<(Box<dyn Store>, Raw)> {
    let name = format!("sojourn_bench_lookup_{rows}");
    let url = database_url(admin_url, &name);
    let mut admin = postgres::Client::connect(admin_url, postgres::NoTls)?;
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])?
        .is_some();
    if exists && !flag("SOJOURN_BENCH_FRESH") {
        let complete =
            Raw::postgres(&url).and_then(|mut raw| raw.persons()).ok() == Some(rows as i64);
        if complete {
            println!("PostgreSQL: reusing database {name} ({rows} residents)");
            return Ok((
                sojourn_store::postgres::open(&url, bench_keys())?,
                Raw::postgres(&url)?,
            ));
        }
    }
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
    // As the conformance harness makes its databases.
    admin.batch_execute(&format!(
        "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
    ))?;
    let store = sojourn_store::postgres::open(&url, bench_keys())?;
    fill("PostgreSQL", store.as_ref(), rows)?;
    // Autovacuum would do this within a minute of the load; doing it now
    // makes the run independent of when it gets round to it.
    let mut raw = Raw::postgres(&url)?;
    if let Raw::Postgres(client) = &mut raw {
        client.batch_execute("VACUUM ANALYZE")?;
    }
    Ok((store, raw))
}

/// The admin URL with its database name replaced (as the conformance
/// harness does).
fn database_url(admin_url: &str, name: &str) -> String {
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

/// Registers `rows` generated arrivals through the store, in batches.
fn fill(engine: &str, store: &dyn Store, rows: u64) -> Res<()> {
    let (root, below) = data::units();
    if store.deployment_root_unscoped()?.is_none() {
        store.init_deployment_unscoped(&root, &below)?;
    }
    let scope = Scope::of(root.code.clone());
    let actor = Actor::new("bench");
    let mut generator = Generator::new(SEED);
    let started = Instant::now();
    let mut done = 0u64;
    let mut generating = Duration::ZERO;
    while done < rows {
        let n = BATCH.min((rows - done) as usize);
        let t = Instant::now();
        let batch: Vec<_> = (0..n).map(|_| generator.arrival()).collect();
        generating += t.elapsed();
        for outcome in store.register_arrivals(&scope, &batch, &actor)? {
            outcome?;
        }
        done += n as u64;
        if done.is_multiple_of(100_000) || done == rows {
            let secs = (started.elapsed() - generating).as_secs_f64();
            println!(
                "{engine}: {done} residents registered, {:.0} rows/s",
                done as f64 / secs
            );
        }
    }
    let total = started.elapsed() - generating;
    println!(
        "{engine} fill: {rows} residents in {:.1} s through register_arrivals \
         (batches of {BATCH}; excluding {:.1} s generating them): {:.0} rows/s",
        total.as_secs_f64(),
        generating.as_secs_f64(),
        rows as f64 / total.as_secs_f64()
    );
    Ok(())
}

/// Latencies of one kind of query.
struct Stats {
    label: String,
    samples: Vec<Duration>,
    /// Mean number of matches (the page's `total`), for searches.
    matches: Option<f64>,
}

impl Stats {
    fn percentile(&self, p: f64) -> Duration {
        let i = ((p * self.samples.len() as f64).ceil() as usize).clamp(1, self.samples.len());
        self.samples[i - 1]
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// Times `f` over `inputs` (cycled), after a warm-up of a few calls (at
/// most a tenth of the budget).
fn time_each<T>(
    settings: &Settings,
    inputs: &[T],
    mut f: impl FnMut(&T) -> Res<Option<u64>>,
) -> Res<(Vec<Duration>, Option<f64>)> {
    let started = Instant::now();
    for input in inputs.iter().take(20) {
        f(input)?;
        if started.elapsed() > settings.budget / 10 {
            break;
        }
    }
    let started = Instant::now();
    let mut samples = Vec::with_capacity(settings.iters);
    let (mut matches, mut counted) = (0u64, 0u64);
    for input in inputs.iter().cycle().take(settings.iters) {
        let t = Instant::now();
        let total = f(input)?;
        samples.push(t.elapsed());
        if let Some(total) = total {
            matches += total;
            counted += 1;
        }
        if started.elapsed() > settings.budget {
            break;
        }
    }
    samples.sort();
    let mean = (counted > 0).then(|| matches as f64 / counted as f64);
    Ok((samples, mean))
}

/// A kind of search and the terms it is run with.
struct SearchKind {
    label: String,
    terms: Vec<SearchTerm>,
}

fn term(text: &str) -> SearchTerm {
    SearchTerm::parse(text).expect("non-blank search text")
}

/// Pinyin of a name's first character, then the first letter of the rest
/// (张伟 → `zhangw`).
fn surname_pinyin_and_initial(s: &Sample) -> String {
    let surname: String = s.name.chars().take(1).collect();
    let full = PersonName::parse(&surname).expect("name").pinyin_full();
    let given = s.name_pinyin.get(full.len()..).unwrap_or("");
    format!("{full}{}", &given[..given.len().min(1)])
}

fn search_kinds(samples: &[Sample]) -> Vec<SearchKind> {
    let kind = |label: &str, f: &dyn Fn(&Sample) -> String| SearchKind {
        label: label.to_owned(),
        terms: samples.iter().map(|s| term(&f(s))).collect(),
    };
    let fixed = |label: &str, text: &str| SearchKind {
        label: label.to_owned(),
        terms: vec![term(text)],
    };
    vec![
        kind("name, 1st char of a random resident's name", &|s| {
            s.name.chars().take(1).collect()
        }),
        fixed("name \"张\" (3rd most common surname)", "张"),
        kind("name, first 2 chars of a random resident's name", &|s| {
            s.name.chars().take(2).collect()
        }),
        fixed("name \"张伟\"", "张伟"),
        kind("pinyin initials, 2 letters (\"zw\")", &|s| {
            s.name_initials.chars().take(2).collect()
        }),
        fixed("pinyin initials \"zw\"", "zw"),
        kind(
            "full pinyin prefix (\"zhangw\")",
            &surname_pinyin_and_initial,
        ),
        fixed("full pinyin prefix \"zhangw\"", "zhangw"),
        // ID and phone numbers are encrypted: only whole numbers are
        // searched (through their blind indexes), so no ID prefixes here.
        kind("phone, 11 digits (blind index)", &|s| s.phone.clone()),
        kind("whole ID number via search box (blind index)", &|s| {
            s.id_number.clone()
        }),
    ]
}

fn run(engine: &str, store: &dyn Store, mut raw: Raw, rows: u64, settings: &Settings) -> Res<()> {
    let scope = Scope::of(data::unit_code(TOWN));
    let (low, high) = scope.code_range();
    let mut rng = Rng::new(SEED ^ 0xBE_9C_4E);
    let ids: Vec<i64> = (0..settings.iters.min(2_000))
        .map(|_| 1 + rng.below(rows) as i64)
        .collect();
    let keys = bench_keys();
    let samples = raw.samples(&ids, &keys)?;
    let mut results = Vec::new();

    let present: Vec<IdNumber> = samples
        .iter()
        .map(|s| IdNumber::parse(&s.id_number).expect("stored ID number"))
        .collect();
    let (times, _) = time_each(settings, &present, |id| {
        let person = store.find_person(&scope, id)?;
        assert!(person.is_some(), "resident {id:?} not found");
        Ok(None)
    })?;
    results.push(Stats {
        label: "find_person, ID number on file".into(),
        samples: times,
        matches: None,
    });
    let absent: Vec<IdNumber> = (0..samples.len())
        .map(|_| {
            let county = rng.pick(data::ABSENT_COUNTIES);
            data::id_number(&data::first17(&mut rng, county))
        })
        .collect();
    let (times, _) = time_each(settings, &absent, |id| {
        let person = store.find_person(&scope, id)?;
        assert!(
            person.is_none(),
            "generated absent number {id:?} is on file"
        );
        Ok(None)
    })?;
    results.push(Stats {
        label: "find_person, ID number not on file".into(),
        samples: times,
        matches: None,
    });

    let kinds = search_kinds(&samples);
    let mut split = Vec::new();
    for kind in &kinds {
        let (times, matches) = time_each(settings, &kind.terms, |term| {
            let query = ResidentQuery {
                term: Some(term.clone()),
                ..ResidentQuery::default()
            };
            Ok(Some(store.search_residents(&scope, &query)?.total))
        })?;
        let stats = Stats {
            label: format!("search_residents: {}", kind.label),
            samples: times,
            matches,
        };
        println!(
            "{engine}: {} — p50 {} ms, p99 {} ms ({} samples)",
            stats.label,
            ms(stats.percentile(0.5)),
            ms(stats.percentile(0.99)),
            stats.samples.len()
        );
        // The COUNT and the page query apart, on fewer samples.
        let few = Settings {
            iters: (settings.iters / 4).max(1),
            budget: settings.budget / 4,
        };
        let sqls: Vec<_> = kind
            .terms
            .iter()
            .map(|t| raw::search((&low, &high), t, &keys))
            .collect();
        let (count, _) = time_each(&few, &sqls, |s| {
            Ok(Some(raw.count(&s.count, &s.params)? as u64))
        })?;
        let (page, _) = time_each(&few, &sqls, |s| {
            Ok(Some(raw.rows(&s.page, &s.params)? as u64))
        })?;
        split.push((kind.label.clone(), count, page));
        results.push(stats);
    }

    print_report(engine, rows, &results, &split);
    print_plans(engine, &mut raw, &low, &high, &samples, &kinds)?;
    Ok(())
}

fn print_report(
    engine: &str,
    rows: u64,
    results: &[Stats],
    split: &[(String, Vec<Duration>, Vec<Duration>)],
) {
    println!("\n### {engine}, {rows} residents\n");
    println!("| query | samples | mean matches | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for s in results {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            s.label,
            s.samples.len(),
            s.matches.map_or("–".into(), |m| format!("{m:.0}")),
            ms(s.percentile(0.5)),
            ms(s.percentile(0.95)),
            ms(s.percentile(0.99)),
            ms(s.percentile(1.0)),
        );
    }
    println!("\nThe two statements of each search, timed apart (raw SQL, same text):\n");
    println!("| search | COUNT p50 ms | COUNT p99 ms | page p50 ms | page p99 ms |");
    println!("|---|---:|---:|---:|---:|");
    for (label, count, page) in split {
        let pct = |v: &[Duration], p: f64| {
            let i = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
            ms(v[i - 1])
        };
        println!(
            "| {label} | {} | {} | {} | {} |",
            pct(count, 0.5),
            pct(count, 0.99),
            pct(page, 0.5),
            pct(page, 0.99)
        );
    }
}

/// The plans of `find_person` and of each search's two statements, for the
/// first term of each kind.
fn print_plans(
    engine: &str,
    raw: &mut Raw,
    low: &str,
    high: &str,
    samples: &[Sample],
    kinds: &[SearchKind],
) -> Res<()> {
    println!("\n#### {engine} plans\n");
    let keys = bench_keys();
    let params = vec![
        low.to_owned(),
        high.to_owned(),
        keys.blind_index("id_number", &samples[0].id_number),
    ];
    println!(
        "find_person:\n```\n{}```",
        raw.explain(raw::FIND_PERSON, &params)?
    );
    for kind in kinds {
        let s = raw::search((low, high), &kind.terms[0], &keys);
        println!(
            "{} ({:?}), COUNT:\n```\n{}```",
            kind.label,
            kind.terms[0],
            raw.explain(&s.count, &s.params)?
        );
        println!("page:\n```\n{}```", raw.explain(&s.page, &s.params)?);
    }
    Ok(())
}
