//! `sojourn audit verify` and `sojourn audit export`, run for real: an
//! entry edited, deleted, inserted or moved directly in the database is
//! named, and the command exits non-zero.

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

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A deployment whose trail holds the three administrators' accounts and
/// a few exports.
fn initialised() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let init = sojourn(dir.path(), &["init", "--unit", "110101001", "--db", "s.db"]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    for register in ["residents", "houses", "employers"] {
        let export = sojourn(dir.path(), &["export", register, "--db", "s.db"]);
        assert!(export.status.success());
    }
    let db = dir.path().join("s.db");
    (dir, db)
}

fn tamper(db: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.execute_batch(
        "DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete;",
    )
    .expect("triggers dropped");
    conn.execute_batch(sql).expect("tampered");
}

#[test]
fn verify_passes_an_intact_trail_and_names_an_entry_edited_in_the_database() {
    let (dir, db) = initialised();
    let ok = sojourn(dir.path(), &["audit", "verify", "--db", "s.db"]);
    assert!(ok.status.success(), "{}", stdout(&ok));
    assert!(
        stdout(&ok).contains("audit trail intact: 6 entries"),
        "{}",
        stdout(&ok)
    );
    assert!(stdout(&ok).contains("anchor"));

    tamper(
        &db,
        "UPDATE audit_log SET actor_name = 'someone' WHERE seq = 2",
    );
    let bad = sojourn(dir.path(), &["audit", "verify", "--db", "s.db"]);
    assert!(!bad.status.success());
    let text = stdout(&bad);
    assert!(text.contains("TAMPERED"), "{text}");
    assert!(text.contains("entry 2 was edited"), "{text}");
    assert!(text.contains("第2条记录被篡改"), "{text}");
}

#[test]
fn verify_names_deleted_inserted_and_reordered_entries() {
    let (dir, db) = initialised();
    tamper(
        &db,
        "DELETE FROM audit_log WHERE seq = 3; \
         UPDATE audit_log SET seq = -5 WHERE seq = 5; \
         UPDATE audit_log SET seq = 5 WHERE seq = 6; \
         UPDATE audit_log SET seq = 6 WHERE seq = -5;",
    );
    let bad = sojourn(dir.path(), &["audit", "verify", "--db", "s.db"]);
    assert!(!bad.status.success());
    let text = stdout(&bad);
    assert!(text.contains("entry 3 was deleted"), "{text}");
    assert!(text.contains("moved"), "{text}");

    let (dir, db) = initialised();
    tamper(
        &db,
        "INSERT INTO audit_log SELECT 99, at_us, 'mallory', actor_account, actor_role, \
         actor_unit, actor_token, address, action, object_kind, object_id, unit_code, outcome, \
         details, prev_hash, hash FROM audit_log WHERE seq = 6; \
         UPDATE audit_log SET seq = 100 WHERE seq = 99;",
    );
    let bad = sojourn(dir.path(), &["audit", "verify", "--db", "s.db"]);
    assert!(!bad.status.success());
    let text = stdout(&bad);
    assert!(text.contains("entry 100 was edited"), "{text}");
    assert!(text.contains("entry 100 was inserted"), "{text}");
    assert!(
        !text.contains("entries 6"),
        "the genuine entries stand: {text}"
    );
}

#[test]
fn an_exported_archive_verifies_on_its_own_and_an_anchor_catches_a_cut() {
    let (dir, db) = initialised();
    let export = sojourn(
        dir.path(),
        &["audit", "export", "trail.jsonl", "--db", "s.db"],
    );
    assert!(export.status.success());
    let note = String::from_utf8_lossy(&export.stderr).into_owned();
    let anchor = note
        .lines()
        .find_map(|l| l.split("校验锚点：").nth(1))
        .expect("an anchor")
        .trim()
        .to_owned();
    let file = sojourn(dir.path(), &["audit", "verify", "--file", "trail.jsonl"]);
    assert!(file.status.success(), "{}", stdout(&file));
    assert!(stdout(&file).contains("intact: 6 entries"));
    // Cut the last entries off, head and all: only the anchor knows.
    tamper(
        &db,
        "DELETE FROM audit_log WHERE seq >= 6; DROP TRIGGER audit_head_forward_only; \
         UPDATE audit_head SET seq = 5, hash = (SELECT hash FROM audit_log WHERE seq = 5);",
    );
    let cut = sojourn(
        dir.path(),
        &["audit", "verify", "--db", "s.db", "--anchor", &anchor],
    );
    assert!(!cut.status.success());
    assert!(
        stdout(&cut).contains("no longer has the hash"),
        "{}",
        stdout(&cut)
    );
}
