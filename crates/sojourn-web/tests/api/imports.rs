//! Imports from an uploaded sheet: `POST /api/v1/imports/{register}` and
//! the `/import` pages. The sheet is a real .xlsx built here as staff fill
//! it in: a title and filler rows above the header, headers in their own
//! words, dates in several forms, an ID number stored as a number.

use crate::fixtures::id_number;
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;
use sojourn_domain::account::Role;
use sojourn_store::{ResidentQuery, StatusFilter};

const BOUNDARY: &str = "sojourn-test-boundary";

/// A multipart body with `file` (and `dry_run` when asked).
fn multipart(name: &str, bytes: &[u8], dry_run: bool) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    if dry_run {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\ntrue\r\n"
            )
            .bytes(),
        );
    }
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

async fn upload(app: &TestApp, uri: &str, name: &str, bytes: &[u8], dry_run: bool) -> Reply {
    let (content_type, body) = multipart(name, bytes, dry_run);
    app.raw(Method::POST, uri, &content_type, body).await
}

fn stays(app: &TestApp) -> u64 {
    let query = ResidentQuery {
        status: StatusFilter::Any,
        ..Default::default()
    };
    let scope = sojourn_domain::unit::Scope::of(
        sojourn_domain::unit::UnitCode::parse(ROOT).expect("unit code"),
    );
    app.store()
        .search_residents(&scope, &query)
        .expect("search")
        .total
}

/// The IDs of the sheet's people (valid check characters unless noted).
struct Ids {
    a: String,
    b: String,
    c: String,
    wrong_check: String,
    sibling: String,
}

fn ids() -> Ids {
    let e = id_number("410102", "19860202", "124");
    let last = if e.ends_with('0') { '1' } else { '0' };
    Ids {
        a: id_number("410102", "19800101", "123").to_lowercase(),
        b: id_number("340104", "19900315", "222"),
        c: id_number("410102", "19870303", "125"),
        wrong_check: format!("{}{last}", &e[..17]),
        sibling: id_number("410102", "19880404", "131"),
    }
}

/// 《流动人口信息登记表》 with rows 5–10: two good rows, an ID stored as
/// a number (row 7), a wrong check character (row 8), a unit outside the
/// uploader's community (row 9), and row 5 again (row 10).
fn messy_sheet(ids: &Ids) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 8, "流动人口信息登记表", &Format::new().set_bold())
        .expect("title");
    sheet
        .write_string(1, 0, "填表单位：多福巷社区")
        .expect("filler");
    let header = [
        "姓 名",
        "身份证号",
        "民族",
        "户籍地",
        "所属社区",
        "来本地日期",
        "居住事由",
        "现住址",
        "备注",
    ];
    for (column, text) in header.iter().enumerate() {
        sheet.write_string(3, column as u16, *text).expect("header");
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let rows: [(&str, &str, &str, &str); 6] = [
        ("张三", ids.a.as_str(), COMMUNITY, "excel-date"),
        ("李四", ids.b.as_str(), COMMUNITY, "2024/3/5"),
        ("王五", "number", COMMUNITY, "2024.3.5"),
        ("周九", ids.wrong_check.as_str(), COMMUNITY, "2024-03-05"),
        ("吴十", ids.sibling.as_str(), SIBLING, "2024年3月5日"),
        ("张三", ids.a.as_str(), COMMUNITY, "20240305"),
    ];
    for (i, (name, id, unit, arrived)) in rows.iter().enumerate() {
        let row = 4 + i as u32;
        sheet.write_string(row, 0, *name).expect("name");
        if *id == "number" {
            let digits: f64 = ids.c.parse().expect("digits");
            sheet.write_number(row, 1, digits).expect("id");
        } else {
            sheet.write_string(row, 1, *id).expect("id");
        }
        sheet.write_string(row, 2, "汉族").expect("ethnicity");
        sheet
            .write_number(row, 3, 410_102_001_002.0)
            .expect("domicile");
        sheet.write_string(row, 4, *unit).expect("unit");
        if *arrived == "excel-date" {
            let value = ExcelDateTime::from_ymd(2024, 3, 5).expect("date");
            sheet
                .write_datetime_with_format(row, 5, value, &date)
                .expect("arrival");
        } else {
            sheet.write_string(row, 5, *arrived).expect("arrival");
        }
        sheet.write_string(row, 6, "务工").expect("reason");
        sheet.write_string(row, 7, "多福巷12号").expect("address");
    }
    workbook.save_to_buffer().expect("sheet")
}

/// A row of a report: number, status, `(column, code)` of each reason.
type RowLine = (u64, String, Vec<(String, String)>);

/// Every row of a report.
fn rows_of(report: &Value) -> Vec<RowLine> {
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

fn status_of(report: &Value, row: u64) -> String {
    rows_of(report)
        .into_iter()
        .find(|(r, _, _)| *r == row)
        .map(|(_, status, _)| status)
        .unwrap_or_default()
}

fn columns_refused(report: &Value, row: u64) -> Vec<String> {
    rows_of(report)
        .into_iter()
        .find(|(r, _, _)| *r == row)
        .map(|(_, _, problems)| problems.into_iter().map(|(c, _)| c).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_messy_sheet_imports_its_good_rows_and_names_every_refusal() {
    let app = spawn_app(COMMUNITY).await;
    let ids = ids();
    let sheet = messy_sheet(&ids);
    let reply = upload(
        &app,
        "/api/v1/imports/residents",
        "register.xlsx",
        &sheet,
        false,
    )
    .await
    .expect(StatusCode::OK);
    // The reply lists the rows not accepted; the whole report is where it
    // says, every row in it.
    assert_eq!(status_of(&reply.body, 5), "", "accepted rows are left out");
    assert_eq!(status_of(&reply.body, 7), "refused");
    assert_eq!(reply.body["rows_left_out"], 0);
    let whole = reply.body["report"].as_str().expect("report link");
    let report = &app.get(whole).await.expect(StatusCode::OK).body;
    assert_eq!(report["accepted"], 2, "{report:#}");
    assert_eq!(report["refused"], 4, "{report:#}");
    assert_eq!(status_of(report, 5), "accepted");
    assert_eq!(status_of(report, 6), "accepted");
    // Each refusal at its row, in the column as the sheet names it.
    assert_eq!(columns_refused(report, 7), ["身份证号"]);
    assert_eq!(columns_refused(report, 8), ["身份证号"]);
    assert_eq!(status_of(report, 9), "refused");
    assert_eq!(columns_refused(report, 9), ["所属社区"], "out of the scope");
    assert_eq!(status_of(report, 10), "refused", "row 5 again");
    let reason = report["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["row"] == 8))
        .map(|r| {
            r["problems"][0]["message_zh"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .unwrap_or_default();
    assert!(reason.contains("校验"), "{reason}");
    assert_eq!(stays(&app), 2);
}

#[tokio::test]
async fn the_same_sheet_uploaded_again_is_already_imported() {
    let app = spawn_app(COMMUNITY).await;
    let sheet = messy_sheet(&ids());
    upload(
        &app,
        "/api/v1/imports/residents",
        "register.xlsx",
        &sheet,
        false,
    )
    .await
    .expect(StatusCode::OK);
    let again = upload(
        &app,
        "/api/v1/imports/residents",
        "register.xlsx",
        &sheet,
        false,
    )
    .await
    .expect(StatusCode::OK);
    let report = &again.body;
    assert_eq!(report["accepted"], 0, "{report:#}");
    assert_eq!(report["already_imported"], 3, "rows 5, 6 and 5's repeat 10");
    assert_eq!(status_of(report, 5), "already_imported");
    assert_eq!(status_of(report, 10), "already_imported");
    assert_eq!(stays(&app), 2);
}

#[tokio::test]
async fn a_dry_run_checks_every_row_and_writes_nothing() {
    let app = spawn_app(COMMUNITY).await;
    let sheet = messy_sheet(&ids());
    let reply = upload(
        &app,
        "/api/v1/imports/residents",
        "register.xlsx",
        &sheet,
        true,
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(reply.body["dry_run"], true);
    assert_eq!(reply.body["accepted"], 2);
    assert_eq!(reply.body["refused"], 4);
    assert_eq!(stays(&app), 0);
}

#[tokio::test]
async fn a_file_neither_xlsx_nor_csv_is_refused_in_chinese() {
    let app = spawn_app(COMMUNITY).await;
    let reply = upload(
        &app,
        "/api/v1/imports/residents",
        "scan.pdf",
        b"%PDF-1.4",
        false,
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "upload_wrong_type");
    assert!(
        reply.message_zh().contains(".xlsx"),
        "{}",
        reply.message_zh()
    );
    assert_eq!(stays(&app), 0);
}

#[tokio::test]
async fn an_empty_file_or_no_file_is_refused() {
    let app = spawn_app(COMMUNITY).await;
    upload(
        &app,
        "/api/v1/imports/residents",
        "register.xlsx",
        b"",
        false,
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "upload_empty");
    let body = format!("--{BOUNDARY}--\r\n");
    app.raw(
        Method::POST,
        "/api/v1/imports/residents",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        body,
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "upload_no_file");
}

#[tokio::test]
async fn a_file_that_is_not_a_sheet_is_refused() {
    let app = spawn_app(COMMUNITY).await;
    let reply = upload(
        &app,
        "/api/v1/imports/residents",
        "register.xlsx",
        b"not a zip at all",
        false,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    assert_eq!(stays(&app), 0);
}

#[tokio::test]
async fn an_import_needs_create_on_the_register() {
    let app = spawn_app(COMMUNITY).await;
    let sheet = messy_sheet(&ids());
    let viewer = app.user(Role::Inspector, COMMUNITY).await;
    let reply = upload(
        &viewer,
        "/api/v1/imports/residents",
        "register.xlsx",
        &sheet,
        false,
    )
    .await;
    assert!(
        matches!(reply.status, StatusCode::FORBIDDEN),
        "{:?}",
        reply.status
    );
    assert_eq!(stays(&app), 0);
}

#[tokio::test]
async fn the_page_shows_the_report_and_offers_it_as_xlsx_and_json() {
    let app = spawn_app(COMMUNITY).await;
    let form = app.get("/import/residents").await.expect(StatusCode::OK);
    let html = form.body.as_str().unwrap_or_default().to_owned();
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let sheet = messy_sheet(&ids());
    let posted = upload(&app, "/import/residents", "register.xlsx", &sheet, false).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{:?}", posted.body);
    let location = posted.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let page = app.get(&location).await.expect(StatusCode::OK);
    let html = page.body.as_str().unwrap_or_default().to_owned();
    assert!(html.contains("拒绝 4 行"), "{html}");
    assert!(html.contains("身份证号"), "{html}");
    assert!(html.contains("<td>8</td>"), "{html}");
    let json = app
        .get(&format!("{location}/json"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(json.body["accepted"], 2);
    let xlsx = app
        .get(&format!("{location}/xlsx"))
        .await
        .expect(StatusCode::OK);
    assert!(
        xlsx.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .contains("spreadsheetml")
    );
    // Someone else's report is not found.
    let other = app.user(Role::OfficeDirector, COMMUNITY).await;
    assert_eq!(other.get(&location).await.status, StatusCode::NOT_FOUND);
    // A wrong file comes back to the form with why.
    let wrong = upload(&app, "/import/residents", "scan.pdf", b"%PDF", false).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.body.as_str().unwrap_or_default().to_owned();
    assert!(html.contains("不是 .xlsx 或 .csv 文件"), "{html}");
}

#[tokio::test]
async fn the_template_of_each_form_downloads_as_xlsx() {
    let app = spawn_app(COMMUNITY).await;
    for register in ["residents", "houses", "employers", "outflows"] {
        let reply = app
            .get(&format!("/import/{register}/template"))
            .await
            .expect(StatusCode::OK);
        assert!(
            reply.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap_or_default()
                .contains("spreadsheetml"),
            "{register}"
        );
    }
}

/// A CSV 《出租房屋申请备案表》 of `rows` rows each refused (no address).
fn refused_houses(rows: usize) -> Vec<u8> {
    let mut csv =
        String::from("所属社区代码,房屋地址,出租人类型,出租人姓名或名称,出租间数,房屋用途\n");
    for _ in 0..rows {
        csv.push_str(&format!("{COMMUNITY},,个人,张三,x,居住\n"));
    }
    csv.into_bytes()
}

#[tokio::test]
async fn the_reply_holds_the_first_refused_rows_and_links_the_whole_report() {
    let app = spawn_app(COMMUNITY).await;
    let sheet = refused_houses(250);
    let reply = upload(&app, "/api/v1/imports/houses", "houses.csv", &sheet, true)
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body["refused"], 250, "{:#}", reply.body);
    let shown = rows_of(&reply.body);
    assert_eq!(shown.len(), sojourn_sheets::FIRST_ROWS);
    assert_eq!(shown[0].0, 2, "the first refused row first");
    assert_eq!(reply.body["rows_left_out"], 150);
    let whole = reply.body["report"]
        .as_str()
        .expect("report link")
        .to_owned();
    let report = app.get(&whole).await.expect(StatusCode::OK);
    assert_eq!(rows_of(&report.body).len(), 250);
    // Another account cannot read it.
    let other = app.user(Role::OfficeDirector, COMMUNITY).await;
    other
        .get(&whole)
        .await
        .expect_error(StatusCode::NOT_FOUND, "import_report_not_found");
}

#[tokio::test]
async fn a_sheet_over_the_row_bound_is_refused_naming_the_bound_and_imports_nothing() {
    let app = spawn_app(COMMUNITY).await;
    let ids = ids();
    // The messy sheet has nine rows (title, filler, header, six rows of
    // data); a deployment bounding sheets at eight refuses it whole.
    let limited = app.with_import_limits(sojourn_sheets::Limits::for_rows(8));
    let reply = upload(
        &limited,
        "/api/v1/imports/residents",
        "register.xlsx",
        &messy_sheet(&ids),
        false,
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "sheet_too_many_rows");
    assert!(
        reply.message_zh().contains("8 行"),
        "{}",
        reply.message_zh()
    );
    assert!(
        reply.message_en().contains("more than 8 rows"),
        "{}",
        reply.message_en()
    );
    assert_eq!(stays(&limited), 0);
}

#[tokio::test]
async fn one_import_runs_per_account_and_a_few_per_server() {
    let app = spawn_app(COMMUNITY).await;
    let imports = app.imports();
    let actor = |name: &str| sojourn_store::Actor::new(name);
    let first = imports.start(&actor("a")).expect("a place");
    let again = imports.start(&actor("a")).map(drop);
    assert!(
        matches!(again, Err(sojourn_web::error::ApiError::Busy(ref p)) if p.code == "import_running"),
        "{again:?}"
    );
    let mut held = Vec::new();
    for n in 1..sojourn_web::api::imports::MAX_RUNNING {
        held.push(imports.start(&actor(&format!("b{n}"))).expect("a place"));
    }
    let full = imports.start(&actor("c")).map(drop);
    assert!(
        matches!(full, Err(sojourn_web::error::ApiError::Busy(ref p)) if p.code == "imports_busy"),
        "{full:?}"
    );
    // Over HTTP: refused before the body is read, in both languages, and
    // the connection is closed after the answer.
    let me = app.actor();
    drop(held);
    let mine = imports.start(&me).expect("a place for the caller");
    let reply = upload(
        &app,
        "/api/v1/imports/houses",
        "houses.csv",
        &refused_houses(1),
        true,
    )
    .await
    .expect_error(StatusCode::TOO_MANY_REQUESTS, "import_running");
    assert!(!reply.message_zh().is_empty() && !reply.message_en().is_empty());
    assert_eq!(reply.headers[header::CONNECTION], "close");
    drop((first, mine));
    upload(
        &app,
        "/api/v1/imports/houses",
        "houses.csv",
        &refused_houses(1),
        true,
    )
    .await
    .expect(StatusCode::OK);
}

/// A ledger without a community column: the household registration as
/// text, no reason for stay.
fn ledger_without_unit() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "流动人口登记台账").expect("title");
    let header = [
        "姓名",
        "身份证号码",
        "民族",
        "户籍地址",
        "来本地时间",
        "现居住地址",
    ];
    for (column, text) in header.iter().enumerate() {
        sheet.write_string(2, column as u16, *text).expect("header");
    }
    let id = id_number("410102", "19950505", "321");
    let cells = [
        "白雪",
        id.as_str(),
        "汉族",
        "河南郑州中原区",
        "2024-03-05",
        "多福巷3号",
    ];
    for (column, cell) in cells.iter().enumerate() {
        sheet.write_string(3, column as u16, *cell).expect("cell");
    }
    workbook.save_to_buffer().expect("sheet")
}

/// The multipart body of `multipart` with a `unit` part first.
fn with_unit(unit: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let (content_type, body) = multipart(name, bytes, false);
    let mut with =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"unit\"\r\n\r\n{unit}\r\n")
            .into_bytes();
    with.extend(body);
    (content_type, with)
}

#[tokio::test]
async fn a_ledger_without_a_community_column_takes_the_unit_sent_and_only_one_in_scope() {
    let app = spawn_app(COMMUNITY).await;
    let sheet = ledger_without_unit();
    let uri = "/api/v1/imports/residents";
    // Nothing sent: refused whole, saying what to do.
    let none = upload(&app, uri, "台账.xlsx", &sheet, false)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        none.body["error"]["code"], "sheet_without_unit",
        "{}",
        none.body
    );
    // A community outside the caller's own: refused, nothing written, and
    // nothing said of it.
    let (content_type, body) = with_unit(SIBLING, "台账.xlsx", &sheet);
    let outside = app
        .raw(Method::POST, uri, &content_type, body)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(outside.body["error"]["code"], "sheet_unit_not_in_scope");
    assert!(
        !outside.body.to_string().contains("银闸"),
        "{}",
        outside.body
    );
    assert_eq!(stays(&app), 0);
    // Its own community: imported there.
    let (content_type, body) = with_unit(COMMUNITY, "台账.xlsx", &sheet);
    let reply = app
        .raw(Method::POST, uri, &content_type, body)
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply.body["accepted"], 1, "{}", reply.body);
    assert_eq!(stays(&app), 1);
}

/// Issue 17: an import is a job of the store. The import page lists the
/// caller's imports, a finished one linking its report, and one a restart
/// cut short as interrupted with the rows it had committed; no one else's.
#[tokio::test]
async fn the_import_page_lists_the_callers_imports_an_interrupted_one_with_its_committed_rows() {
    use sojourn_store::jobs::{JobKind, JobRecord};
    let app = spawn_app(COMMUNITY).await;
    let sheet = refused_houses(3);
    let reply = upload(&app, "/api/v1/imports/houses", "我的房屋.csv", &sheet, true)
        .await
        .expect(StatusCode::OK);
    let report = reply.body["report"].as_str().expect("report link");
    let id = report.rsplit('/').next().expect("an id").to_owned();
    // An import the last server was running, 120 rows committed.
    let account = app.account_id.expect("signed in");
    let now = time::OffsetDateTime::now_utc();
    let mut running = JobRecord::running(
        "a7c1",
        JobKind::Import,
        format!("account:{account}"),
        "residents",
        Some("sojourn-import-a7c1.jsonl".into()),
        serde_json::json!({ "file": "四月台账.xlsx", "dry_run": false }),
        now,
        now + time::Duration::hours(1),
    );
    running.rows = 120;
    app.store().create_job_unscoped(&running).expect("kept");
    app.store()
        .interrupt_running_jobs_unscoped(now)
        .expect("marked");

    let page = app.get("/import").await.expect(StatusCode::OK);
    let html = page.body.as_str().unwrap_or_default();
    assert!(
        html.contains("四月台账.xlsx") && html.contains("已中断：已提交 120 行"),
        "{html}"
    );
    assert!(html.contains("服务器重新启动"), "{html}");
    assert!(html.contains("我的房屋.csv"), "{html}");
    assert!(html.contains(&format!("/import/reports/{id}")), "{html}");
    // The report of the interrupted one is not there (it never finished).
    app.get("/api/v1/imports/reports/a7c1")
        .await
        .expect_error(StatusCode::NOT_FOUND, "import_report_not_found");

    let other = app.user(Role::OfficeDirector, COMMUNITY).await;
    let page = other.get("/import").await.expect(StatusCode::OK);
    let html = page.body.as_str().unwrap_or_default();
    assert!(
        !html.contains("我的房屋.csv") && !html.contains("四月台账"),
        "{html}"
    );
}
