//! Server time of every page with 1,000,000 residents (issue: p95 ≤ 50 ms
//! per page), in-process through the router: the time from the request
//! entering the application to the whole body being read, with the
//! store's SQLite file on disk and the page cache warm.
//!
//! ```text
//! cargo bench -p sojourn-web --bench pages
//! ```
//!
//! Builds a SQLite store of `SOJOURN_BENCH_ROWS` residents (default
//! 1,000,000) with the store benchmark's generator (10 communities of one
//! street office; `sojourn-store/benches/lookup/data.rs`) through
//! `Store::register_arrivals`, then adds a few houses, employers, outflow
//! records, tenancies and departures, and two accounts (the office
//! director at the street office, a coordinator of one community). The
//! store is kept under `target/bench-data/` and reused when complete
//! (`SOJOURN_BENCH_FRESH=1` rebuilds it). Then it signs both in and
//! requests every page `SOJOURN_BENCH_ITERS` times (default 50, after 3
//! unmeasured; a page stops early once it has spent
//! `SOJOURN_BENCH_SECONDS`, default 20, and has 5 samples), printing
//! p50/p95/max per page.

#[allow(dead_code)]
#[path = "../../sojourn-store/benches/lookup/data.rs"]
mod data;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use data::{Generator, TOWN, unit_code};
use http_body_util::BodyExt;
use sojourn_domain::account::{Role, Username};
use sojourn_domain::codes::{DivisionCode, Uscc};
use sojourn_domain::employer::EmployerDetails;
use sojourn_domain::house::{Filing, HouseDetails, HouseUse, Landlord};
use sojourn_domain::outflow::OutflowDetails;
use sojourn_domain::residence::Departure;
use sojourn_domain::text::{Address, OrgName, PersonName};
use sojourn_domain::time_rules::{PastDate, china_today};
use sojourn_domain::unit::Scope;
use sojourn_store::{
    Actor, EmployerQuery, HouseQuery, NewAccount, OutflowQuery, PageRequest, ResidentQuery,
    StatusFilter, Store,
};
use sojourn_web::auth::password;
use sojourn_web::auth::{RateLimit, SecurityConfig};
use sojourn_web::{AppState, app};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const BATCH: usize = 10_000;
const SEED: u64 = 0x50_4A_4F_55_52_4E;
const PASSWORD: &str = "Bench#Pages-2026";
const COMMUNITY: &str = "110101001001";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() -> Res<()> {
    let rows = env_or("SOJOURN_BENCH_ROWS", 1_000_000);
    let iters = env_or("SOJOURN_BENCH_ITERS", 50) as usize;
    let budget = Duration::from_secs(env_or("SOJOURN_BENCH_SECONDS", 20));
    let path = bench_dir()?.join(format!("pages-sqlite-{rows}.db"));
    let store: Arc<dyn Store> = Arc::from(open_store(&path, rows)?);
    let ids = extras(store.as_ref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // The director reads pages back to back, far faster than the
    // per-account limit on audited reads allows a person: lift it, so the
    // pages are what is measured.
    let security = SecurityConfig {
        audited_reads: RateLimit {
            max: u32::MAX,
            per: time::Duration::minutes(1),
        },
        ..SecurityConfig::default()
    };
    let router = app(AppState::new(Arc::clone(&store)).with_security(security));
    let director = runtime.block_on(sign_in(&router, "bench-director"))?;
    let coordinator = runtime.block_on(sign_in(&router, "bench-coordinator"))?;
    println!("{rows} residents; {iters} requests per page after 3 unmeasured\n");
    println!(
        "{:<58} {:>8} {:>8} {:>8}",
        "page", "p50 ms", "p95 ms", "max ms"
    );
    let pages = pages(&ids, &director, &coordinator);
    let mut worst: (String, Duration) = (String::new(), Duration::ZERO);
    for page in &pages {
        let mut times = Vec::with_capacity(iters);
        let started = Instant::now();
        for i in 0..iters + 3 {
            let took = runtime.block_on(time(&router, page))?;
            if i >= 3 {
                times.push(took);
            }
            // A slow page stops early (after at least 5 samples).
            if times.len() >= 5 && started.elapsed() > budget {
                break;
            }
        }
        times.sort();
        let pick =
            |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let p95 = pick(0.95);
        let short = if times.len() < iters {
            format!("  ({} samples: time budget)", times.len())
        } else {
            String::new()
        };
        println!(
            "{:<58} {:>8.1} {:>8.1} {:>8.1}{short}",
            page.label,
            ms(pick(0.5)),
            ms(p95),
            ms(times[times.len() - 1])
        );
        if p95 > worst.1 {
            worst = (page.label.clone(), p95);
        }
    }
    println!(
        "\nslowest p95: {} ms ({})",
        format_args!("{:.1}", worst.1.as_secs_f64() * 1000.0),
        worst.0
    );
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

fn town() -> Scope {
    Scope::of(unit_code(TOWN))
}

/// Residents of every status in the store.
/// A fixed data key, so a store built by one run can be reused by the
/// next (benchmark data only: synthetic residents).
fn bench_keys() -> sojourn_store::crypto::Keyring {
    use sojourn_store::crypto::{DataKey, Keyring};
    Keyring::new(DataKey::from_bytes([7; 32]), Vec::new())
}

fn resident_count(store: &dyn Store) -> Res<u64> {
    let query = ResidentQuery {
        status: StatusFilter::Any,
        page: PageRequest::new(0, 1).unwrap_or_default(),
        ..ResidentQuery::default()
    };
    Ok(store.search_residents(&town(), &query)?.total)
}

fn open_store(path: &std::path::Path, rows: u64) -> Res<Box<dyn Store>> {
    let fresh = std::env::var("SOJOURN_BENCH_FRESH").is_ok_and(|v| v == "1");
    if path.exists() && !fresh {
        let store = sojourn_store::sqlite::open(path, bench_keys())?;
        if resident_count(store.as_ref())? >= rows {
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
    let actor = Actor::new("bench");
    let mut generator = Generator::new(SEED);
    let started = Instant::now();
    let mut done = 0u64;
    while done < rows {
        let n = BATCH.min((rows - done) as usize);
        let batch: Vec<_> = (0..n).map(|_| generator.arrival()).collect();
        for outcome in store.register_arrivals(&town(), &batch, &actor)? {
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
    Ok(store)
}

/// The ids the pages are asked for.
struct Ids {
    person: i64,
    house: i64,
    employer: i64,
    outflow: i64,
    /// The start of a common name, for the search box.
    name_prefix: String,
}

/// Houses, employers and outflow records, 200 tenants and workers, 2,000
/// departures and the two accounts; added once.
fn extras(store: &dyn Store) -> Res<Ids> {
    let scope = town();
    let actor = Actor::new("bench");
    let one = PageRequest::new(0, 1).unwrap_or_default();
    let houses = store.search_houses(
        &scope,
        &HouseQuery {
            page: one,
            ..HouseQuery::default()
        },
    )?;
    if houses.items.is_empty() {
        add_extras(store, &scope, &actor)?;
    }
    let house = store
        .search_houses(
            &scope,
            &HouseQuery {
                page: one,
                ..HouseQuery::default()
            },
        )?
        .items
        .remove(0);
    let employer = store
        .search_employers(
            &scope,
            &EmployerQuery {
                page: one,
                ..EmployerQuery::default()
            },
        )?
        .items
        .remove(0);
    let outflow = store
        .search_outflows(
            &scope,
            &OutflowQuery {
                page: one,
                ..OutflowQuery::default()
            },
        )?
        .items
        .remove(0);
    let resident = store
        .search_residents(
            &scope,
            &ResidentQuery {
                house: Some(house.id),
                page: one,
                ..ResidentQuery::default()
            },
        )?
        .items
        .remove(0);
    let name_prefix = resident
        .person
        .details
        .name
        .as_str()
        .chars()
        .take(2)
        .collect();
    Ok(Ids {
        person: resident.person.id.0,
        house: house.id.0,
        employer: employer.id.0,
        outflow: outflow.id.0,
        name_prefix,
    })
}

fn add_extras(store: &dyn Store, scope: &Scope, actor: &Actor) -> Res<()> {
    let today = china_today();
    let community = unit_code(COMMUNITY);
    let mut house_ids = Vec::new();
    let mut employer_ids = Vec::new();
    for i in 0..20u32 {
        let house = HouseDetails {
            unit: community.clone(),
            address: Address::parse(&format!("多福巷{}号", i + 1))?,
            landlord: Landlord::Person {
                name: PersonName::parse("王房东")?,
                id_number: data::id_number(&format!("1101011970010{:04}", 1000 + i)[..17]),
                phone: Some(sojourn_domain::codes::Phone::parse(&format!(
                    "1391234{:04}",
                    i
                ))?),
            },
            rooms: 3,
            usage: HouseUse::Residential,
            filing: if i % 3 == 0 {
                Filing::NotFiled
            } else {
                Filing::Filed {
                    on: PastDate::new(today, today)?,
                }
            },
            security_agreement_on: None,
        };
        house_ids.push(store.create_house(scope, &house, actor)?.id);
        let uscc = Uscc::parse(&uscc_for(i))?;
        let employer = EmployerDetails {
            unit: community.clone(),
            name: OrgName::parse(&format!("东华门商贸{}公司", i + 1))?,
            legal_representative: PersonName::parse("李经理")?,
            address: Address::parse("东华门大街1号")?,
            phone: None,
            declared_workers: 10,
        };
        employer_ids.push(store.create_employer(scope, &uscc, &employer, actor)?.id);
        let outflow = OutflowDetails {
            unit: community.clone(),
            name: PersonName::parse("赵外出")?,
            left_on: PastDate::new(today, today)?,
            destination: DivisionCode::parse_form("440106")?,
            destination_address: None,
            reason: None,
            employer_name: None,
            contact_phone: None,
            left_behind: Vec::new(),
        };
        store.create_outflow(
            scope,
            &data::id_number(&format!("1101011980020{:04}", 2000 + i)[..17]),
            &outflow,
            actor,
        )?;
    }
    // Tenants and workers: 200 residents of the community.
    let query = ResidentQuery {
        unit: Some(community.clone()),
        page: PageRequest::new(0, 400).unwrap_or_default(),
        ..ResidentQuery::default()
    };
    let rows = store.search_residents(scope, &query)?.items;
    for (i, row) in rows.iter().take(200).enumerate() {
        let stay = sojourn_domain::residence::StayDetails {
            house: Some(house_ids[i % house_ids.len()]),
            employer: Some(employer_ids[i % employer_ids.len()]),
            ..row.residence.stay.clone()
        };
        store.update_stay(scope, row.residence.id, &stay, row.residence.version, actor)?;
    }
    // Departures, for the chart.
    for row in rows.iter().skip(200) {
        let left = row
            .residence
            .stay
            .arrived_on
            .date()
            .max(today - time::Duration::days(300));
        let departure = Departure {
            departed_on: PastDate::new(left, today)?,
            destination: Some(DivisionCode::parse_form("440106")?),
            destination_address: None,
            reason: None,
        };
        store.register_departure(
            scope,
            row.residence.id,
            &departure,
            row.residence.version,
            actor,
        )?;
    }
    for (name, role, unit) in [
        ("bench-director", Role::OfficeDirector, TOWN),
        ("bench-coordinator", Role::Coordinator, COMMUNITY),
    ] {
        store.create_account(
            scope,
            &NewAccount {
                username: Username::parse(name)?,
                display_name: PersonName::parse("测试")?,
                unit: unit_code(unit),
                roles: vec![role],
                password_hash: password::hash(PASSWORD)?,
                password_set_at: time::OffsetDateTime::now_utc(),
                must_change_password: false,
                totp_secret: None,
            },
            actor,
        )?;
    }
    Ok(())
}

/// A valid unified social credit code, different for each `i`.
fn uscc_for(i: u32) -> String {
    let first17 = format!("91110101MA01B{i:04}");
    let check = sojourn_domain::codes::uscc::check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// One page request of the run.
struct PageRequestSpec {
    label: String,
    method: &'static str,
    uri: String,
    body: String,
    session: Session,
}

#[derive(Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

async fn sign_in(router: &axum::Router, username: &str) -> Res<Session> {
    let body = format!(r#"{{"username":"{username}","password":"{PASSWORD}"}}"#);
    let mut request = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))?;
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 40000))));
    let response = router.clone().oneshot(request).await?;
    if response.status() != StatusCode::OK {
        return Err(format!("sign-in of {username}: {}", response.status()).into());
    }
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sojourn_session="))
        .and_then(|v| v.split(';').next())
        .ok_or("no session cookie")?
        .to_owned();
    let bytes = response.into_body().collect().await?.to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&bytes)?;
    let csrf = json["csrf_token"].as_str().unwrap_or_default().to_owned();
    Ok(Session { cookie, csrf })
}

fn pages(ids: &Ids, director: &Session, coordinator: &Session) -> Vec<PageRequestSpec> {
    let get = |label: &str, uri: String, session: &Session| PageRequestSpec {
        label: label.to_owned(),
        method: "GET",
        uri,
        body: String::new(),
        session: session.clone(),
    };
    let post = |label: &str, uri: &str, body: String, session: &Session| PageRequestSpec {
        label: label.to_owned(),
        method: "POST",
        uri: uri.to_owned(),
        body,
        session: session.clone(),
    };
    let name = form_encode(&ids.name_prefix);
    let d = director;
    let c = coordinator;
    vec![
        get("home, street office (1,000,000)", "/".into(), d),
        get("home, community", "/".into(), c),
        get("residents", "/residents".into(), d),
        get("residents, community", "/residents".into(), c),
        get(
            "residents, filtered (status, sex, age, origin, arrival)",
            "/residents?status=any&sex=2&age_band=16_59&origin_province=41&arrived_from=2024-01-01"
                .into(),
            d,
        ),
        get("residents, by name", "/residents?sort=name".into(), d),
        get("residents, page 50", "/residents?page=50".into(), d),
        get(
            "residents, of a house",
            format!("/residents?house={}&status=any", ids.house),
            d,
        ),
        post(
            "residents, search by name (POST)",
            "/residents",
            format!("q={name}"),
            d,
        ),
        post(
            "residents, search by initials (POST)",
            "/residents",
            "q=zw".into(),
            d,
        ),
        get("person file", format!("/persons/{}", ids.person), d),
        get(
            "person file, edit form",
            format!("/persons/{}/edit", ids.person),
            d,
        ),
        get("contact card", format!("/persons/{}/card", ids.person), d),
        get("registration form", "/residents/new".into(), d),
        get("houses", "/houses".into(), d),
        get("houses, not filed", "/houses?filed=false".into(), d),
        get("house", format!("/houses/{}", ids.house), d),
        post(
            "house, tenant search (POST)",
            &format!("/houses/{}/tenants", ids.house),
            format!("tenant_q={name}"),
            d,
        ),
        get("employers", "/employers".into(), d),
        get("employer", format!("/employers/{}", ids.employer), d),
        get("outflows", "/outflows".into(), d),
        get("outflow", format!("/outflows/{}", ids.outflow), d),
    ]
}

fn form_encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn time(router: &axum::Router, page: &PageRequestSpec) -> Res<Duration> {
    let mut builder = Request::builder()
        .method(page.method)
        .uri(&page.uri)
        .header(header::COOKIE, &page.session.cookie);
    if page.method == "POST" {
        builder = builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-csrf-token", &page.session.csrf);
    }
    let mut request = builder.body(Body::from(page.body.clone()))?;
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 2], 40000))));
    let started = Instant::now();
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let bytes = response.into_body().collect().await?.to_bytes();
    let took = started.elapsed();
    if status != StatusCode::OK {
        return Err(format!(
            "{} {}: {status}: {}",
            page.method,
            page.uri,
            String::from_utf8_lossy(&bytes)
                .chars()
                .take(300)
                .collect::<String>()
        )
        .into());
    }
    Ok(took)
}
