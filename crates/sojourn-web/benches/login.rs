//! How long a sign-in takes: an Argon2id hash and verification alone, and
//! a whole `POST /api/v1/session` through the application (rate limits,
//! account lookup, verification, session written to a SQLite file).
//!
//! Run: `cargo bench -p sojourn-web --bench login` (release profile).
//! The target is at most 500 ms per sign-in.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use sojourn_domain::account::{Role, Username};
use sojourn_domain::text::{PersonName, UnitName};
use sojourn_domain::unit::{Scope, Unit, UnitCode};
use sojourn_store::{Actor, NewAccount};
use sojourn_web::auth::password;
use sojourn_web::{AppState, app};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const PASSWORD: &str = "Liudong#2026x";
const ROUNDS: usize = 20;

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what:<38} median {:>7.1} ms   min {:>7.1} ms   max {:>7.1} ms   ({} rounds)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn main() {
    let mut hashes = Vec::new();
    let mut verifications = Vec::new();
    for _ in 0..ROUNDS {
        let (hash, took) = time(|| password::hash(PASSWORD).expect("hash"));
        hashes.push(took);
        let (ok, took) = time(|| password::verify(PASSWORD, &hash));
        assert!(ok);
        verifications.push(took);
    }
    report("Argon2id hash (m=19 MiB, t=2, p=1)", hashes);
    report("Argon2id verification", verifications);

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let store = sojourn_store::open(
        path.to_str().expect("UTF-8 path"),
        sojourn_store::crypto::Keyring::generate(),
    )
    .expect("store");
    let root = Unit {
        code: UnitCode::parse("110101001").expect("code"),
        name: UnitName::parse("东华门街道").expect("name"),
    };
    store.init_deployment_unscoped(&root, &[]).expect("init");
    store
        .create_account(
            &Scope::of(root.code.clone()),
            &NewAccount {
                username: Username::parse("clerk1").expect("name"),
                display_name: PersonName::parse("孙录入").expect("name"),
                unit: root.code.clone(),
                roles: vec![Role::Clerk],
                password_hash: password::hash(PASSWORD).expect("hash"),
                password_set_at: time::OffsetDateTime::now_utc(),
                must_change_password: false,
                totp_secret: None,
            },
            &Actor::new("bench"),
        )
        .expect("account");
    // The same user signs in every round: only failures count towards a
    // lock, so no limit needs lifting.
    let router = app(AppState::new(Arc::clone(&store)));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut sign_ins = Vec::new();
    for round in 0..ROUNDS {
        let body = format!(r#"{{"username":"clerk1","password":"{PASSWORD}"}}"#);
        let mut request = Request::post("/api/v1/session")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .expect("request");
        // A client of its own each round, so the per-address limit is not
        // what is measured.
        let address = SocketAddr::from(([10, 0, 0, round as u8 + 1], 40000));
        request.extensions_mut().insert(ConnectInfo(address));
        let (response, took) = time(|| runtime.block_on(router.clone().oneshot(request)));
        let status = response.expect("infallible").status();
        assert_eq!(status, StatusCode::OK);
        sign_ins.push(took);
    }
    report("POST /api/v1/session (whole sign-in)", sign_ins);
}
