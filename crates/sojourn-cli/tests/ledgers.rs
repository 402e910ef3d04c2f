//! `sojourn import` of the ledgers street offices really keep (台账): the
//! community in the title or nowhere, the household registration as text
//! in a 户籍地址 column, no reason for stay, the template's sample row
//! left in, numbers stored as numbers, full-width digits, 15-digit
//! numbers, dates in six forms. Each row's outcome is asserted, the check
//! gives the import's verdict, and the register holds what the rows say.
//! The sheets are real .xlsx files written here; all people are synthetic.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use sojourn_domain::codes::id_number::check_character;
use sojourn_domain::codes::{IdNumber, ReasonForStay};
use sojourn_domain::quality::Rule;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::quality::RecordKind;
use sojourn_store::{ResidentQuery, StatusFilter, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

const TOWN: &str = "110101001";
/// 多福巷社区居委会, which the ledger's title names.
const DUOFU: &str = "110101001001";
/// 银闸社区居委会, another community of the town.
const YINZHA: &str = "110101001002";

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let sandbox = Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
        };
        let output = sandbox.run(&["init", "--unit", TOWN]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        sandbox
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

    fn store(&self) -> Arc<dyn Store> {
        let path = self.path("sojourn.db");
        let keys = sojourn_store::crypto::load_keys(&self.path("sojourn.key"))
            .expect("key file readable")
            .expect("init made the key file");
        sojourn_store::open(path.to_str().expect("UTF-8 path"), keys).expect("store opens")
    }

    fn stays(&self) -> u64 {
        let all = ResidentQuery {
            status: StatusFilter::Any,
            ..ResidentQuery::default()
        };
        self.store()
            .search_residents(&scope(), &all)
            .expect("list")
            .total
    }
}

fn scope() -> Scope {
    Scope::of(UnitCode::parse(TOWN).expect("unit code"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn with_check(first17: &str) -> String {
    format!("{first17}{}", check_character(first17).expect("17 digits"))
}

/// A cell as typed.
#[derive(Clone)]
enum Cell {
    Text(String),
    Number(f64),
    Date(u16, u8, u8),
    Blank,
}

fn t(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

impl Cell {
    fn write(&self, sheet: &mut Worksheet, row: u32, column: u16) {
        let date = Format::new().set_num_format("yyyy/m/d");
        match self {
            Self::Text(s) => sheet.write_string(row, column, s).map(drop),
            Self::Number(n) => sheet.write_number(row, column, *n).map(drop),
            Self::Date(y, m, d) => {
                let value = ExcelDateTime::from_ymd(*y, *m, *d).expect("a date");
                sheet
                    .write_datetime_with_format(row, column, value, &date)
                    .map(drop)
            }
            Self::Blank => Ok(()),
        }
        .expect("cell written");
    }
}

/// The ledger's columns in its own words: no 户籍地区划代码, no 所属社区,
/// no 来本地事由.
const HEADER: [&str; 12] = [
    "序号",
    "姓名",
    "身份证号码",
    "性别",
    "民族",
    "户籍地址",
    "来本地时间",
    "现居住地址",
    "联系电话",
    "注销日期",
    "去向",
    "备注",
];

/// One row: name, ID, 户籍地址, arrival; the rest filled plainly.
fn person(name: &str, id: Cell, domicile: &str, arrived: Cell) -> Vec<Cell> {
    vec![
        t(name),
        id,
        Cell::Blank,
        t("汉族"),
        t(domicile),
        arrived,
        t(&format!("多福巷{}号", name.chars().count() * 3)),
        Cell::Number(13_912_345_678.0),
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
    ]
}

/// A departed stay: departure date and destination.
fn departed(name: &str, id: &str, destination: &str) -> Vec<Cell> {
    let mut cells = person(name, t(id), "河南省郑州市中原区", t("2024-01-02"));
    cells[8] = t("2024-04-01");
    cells[9] = t(destination);
    cells
}

/// The people of the ledger, by the row they are on.
struct People {
    chen: String,
    lin: String,
    /// 15 digits, stored in a number cell.
    huang15: String,
    liu: String,
    yang: String,
    /// Issued by 大名县 under its code before 1993 (132121, now 130425).
    zhao_old_county: String,
    /// Issued by 崇文区 (110103), merged into 东城区 in 2010.
    sun_merged_district: String,
    zhou: String,
    wu: String,
    /// Lives in 银闸社区 already (重卡 for the ledger's row).
    zheng_elsewhere: String,
    wang_wrong_check: String,
    feng: String,
    /// A number whose address code names no province.
    qian_nowhere: String,
}

fn people() -> People {
    let good = with_check("41010219920202121");
    let last = if good.ends_with('0') { '1' } else { '0' };
    People {
        chen: with_check("41010219850101123"),
        lin: with_check("41010219860202124"),
        huang15: "410102870303125".into(),
        liu: with_check("41010219880404126"),
        yang: with_check("41010219890505127"),
        zhao_old_county: with_check("13212119800606128"),
        sun_merged_district: with_check("11010319810707129"),
        zhou: with_check("41010219820808120"),
        wu: with_check("41010219830909121"),
        zheng_elsewhere: with_check("41010219841010122"),
        wang_wrong_check: format!("{}{last}", &good[..17]),
        feng: with_check("41010219861212124"),
        qian_nowhere: with_check("99010119870101125"),
    }
}

/// The ledger: title rows naming (or not) the community, the header on
/// row 4, the template's sample on row 5, people from row 6.
fn ledger(path: &Path, title: &str, p: &People) {
    let full_width: String = p
        .lin
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
        .collect();
    let rows: Vec<(u32, Vec<Cell>)> = vec![
        // The template's own sample, left in by the clerk.
        (
            5,
            vec![
                t("张三"),
                t("11010519491231002X"),
                t("女"),
                t("汉族"),
                t("中原路1号"),
                t("2024-03-05"),
                t("多福巷12号"),
                Cell::Blank,
                Cell::Blank,
                Cell::Blank,
                Cell::Blank,
            ],
        ),
        (
            6,
            person(
                "陈一",
                t(&p.chen),
                "河南省郑州市中原区建设路12号",
                Cell::Date(2024, 3, 5),
            ),
        ),
        (
            7,
            person(
                "林二",
                t(&full_width),
                "河南郑州中原区林山寨街道",
                t("2024/3/5"),
            ),
        ),
        (
            8,
            person(
                "黄三",
                Cell::Number(p.huang15.parse().expect("digits")),
                "郑州市中原区",
                t("2024.3.5"),
            ),
        ),
        // Eighteen digits in a number cell: the last ones are lost.
        (
            9,
            person(
                "刘四",
                Cell::Number(p.liu.parse().expect("digits")),
                "河南省郑州市中原区",
                t("2024-03-05"),
            ),
        ),
        (
            10,
            person("杨五", t(&p.yang), "老家村里", t("2024年3月5日")),
        ),
        (
            11,
            person(
                "赵六",
                t(&p.zhao_old_county),
                "",
                Cell::Number(20_240_305.0),
            ),
        ),
        (
            12,
            person(
                "孙七",
                t(&p.sun_merged_district),
                "朝阳区幸福路3号",
                Cell::Number(45_356.0),
            ),
        ),
        (13, departed("周八", &p.zhou, "广东省")),
        (14, departed("吴九", &p.wu, "4403")),
        (
            15,
            person(
                "郑十",
                t(&p.zheng_elsewhere),
                "河南省郑州市中原区",
                t("2024-03-05"),
            ),
        ),
        (
            16,
            person(
                "王十一",
                t(&p.wang_wrong_check),
                "河南省郑州市中原区",
                t("2024-03-05"),
            ),
        ),
        // Row 17 blank; row 18 repeats row 6.
        (
            18,
            person(
                "陈一",
                t(&p.chen),
                "河南省郑州市中原区建设路12号",
                t("2024-03-05"),
            ),
        ),
        (
            19,
            person("冯十二", t(&p.feng), "河南省郑州市中原区", t("上个月")),
        ),
        (
            20,
            person("钱十三", t(&p.qian_nowhere), "火星", t("2024-03-05")),
        ),
    ];
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 11, title, &Format::new().set_bold())
        .expect("title");
    sheet
        .write_string(1, 0, "填表人：王芳　　填表日期：2024年5月10日")
        .expect("filler");
    for (column, header) in HEADER.iter().enumerate() {
        t(header).write(sheet, 3, column as u16);
    }
    for (row, cells) in rows {
        Cell::Number(f64::from(row - 5)).write(sheet, row - 1, 0);
        for (column, cell) in cells.iter().enumerate() {
            cell.write(sheet, row - 1, column as u16 + 1);
        }
    }
    workbook.save(path).expect("ledger saved");
}

/// 郑十 registered in 银闸社区 beforehand, from a sheet in the form's words.
fn register_elsewhere(sandbox: &Sandbox, p: &People) {
    std::fs::write(
        sandbox.path("银闸.csv"),
        format!(
            "公民身份号码,姓名,民族,户籍地区划代码,所属社区代码,来本地日期,来本地事由,现住址\n\
             {},郑十,汉族,410102001002,{YINZHA},2024-01-05,务工,银闸胡同1号\n",
            p.zheng_elsewhere
        ),
    )
    .expect("written");
    let output = sandbox.run(&["import", "residents", "银闸.csv"]);
    assert!(output.status.success(), "{}", text(&output.stdout));
}

fn report(path: &Path) -> serde_json::Value {
    let file = std::fs::File::open(path).expect("report written");
    serde_json::from_reader(file).expect("JSON")
}

/// A row of a report: number, status, `(column, code)` of each reason and
/// of each remark.
type RowLine = (u64, String, Vec<(String, String)>, Vec<(String, String)>);

fn pairs(list: &serde_json::Value) -> Vec<(String, String)> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|p| {
                    (
                        p["column"].as_str().unwrap_or("").to_owned(),
                        p["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn rows_of(report: &serde_json::Value) -> Vec<RowLine> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            (
                row["row"].as_u64().expect("row"),
                row["status"].as_str().expect("status").to_owned(),
                pairs(&row["problems"]),
                pairs(&row["warnings"]),
            )
        })
        .collect()
}

fn line(row: u64, status: &str, problems: &[(&str, &str)], remarks: &[(&str, &str)]) -> RowLine {
    let owned = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(c, k)| ((*c).to_owned(), (*k).to_owned()))
            .collect()
    };
    (row, status.to_owned(), owned(problems), owned(remarks))
}

/// Every row of the ledger and what becomes of it.
fn expected_rows() -> Vec<RowLine> {
    let from_id = [("户籍地址", "domicile_from_id_number")];
    vec![
        // Row 5, the template's sample, is not a row of the import at all.
        line(6, "accepted", &[], &[]),
        line(7, "accepted", &[], &[]),
        line(8, "accepted", &[], &[]),
        line(9, "refused", &[("身份证号码", "number_lost_digits")], &[]),
        line(10, "accepted", &[], &from_id),
        line(11, "accepted", &[], &from_id),
        // 崇文区 is in the code history: not an unknown county.
        line(12, "accepted", &[], &from_id),
        line(13, "accepted", &[], &[]),
        line(14, "accepted", &[], &[]),
        line(15, "refused", &[("身份证号码", "duplicate_residence")], &[]),
        line(
            16,
            "refused",
            &[("身份证号码", "id_number_check_character")],
            &[],
        ),
        line(18, "refused", &[("", "repeated_in_file")], &[]),
        line(19, "refused", &[("来本地时间", "not_a_date")], &[]),
        line(
            20,
            "refused",
            &[("户籍地址", "domicile_unreadable")],
            &[("身份证号码", "id_number_unknown_county")],
        ),
    ]
}

fn person_of(store: &dyn Store, id: &str) -> sojourn_domain::person::Person {
    let number = IdNumber::parse(id).expect("a valid number");
    store
        .find_person(&scope(), &number)
        .expect("lookup")
        .unwrap_or_else(|| panic!("{id} is on file"))
}

fn rules_of(store: &dyn Store, kind: RecordKind, id: i64) -> Vec<Rule> {
    store
        .findings_of(&scope(), kind, id)
        .expect("findings")
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn a_ledger_as_offices_keep_it_is_imported_row_by_row_and_the_check_says_the_same() {
    let sandbox = Sandbox::new();
    let p = people();
    register_elsewhere(&sandbox, &p);
    assert_eq!(sandbox.stays(), 1);
    ledger(
        &sandbox.path("台账.xlsx"),
        "东华门街道多福巷社区流动人口登记台账",
        &p,
    );

    let dry = sandbox.run(&[
        "import",
        "residents",
        "台账.xlsx",
        "--dry-run",
        "--report",
        "dry.json",
    ]);
    assert!(!dry.status.success(), "{}", text(&dry.stderr));
    assert_eq!(sandbox.stays(), 1, "a check writes nothing");
    let dry_report = report(&sandbox.path("dry.json"));
    assert_eq!(rows_of(&dry_report), expected_rows(), "{dry_report:#}");

    let real = sandbox.run(&["import", "residents", "台账.xlsx", "--report", "real.json"]);
    assert!(!real.status.success());
    let real_report = report(&sandbox.path("real.json"));
    assert_eq!(rows_of(&real_report), expected_rows(), "{real_report:#}");
    for count in ["accepted", "refused", "already_imported"] {
        assert_eq!(dry_report[count], real_report[count], "{count}");
    }
    assert_eq!(real_report["accepted"], 8);
    assert_eq!(sandbox.stays(), 1 + 8);

    // The remarks read as a clerk reads them.
    let out = text(&real.stdout);
    assert!(
        out.contains(
            "户籍地址“老家村里”未能识别，已按身份证号码登记为 河南省 郑州市 中原区（410102）"
        ),
        "{out}"
    );
    assert!(out.contains("重卡"), "{out}");

    let store = sandbox.store();
    // The sample is no one.
    let sample = IdNumber::parse("11010519491231002X").expect("valid");
    assert!(
        store
            .find_person(&scope(), &sample)
            .expect("lookup")
            .is_none()
    );

    // Text read to codes, the text kept as the address.
    let chen = person_of(&*store, &p.chen);
    assert_eq!(chen.details.domicile.as_str(), "410102");
    assert_eq!(
        chen.details
            .domicile_address
            .map(|a| a.to_string())
            .as_deref(),
        Some("河南省郑州市中原区建设路12号")
    );
    assert_eq!(chen.unit.as_str(), DUOFU, "the community the title names");
    assert_eq!(
        person_of(&*store, &p.lin).details.domicile.as_str(),
        "410102001"
    );
    let huang = IdNumber::parse(&p.huang15).expect("a 15-digit number");
    assert_eq!(
        person_of(&*store, huang.as_str()).details.domicile.as_str(),
        "410102"
    );
    // Unreadable text: the ID number's place, today's successor of an
    // abolished county, or the province a merged district lay in.
    let yang = person_of(&*store, &p.yang);
    assert_eq!(yang.details.domicile.as_str(), "410102");
    assert_eq!(
        person_of(&*store, &p.zhao_old_county)
            .details
            .domicile
            .as_str(),
        "130425"
    );
    let sun = person_of(&*store, &p.sun_merged_district);
    assert_eq!(sun.details.domicile.as_str(), "11");
    // Destinations known to the province or the prefecture.
    let zhou = person_of(&*store, &p.zhou);
    let zhou_stays = store.residences_of(&scope(), zhou.id).expect("stays");
    match &zhou_stays[0].status {
        sojourn_domain::residence::ResidenceStatus::Departed(d) => {
            assert_eq!(d.destination.as_ref().map(|c| c.as_str()), Some("44"));
        }
        other => panic!("周八 departed: {other:?}"),
    }
    // No reason column: unknown, and the monitor lists the current stay.
    let yang_stays = store.residences_of(&scope(), yang.id).expect("stays");
    assert_eq!(yang_stays[0].stay.reason, ReasonForStay::Unknown);
    assert!(
        rules_of(&*store, RecordKind::Residence, yang_stays[0].id.0)
            .contains(&Rule::ReasonForStayUnknown)
    );
    // A domicile taken from the number: the monitor lists the file as such
    // (and as not down to town) for a clerk to confirm and complete it; a
    // place read from the text is not listed.
    for file in [&yang, &sun] {
        let rules = rules_of(&*store, RecordKind::Person, file.id.0);
        assert!(
            rules.contains(&Rule::AddressNotDownToTown)
                && rules.contains(&Rule::DomicileFromIdNumber),
            "{}: {rules:?}",
            file.details.name
        );
    }
    assert!(
        !rules_of(&*store, RecordKind::Person, chen.id.0).contains(&Rule::DomicileFromIdNumber)
    );
    // Saving the file confirms its household registration.
    let confirmed = sojourn_domain::person::PersonDetails {
        domicile: sojourn_domain::codes::DivisionCode::parse_known("410102001").expect("code"),
        ..yang.details.clone()
    };
    store
        .update_person(
            &scope(),
            yang.id,
            &confirmed,
            yang.version,
            &sojourn_store::Actor::new("clerk"),
        )
        .expect("saved");
    assert!(
        !rules_of(&*store, RecordKind::Person, yang.id.0).contains(&Rule::DomicileFromIdNumber)
    );
}

#[test]
fn a_ledger_without_a_community_takes_the_unit_chosen_for_it_and_only_one_in_scope() {
    let sandbox = Sandbox::new();
    let p = people();
    ledger(&sandbox.path("台账.xlsx"), "流动人口登记台账", &p);

    // No column, no name in the title, nothing chosen: refused whole.
    let none = sandbox.run(&["import", "residents", "台账.xlsx"]);
    assert!(!none.status.success());
    let message = text(&none.stderr);
    assert!(
        message.contains("表中没有“所属社区”列") && message.contains("未导入任何数据"),
        "{message}"
    );
    assert_eq!(sandbox.stays(), 0);

    // A community of another town is not ours to write to.
    let outside = sandbox.run(&["import", "residents", "台账.xlsx", "--unit", "110101002001"]);
    assert!(!outside.status.success());
    assert!(
        text(&outside.stderr).contains("不在您的管辖范围内"),
        "{}",
        text(&outside.stderr)
    );
    assert_eq!(sandbox.stays(), 0);
    let malformed = sandbox.run(&["import", "residents", "台账.xlsx", "--unit", "银闸"]);
    assert!(!malformed.status.success());
    assert_eq!(sandbox.stays(), 0);

    let chosen = sandbox.run(&["import", "residents", "台账.xlsx", "--unit", YINZHA]);
    assert!(
        text(&chosen.stdout).contains("residents: 9 accepted"),
        "no 重卡 here, so 郑十 is taken too: {}",
        text(&chosen.stdout)
    );
    let store = sandbox.store();
    assert_eq!(person_of(&*store, &p.chen).unit.as_str(), YINZHA);
}

#[test]
fn the_template_carries_a_codes_sheet_and_its_sample_is_never_imported() {
    let sandbox = Sandbox::new();
    let made = sandbox.run(&["template", "residents", "模板.xlsx"]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = calamine::open_workbook(sandbox.path("模板.xlsx")).expect("xlsx");
    let codes = workbook.worksheet_range("代码表").expect("a codes sheet");
    let lines: Vec<String> = codes
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(
        lines.contains(&"来本地事由|01|务工".to_owned()),
        "{lines:#?}"
    );
    assert!(lines.contains(&"民族|01|汉族".to_owned()), "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("户籍地区划代码||") && l.contains("河南省郑州市中原区")),
        "{lines:#?}"
    );
    let imported = sandbox.run(&["import", "residents", "模板.xlsx", "--unit", DUOFU]);
    assert!(
        text(&imported.stdout).contains("residents: 0 accepted, 0 refused"),
        "{}",
        text(&imported.stdout)
    );
    assert_eq!(sandbox.stays(), 0);
}

#[test]
fn an_outflow_ledger_without_a_community_column_is_checked_as_it_is_imported() {
    let sandbox = Sandbox::new();
    let (zhang, li) = (
        with_check("11010519850301001"),
        with_check("11010519900401002"),
    );
    // 户籍社区 is not a column: the community is chosen. 张三 left twice
    // and never came back: the store refuses the second open record, which
    // reading the rows alone cannot see.
    std::fs::write(
        sandbox.path("流出.csv"),
        format!(
            "\u{feff}多福巷流出人口台账,,,\n\
             公民身份号码,姓名,流出日期,流入地\n\
             {zhang},张三,2025-03-01,440106\n\
             {zhang},张三,2025-06-01,440106\n\
             {li},李四,2025-04-01,44\n"
        ),
    )
    .expect("written");
    let import = |extra: &[&str], report: &str| {
        let mut args = vec![
            "import",
            "outflows",
            "流出.csv",
            "--unit",
            DUOFU,
            "--report",
            report,
        ];
        args.extend_from_slice(extra);
        sandbox.run(&args)
    };
    let outflows = || {
        sandbox
            .store()
            .search_outflows(&scope(), &sojourn_store::OutflowQuery::default())
            .expect("list")
            .total
    };
    let dry = import(&["--dry-run"], "dry.json");
    assert!(
        !dry.status.success(),
        "a refused row makes the exit status non-zero"
    );
    assert_eq!(outflows(), 0, "a check writes nothing");
    let real = import(&[], "real.json");
    assert!(!real.status.success());
    assert_eq!(outflows(), 2);
    let (dry, real) = (
        report(&sandbox.path("dry.json")),
        report(&sandbox.path("real.json")),
    );
    assert_eq!(
        rows_of(&dry),
        rows_of(&real),
        "the check's verdict is the import's"
    );
    assert_eq!(
        rows_of(&real)
            .into_iter()
            .map(|(row, status, problems, _)| (row, status, problems))
            .collect::<Vec<_>>(),
        vec![
            (3, "accepted".to_owned(), vec![]),
            (
                4,
                "refused".to_owned(),
                vec![("公民身份号码".to_owned(), "duplicate_outflow".to_owned())]
            ),
            (5, "accepted".to_owned(), vec![]),
        ]
    );
    let store = sandbox.store();
    let listed = store
        .search_outflows(&scope(), &sojourn_store::OutflowQuery::default())
        .expect("list");
    assert!(
        listed
            .items
            .iter()
            .all(|o| o.details.unit.as_str() == DUOFU)
    );
}
