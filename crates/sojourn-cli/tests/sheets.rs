//! `sojourn import` of sheets as staff keep them, `sojourn template` and
//! `sojourn export --format xlsx`, run for real in a temporary directory.
//! The sheets are generated here with rust_xlsxwriter.

use calamine::{Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use sojourn_domain::codes::id_number::check_character;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::{ResidentQuery, StatusFilter, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

const TOWN: &str = "110101001";
const COMMUNITY: &str = "110101001001";

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

    fn residents(&self) -> u64 {
        let all = ResidentQuery {
            status: StatusFilter::Any,
            ..ResidentQuery::default()
        };
        let scope = Scope::of(UnitCode::parse(TOWN).expect("unit code"));
        self.store()
            .search_residents(&scope, &all)
            .expect("list")
            .total
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn with_check(first17: &str) -> String {
    format!("{first17}{}", check_character(first17).expect("17 digits"))
}

/// A cell as typed.
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

/// The columns of the messy sheet, in its own order and words.
const HEADER: [&str; 12] = [
    "序号",
    "姓 名",
    "公民身份号码",
    "性别",
    "民族",
    "户籍地",
    "所属社区",
    "来本地日期",
    "居住事由",
    "现住址",
    "联系方式",
    "备注",
];

/// One person's row: name, ID, sex, arrival, phone.
fn person(name: &str, id: Cell, sex: &str, arrived: Cell, phone: Cell) -> Vec<Cell> {
    vec![
        Cell::Blank,
        t(name),
        id,
        t(sex),
        t("汉族"),
        Cell::Number(410_102_001_002.0),
        t(COMMUNITY),
        arrived,
        t("务工"),
        t(&format!("多福巷{}号", name.len())),
        phone,
        Cell::Blank,
    ]
}

struct Ids {
    a: String,
    b: String,
    c: String,
    d: String,
    e: String,
    f: String,
    g: String,
    h: String,
    i: String,
}

fn ids() -> Ids {
    Ids {
        a: with_check("11010519491231002"),
        b: with_check("41010219800101123"),
        c: with_check("34010419900315222"),
        d: with_check("41010219850101123"),
        e: with_check("41010219860202124"),
        f: with_check("41010219870303125"),
        g: with_check("41010219880404131"),
        h: with_check("41010219890505126"),
        i: with_check("41010219900606127"),
    }
}

/// 《流动人口信息登记表》 as a community sends it: a title, a line of who
/// filled it in, a blank line, the header on row 4; every date form,
/// numbers stored as numbers, a repeated row, a wrong check character.
fn messy_sheet(path: &Path, ids: &Ids) {
    let wrong_check = {
        let last = if ids.e.ends_with('0') { '1' } else { '0' };
        format!("{}{last}", &ids.e[..17])
    };
    // Lower-case x and full-width digits in an otherwise good number.
    let a_typed = ids.a.to_lowercase().replace('1', "１");
    let rows: Vec<(u32, Vec<Cell>)> = vec![
        (
            5,
            // The template's sample number, but not its sample (张三).
            person(
                "陈三",
                t(&a_typed),
                "女",
                Cell::Date(2024, 3, 5),
                Cell::Blank,
            ),
        ),
        (6, person("李四", t(&ids.b), "", t("2024/3/5"), Cell::Blank)),
        (
            7,
            person(
                "王五",
                t(&format!(" {} ", ids.c)),
                "",
                t("2024.3.5"),
                Cell::Blank,
            ),
        ),
        (
            8,
            person(
                "赵六",
                t(&ids.d),
                "男",
                t("2024年3月5日"),
                t("139 1234 5678"),
            ),
        ),
        (
            9,
            person(
                "钱七",
                t(&ids.i),
                "",
                Cell::Number(20_240_305.0),
                Cell::Number(13_912_345_678.0),
            ),
        ),
        // The 18-digit number typed into a number cell: digits lost.
        (
            10,
            person(
                "孙八",
                Cell::Number(ids.f.parse().expect("digits")),
                "",
                t("2024-03-05"),
                Cell::Blank,
            ),
        ),
        (
            11,
            person("周九", t(&wrong_check), "", t("2024-03-05"), Cell::Blank),
        ),
        // Row 6 again.
        (
            12,
            person("李四", t(&ids.b), "", t("2024-3-5"), Cell::Blank),
        ),
        // The sex column contradicts the number (its 17th digit is odd: male).
        (
            13,
            person("吴十", t(&ids.g), "女", t("2024-03-05"), Cell::Blank),
        ),
        (14, person("郑一", t(&ids.h), "", t("上个月"), Cell::Blank)),
        // Row 15 blank; then a serial date in a cell that lost its format.
        (
            16,
            person("冯二", t(&ids.e), "", Cell::Number(45_356.0), Cell::Blank),
        ),
    ];
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 11, "流动人口信息登记表", &Format::new().set_bold())
        .expect("title");
    sheet
        .write_string(1, 0, "填表单位：多福巷社区      填表日期：2024年3月")
        .expect("filler");
    for (column, header) in HEADER.iter().enumerate() {
        t(header).write(sheet, 3, column as u16);
    }
    for (row, cells) in rows {
        Cell::Number(f64::from(row - 4)).write(sheet, row - 1, 0);
        for (column, cell) in cells.iter().enumerate().skip(1) {
            cell.write(sheet, row - 1, column as u16);
        }
    }
    workbook.save(path).expect("sheet saved");
}

fn report(path: &Path) -> serde_json::Value {
    let file = std::fs::File::open(path).expect("report written");
    serde_json::from_reader(file).expect("JSON")
}

/// `(row, status, [(column, code)])` of every row of a JSON report.
/// A row of a report: number, status, `(column, code)` of each reason.
type RowLine = (u64, String, Vec<(String, String)>);

fn rows_of(report: &serde_json::Value) -> Vec<RowLine> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let problems = row["problems"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (
                                p["column"].as_str().unwrap_or("").to_owned(),
                                p["code"].as_str().unwrap_or("").to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            (
                row["row"].as_u64().expect("row"),
                row["status"].as_str().expect("status").to_owned(),
                problems,
            )
        })
        .collect()
}

fn accepted(row: u64) -> RowLine {
    (row, "accepted".into(), Vec::new())
}

fn refused(row: u64, column: &str, code: &str) -> RowLine {
    (row, "refused".into(), vec![(column.into(), code.into())])
}

#[test]
fn a_messy_sheet_imports_exactly_the_good_rows_and_names_each_refusal() {
    let sandbox = Sandbox::new();
    let ids = ids();
    messy_sheet(&sandbox.path("登记表.xlsx"), &ids);

    // The dry run checks every row and writes nothing.
    let dry = sandbox.run(&[
        "import",
        "residents",
        "登记表.xlsx",
        "--dry-run",
        "--report",
        "dry.json",
    ]);
    assert!(
        !dry.status.success(),
        "refusals make the exit status non-zero"
    );
    assert_eq!(sandbox.residents(), 0, "a dry run writes nothing");
    let expected = vec![
        accepted(5),
        accepted(6),
        accepted(7),
        accepted(8),
        accepted(9),
        refused(10, "公民身份号码", "number_lost_digits"),
        refused(11, "公民身份号码", "id_number_check_character"),
        refused(12, "", "repeated_in_file"),
        refused(13, "性别", "disagrees_with_id_number"),
        refused(14, "来本地日期", "not_a_date"),
        accepted(16),
    ];
    let dry_report = report(&sandbox.path("dry.json"));
    assert_eq!(rows_of(&dry_report), expected);
    assert_eq!(dry_report["dry_run"], true);
    assert_eq!(
        dry_report["ignored_columns"],
        serde_json::json!(["序号", "备注"])
    );
    let out = text(&dry.stdout);
    assert!(
        out.contains("refused row 12 [repeated_in_file]: 与本表第6行重复"),
        "{out}"
    );
    assert!(
        out.contains("refused row 10, 公民身份号码 [number_lost_digits]: Excel 把该号码存成了数字"),
        "{out}"
    );
    assert!(
        text(&dry.stderr).contains("11 rows read"),
        "{}",
        text(&dry.stderr)
    );

    // The real import stores the same rows, and says the same.
    let real = sandbox.run(&[
        "import",
        "residents",
        "登记表.xlsx",
        "--report",
        "real.json",
        "--report",
        "real.xlsx",
    ]);
    assert!(!real.status.success());
    let real_report = report(&sandbox.path("real.json"));
    assert_eq!(rows_of(&real_report), expected);
    assert_eq!(real_report["accepted"], 6);
    assert_eq!(real_report["refused"], 5);
    assert_eq!(sandbox.residents(), 6);
    let scope = Scope::of(UnitCode::parse(TOWN).expect("unit code"));
    let a = sojourn_domain::codes::IdNumber::parse(&ids.a).expect("valid");
    let person = sandbox.store().find_person(&scope, &a).expect("lookup");
    assert!(
        person.is_some(),
        "the lower-case, full-width number was stored as the number"
    );
    let stays = sandbox
        .store()
        .residences_of(&scope, person.expect("found").id)
        .expect("stays");
    assert_eq!(stays[0].stay.arrived_on.to_string(), "2024-03-05");

    // The .xlsx report: a row per reason, with the reason in both languages.
    let mut workbook: Xlsx<_> = calamine::open_workbook(sandbox.path("real.xlsx")).expect("xlsx");
    let range = workbook
        .worksheet_range("导入结果")
        .expect("the report sheet");
    let lines: Vec<String> = range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("11|拒绝 refused|公民身份号码|身份证号码校验位错误")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("16|导入 accepted")),
        "{lines:#?}"
    );

    // Importing the same file again writes nothing twice.
    let again = sandbox.run(&[
        "import",
        "residents",
        "登记表.xlsx",
        "--report",
        "again.json",
    ]);
    let again_report = report(&sandbox.path("again.json"));
    assert_eq!(again_report["accepted"], 0, "{}", text(&again.stdout));
    assert_eq!(
        again_report["already_imported"], 7,
        "rows 5–9, 16 and their repeat 12"
    );
    assert_eq!(again_report["refused"], 4);
    assert_eq!(sandbox.residents(), 6);
    assert!(text(&again.stdout).contains("already imported row 5 [already_imported]"));
}

#[test]
fn a_sheet_missing_required_columns_is_refused_before_any_row() {
    let sandbox = Sandbox::new();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in ["姓名", "身份证号", "民族"].iter().enumerate() {
        sheet
            .write_string(0, column as u16, *header)
            .expect("header");
    }
    workbook.save(sandbox.path("short.xlsx")).expect("saved");
    let output = sandbox.run(&["import", "residents", "short.xlsx", "--report", "r.json"]);
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(
        message.contains("缺少必填列：来本地日期、现住址"),
        "{message}"
    );
    assert!(message.contains("required columns missing"), "{message}");
    assert!(
        !sandbox.path("r.json").exists(),
        "no report of a file that was not read"
    );
    assert_eq!(sandbox.residents(), 0);
}

#[test]
fn templates_import_as_nothing_and_xlsx_exports_read_back() {
    let sandbox = Sandbox::new();
    // A blank template holds only its sample (张三, 李四), which is no one.
    for register in ["houses", "employers", "residents", "outflows"] {
        let file = format!("{register}.xlsx");
        let made = sandbox.run(&["template", register, &file]);
        assert!(made.status.success(), "{}", text(&made.stderr));
        let imported = sandbox.run(&["import", register, &file]);
        assert!(
            imported.status.success() && text(&imported.stdout).contains(": 0 accepted, 0 refused"),
            "{register}: {}{}",
            text(&imported.stdout),
            text(&imported.stderr)
        );
    }
    assert_eq!(sandbox.residents(), 0);
    std::fs::write(
        sandbox.path("登记表.csv"),
        format!(
            "公民身份号码,姓名,民族,户籍地区划代码,所属社区代码,来本地日期,来本地事由,现住址
             11010519491231002X,陈三,汉族,410102001002,{COMMUNITY},2024-03-05,务工,多福巷12号
"
        ),
    )
    .expect("written");
    let imported = sandbox.run(&["import", "residents", "登记表.csv"]);
    assert!(imported.status.success(), "{}", text(&imported.stdout));
    let exported = sandbox.run(&["export", "residents", "out.xlsx", "--format", "xlsx"]);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let mut workbook: Xlsx<_> = calamine::open_workbook(sandbox.path("out.xlsx")).expect("xlsx");
    let range = workbook
        .worksheet_range("流动人口信息登记表")
        .expect("sheet");
    let rows: Vec<_> = range.rows().collect();
    assert_eq!(rows[0][0].to_string(), "流动人口信息登记表");
    assert_eq!(rows[1][0].to_string(), "公民身份号码");
    assert_eq!(
        rows[2][0].to_string(),
        "11010519491231002X",
        "full 18 characters, as text"
    );
    // The export reads back as the same record: already imported.
    let again = sandbox.run(&["import", "residents", "out.xlsx"]);
    assert!(
        text(&again.stdout).contains("0 accepted, 0 refused, 1 already imported"),
        "{}",
        text(&again.stdout)
    );

    let to_stdout = sandbox.run(&["export", "residents", "--format", "xlsx"]);
    assert!(!to_stdout.status.success());
    assert!(text(&to_stdout.stderr).contains("导出 .xlsx 须指定输出文件"));
}

#[test]
fn a_csv_in_the_forms_words_goes_through_the_sheet_reader_and_a_dry_run_writes_nothing() {
    let sandbox = Sandbox::new();
    let scope = Scope::of(UnitCode::parse(TOWN).expect("unit code"));
    let houses = |store: &dyn Store| {
        store
            .search_houses(&scope, &sojourn_store::HouseQuery::default())
            .expect("list")
            .total
    };
    // The machine form (English keys), checked only.
    std::fs::write(
        sandbox.path("houses.csv"),
        format!(
            "unit,address,landlord_kind,landlord_name,landlord_id_number,rooms,usage\n\
             {COMMUNITY},多福巷3号,person,王建国,11010519491231002X,2,居住\n"
        ),
    )
    .expect("written");
    let dry = sandbox.run(&["import", "houses", "houses.csv", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert!(text(&dry.stdout).contains("1 would be accepted (dry run, nothing written)"));
    assert_eq!(houses(&*sandbox.store()), 0, "a dry run writes nothing");

    // The form as a community keeps it in CSV: title, Chinese headers,
    // full-width digits, a date in Chinese; a repeat of the machine row.
    std::fs::write(
        sandbox.path("备案表.csv"),
        format!(
            "\u{feff}出租房屋申请备案表,,,,,,,\n\
             序号,房屋坐落,所属社区,房主类型,房主姓名,房主身份证号,出租间数,房屋用途,备案时间\n\
             1,多福巷5号,{COMMUNITY},个人,李建华,11010519491231002x,３,居住,2024年1月10日\n\
             2,多福巷5号,{COMMUNITY},个人,李建华,11010519491231002X,3,居住,2024-01-10\n"
        ),
    )
    .expect("written");
    // No option: the header tells the sheet reader to take it.
    let real = sandbox.run(&["import", "houses", "备案表.csv"]);
    let out = text(&real.stdout);
    assert!(
        out.contains("refused row 4 [repeated_in_file]: 与本表第3行重复"),
        "{out}"
    );
    assert!(out.contains("houses: 1 accepted, 1 refused"), "{out}");
    assert!(out.contains("ignored column \"序号\""), "{out}");
    assert_eq!(houses(&*sandbox.store()), 1);
}

#[test]
fn an_outflow_sheet_with_a_return_date_closes_the_record_and_refuses_a_wrong_date() {
    let sandbox = Sandbox::new();
    let back = with_check("41010219880808131");
    let early = with_check("41010219880808132");
    // The form in Chinese words, as a community keeps it: the sheet reader
    // takes it, and the return date is one of its columns.
    std::fs::write(
        sandbox.path("流出人口登记表.csv"),
        format!(
            "\u{feff}流出人口登记表,,,,,\n\
             公民身份号码,姓名,户籍社区代码,流出日期,流入地区划代码,回流日期\n\
             {back},孙大,{COMMUNITY},2024-01-01,440106,2024年6月1日\n\
             {early},孙二,{COMMUNITY},2024-05-01,440106,2024/4/30\n"
        ),
    )
    .expect("written");
    let real = sandbox.run(&["import", "outflows", "流出人口登记表.csv"]);
    let out = text(&real.stdout);
    assert!(out.contains("outflows: 1 accepted, 1 refused"), "{out}");
    assert!(
        out.contains("refused row 4, 回流日期 [return_before_leaving]"),
        "the refusal names the sheet's own header: {out}"
    );
    let exported = sandbox.run(&["export", "outflows", "out.csv"]);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let csv = std::fs::read_to_string(sandbox.path("out.csv")).expect("export");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    assert!(
        rows[0].starts_with(&back) && rows[0].ends_with(",2024-06-01"),
        "stored, then closed on the date of return: {}",
        rows[0]
    );
}

#[test]
fn rows_imported_before_are_found_by_asking_the_store_when_the_register_is_large() {
    let sandbox = Sandbox::new();
    let ids = ids();
    let sheet = sandbox.path("登记表.xlsx");
    messy_sheet(&sheet, &ids);
    let store = sandbox.store();
    let scope = Scope::of(UnitCode::parse(TOWN).expect("unit code"));
    let today = sojourn_domain::time_rules::china_today();
    let import = |dry_run| {
        // The store finds each stay on file, however large the register.
        sojourn_import::sheet::run(
            &*store,
            &scope,
            sojourn_import::Register::Residents,
            &sheet,
            "登记表.xlsx",
            today,
            &sojourn_store::Actor::new("import"),
            sojourn_import::sheet::Options {
                dry_run,
                progress: false,
                bulk_load: true,
                ..Default::default()
            },
        )
        .expect("imported")
    };
    let first = import(false);
    assert_eq!(
        (first.accepted, first.refused, first.already_imported),
        (6, 5, 0)
    );
    let again = import(false);
    assert_eq!(
        (again.accepted, again.refused, again.already_imported),
        (0, 4, 7)
    );
    let dry = import(true);
    assert_eq!((dry.accepted, dry.refused, dry.already_imported), (0, 4, 7));
    assert_eq!(sandbox.residents(), 6);
}
