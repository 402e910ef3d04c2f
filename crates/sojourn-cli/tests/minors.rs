//! A minor under 16 imported without a guardian (the sheets have no
//! guardian columns yet) is refused with its row number and the reason in
//! zh-CN and en, never stored; the adult beside it is imported.

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
