//! Minors under 16 in an import: without a guardian a row is refused with
//! its row number and the reason in zh-CN and en, never stored (a dry run
//! says the same); with the guardian's columns filled it is imported with
//! its guardian; a wrong guardian cell is refused in its own column.

use sojourn_domain::codes::IdNumber;
use sojourn_domain::codes::id_number::check_character;
use sojourn_domain::unit::{Scope, UnitCode};
use std::process::{Command, Output, Stdio};

const TOWN: &str = "110101001";
const COMMUNITY: &str = "110101001001";
const HEADER: &str = "id_number,name,ethnicity,domicile,unit,arrived_on,reason,current_address\n";

fn with_check(first17: &str) -> String {
    let check = check_character(first17).expect("17 digits");
    format!("{first17}{check}")
}

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sojourn"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

#[test]
fn a_minor_without_a_guardian_is_refused_by_the_import_with_its_row() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let init = run(dir.path(), &["init", "--unit", TOWN, "--db", "sojourn.db"]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let adult = with_check("41010219850101123");
    // Born 2015-06-01: 8 on arrival.
    let child = with_check("41010220150601124");
    let csv = format!(
        "{HEADER}\
{adult},张三,汉族,410102001002,{COMMUNITY},2024-03-01,务工,多福巷9号\n\
{child},张小宝,汉族,410102001002,{COMMUNITY},2024-03-01,投靠亲友,多福巷9号\n"
    );
    std::fs::write(dir.path().join("residents.csv"), csv).expect("file written");
    let output = run(
        dir.path(),
        &["import", "residents", "residents.csv", "--db", "sojourn.db"],
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        !output.status.success(),
        "a refusal makes the exit status non-zero"
    );
    assert!(text.contains("residents: 1 accepted, 1 refused"), "{text}");
    let refusal = text
        .lines()
        .find(|l| l.starts_with("refused row 3"))
        .unwrap_or_else(|| panic!("row 3 refused: {text}"));
    assert!(refusal.contains("[guardian_required]"), "{refusal}");
    assert!(refusal.contains("guardian_name"), "{refusal}");
    assert!(refusal.contains("16周岁以下未成年人"), "{refusal}");
    assert!(refusal.contains("registered with a guardian"), "{refusal}");

    let (keys, _) = sojourn_store::crypto::load_or_create_keys(&dir.path().join("sojourn.key"))
        .expect("key file reads");
    let db = dir.path().join("sojourn.db");
    let store = sojourn_store::open(db.to_str().expect("UTF-8 path"), keys).expect("store opens");
    let scope = Scope::of(UnitCode::parse(TOWN).expect("unit code"));
    let find = |n: &str| {
        store
            .find_person(&scope, &IdNumber::parse(n).expect("valid"))
            .expect("lookup")
    };
    assert!(find(&adult).is_some(), "the adult was imported");
    assert!(find(&child).is_none(), "the refused minor changed nothing");
}

const GUARDIAN_HEADER: &str = "id_number,name,ethnicity,domicile,unit,arrived_on,reason,current_address,\
guardian_name,guardian_id_number,guardian_relation,guardian_phone\n";

#[test]
fn a_minor_with_a_guardian_is_imported_and_wrong_guardian_cells_are_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let init = run(dir.path(), &["init", "--unit", TOWN, "--db", "sojourn.db"]);
    assert!(init.status.success());
    let mother = with_check("41010219880101124");
    let child = with_check("41010220150601124");
    let child_two = with_check("41010220160701125");
    let child_three = with_check("41010220170801126");
    let teen = with_check("41010220120101127");
    let csv = format!(
        "{GUARDIAN_HEADER}\
{child},张小宝,汉族,410102001002,{COMMUNITY},2024-03-01,投靠亲友,多福巷9号,李梅,{mother},母亲,13812345678\n\
{child_two},张二宝,汉族,410102001002,{COMMUNITY},2024-03-01,投靠亲友,多福巷9号,李梅,{mother},姑姑,13812345678\n\
{child_three},张三宝,汉族,410102001002,{COMMUNITY},2024-03-01,投靠亲友,多福巷9号,李梅,{teen},母亲,13812345678\n\
{teen},张大宝,汉族,410102001002,{COMMUNITY},2024-03-01,投靠亲友,多福巷9号,,,,\n"
    );
    std::fs::write(dir.path().join("minors.csv"), csv).expect("file written");
    let args = ["import", "residents", "minors.csv", "--db", "sojourn.db"];
    let dry = run(dir.path(), &[&args[..], &["--dry-run"]].concat());
    let dry_text = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert!(dry_text.contains("1 would be accepted"), "{dry_text}");
    assert!(dry_text.contains("3 refused"), "{dry_text}");
    assert!(
        dry_text.contains("[guardian_required]"),
        "a dry run refuses a minor without a guardian: {dry_text}"
    );

    let output = run(dir.path(), &args);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(text.contains("residents: 1 accepted, 3 refused"), "{text}");
    let row = |n: u32| {
        text.lines()
            .find(|l| l.starts_with(&format!("refused row {n}")))
            .unwrap_or_else(|| panic!("row {n} refused: {text}"))
            .to_owned()
    };
    assert!(row(3).contains("guardian_relation"), "{}", row(3));
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("refused row 3") && l.contains("[guardian_required]")),
        "a refused guardian is not also reported missing: {text}"
    );
    assert!(row(4).contains("[guardian_not_adult]"), "{}", row(4));
    assert!(row(4).contains("guardian_id_number"), "{}", row(4));
    assert!(row(5).contains("[guardian_required]"), "{}", row(5));

    let (keys, _) = sojourn_store::crypto::load_or_create_keys(&dir.path().join("sojourn.key"))
        .expect("key file reads");
    let db = dir.path().join("sojourn.db");
    let store = sojourn_store::open(db.to_str().expect("UTF-8 path"), keys).expect("store opens");
    let scope = Scope::of(UnitCode::parse(TOWN).expect("unit code"));
    let id = IdNumber::parse(&child).expect("valid");
    let person = store
        .find_person(&scope, &id)
        .expect("lookup")
        .expect("the child with a guardian was imported");
    let guardian = person.details.guardian.expect("the guardian was stored");
    assert_eq!(guardian.id_number().to_string(), mother);
    assert_eq!(guardian.name().to_string(), "李梅");
}
