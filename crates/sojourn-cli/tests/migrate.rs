//! `sojourn migrate`, run for real: a store made by the previous release's
//! migrations is upgraded (`--check` saying how first, changing nothing),
//! and a store a newer version has migrated is refused by every command.

use sojourn_store::crypto::{Keyring, write_key_file};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn sojourn(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sojourn"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

#[track_caller]
fn succeeds(output: &Output) -> String {
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    said
}

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sojourn-store/migrations/sqlite")
}

/// A store as the previous release left it: every migration but the
/// last applied (the files in name order are the order they apply in).
/// Returns the last one's name.
fn previous_release_store(path: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(migrations_dir())
        .expect("migrations")
        .map(|e| e.expect("entry").path())
        .filter_map(|p| {
            p.file_name()?
                .to_str()?
                .strip_suffix(".sql")
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    let last = names.pop().expect("a migration");
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF; \
         CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .expect("schema_migrations");
    for name in &names {
        let sql = std::fs::read_to_string(migrations_dir().join(format!("{name}.sql")))
            .expect("migration");
        conn.execute_batch(&sql).expect("old migration");
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?1, '2026-01-01T00:00:00Z')",
            [name],
        )
        .expect("recorded");
    }
    last
}

#[test]
fn a_store_of_the_previous_release_is_upgraded_and_check_says_how_first() {
    let dir = tempfile::tempdir().expect("dir");
    let last = previous_release_store(&dir.path().join("old.db"));
    write_key_file(&dir.path().join("sojourn.key"), &Keyring::generate()).expect("key file");

    let check = succeeds(&sojourn(
        dir.path(),
        &["migrate", "--check", "--db", "old.db"],
    ));
    assert!(
        check.contains("an upgrade would apply 1 migration(s)") && check.contains(&last),
        "{check}"
    );
    assert!(check.contains("升级将依次执行 1 项迁移"), "{check}");
    // Checking changed nothing: the same answer again.
    assert_eq!(
        succeeds(&sojourn(
            dir.path(),
            &["migrate", "--check", "--db", "old.db"]
        )),
        check
    );

    let applied = succeeds(&sojourn(dir.path(), &["migrate", "--db", "old.db"]));
    assert!(
        applied.contains(&last) && applied.contains("done"),
        "{applied}"
    );
    let now = succeeds(&sojourn(
        dir.path(),
        &["migrate", "--check", "--db", "old.db"],
    ));
    assert!(now.contains("the store is current"), "{now}");
    // The upgraded store takes a deployment.
    succeeds(&sojourn(
        dir.path(),
        &["init", "--unit", "110101001", "--db", "old.db"],
    ));
}

#[test]
fn a_store_of_a_newer_version_is_refused_by_every_command() {
    let dir = tempfile::tempdir().expect("dir");
    succeeds(&sojourn(
        dir.path(),
        &["init", "--unit", "110101001", "--db", "s.db"],
    ));
    let conn = rusqlite::Connection::open(dir.path().join("s.db")).expect("open");
    conn.execute(
        "INSERT INTO schema_migrations VALUES ('9999_from_a_newer_version', '2027-01-01T00:00:00Z')",
        [],
    )
    .expect("a newer version's migration");
    let entries = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
            .expect("count")
    };
    let before = entries(&conn);
    for args in [
        &["migrate", "--check"][..],
        &["migrate"],
        &["audit", "verify"],
        &["export", "residents"],
    ] {
        let mut args = args.to_vec();
        args.extend(["--db", "s.db"]);
        let output = sojourn(dir.path(), &args);
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            said.contains("upgraded by a newer version of Sojourn")
                && said.contains("已由更新版本的 Sojourn 升级")
                && said.contains("9999_from_a_newer_version"),
            "{args:?}: {said}"
        );
    }
    assert_eq!(entries(&conn), before, "nothing was written");
}
