//! An import killed part way, then run again, ends with every row of the
//! file exactly once, and the first load's set-aside indexes back.
//!
//! The first import into an empty register is the bulk load: it commits a
//! batch of rows at a time and sets search indexes aside until it ends.
//! This test kills the process (SIGKILL, no chance to clean up) once at
//! least one batch is committed and before the last, runs the same import
//! to completion, and reads the database back.
//!
//! The default size keeps a debug build well under a minute; the
//! 1,000,000-row run of docs/PERFORMANCE.md is
//!
//! ```text
//! SOJOURN_KILL_TEST_ROWS=1000000 cargo test --release -p sojourn-cli --test interrupted_import -- --nocapture
//! ```
//!
//! (`SOJOURN_KILL_TEST_AFTER=500000` waits for half the rows before the kill.)

use rusqlite::{Connection, OpenFlags};
use sojourn_domain::codes::IdNumber;
use sojourn_domain::codes::id_number::check_character;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::Store;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::Date;
use time::macros::date;

const TOWN: &str = "110101001";
/// Rows by default: a few of the import's 50,000-row batches.
const DEFAULT_ROWS: usize = 120_000;
/// The columns of `sojourn import residents` (bench/gen_residents.py).
const COLUMNS: &str = "id_number,name,sex,birth_date,ethnicity,domicile,domicile_address,\
phone,marital_status,education,political_status,occupation,unit,arrived_on,\
intended_stay_months,reason,current_address,house_address,employer_uscc,status,\
departed_on,destination,destination_address,departure_reason";
/// County-level divisions that issue ID numbers (all outside Beijing).
const COUNTIES: [&str; 8] = [
    "410102", "510104", "340102", "430102", "130102", "370102", "500101", "450102",
];
/// The communities `sojourn init --unit 110101001` creates.
const UNITS: [&str; 10] = [
    "110101001001",
    "110101001002",
    "110101001005",
    "110101001006",
    "110101001007",
    "110101001009",
    "110101001010",
    "110101001013",
    "110101001014",
    "110101001015",
];
/// Names as varied as a real street's: 30 surnames and two given characters
/// of 40 each, 48,000 names. With only a hundred names, a million people
/// would share a spelling and birth year some 200 at a time, and every
/// write pairs its file with each namesake as a probable duplicate.
const SURNAMES: [&str; 30] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: [&str; 40] = [
    "伟", "芳", "娜", "英", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "桂", "文", "辉", "玲", "华", "红", "建", "国", "志", "丽", "春", "晓",
    "云", "海", "亮", "鹏", "飞", "兰", "宁", "雪",
];
/// Birth dates span this many days from 1956-01-01 (to 2008).
const BIRTH_DAYS: usize = 19_000;
/// The indexes a bulk load sets aside (sojourn-store `DEFERRABLE_INDEXES`).
const DEFERRABLE_INDEXES: [&str; 6] = [
    "persons_name",
    "persons_pinyin",
    "persons_initials",
    "persons_phone_bidx",
    "residences_unit",
    "residences_arrival",
];

fn rows() -> usize {
    env_rows("SOJOURN_KILL_TEST_ROWS").unwrap_or(DEFAULT_ROWS)
}

/// Committed rows to wait for before the kill: the first batch unless
/// `SOJOURN_KILL_TEST_AFTER` asks for later (say half the file).
fn kill_after() -> i64 {
    env_rows("SOJOURN_KILL_TEST_AFTER").map_or(1, |n| i64::try_from(n).expect("fits"))
}

fn env_rows(name: &str) -> Option<usize> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} is a number of rows"))
    })
}

/// Row `i`'s ID number: distinct for every `i` below 152,000,000 (county,
/// birth day and sequence number each take a part of `i`).
fn id_number(i: usize) -> (String, Date) {
    let county = COUNTIES[i % COUNTIES.len()];
    let day = (i / COUNTIES.len()) % BIRTH_DAYS;
    let sequence = i / (COUNTIES.len() * BIRTH_DAYS);
    assert!(sequence < 1000, "too many rows for distinct ID numbers");
    let birth = date!(1956 - 01 - 01) + time::Duration::days(day as i64);
    let first17 = format!(
        "{county}{:04}{:02}{:02}{sequence:03}",
        birth.year(),
        u8::from(birth.month()),
        birth.day()
    );
    let check = check_character(&first17).expect("17 digits");
    (format!("{first17}{check}"), birth)
}

/// A valid, registered stay of a new person on each row.
fn write_csv(path: &Path, rows: usize) -> Vec<String> {
    let file = std::fs::File::create(path).expect("CSV created");
    let mut out = BufWriter::new(file);
    writeln!(out, "{COLUMNS}").expect("written");
    let mut ids = Vec::with_capacity(rows);
    for i in 0..rows {
        let (id, birth) = id_number(i);
        // The 17th digit: odd for men (1), even for women (2).
        let sex = if (id.as_bytes()[16] - b'0') % 2 == 1 {
            1
        } else {
            2
        };
        let name = format!(
            "{}{}{}",
            SURNAMES[i % SURNAMES.len()],
            GIVEN[(i / SURNAMES.len()) % GIVEN.len()],
            GIVEN[(i / (SURNAMES.len() * GIVEN.len())) % GIVEN.len()]
        );
        let arrived = date!(2024 - 01 - 01) + time::Duration::days((i % 700) as i64);
        writeln!(
            out,
            "{id},{name},{sex},{birth},01,{county},3组,,20,70,13,4,{unit},{arrived},12,01,\
             南池子大街{number}号,,,registered,,,,",
            county = &id[..6],
            unit = UNITS[i % UNITS.len()],
            number = i % 300 + 1,
        )
        .expect("written");
        ids.push(id);
    }
    out.flush().expect("flushed");
    ids
}

fn sojourn(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sojourn"));
    command.current_dir(dir).stdin(Stdio::null());
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The database read directly, without the store (whose opening restores
/// what a load set aside), and without taking any lock a writer needs.
fn read_only(db: &Path) -> Connection {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("database opens")
}

/// While the import runs.
fn count(db: &Path, sql: &str) -> rusqlite::Result<i64> {
    read_only(db).query_row(sql, [], |row| row.get(0))
}

/// Once no process has the database open: a connection that may write, so
/// that it can recover the log of a writer that was killed (a read-only
/// one cannot, and finds the database busy).
fn count_after(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .and_then(|c| c.query_row(sql, [], |row| row.get(0)))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Waits until the import has committed at least one batch, then kills
/// it; returns how many persons were committed when it died.
fn kill_after_first_batch(dir: &Path, db: &Path, csv: &Path, rows: usize) -> i64 {
    let mut child = sojourn(dir)
        .args(["import", "residents"])
        .arg(csv)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the import starts");
    let started = Instant::now();
    let wanted = kill_after();
    loop {
        if let Some(status) = child.try_wait().expect("child status") {
            panic!(
                "the import ended ({status}) before it could be killed; \
                 set SOJOURN_KILL_TEST_ROWS higher than {rows}"
            );
        }
        // A read can find the database busy mid-commit: try again.
        if count(db, "SELECT count(*) FROM persons").is_ok_and(|n| n >= wanted) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "no batch committed in ten minutes"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("SIGKILL sent");
    child.wait().expect("the import is reaped");
    let committed = count_after(db, "SELECT count(*) FROM persons");
    eprintln!(
        "killed after {:.1} s with {committed} of {rows} rows committed",
        started.elapsed().as_secs_f64()
    );
    committed
}

#[test]
fn an_import_killed_midway_then_run_again_ends_with_every_row_exactly_once() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = |name: &str| -> PathBuf { dir.path().join(name) };
    let (db, csv) = (path("sojourn.db"), path("residents.csv"));
    let init = sojourn(dir.path())
        .args(["init", "--unit", TOWN])
        .output()
        .expect("init runs");
    assert!(init.status.success(), "{}", text(&init.stderr));
    let rows = rows();
    let ids = write_csv(&csv, rows);

    let committed = kill_after_first_batch(dir.path(), &db, &csv, rows);
    let n = i64::try_from(rows).expect("rows fit");
    assert!(
        committed > 0 && committed < n,
        "killed midway: {committed} of {rows} committed"
    );
    assert_eq!(
        count_after(&db, "SELECT count(*) FROM residences"),
        committed,
        "whole rows only: a stay for every person committed"
    );
    assert!(
        count_after(&db, "SELECT count(*) FROM deferred_schema") > 0,
        "the killed bulk load left indexes set aside (else this test tests nothing)"
    );

    let started = Instant::now();
    let again: Output = sojourn(dir.path())
        .args(["import", "residents"])
        .arg(&csv)
        .output()
        .expect("the import runs again");
    eprintln!("second run: {:.1} s", started.elapsed().as_secs_f64());
    let out = text(&again.stdout);
    let summary = out.lines().last().unwrap_or_default();
    eprintln!("{summary}");
    let first: Vec<&str> = out.lines().take(2).collect();
    assert!(
        again.status.success(),
        "{first:?} … {summary}\n{}",
        text(&again.stderr)
    );
    // The rows the killed run committed are neither new nor refused.
    let fresh = n - committed;
    assert!(
        summary.starts_with(&format!(
            "residents: {fresh} accepted, 0 refused, {committed} already imported / "
        )),
        "{summary}"
    );
    assert!(
        !out.lines().any(|line| line.starts_with("refused ")),
        "no row refused"
    );

    let direct = |sql: &str| count_after(&db, sql);
    assert_eq!(direct("SELECT count(*) FROM persons"), n);
    assert_eq!(direct("SELECT count(*) FROM residences"), n);
    assert_eq!(
        direct(
            "SELECT count(*) FROM (SELECT person_id FROM residences \
             GROUP BY person_id HAVING count(*) <> 1)"
        ),
        0,
        "one stay per person"
    );
    assert_eq!(direct("SELECT count(*) FROM deferred_schema"), 0);
    for index in DEFERRABLE_INDEXES {
        let sql =
            format!("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '{index}'");
        assert_eq!(direct(&sql), 1, "index {index} is back");
    }
    assert_eq!(
        direct("SELECT sum(n) FROM stat_current"),
        n,
        "the running totals count every stay once"
    );

    let keys = sojourn_store::crypto::load_keys(&path("sojourn.key"))
        .expect("key file readable")
        .expect("init made the key file");
    let store: Arc<dyn Store> =
        sojourn_store::open(db.to_str().expect("UTF-8 path"), keys).expect("store opens");
    let scope = Scope::of(UnitCode::parse(TOWN).expect("unit code"));
    // The first and last rows, both sides of where the kill fell, and a
    // spread in between.
    let boundary = usize::try_from(committed).expect("fits");
    let mut sample: Vec<usize> = (0..rows).step_by((rows / 200).max(1)).collect();
    sample.extend([
        0,
        rows - 1,
        boundary - 1,
        boundary,
        (boundary + 1).min(rows - 1),
    ]);
    for i in sample {
        let id = IdNumber::parse(&ids[i]).expect("valid number");
        let person = store
            .find_person(&scope, &id)
            .expect("lookup")
            .unwrap_or_else(|| panic!("row {} ({}) was imported", i + 2, ids[i]));
        let stays = store.residences_of(&scope, person.id).expect("stays");
        assert_eq!(stays.len(), 1, "row {}: one stay", i + 2);
    }
}
