//! The `sojourn` binary run for real, in a temporary directory: init,
//! import, export, demo generation and check-id.

use sojourn_cli::demo::accounts::{DEMO_PASSWORD, made_by_demo, open_demo_accounts};
use sojourn_cli::demo::{DemoCounts, DemoSize, generate};
use sojourn_domain::account::{Role, Username};
use sojourn_domain::codes::DivisionCode;
use sojourn_domain::codes::division::{self, is_known_county_code};
use sojourn_domain::codes::id_number::check_character;
use sojourn_domain::codes::{IdNumber, Uscc};
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::{
    EmployerQuery, HouseQuery, OutflowQuery, PageRequest, ResidentQuery, StatusFilter, Store,
};
use sojourn_web::auth::password;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use time::Date;
use time::macros::date;

const TOWN: &str = "110101001";
const COMMUNITY: &str = "110101001001";

/// A working directory of its own, where `sojourn.db` is the default.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_sojourn"))
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs")
    }

    fn init(&self, db: &str) {
        let output = self.run(&["init", "--unit", TOWN, "--db", db]);
        assert!(output.status.success(), "{}", stderr(&output));
    }

    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.path(name), text).expect("file written");
        name.to_owned()
    }

    /// The store as the binary opens it: with the key file beside it
    /// (made here if no command has made it yet).
    fn store(&self, db: &str) -> Arc<dyn Store> {
        let (keys, _) = sojourn_store::crypto::load_or_create_keys(&self.path("sojourn.key"))
            .expect("key file reads");
        sojourn_store::open(self.path(db).to_str().expect("UTF-8 path"), keys).expect("store opens")
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scope() -> Scope {
    Scope::of(UnitCode::parse(TOWN).expect("unit code"))
}

fn with_check(first17: &str) -> String {
    format!("{first17}{}", check_character(first17).expect("17 digits"))
}

// ---- init ----

#[test]
fn init_roots_the_deployment_and_a_second_run_changes_nothing() {
    let sandbox = Sandbox::new();
    let first = sandbox.run(&["init", "--unit", TOWN]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("东华门街道 (110101001)"),
        "{}",
        stdout(&first)
    );

    let second = sandbox.run(&["init", "--unit", TOWN]);
    assert!(second.status.success());
    assert!(
        stdout(&second).contains("already initialised"),
        "{}",
        stdout(&second)
    );

    let elsewhere = sandbox.run(&["init", "--unit", "110101002"]);
    assert!(!elsewhere.status.success());
    assert!(stderr(&elsewhere).contains("already initialised for 东华门街道"));

    let store = sandbox.store("sojourn.db");
    let root = store
        .deployment_root_unscoped()
        .expect("root")
        .expect("initialised");
    assert_eq!(root.code.as_str(), TOWN);
    let communities = store.list_units(&scope(), Some(&root.code)).expect("units");
    assert_eq!(communities.len(), 10);
    assert!(
        communities
            .iter()
            .any(|u| u.name.as_str() == "多福巷社区居委会")
    );
}

#[test]
fn init_at_a_county_roots_it_with_every_town_and_their_communities() {
    let sandbox = Sandbox::new();
    let first = sandbox.run(&["init", "--unit", "350181"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("福清市 (350181)"),
        "{}",
        stdout(&first)
    );

    let store = sandbox.store("sojourn.db");
    let root = store
        .deployment_root_unscoped()
        .expect("root")
        .expect("initialised");
    assert_eq!(root.code.as_str(), "350181");
    let county = Scope::of(root.code.clone());
    let towns = store.list_units(&county, Some(&root.code)).expect("towns");
    let in_the_data = division::children(Some(&DivisionCode::parse_form("350181").expect("code")));
    assert_eq!(towns.len(), in_the_data.len());
    assert!(towns.len() > 10, "{} towns", towns.len());
    for (town, division) in towns.iter().zip(&in_the_data) {
        assert_eq!(town.code.as_str(), division.code.as_str());
        let communities = store.list_units(&county, Some(&town.code)).expect("units");
        let expected = division::children(Some(&division.code));
        assert_eq!(communities.len(), expected.len(), "{}", town.name);
        assert!(communities.iter().all(|c| c.code.as_str().len() == 12));
    }

    let again = sandbox.run(&["init", "--unit", "350181"]);
    assert!(again.status.success());
    assert!(stdout(&again).contains("already initialised"));
    let a_town = sandbox.run(&["init", "--unit", towns[0].code.as_str()]);
    assert!(!a_town.status.success());
    assert!(stderr(&a_town).contains("already initialised for 福清市"));
}

#[test]
fn init_refuses_codes_that_are_not_a_known_county_or_town() {
    let sandbox = Sandbox::new();
    for (code, reason) in [
        ("110000", "is not a county or town code"),
        ("1101", "is not a county or town code"),
        ("110101001001", "is not a county or town code"),
        ("11010100100a", "is not a county or town code"),
        ("110101999", "no county, town or street with code 110101999"),
        ("110199", "no county, town or street with code 110199"),
    ] {
        let output = sandbox.run(&["init", "--unit", code]);
        assert!(!output.status.success(), "{code}");
        assert!(
            stderr(&output).contains(reason),
            "{code}: {}",
            stderr(&output)
        );
    }
    let store = sandbox.store("sojourn.db");
    assert_eq!(store.deployment_root_unscoped().expect("root"), None);
}

#[test]
fn serve_refuses_an_uninitialised_database() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["serve", "--listen", "127.0.0.1:0"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("sojourn init --unit"),
        "{}",
        stderr(&output)
    );
}

// ---- accounts ----

/// The password printed for `username` in a sign-in table.
fn printed_password(output: &str, username: &str) -> String {
    output
        .lines()
        .find_map(|line| {
            let mut cells = line.split_whitespace();
            (cells.next() == Some(username)).then(|| {
                // user, role, unit name, unit code, password, secret
                cells.nth(3).unwrap_or_default().to_owned()
            })
        })
        .unwrap_or_default()
}

fn credentials(store: &dyn Store, username: &str) -> sojourn_store::Credentials {
    let name = Username::parse(username).expect("user name");
    store
        .credentials_unscoped(&name)
        .expect("lookup")
        .expect("the account exists")
}

#[test]
fn init_opens_the_three_administrators_once_with_one_time_passwords_and_second_factors() {
    let sandbox = Sandbox::new();
    let first = sandbox.run(&["init", "--unit", TOWN]);
    assert!(first.status.success(), "{}", stderr(&first));
    let printed = stdout(&first);
    let store = sandbox.store("sojourn.db");
    for (username, role) in [
        ("sysadmin", Role::SystemAdmin),
        ("secadmin", Role::SecurityAdmin),
        ("auditadmin", Role::AuditAdmin),
    ] {
        assert!(
            printed.contains(&format!("otpauth://totp/Sojourn:{username}?secret=")),
            "{printed}"
        );
        let stored = credentials(&*store, username);
        assert_eq!(stored.account.roles, [role]);
        assert_eq!(stored.account.unit.as_str(), TOWN);
        assert!(stored.account.must_change_password);
        let secret = stored.totp_secret.expect("a second factor");
        assert!(printed.contains(&secret));
        let password = printed_password(&printed, username);
        assert_eq!(password.len(), 19, "{printed}");
        assert!(password::verify(&password, &stored.password_hash));
        assert!(!stored.password_hash.contains(&password));
    }
    let sysadmin = printed_password(&printed, "sysadmin");
    assert_ne!(sysadmin, printed_password(&printed, "secadmin"));

    let second = sandbox.run(&["init", "--unit", TOWN]);
    assert!(!stdout(&second).contains("otpauth"), "shown once only");
    assert!(password::verify(
        &sysadmin,
        &credentials(&*store, "sysadmin").password_hash
    ));
}

#[test]
fn reset_account_gives_a_new_one_time_password_and_second_factor() {
    let sandbox = Sandbox::new();
    sandbox.init("sojourn.db");
    let output = sandbox.run(&["reset-account", "secadmin"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    let stored = credentials(&*sandbox.store("sojourn.db"), "secadmin");
    assert!(password::verify(
        &printed_password(&printed, "secadmin"),
        &stored.password_hash
    ));
    assert!(stored.account.must_change_password);
    assert!(printed.contains(&stored.totp_secret.expect("secret")));
    let unknown = sandbox.run(&["reset-account", "nobody"]);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("no account"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn demo_gives_a_sign_in_for_a_user_of_every_role() {
    let sandbox = Sandbox::new();
    let store = sandbox.store("demo.db");
    let root = match sojourn_cli::init::init_deployment(&*store, TOWN).expect("init") {
        sojourn_cli::init::InitOutcome::Created { root, .. } => root,
        other => panic!("{other:?}"),
    };
    let issued = open_demo_accounts(&*store, &root).expect("demo accounts");
    let mut roles: Vec<Role> = issued.iter().flat_map(|a| a.roles.clone()).collect();
    roles.sort();
    roles.dedup();
    assert_eq!(roles, Role::ALL.to_vec());
    for account in &issued {
        assert_eq!(account.password, DEMO_PASSWORD);
        let stored = credentials(&*store, &account.username);
        assert!(password::verify(DEMO_PASSWORD, &stored.password_hash));
        assert_eq!(
            account.totp_secret.is_some(),
            account.roles.iter().any(|r| r.is_administrator())
        );
    }
    let coord2 = issued
        .iter()
        .find(|a| a.username == "coord2")
        .expect("coord2");
    assert_eq!(coord2.unit.code.as_str(), "110101001002");
    // A second run opens nothing and prints the same sign-ins.
    let again = open_demo_accounts(&*store, &root).expect("demo accounts");
    assert_eq!(again, issued);
}

#[test]
fn demo_refuses_a_database_made_by_init_and_changes_nothing() {
    let sandbox = Sandbox::new();
    sandbox.init("office.db");
    let snapshot = |store: &dyn Store| {
        let accounts: Vec<(String, String)> = store
            .list_accounts(&scope())
            .expect("accounts")
            .into_iter()
            .map(|a| {
                let hash = credentials(store, a.username.as_str()).password_hash;
                (a.username.to_string(), hash)
            })
            .collect();
        let trail = store
            .audit_entries_unscoped(0, 100_000)
            .expect("trail")
            .len();
        (accounts, trail)
    };
    let before = snapshot(&*sandbox.store("office.db"));
    let output = sandbox.run(&["demo", "--no-serve", "--db", "office.db"]);
    assert!(!output.status.success(), "{}", stdout(&output));
    let message = stderr(&output);
    assert!(message.contains("sojourn init"), "{message}");
    assert!(message.contains("不是由 sojourn demo 建立"), "{message}");
    assert!(message.contains("Nothing was changed"), "{message}");
    let store = sandbox.store("office.db");
    assert_eq!(snapshot(&*store), before);
    let director = Username::parse("director").expect("name");
    assert_eq!(store.credentials_unscoped(&director).expect("lookup"), None);
    let all = ResidentQuery {
        status: StatusFilter::Any,
        ..ResidentQuery::default()
    };
    assert_eq!(
        store.search_residents(&scope(), &all).expect("list").total,
        0
    );
}

#[test]
fn a_database_made_by_demo_is_one_demo_may_reopen_and_one_made_by_init_is_not() {
    let sandbox = Sandbox::new();
    let store = sandbox.store("demo.db");
    let root = match sojourn_cli::init::init_deployment(&*store, TOWN).expect("init") {
        sojourn_cli::init::InitOutcome::Created { root, .. } => root,
        other => panic!("{other:?}"),
    };
    open_demo_accounts(&*store, &root).expect("demo accounts");
    assert!(made_by_demo(&*store).expect("judged"));
    sandbox.init("office.db");
    assert!(!made_by_demo(&*sandbox.store("office.db")).expect("judged"));
}

// ---- import ----

const HOUSES: &str = "unit,address,landlord_kind,landlord_name,landlord_id_number,landlord_uscc,landlord_phone,rooms,usage,filed_on,security_agreement_on\n\
110101001001,多福巷1号院1号楼1单元101室,person,王建国,11010519491231002X,,13800138000,2,居住,2024-01-05,\n";

fn employers_csv() -> String {
    format!(
        "uscc,name,legal_representative,unit,address,phone,declared_workers\n{},北京鑫达餐饮管理有限公司,李明,110101001001,多福巷2号,010-65123456,12\n",
        uscc()
    )
}

fn uscc() -> String {
    let first17 = "91110101MA01ABCD2";
    let check = sojourn_domain::codes::uscc::check_character(first17).expect("17 characters");
    format!("{first17}{check}")
}

const RESIDENT_HEADER: &str = "id_number,name,ethnicity,domicile,phone,unit,arrived_on,reason,current_address,house_address,employer_uscc,status,departed_on,destination,departure_reason\n";

/// Two good rows and four bad ones: rows 4–7 of the sheet.
fn residents_csv(good: &str, departed: &str, tomorrow: Date) -> String {
    let wrong = if good.ends_with('0') { '1' } else { '0' };
    let bad_check = format!("{}{wrong}", &good[..17]);
    let other = with_check("41010219850101123");
    let third = with_check("41010219860202124");
    format!(
        "\u{feff}{RESIDENT_HEADER}\
{good},张三,汉族,410102001002,13912345678,{COMMUNITY},2024-03-01,务工,多福巷1号院1号楼1单元101室,多福巷1号院1号楼1单元101室,{uscc},active,,,\n\
{departed},李四,01,410102001002,,{COMMUNITY},2023-05-01,01,多福巷9号,,,departed,2024-02-01,410102001,返乡\n\
{bad_check},王五,汉族,410102001002,,{COMMUNITY},2024-03-01,务工,多福巷9号,,,,,,\n\
{other},赵六,汉族,410102001002,,{COMMUNITY},{tomorrow},务工,多福巷9号,,,,,,\n\
{third},钱七,汉族,419999001001,,{COMMUNITY},2024-03-01,务工,多福巷9号,,,,,,\n\
{good},张三丰,汉族,410102001002,,{COMMUNITY},2024-04-01,务工,多福巷9号,,,,,,\n",
        uscc = uscc(),
    )
}

fn import(sandbox: &Sandbox, register: &str, file: &str, db: &str) -> Output {
    sandbox.run(&["import", register, file, "--db", db])
}

#[test]
fn import_keeps_the_good_rows_and_refuses_each_bad_one_with_its_reason() {
    let sandbox = Sandbox::new();
    sandbox.init("sojourn.db");
    let houses = sandbox.write("houses.csv", HOUSES);
    assert!(
        import(&sandbox, "houses", &houses, "sojourn.db")
            .status
            .success()
    );
    let employers = sandbox.write("employers.csv", &employers_csv());
    assert!(
        import(&sandbox, "employers", &employers, "sojourn.db")
            .status
            .success()
    );

    let good = with_check("41010219800101123");
    let departed = with_check("34010419900315222");
    let tomorrow = sojourn_domain::time_rules::china_today()
        .next_day()
        .expect("a tomorrow");
    let file = sandbox.write("residents.csv", &residents_csv(&good, &departed, tomorrow));
    let output = import(&sandbox, "residents", &file, "sojourn.db");
    let text = stdout(&output);

    assert!(
        !output.status.success(),
        "refusals make the exit status non-zero"
    );
    assert!(text.contains("residents: 2 accepted, 4 refused"), "{text}");
    let refusals: Vec<&str> = text.lines().filter(|l| l.starts_with("refused")).collect();
    assert_eq!(refusals.len(), 4, "{text}");
    assert!(
        refusals[0].starts_with(
            "refused row 4, id_number [id_number_check_character]: 身份证号码校验位错误"
        ),
        "{}",
        refusals[0]
    );
    assert!(refusals[0].contains("/ wrong check character"));
    assert!(
        refusals[1].starts_with("refused row 5, arrived_on [date_in_future]: 日期"),
        "{}",
        refusals[1]
    );
    assert!(
        refusals[2].starts_with(
            "refused row 6, domicile [division_unknown]: 行政区划代码 419999001001 不存在"
        ),
        "{}",
        refusals[2]
    );
    assert!(
        refusals[3].starts_with("refused row 7, id_number [duplicate_residence]: 重卡"),
        "{}",
        refusals[3]
    );
    assert!(refusals[3].contains("多福巷社区居委会"));

    let store = sandbox.store("sojourn.db");
    let person = store
        .find_person(&scope(), &IdNumber::parse(&good).expect("valid"))
        .expect("lookup")
        .expect("the good row was stored");
    assert_eq!(
        person.details.name.as_str(),
        "张三",
        "the refused duplicate changed nothing"
    );
    let stays = store.residences_of(&scope(), person.id).expect("stays");
    assert_eq!(stays.len(), 1);
    assert_eq!(stays[0].status.key(), "active");
    assert!(stays[0].stay.house.is_some() && stays[0].stay.employer.is_some());
    let left = store
        .find_person(&scope(), &IdNumber::parse(&departed).expect("valid"))
        .expect("lookup")
        .expect("stored");
    assert_eq!(
        store.residences_of(&scope(), left.id).expect("stays")[0]
            .status
            .key(),
        "departed"
    );
    let all = ResidentQuery {
        status: StatusFilter::Any,
        ..ResidentQuery::default()
    };
    assert_eq!(
        store.search_residents(&scope(), &all).expect("list").total,
        2
    );
}

#[test]
fn import_refuses_a_file_over_the_row_bound_unless_the_flag_raises_it() {
    let sandbox = Sandbox::new();
    sandbox.init("sojourn.db");
    // The header and one house: two lines.
    let houses = sandbox.write("houses.csv", HOUSES);
    for dry_run in [false, true] {
        let mut args = vec![
            "import",
            "houses",
            &houses,
            "--max-rows",
            "1",
            "--db",
            "sojourn.db",
        ];
        if dry_run {
            args.push("--dry-run");
        }
        let refused = sandbox.run(&args);
        assert!(!refused.status.success());
        let said = stderr(&refused);
        assert!(said.contains("more than 1 rows"), "{said}");
        assert!(said.contains("超过 1 行"), "{said}");
    }
    assert_eq!(houses_in(&sandbox), 0, "nothing imported");
    let raised = sandbox.run(&[
        "import",
        "houses",
        &houses,
        "--max-rows",
        "2",
        "--db",
        "sojourn.db",
    ]);
    assert!(raised.status.success(), "{}", stderr(&raised));
    assert_eq!(houses_in(&sandbox), 1);
}

fn houses_in(sandbox: &Sandbox) -> u64 {
    let store = sandbox.store("sojourn.db");
    store
        .search_houses(&scope(), &sojourn_store::HouseQuery::default())
        .expect("houses")
        .total
}

#[test]
fn import_refuses_a_file_with_an_unknown_column_before_reading_any_row() {
    let sandbox = Sandbox::new();
    sandbox.init("sojourn.db");
    let file = sandbox.write("houses.csv", &HOUSES.replace("rooms", "room_count"));
    let output = import(&sandbox, "houses", &file, "sojourn.db");
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("unknown column \"room_count\""),
        "{}",
        stderr(&output)
    );
    let houses = sandbox
        .store("sojourn.db")
        .search_houses(&scope(), &HouseQuery::default())
        .expect("list");
    assert_eq!(houses.total, 0);
}

// ---- demo generation and export/import round trip ----

const SMALL: DemoSize = DemoSize {
    residents: 400,
    communities: 3,
    houses: 60,
    employers: 12,
    outflows: 40,
};
const TODAY: Date = date!(2026 - 06 - 15);

fn generate_into(sandbox: &Sandbox, db: &str, seed: u64) -> DemoCounts {
    sandbox.init(db);
    let store = sandbox.store(db);
    generate(&*store, &scope(), &SMALL, seed, TODAY).expect("generated")
}

fn one_page(limit: u32) -> PageRequest {
    PageRequest::new(0, limit).expect("a page")
}

#[test]
fn demo_generation_gives_valid_data_and_the_expected_counts() {
    let sandbox = Sandbox::new();
    let counts = generate_into(&sandbox, "demo.db", 7);
    assert_eq!(counts.persons, SMALL.residents);
    assert!(counts.departed > 0 && counts.returned > 0 && counts.returned <= counts.departed);
    assert!(counts.left_behind_elderly > 0 && counts.left_behind_children > 0);

    let store = sandbox.store("demo.db");
    let all = ResidentQuery {
        status: StatusFilter::Any,
        page: one_page(500),
        ..ResidentQuery::default()
    };
    let rows = store.search_residents(&scope(), &all).expect("list");
    assert_eq!(rows.total as usize, counts.stays);
    let departed = ResidentQuery {
        status: StatusFilter::Departed,
        ..ResidentQuery::default()
    };
    assert_eq!(
        store
            .search_residents(&scope(), &departed)
            .expect("list")
            .total as usize,
        counts.departed
    );
    let root = UnitCode::parse(TOWN).expect("unit code");
    let mut first_communities = store.list_units(&scope(), Some(&root)).expect("units");
    first_communities.truncate(SMALL.communities);
    let first_communities: Vec<&str> = first_communities.iter().map(|u| u.code.as_str()).collect();
    for row in &rows.items {
        let number = row.person.id_number.as_str();
        let reparsed = IdNumber::parse_as_of(number, TODAY).expect("every generated ID parses");
        assert!(is_known_county_code(reparsed.address_code()), "{number}");
        assert!(first_communities.contains(&row.residence.stay.unit.as_str()));
        assert!(row.residence.stay.arrived_on.date() <= TODAY);
    }

    let houses = store
        .search_houses(&scope(), &HouseQuery::default())
        .expect("list");
    assert_eq!(houses.total as usize, SMALL.houses);
    let employers = store
        .search_employers(
            &scope(),
            &EmployerQuery {
                page: one_page(100),
                ..EmployerQuery::default()
            },
        )
        .expect("list");
    assert_eq!(employers.total as usize, SMALL.employers);
    for employer in &employers.items {
        let uscc = Uscc::parse(employer.uscc.as_str()).expect("every credit code parses");
        assert!(uscc.organisation_code_check_holds(), "{uscc}");
    }
    let outflows = store
        .search_outflows(
            &scope(),
            &OutflowQuery {
                page: one_page(100),
                ..OutflowQuery::default()
            },
        )
        .expect("list");
    assert_eq!(outflows.total as usize, SMALL.outflows);
    let members: usize = outflows
        .items
        .iter()
        .map(|o| o.details.left_behind.len())
        .sum();
    assert_eq!(
        members,
        counts.left_behind_elderly + counts.left_behind_children
    );
}

fn export_all(store: &dyn Store) -> Vec<String> {
    sojourn_cli::registers::Register::ALL
        .iter()
        .map(|&register| {
            let mut out = Vec::new();
            sojourn_cli::export::run(store, &scope(), register, &mut out).expect("exported");
            String::from_utf8(out).expect("UTF-8")
        })
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_street() {
    let sandbox = Sandbox::new();
    generate_into(&sandbox, "a.db", 11);
    generate_into(&sandbox, "b.db", 11);
    generate_into(&sandbox, "c.db", 12);
    let (a, b, c) = (
        export_all(&*sandbox.store("a.db")),
        export_all(&*sandbox.store("b.db")),
        export_all(&*sandbox.store("c.db")),
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
}

fn sorted_lines(path: &PathBuf) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("exported file");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

#[test]
fn export_then_import_into_a_fresh_database_round_trips() {
    let sandbox = Sandbox::new();
    generate_into(&sandbox, "first.db", 3);
    sandbox.init("second.db");
    let registers = ["houses", "employers", "residents", "outflows"];
    for register in registers {
        let file = format!("{register}.csv");
        let export = sandbox.run(&["export", register, &file, "--db", "first.db"]);
        assert!(export.status.success(), "{}", stderr(&export));
        assert!(
            std::fs::read(sandbox.path(&file))
                .expect("file")
                .starts_with(b"\xEF\xBB\xBF")
        );
        let imported = import(&sandbox, register, &file, "second.db");
        assert!(
            imported.status.success(),
            "{register}: {}",
            stdout(&imported)
        );
        assert!(stdout(&imported).contains(" 0 refused"));
    }
    for register in registers {
        let again = format!("{register}.again.csv");
        assert!(
            sandbox
                .run(&["export", register, &again, "--db", "second.db"])
                .status
                .success()
        );
        let (first, second) = (
            sandbox.path(&format!("{register}.csv")),
            sandbox.path(&again),
        );
        // Records the store lists by date alone may swap places when
        // their dates tie; the content must be the same.
        assert_eq!(sorted_lines(&first), sorted_lines(&second), "{register}");
    }
}

/// The totals of the four registers, departed stays and returned
/// outflows included.
fn totals(store: &dyn Store) -> [u64; 4] {
    let residents = ResidentQuery {
        status: StatusFilter::Any,
        ..ResidentQuery::default()
    };
    [
        store
            .search_residents(&scope(), &residents)
            .expect("residents")
            .total,
        store
            .search_houses(&scope(), &HouseQuery::default())
            .expect("houses")
            .total,
        store
            .search_employers(&scope(), &EmployerQuery::default())
            .expect("employers")
            .total,
        store
            .search_outflows(&scope(), &OutflowQuery::default())
            .expect("outflows")
            .total,
    ]
}

#[test]
fn export_then_import_into_the_same_database_writes_nothing() {
    let sandbox = Sandbox::new();
    generate_into(&sandbox, "street.db", 3);
    let before = totals(&*sandbox.store("street.db"));
    let registers = ["houses", "employers", "residents", "outflows"];
    for register in registers {
        let file = format!("{register}.csv");
        let export = sandbox.run(&["export", register, &file, "--db", "street.db"]);
        assert!(export.status.success(), "{}", stderr(&export));
    }
    for register in registers {
        let imported = import(&sandbox, register, &format!("{register}.csv"), "street.db");
        let text = stdout(&imported);
        assert!(imported.status.success(), "{register}: {text}");
        assert!(
            text.contains(&format!("{register}: 0 accepted, 0 refused, ")),
            "{register}: {text}"
        );
        assert!(text.contains("already imported"), "{register}: {text}");
    }
    assert_eq!(totals(&*sandbox.store("street.db")), before);
    for register in registers {
        let again = format!("{register}.again.csv");
        let export = sandbox.run(&["export", register, &again, "--db", "street.db"]);
        assert!(export.status.success(), "{}", stderr(&export));
        assert_eq!(
            sorted_lines(&sandbox.path(&format!("{register}.csv"))),
            sorted_lines(&sandbox.path(&again)),
            "{register} changed"
        );
    }
}

#[test]
fn houses_employers_and_outflows_imported_again_are_already_imported() {
    let sandbox = Sandbox::new();
    sandbox.init("sojourn.db");
    let number = with_check("41010219880808131");
    let other = with_check("41010219880808132");
    let outflows = format!(
        "id_number,name,unit,left_on,destination,returned_on\n\
{number},孙大,{COMMUNITY},2024-01-01,440106,2024-06-01\n\
{number},孙大,{COMMUNITY},2024-08-01,440106,\n\
{other},孙二,{COMMUNITY},2024-03-01,440106,2024-05-01\n"
    );
    let files = [
        ("houses", sandbox.write("houses.csv", HOUSES), 1),
        (
            "employers",
            sandbox.write("employers.csv", &employers_csv()),
            1,
        ),
        ("outflows", sandbox.write("outflows.csv", &outflows), 3),
    ];
    for (register, file, rows) in &files {
        let first = import(&sandbox, register, file, "sojourn.db");
        let text = stdout(&first);
        assert!(
            text.contains(&format!("{register}: {rows} accepted, 0 refused")),
            "{text}"
        );
    }
    let before = totals(&*sandbox.store("sojourn.db"));
    assert_eq!(before, [0, 1, 1, 3]);
    for (register, file, rows) in &files {
        let again = import(&sandbox, register, file, "sojourn.db");
        let text = stdout(&again);
        assert!(again.status.success(), "{text}");
        assert!(
            text.contains(&format!(
                "{register}: 0 accepted, 0 refused, {rows} already imported"
            )),
            "{text}"
        );
    }
    assert_eq!(totals(&*sandbox.store("sojourn.db")), before);
    // A house repeated within one file is still refused as a repeat.
    let twice = format!("{HOUSES}{}", HOUSES.lines().nth(1).expect("row"));
    let twice = sandbox.write("twice.csv", &twice.replace("101室", "102室"));
    let text = stdout(&import(&sandbox, "houses", &twice, "sojourn.db"));
    assert!(text.contains("houses: 1 accepted, 1 refused"), "{text}");
}

// ---- data keys ----

fn key_lines(sandbox: &Sandbox) -> Vec<String> {
    std::fs::read_to_string(sandbox.path("sojourn.key"))
        .expect("key file")
        .lines()
        .filter(|l| l.starts_with("sojourn-key-v1"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn init_makes_an_owner_only_key_file_kept_out_of_the_database() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["init", "--unit", TOWN]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("sojourn.key") && stdout(&output).contains("back it up"),
        "{}",
        stdout(&output)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sandbox.path("sojourn.key"))
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let keys = key_lines(&sandbox);
    assert_eq!(keys.len(), 1);
    let key = keys[0].trim_start_matches("sojourn-key-v1").trim();
    for file in ["sojourn.db", "sojourn.db-wal"] {
        if let Ok(bytes) = std::fs::read(sandbox.path(file)) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(key), "the key is in {file}");
        }
    }
    // A second init keeps the key.
    let again = sandbox.run(&["init", "--unit", TOWN]);
    assert!(again.status.success());
    assert_eq!(key_lines(&sandbox), keys);
}

#[test]
fn commands_refuse_a_missing_or_wrong_key_and_make_none() {
    let sandbox = Sandbox::new();
    sandbox.init("sojourn.db");
    let key = sandbox.path("sojourn.key");
    std::fs::rename(&key, sandbox.path("backup.key")).expect("moved");
    let serve = sandbox.run(&["serve", "--listen", "127.0.0.1:0"]);
    assert!(!serve.status.success());
    assert!(stderr(&serve).contains("no data key"), "{}", stderr(&serve));
    assert!(!key.exists(), "serve made a key");

    let wrong = sojourn_store::crypto::Keyring::generate();
    std::fs::write(&key, wrong.to_key_file()).expect("wrong key");
    let export = sandbox.run(&["export", "residents", "--db", "sojourn.db"]);
    assert!(!export.status.success());
    assert!(
        stderr(&export).contains("does not hold"),
        "{}",
        stderr(&export)
    );
    // `init` on a database encrypted under another key makes no new key.
    std::fs::remove_file(&key).expect("removed");
    let init = sandbox.run(&["init", "--unit", TOWN]);
    assert!(!init.status.success());
    assert!(!key.exists(), "init left a useless key behind");

    let with_backup = sandbox.run(&[
        "export",
        "residents",
        "--db",
        "sojourn.db",
        "--key-file",
        "backup.key",
    ]);
    assert!(with_backup.status.success(), "{}", stderr(&with_backup));
}

#[test]
fn keys_rotate_reencrypts_everything_and_finish_drops_the_old_key() {
    let sandbox = Sandbox::new();
    generate_into(&sandbox, "sojourn.db", 3);
    let original = key_lines(&sandbox);
    let export = |name: &str| {
        let out = sandbox.run(&["export", "residents", name, "--db", "sojourn.db"]);
        assert!(out.status.success(), "{}", stderr(&out));
        sorted_lines(&sandbox.path(name))
    };
    let before = export("before.csv");

    let rotate = sandbox.run(&["keys", "rotate", "--batch", "100"]);
    assert!(rotate.status.success(), "{}", stderr(&rotate));
    let rotating = key_lines(&sandbox);
    assert_eq!(rotating.len(), 2);
    assert_eq!(rotating[1], original[0], "the old key kept as retiring");
    assert_eq!(export("during.csv"), before);

    let finish = sandbox.run(&["keys", "rotate", "--finish"]);
    assert!(finish.status.success(), "{}", stderr(&finish));
    let after = key_lines(&sandbox);
    assert_eq!(after, vec![rotating[0].clone()]);
    assert_eq!(export("after.csv"), before);

    let old = sojourn_store::crypto::Keyring::parse_key_file(&original.join("\n")).expect("old");
    assert!(sojourn_store::open(sandbox.path("sojourn.db").to_str().expect("path"), old).is_err());
    let again = sandbox.run(&["keys", "rotate", "--finish"]);
    assert!(!again.status.success(), "no rotation under way");
}

// ---- check-id ----

#[test]
fn check_id_prints_one_line_per_number() {
    let sandbox = Sandbox::new();
    let valid = "11010519491231002X";
    let output = sandbox.run(&["check-id", valid, "110105194912310021", "12345"]);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with(valid) && lines[0].contains("valid"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("invalid"), "{}", lines[1]);
    assert!(lines[2].contains("invalid"), "{}", lines[2]);
    assert!(!output.status.success(), "an invalid number fails the run");

    let mut child = Command::new(env!("CARGO_BIN_EXE_sojourn"))
        .arg("check-id")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawned");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{valid}\n\n{valid}\n").as_bytes())
        .expect("written");
    let output = child.wait_with_output().expect("finished");
    assert!(output.status.success());
    assert_eq!(stdout(&output).lines().count(), 2);
}

// ---- the first load of an empty register ----

/// A file with the cases a load must decide alike on either path: a stay
/// that ended and the person's return, a duplicate (重卡), a bad number.
fn mixed_residents_csv() -> String {
    let back = with_check("34010419900315222");
    let twice = with_check("41010219800101123");
    let other = with_check("41010219850101123");
    let valid = with_check("41010219860202124");
    let wrong = if valid.ends_with('0') { '1' } else { '0' };
    let bad = format!("{}{wrong}", &valid[..17]);
    format!(
        "{RESIDENT_HEADER}\
{back},李四,01,410102001002,,{COMMUNITY},2023-05-01,01,多福巷9号,,,departed,2024-02-01,410102001,返乡\n\
{twice},张三,汉族,410102001002,13912345678,{COMMUNITY},2024-03-01,务工,多福巷1号,,,active,,,\n\
{twice},张三丰,汉族,410102001002,,{COMMUNITY},2024-04-01,务工,多福巷9号,,,,,,\n\
{bad},钱七,汉族,410102001002,,{COMMUNITY},2024-03-01,务工,多福巷9号,,,,,,\n\
{back},李肆,01,410102001002,,{COMMUNITY},2024-05-01,01,多福巷7号,,,registered,,,\n\
{other},赵六,汉族,410102001002,,{COMMUNITY},2024-03-02,务工,多福巷9号,,,,,,\n"
    )
}

#[test]
fn a_first_import_into_an_empty_register_decides_and_stores_as_into_a_filled_one() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("mixed.csv", &mixed_residents_csv());
    // Into an empty register: the bulk path, search indexes set aside.
    sandbox.init("bulk.db");
    let bulk = import(&sandbox, "residents", &file, "bulk.db");
    // Into a register that already has someone: the normal path.
    sandbox.init("normal.db");
    let someone = with_check("11010119700101001");
    let first = sandbox.write(
        "someone.csv",
        &format!(
            "{RESIDENT_HEADER}{someone},周一,汉族,110101001001,,{COMMUNITY},2022-01-01,务工,多福巷2号,,,,,,\n"
        ),
    );
    assert!(
        import(&sandbox, "residents", &first, "normal.db")
            .status
            .success()
    );
    let normal = import(&sandbox, "residents", &file, "normal.db");

    assert_eq!(stdout(&bulk), stdout(&normal));
    assert!(
        stdout(&bulk).contains("residents: 4 accepted, 2 refused"),
        "{}",
        stdout(&bulk)
    );
    let export = |db: &str| {
        let out = format!("{db}.csv");
        assert!(
            sandbox
                .run(&["export", "residents", &out, "--db", db])
                .status
                .success()
        );
        let mut lines = sorted_lines(&sandbox.path(&out));
        lines.retain(|line| !line.contains(&someone));
        lines
    };
    assert_eq!(export("bulk.db"), export("normal.db"));
    // The bulk-loaded store searches as the other does.
    let store = sandbox.store("bulk.db");
    let query = ResidentQuery {
        term: sojourn_domain::search::SearchTerm::parse("zs"),
        ..ResidentQuery::default()
    };
    let found = store.search_residents(&scope(), &query).expect("search");
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].person.details.name.as_str(), "张三");
}

#[test]
fn an_outflow_that_came_back_is_imported_closed_and_exported_with_its_return() {
    let sandbox = Sandbox::new();
    sandbox.init("sojourn.db");
    let number = with_check("41010219880808131");
    let early = with_check("41010219880808132");
    let future = with_check("41010219880808133");
    let tomorrow = sojourn_domain::time_rules::china_today()
        .next_day()
        .expect("a tomorrow");
    let file = sandbox.write(
        "outflows.csv",
        &format!(
            "id_number,name,unit,left_on,destination,returned_on\n\
{number},孙大,{COMMUNITY},2024-01-01,440106,2024-06-01\n\
{number},孙大,{COMMUNITY},2024-08-01,440106,\n\
{early},孙二,{COMMUNITY},2024-05-01,440106,2024-04-30\n\
{future},孙三,{COMMUNITY},2024-05-01,440106,{tomorrow}\n"
        ),
    );
    let output = import(&sandbox, "outflows", &file, "sojourn.db");
    let text = stdout(&output);
    assert!(text.contains("outflows: 2 accepted, 2 refused"), "{text}");
    assert!(
        text.contains("refused row 4, returned_on [return_before_leaving]"),
        "{text}"
    );
    assert!(
        text.contains("refused row 5, returned_on [date_in_future]"),
        "{text}"
    );

    assert!(
        sandbox
            .run(&["export", "outflows", "out.csv", "--db", "sojourn.db"])
            .status
            .success()
    );
    let exported = std::fs::read_to_string(sandbox.path("out.csv")).expect("export");
    let rows: Vec<&str> = exported.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{exported}");
    assert!(
        rows[0].starts_with(&number) && rows[0].ends_with(",2024-06-01"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].starts_with(&number) && rows[1].ends_with(','),
        "{}",
        rows[1]
    );
    assert!(!exported.contains(&early) && !exported.contains(&future));
}
