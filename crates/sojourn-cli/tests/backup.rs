//! `sojourn backup` and `sojourn restore`, run for real: a backup taken
//! while a thread keeps registering arrivals is restored and proven equal
//! to the source at the backup's moment; every wrong input is refused with
//! its reason and leaves nothing behind.

use sojourn_domain::codes::{DivisionCode, Ethnicity, IdNumber, Phone, ReasonForStay};
use sojourn_domain::person::PersonDetails;
use sojourn_domain::residence::{Arrival, StayDetails};
use sojourn_domain::text::{Address, PersonName};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::crypto::{Keyring, load_keys, write_key_file};
use sojourn_store::{Actor, Anchor, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use time::macros::date;

const TOWN: &str = "110101001";
const COMMUNITY: &str = "110101001001";

fn sojourn(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sojourn"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
fn succeeds(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

/// The command failed, saying `en` and `zh` (as the CLI says both).
#[track_caller]
fn refused(output: &Output, en: &str, zh: &str) {
    assert!(!output.status.success(), "{}", stdout(output));
    let said = stderr(output);
    assert!(said.contains(en) && said.contains(zh), "{said}");
}

/// A deployment in a directory of its own: `s.db`, its key file beside it.
fn initialised() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    succeeds(&sojourn(
        dir.path(),
        &["init", "--unit", TOWN, "--db", "s.db"],
    ));
    dir
}

fn open(dir: &Path, db: &str) -> Arc<dyn Store> {
    let keys = load_keys(&dir.join("sojourn.key"))
        .expect("key file reads")
        .expect("key file");
    sojourn_store::open(dir.join(db).to_str().expect("UTF-8 path"), keys).expect("store opens")
}

fn scope() -> Scope {
    Scope::of(UnitCode::parse(TOWN).expect("unit code"))
}

/// The `n`th synthetic ID number: a birth year and a sequence of its own.
fn id_number(n: u32) -> IdNumber {
    let first17 = format!("410102{}0101{:03}", 1970 + n / 1000, n % 1000);
    let check = sojourn_domain::codes::id_number::check_character(&first17).expect("17 digits");
    IdNumber::parse(&format!("{first17}{check}")).expect("ID number")
}

fn phone(n: u32) -> String {
    format!("139{n:08}")
}

fn arrival(n: u32) -> Arrival {
    Arrival {
        id_number: id_number(n),
        person: PersonDetails {
            name: PersonName::parse("张三").expect("name"),
            ethnicity: Ethnicity::Han,
            domicile: DivisionCode::parse_form("410102001001").expect("division"),
            domicile_address: None,
            phone: Some(Phone::parse(&phone(n)).expect("phone")),
            marital_status: None,
            education: None,
            political_status: None,
            occupation: None,
            guardian: None,
        },
        stay: StayDetails {
            unit: UnitCode::parse(COMMUNITY).expect("unit"),
            arrived_on: PastDate::new(date!(2024 - 03 - 05), date!(2026 - 11 - 28)).expect("past"),
            intended_stay_months: Some(12),
            reason: ReasonForStay::Work,
            current_address: Address::parse("多福巷12号").expect("address"),
            house: None,
            employer: None,
        },
    }
}

/// The one backup in `dir`: its file and manifest.
fn the_backup(dir: &Path) -> (PathBuf, serde_json::Value) {
    the_backup_of(dir, "db")
}

/// The one backup in `dir` whose file ends in `.{extension}`.
fn the_backup_of(dir: &Path, extension: &str) -> (PathBuf, serde_json::Value) {
    let copies: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("backup folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    let manifest = std::fs::read_to_string(copies[0].with_extension("json")).expect("manifest");
    (
        copies[0].clone(),
        serde_json::from_str(&manifest).expect("JSON"),
    )
}

fn head_of(manifest: &serde_json::Value) -> Anchor {
    Anchor::parse(manifest["audit_head"].as_str().expect("a head")).expect("an anchor")
}

/// Registers arrivals 0, 1, 2, … one per transaction until told to stop;
/// `written` holds how many committed.
fn keep_writing(
    store: Arc<dyn Store>,
    stop: Arc<AtomicBool>,
    written: Arc<Mutex<u32>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let actor = Actor::new("clerk");
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) && n < 5_000 {
            store
                .register_arrival(&scope(), &arrival(n), &actor)
                .expect("arrival");
            n += 1;
            *written.lock().expect("count") = n;
        }
    })
}

fn wait_for(written: &Mutex<u32>, at_least: u32) -> u32 {
    loop {
        let n = *written.lock().expect("count");
        if n >= at_least {
            return n;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn a_backup_taken_while_writing_restores_the_store_as_it_was_at_that_moment() {
    let dir = initialised();
    let source = open(dir.path(), "s.db");
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(Mutex::new(0));
    let writer = keep_writing(source.clone(), stop.clone(), written.clone());

    let before = wait_for(&written, 20);
    let made = succeeds(&sojourn(
        dir.path(),
        &["backup", "--to", "backups", "--db", "s.db"],
    ));
    let after = *written.lock().expect("count");
    wait_for(&written, after + 20);
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("the writer ends");
    let total = *written.lock().expect("count");
    assert!(
        made.contains("backup written") && made.contains("备份完成"),
        "{made}"
    );

    let (copy, manifest) = the_backup(&dir.path().join("backups"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in [copy.clone(), copy.with_extension("json")] {
            let mode = std::fs::metadata(&file).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }
    let restored = succeeds(&sojourn(
        dir.path(),
        &["restore", copy.to_str().expect("UTF-8"), "--db", "r.db"],
    ));
    assert!(restored.contains("restored into"), "{restored}");
    assert!(restored.contains("audit chain intact"), "{restored}");

    // What the manifest says is what the restored store holds.
    let store = open(dir.path(), "r.db");
    let inventory = store.inventory_unscoped().expect("inventory");
    for (table, n) in manifest["counts"].as_object().expect("counts") {
        assert_eq!(Some(inventory.counts[table]), n.as_u64(), "{table}");
    }
    let head = head_of(&manifest);
    assert_eq!(inventory.audit_head.as_ref(), Some(&head));

    // The arrivals committed before the backup's moment, and none after:
    // a prefix of what the writer wrote, since it wrote one at a time.
    let held = u32::try_from(inventory.counts["persons"]).expect("count");
    assert_eq!(inventory.counts["residences"], u64::from(held));
    assert!(
        held >= before && held <= after,
        "{before} ≤ {held} ≤ {after}"
    );
    assert!(held < total);
    let sample = [0, held / 2, held - 1];
    for n in sample {
        let person = store
            .find_person(&scope(), &id_number(n))
            .expect("lookup")
            .unwrap_or_else(|| panic!("arrival {n} is in the backup"));
        assert_eq!(person.id_number, id_number(n));
        assert_eq!(
            person.details.phone.map(|p| p.as_str().to_owned()),
            Some(phone(n))
        );
    }
    for n in [held, total - 1] {
        assert!(
            store
                .find_person(&scope(), &id_number(n))
                .expect("lookup")
                .is_none(),
            "arrival {n} came after the backup"
        );
    }

    // The restored chain verifies to the manifest's head, and the source's
    // chain still holds that very entry: the one is a prefix of the other.
    let report = store
        .verify_audit_unscoped(std::slice::from_ref(&head))
        .expect("verify");
    assert!(report.is_intact(), "{:?}", report.findings);
    let anchor = format!("{}:{}", head.seq, head.hash);
    succeeds(&sojourn(
        dir.path(),
        &["audit", "verify", "--db", "s.db", "--anchor", &anchor],
    ));
}

/// A deployment with a backup in `backups/`: the folder, the copy, the
/// manifest's path.
fn backed_up() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = initialised();
    let store = open(dir.path(), "s.db");
    for n in 0..5 {
        store
            .register_arrival(&scope(), &arrival(n), &Actor::new("clerk"))
            .expect("arrival");
    }
    drop(store);
    succeeds(&sojourn(
        dir.path(),
        &["backup", "--to", "backups", "--db", "s.db"],
    ));
    let (copy, _) = the_backup(&dir.path().join("backups"));
    let manifest = copy.with_extension("json");
    (dir, copy, manifest)
}

fn restore(dir: &Path, from: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["restore", from.to_str().expect("UTF-8"), "--db", "r.db"];
    args.extend_from_slice(extra);
    sojourn(dir, &args)
}

/// Nothing of a refused restore is left: neither the store nor its
/// staging copy.
#[track_caller]
fn nothing_left(dir: &Path) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("r.db"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

fn edit_manifest(manifest: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(manifest).expect("read")).expect("JSON");
    edit(&mut value);
    std::fs::write(manifest, value.to_string()).expect("written");
}

#[test]
fn a_restore_refuses_an_existing_store_unless_forced() {
    let (dir, copy, _) = backed_up();
    succeeds(&restore(dir.path(), &copy, &[]));
    let store = open(dir.path(), "r.db");
    store
        .register_arrival(&scope(), &arrival(100), &Actor::new("clerk"))
        .expect("one more");
    drop(store);
    refused(&restore(dir.path(), &copy, &[]), "already exists", "已存在");
    let kept = open(dir.path(), "r.db");
    assert!(
        kept.find_person(&scope(), &id_number(100))
            .expect("lookup")
            .is_some(),
        "the store there is untouched"
    );
    drop(kept);

    succeeds(&restore(dir.path(), &copy, &["--force"]));
    let replaced = open(dir.path(), "r.db");
    assert!(
        replaced
            .find_person(&scope(), &id_number(100))
            .expect("lookup")
            .is_none()
    );
    assert!(
        replaced
            .find_person(&scope(), &id_number(4))
            .expect("lookup")
            .is_some()
    );
}

#[test]
fn a_restore_refuses_a_backup_without_its_manifest() {
    let (dir, copy, manifest) = backed_up();
    std::fs::remove_file(&manifest).expect("manifest removed");
    refused(&restore(dir.path(), &copy, &[]), "no manifest", "清单");
    nothing_left(dir.path());
}

#[test]
fn a_restore_refuses_counts_or_a_head_that_are_not_the_manifests() {
    let (dir, copy, manifest) = backed_up();
    let original = std::fs::read_to_string(&manifest).expect("read");
    edit_manifest(&manifest, |m| m["counts"]["persons"] = 6.into());
    refused(
        &restore(dir.path(), &copy, &[]),
        "persons: 6 rows in the manifest, 5 in the backup",
        "清单记载 6 行",
    );
    nothing_left(dir.path());

    std::fs::write(&manifest, &original).expect("restored manifest");
    edit_manifest(&manifest, |m| {
        let head = m["audit_head"].as_str().expect("head").to_owned();
        let (seq, hash) = head.split_once(':').expect("SEQ:HASH");
        let seq: i64 = seq.parse().expect("seq");
        m["audit_head"] = format!("{}:{hash}", seq - 1).into();
    });
    refused(
        &restore(dir.path(), &copy, &[]),
        "the audit chain ends at",
        "审计链末条",
    );
    nothing_left(dir.path());
}

#[test]
fn a_restore_refuses_a_tampered_backup_file() {
    let (dir, copy, manifest) = backed_up();
    let conn = rusqlite::Connection::open(&copy).expect("open the copy");
    conn.execute_batch(
        "DROP TRIGGER audit_log_append_only_update; \
         UPDATE audit_log SET actor_name = 'someone' WHERE seq = 2;",
    )
    .expect("tampered");
    drop(conn);
    refused(
        &restore(dir.path(), &copy, &[]),
        "SHA-256",
        "备份文件与清单不符",
    );
    nothing_left(dir.path());

    // Even with the manifest made to match the file, the chain tells.
    let digest = sojourn_store::sqlite::backup::file_digest(&copy).expect("digest");
    let size = std::fs::metadata(&copy).expect("size").len();
    edit_manifest(&manifest, |m| {
        m["sha256"] = digest.into();
        m["size"] = size.into();
    });
    refused(
        &restore(dir.path(), &copy, &[]),
        "entry 2 was edited",
        "审计链校验未通过",
    );
    nothing_left(dir.path());
}

#[test]
fn a_restore_refuses_a_key_file_without_the_backups_key() {
    let (dir, copy, _) = backed_up();
    let other = dir.path().join("other.key");
    write_key_file(&other, &Keyring::generate()).expect("another key");
    refused(
        &restore(dir.path(), &copy, &["--key-file", "other.key"]),
        "lacks key(s)",
        "缺少备份所需的密钥",
    );
    nothing_left(dir.path());

    // And no key file at all beside the new store.
    std::fs::create_dir(dir.path().join("elsewhere")).expect("dir");
    let output = sojourn(
        dir.path(),
        &[
            "restore",
            copy.to_str().expect("UTF-8"),
            "--db",
            "elsewhere/r.db",
        ],
    );
    refused(&output, "no data key", "找不到数据密钥");
    assert!(!dir.path().join("elsewhere/r.db").exists());
}

#[test]
fn a_backup_prunes_only_its_own_old_copies_by_the_retention_rule() {
    let dir = initialised();
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).expect("dir");
    let old = ["sojourn-20200101T000000Z", "sojourn-20200102T000000Z"];
    for name in old {
        std::fs::write(backups.join(format!("{name}.db")), "old").expect("old copy");
        std::fs::write(backups.join(format!("{name}.json")), "{}").expect("old manifest");
    }
    // Not made by `sojourn backup`: no manifest, or not its name.
    std::fs::write(backups.join("sojourn-20200103T000000Z.db"), "kept").expect("file");
    std::fs::write(backups.join("notes.txt"), "kept").expect("file");

    let made = succeeds(&sojourn(
        dir.path(),
        &[
            "backup",
            "--to",
            "backups",
            "--db",
            "s.db",
            "--keep-daily",
            "2",
            "--keep-weekly",
            "0",
            "--keep-monthly",
            "0",
        ],
    ));
    assert!(made.contains("removed the old backup"), "{made}");
    let all: Vec<String> = std::fs::read_dir(&backups)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let (mut left, new): (Vec<String>, Vec<String>) = all
        .into_iter()
        .partition(|name| !name.starts_with("sojourn-") || name.starts_with("sojourn-2020"));
    left.sort();
    assert_eq!(new.len(), 2, "the new copy and its manifest: {new:?}");
    // Two days kept: today's new copy and the newest old one.
    assert_eq!(
        left,
        [
            "notes.txt",
            "sojourn-20200102T000000Z.db",
            "sojourn-20200102T000000Z.json",
            "sojourn-20200103T000000Z.db",
        ]
    );
}

#[test]
fn a_backup_of_a_missing_store_makes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let output = sojourn(dir.path(), &["backup", "--to", "b", "--db", "none.db"]);
    assert!(!output.status.success());
    assert!(!dir.path().join("none.db").exists());
    let made: Vec<_> = std::fs::read_dir(dir.path().join("b"))
        .map(|d| d.collect())
        .unwrap_or_default();
    assert!(made.is_empty(), "{made:?}");
}

/// The admin URL with its database name replaced.
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

/// PostgreSQL, where `SOJOURN_TEST_POSTGRES_URL` names a server (as
/// scripts/test sets it): the backup is a `pg_dump` of the very snapshot
/// its manifest counts, and the recipe docs/DEPLOYMENT.md gives
/// (`pg_restore` into a new database, then `audit verify --anchor`)
/// brings it back whole.
#[test]
fn a_postgres_backup_is_a_dump_of_the_moment_its_manifest_counts() {
    let Ok(admin_url) = std::env::var("SOJOURN_TEST_POSTGRES_URL") else {
        eprintln!("skipped: SOJOURN_TEST_POSTGRES_URL names no PostgreSQL server");
        return;
    };
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).expect("connect");
    let name = |role: &str| format!("sojourn_backup_{role}_{}", std::process::id());
    for role in ["source", "restored"] {
        admin
            .batch_execute(&format!(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'",
                name(role)
            ))
            .expect("database made");
    }
    let source = database_url(&admin_url, &name("source"));
    let restored = database_url(&admin_url, &name("restored"));
    let dir = tempfile::tempdir().expect("dir");
    succeeds(&sojourn(
        dir.path(),
        &["init", "--unit", TOWN, "--db", &source],
    ));
    let made = succeeds(&sojourn(
        dir.path(),
        &["backup", "--db", &source, "--to", "backups"],
    ));
    assert!(made.contains("backup written"), "{made}");
    let (dump, manifest) = the_backup_of(&dir.path().join("backups"), "dump");
    assert_eq!(manifest["engine"], "postgres");
    assert_eq!(manifest["counts"]["units"], 11, "{manifest}");

    let pg_restore = Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &restored])
        .arg(&dump)
        .output()
        .expect("pg_restore runs");
    assert!(pg_restore.status.success(), "{}", stderr(&pg_restore));
    let keys = load_keys(&dir.path().join("sojourn.key"))
        .expect("key file reads")
        .expect("key file");
    let store = sojourn_store::open(&restored, keys).expect("the restored store opens");
    let inventory = store.inventory_unscoped().expect("inventory");
    for (table, n) in manifest["counts"].as_object().expect("counts") {
        assert_eq!(Some(inventory.counts[table]), n.as_u64(), "{table}");
    }
    let head = head_of(&manifest);
    assert_eq!(inventory.audit_head.as_ref(), Some(&head));
    drop(store);
    let anchor = format!("{}:{}", head.seq, head.hash);
    succeeds(&sojourn(
        dir.path(),
        &["audit", "verify", "--db", &restored, "--anchor", &anchor],
    ));
    for role in ["source", "restored"] {
        admin
            .batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", name(role)))
            .expect("database dropped");
    }
}
