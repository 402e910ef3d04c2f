//! Exports of the lists and ledgers (台账): the rows of the filtered list
//! and no other, masked unless a role that may reveal asks with a reason
//! (audited as a reveal), every export audited without a number; jobs
//! belong to their account; wrong requests are refused clearly.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};
use sojourn_domain::account::Role;
use std::io::Cursor;

/// Five residents in the community (two women), two in its sibling.
async fn seeded(director: &TestApp) -> Vec<String> {
    let mut numbers = Vec::new();
    for (i, (unit, sequence)) in [
        (COMMUNITY, "011"),
        (COMMUNITY, "022"),
        (COMMUNITY, "031"),
        (COMMUNITY, "042"),
        (COMMUNITY, "051"),
        (SIBLING, "061"),
        (SIBLING, "072"),
    ]
    .into_iter()
    .enumerate()
    {
        let number = id_number("410105", &format!("199{i}0101"), sequence);
        let body = with(
            with(arrival(&number), "unit", json!(unit)),
            "phone",
            json!(format!("1380013800{i}")),
        );
        director
            .register_arrival(&body)
            .await
            .expect(StatusCode::CREATED);
        numbers.push(number);
    }
    numbers
}

/// Starts an export and waits for it to finish; returns the job.
pub(crate) async fn export(app: &TestApp, list: &str, body: &Value) -> Value {
    let started = app
        .post(&format!("/api/v1/exports/{list}"), body)
        .await
        .expect(StatusCode::ACCEPTED);
    let id = started.body["id"].as_str().expect("id").to_owned();
    for _ in 0..500 {
        let job = app
            .get(&format!("/api/v1/exports/{list}/{id}"))
            .await
            .expect(StatusCode::OK);
        if job.body["state"] != "running" {
            return job.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the export did not finish");
}

/// The rows of an .xlsx download, every cell as text.
pub(crate) async fn xlsx_rows(app: &TestApp, job: &Value) -> Vec<Vec<String>> {
    assert_eq!(job["state"], "done", "{job}");
    let (status, headers, bytes) = app.download(job["file"].as_str().expect("file")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("an .xlsx file");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => panic!("a cell that is not text: {other:?}"),
                })
                .collect()
        })
        .collect()
}

/// The names the list shows for `query`, in the list's order.
async fn listed_names(app: &TestApp, query: &str) -> Vec<String> {
    let page = app
        .get(&format!("/api/v1/residents?per_page=500&{query}"))
        .await
        .expect(StatusCode::OK);
    page.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["person"]["name"].as_str().expect("name").to_owned())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn an_export_has_the_rows_of_the_filtered_list_and_the_paper_forms_columns() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    seeded(&director).await;
    // A filtered list: women of the community.
    let job = export(
        &director,
        "residents",
        &json!({ "format": "xlsx", "layout": "list", "filters": { "unit": COMMUNITY, "sex": "2" } }),
    )
    .await;
    let rows = xlsx_rows(&director, &job).await;
    assert_eq!(rows[0][0], "流动人口");
    let header = &rows[1];
    assert_eq!(header[0], "序号");
    assert_eq!(header[1], "姓名");
    let names: Vec<String> = rows[2..].iter().map(|r| r[1].clone()).collect();
    let listed = listed_names(&director, &format!("unit={COMMUNITY}&sex=2")).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(sorted(names), sorted(listed));
    assert_eq!(job["rows_written"], 2);
    assert_eq!(job["total"], 2);

    // The ledger: the form's title and columns, every resident in scope.
    let job = export(&director, "residents", &json!({ "format": "xlsx" })).await;
    let rows = xlsx_rows(&director, &job).await;
    assert_eq!(rows[0][0], "流动人口登记台账");
    assert_eq!(
        rows[1][..7],
        [
            "序号",
            "姓名",
            "性别",
            "出生日期",
            "民族",
            "公民身份号码",
            "户籍地"
        ]
    );
    assert!(rows[1].contains(&"来本地日期".to_owned()));
    assert!(rows[1].contains(&"现住地址".to_owned()));
    assert_eq!(rows.len() - 2, 7);
    assert_eq!(listed_names(&director, "").await.len(), 7);
    // Row numbers count from 1.
    assert_eq!(rows[2][0], "1");
    assert_eq!(rows[8][0], "7");
}

/// The names the list shows for a search term and filters (`POST
/// …/search`, the term never in a URL).
async fn searched_names(app: &TestApp, body: &Value) -> Vec<String> {
    let mut body = body.clone();
    body["per_page"] = json!(500);
    let page = app
        .post("/api/v1/residents/search", &body)
        .await
        .expect(StatusCode::OK);
    page.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| {
            r["person"]["id_number"]
                .as_str()
                .expect("number")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_searched_export_has_exactly_the_searched_lists_rows_and_audits_no_term() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let numbers = seeded(&director).await;
    let reason = "公安机关协查：核对检索结果";
    // A name in one unit: five of the seven.
    let filters = json!({ "q": "张三", "unit": COMMUNITY });
    let listed = searched_names(&director, &filters).await;
    assert_eq!(listed.len(), 5, "{listed:?}");
    let job = export(
        &director,
        "residents",
        &json!({ "format": "xlsx", "layout": "ledger", "numbers": "full", "reason": reason, "filters": filters }),
    )
    .await;
    let rows = xlsx_rows(&director, &job).await;
    let at = rows[1]
        .iter()
        .position(|h| h == "公民身份号码")
        .expect("number column");
    // In full (revealed) in the file; masked in the list's answer.
    let exported: Vec<String> = rows[2..].iter().map(|r| masked_id(&r[at])).collect();
    assert_eq!(sorted(exported), sorted(listed));
    assert!(
        numbers[..5]
            .iter()
            .all(|n| rows.iter().any(|r| &r[at] == n))
    );

    // A whole ID number: that resident alone, masked by default.
    let filters = json!({ "q": numbers[6] });
    assert_eq!(searched_names(&director, &filters).await.len(), 1);
    let job = export(
        &director,
        "residents",
        &json!({ "format": "xlsx", "layout": "list", "filters": filters }),
    )
    .await;
    let rows = xlsx_rows(&director, &job).await;
    assert_eq!(rows.len() - 2, 1, "{rows:?}");
    let text = format!("{rows:?}");
    assert!(text.contains(&masked_id(&numbers[6])) && !text.contains(numbers[6].as_str()));
    assert_eq!(job["total"], 1);

    // A phone number: the one resident with it.
    let job = export(
        &director,
        "residents",
        &json!({ "format": "csv", "filters": { "q": "13800138003" } }),
    )
    .await;
    let (_, _, bytes) = director.download(job["file"].as_str().expect("file")).await;
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert_eq!(text.lines().count(), 1 + 1, "{text}");
    assert!(text.contains(&masked_id(&numbers[3])));

    // The audit trail notes that a search was applied and its kind, never
    // the number searched.
    let entries = deployment
        .store()
        .audit_entries_unscoped(0, 1000)
        .expect("entries");
    let kept: Vec<Value> = entries
        .iter()
        .filter(|e| e.action == "export" || e.action == "reveal")
        .map(|e| serde_json::from_str(&e.details).expect("json"))
        .collect();
    assert_eq!(kept.len(), 4, "three exports and one reveal");
    let searches: Vec<&str> = kept
        .iter()
        .filter_map(|d| d["filters"]["search"].as_str())
        .collect();
    for kind in ["name", "digits", "id_number"] {
        assert!(searches.contains(&kind), "{kind}: {searches:?}");
    }
    for entry in entries
        .iter()
        .filter(|e| e.action == "export" || e.action == "reveal")
    {
        assert!(
            !entry.details.contains("410105"),
            "a term kept: {}",
            entry.details
        );
        assert!(!entry.details.contains("13800138003"), "a phone kept");
        for number in &numbers {
            assert!(!entry.details.contains(number.as_str()), "a number kept");
        }
    }
}

#[tokio::test]
async fn the_searched_list_page_carries_its_term_to_the_export_form() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let numbers = seeded(&director).await;
    let form = format!("q={}&unit={SIBLING}", numbers[5]);
    let page = director
        .raw(
            Method::POST,
            "/residents",
            "application/x-www-form-urlencoded",
            form.clone(),
        )
        .await
        .expect(StatusCode::OK);
    let html = page.body.as_str().expect("html");
    assert!(html.contains("action=\"/residents/export\""));
    assert!(
        html.contains(&format!("name=\"q\" value=\"{}\"", numbers[5])),
        "the term is posted with the export"
    );
    let started = director
        .raw(
            Method::POST,
            "/residents/export",
            "application/x-www-form-urlencoded",
            format!("format=xlsx&layout=list&{form}"),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    let location = started.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(!location.contains(numbers[5].as_str()), "no term in a URL");
    let mut bytes = Vec::new();
    for _ in 0..500 {
        let (status, _, body) = director.download(&format!("{location}/file")).await;
        if status == StatusCode::OK {
            bytes = body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    assert_eq!(range.height(), 2 + 1, "the one searched resident");
}

#[tokio::test]
async fn a_csv_export_is_utf8_with_a_bom_and_the_same_rows() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    seeded(&director).await;
    let job = export(
        &director,
        "residents",
        &json!({ "format": "csv", "filters": { "unit": SIBLING } }),
    )
    .await;
    let (status, headers, bytes) = director.download(job["file"].as_str().expect("file")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .contains("residents-ledger.csv")
    );
    // The name as an office files it: the ledger, the unit, the day.
    let full = format!(
        "流动人口台账-银闸社区居委会-{}.csv",
        sojourn_domain::time_rules::china_today()
    );
    let encoded: String = full
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let disposition = headers[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii");
    assert!(
        disposition.ends_with(&format!("filename*=UTF-8''{encoded}")),
        "{disposition}"
    );
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a BOM for Excel");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("公民身份号码"));
    assert_eq!(lines.len(), 1 + 2, "{text}");
}

#[tokio::test]
async fn numbers_are_masked_unless_revealed_with_a_reason_and_each_export_is_audited() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let numbers = seeded(&director).await;
    let job = export(&director, "residents", &json!({ "format": "xlsx" })).await;
    let text = format!("{:?}", xlsx_rows(&director, &job).await);
    for number in &numbers {
        assert!(!text.contains(number.as_str()), "{number} shown in full");
        assert!(text.contains(&masked_id(number)), "{number} not masked");
    }
    assert!(!text.contains("13800138000"), "a phone shown in full");

    // Full numbers without a reason: refused, nothing exported.
    director
        .post(
            "/api/v1/exports/residents",
            &json!({ "format": "xlsx", "numbers": "full" }),
        )
        .await
        .expect_field("reason", "reveal_reason_length");

    let reason = "公安机关协查：核对辖区流动人口";
    let job = export(
        &director,
        "residents",
        &json!({ "format": "xlsx", "numbers": "full", "reason": reason, "filters": { "unit": COMMUNITY } }),
    )
    .await;
    let text = format!("{:?}", xlsx_rows(&director, &job).await);
    for number in &numbers[..5] {
        assert!(text.contains(number.as_str()), "{number} not in full");
    }
    assert!(text.contains("13800138000"));

    let entries = deployment
        .store()
        .audit_entries_unscoped(0, 1000)
        .expect("entries");
    let reveals: Vec<_> = entries.iter().filter(|e| e.action == "reveal").collect();
    assert_eq!(reveals.len(), 1);
    let details: Value = serde_json::from_str(&reveals[0].details).expect("json");
    assert_eq!(details["reason"], reason);
    assert_eq!(details["list"], "residents");
    let exports: Vec<_> = entries.iter().filter(|e| e.action == "export").collect();
    assert_eq!(exports.len(), 2, "each finished export is recorded");
    let last: Value = serde_json::from_str(&exports[1].details).expect("json");
    assert_eq!(last["rows"], 5);
    assert_eq!(last["numbers"], "full");
    assert_eq!(last["filters"]["unit"], COMMUNITY);
    for entry in reveals.iter().chain(exports.iter()) {
        for number in &numbers {
            assert!(!entry.details.contains(number.as_str()), "a number kept");
        }
    }
}

#[tokio::test]
async fn nothing_outside_the_scope_is_exported() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let numbers = seeded(&director).await;
    let chief = deployment.user(Role::StationChief, COMMUNITY).await;
    let reason = "核对本社区流动人口信息";
    let job = export(
        &chief,
        "residents",
        &json!({ "format": "xlsx", "numbers": "full", "reason": reason, "filters": { "status": "any" } }),
    )
    .await;
    let rows = xlsx_rows(&chief, &job).await;
    assert_eq!(rows.len() - 2, 5);
    let text = format!("{rows:?}");
    for number in &numbers[5..] {
        assert!(!text.contains(number.as_str()), "a sibling's resident");
    }
    // Asking for the sibling's unit is refused, as the list refuses it.
    chief
        .post(
            "/api/v1/exports/residents",
            &json!({ "format": "xlsx", "filters": { "unit": SIBLING } }),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "reference_out_of_scope");
}

#[tokio::test]
async fn a_role_without_the_export_permission_is_refused() {
    let deployment = deployment();
    let collector = deployment.user(Role::Collector, COMMUNITY).await;
    for list in ["residents", "houses", "employers", "outflows"] {
        collector
            .post(
                &format!("/api/v1/exports/{list}"),
                &json!({ "format": "xlsx" }),
            )
            .await
            .expect_error(StatusCode::FORBIDDEN, "forbidden");
    }
    collector
        .get("/residents/export/0123")
        .await
        .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_job_of_another_account_is_not_found() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    seeded(&director).await;
    let other = deployment.user(Role::OfficeDirector, ROOT).await;
    let job = export(&director, "residents", &json!({ "format": "csv" })).await;
    let id = job["id"].as_str().expect("id");
    for path in [
        format!("/api/v1/exports/residents/{id}"),
        format!("/api/v1/exports/residents/{id}/file"),
    ] {
        other
            .get(&path)
            .await
            .expect_error(StatusCode::NOT_FOUND, "export_not_found");
    }
    // Nor under another list's routes, for its own account.
    director
        .get(&format!("/api/v1/exports/houses/{id}"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "export_not_found");
    other
        .get(&format!("/residents/export/{id}"))
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_wrong_request_is_refused_with_every_reason() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let reply = director
        .post(
            "/api/v1/exports/residents",
            &json!({ "format": "xls", "layout": "grid", "numbers": "some", "filters": { "sex": "x", "house": "abc" } }),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = reply.fields().into_iter().map(|(f, _)| f).collect();
    for field in ["format", "layout", "numbers", "sex", "house"] {
        assert!(fields.contains(&field.to_owned()), "{field}: {fields:?}");
    }
    director
        .post("/api/v1/exports/residents", &json!({}))
        .await
        .expect_field("format", "required");
    let reply = director
        .post("/api/v1/exports/houses", &json!({ "format": "pdf" }))
        .await
        .expect_field("format", "unknown_option");
    assert!(
        format!("{}", reply.body).contains("xlsx, csv"),
        "names the formats"
    );
}

#[tokio::test]
async fn houses_employers_and_outflows_have_their_ledgers() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    director
        .create_house(&house())
        .await
        .expect(StatusCode::CREATED);
    director
        .create_employer(&employer(&acme_uscc()))
        .await
        .expect(StatusCode::CREATED);
    director
        .create_outflow(&outflow(&id_number("110101", "19800101", "011")))
        .await
        .expect(StatusCode::CREATED);
    for (list, title, column, value) in [
        ("houses", "出租房屋台账", "出租人", "王五".to_owned()),
        ("employers", "用工单位台账", "统一社会信用代码", acme_uscc()),
        ("outflows", "流出人口台账", "姓名", "孙七".to_owned()),
    ] {
        let job = export(&director, list, &json!({ "format": "xlsx" })).await;
        let rows = xlsx_rows(&director, &job).await;
        assert_eq!(rows[0][0], title);
        let at = rows[1]
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("{list}: no column {column}: {:?}", rows[1]));
        assert_eq!(rows.len(), 3, "{list}: one record");
        assert_eq!(rows[2][at], value, "{list}");
    }
    // Every sealed value is masked: the landlord's numbers, the outflow's,
    // the employer's phone and legal representative.
    let leaver = id_number("110101", "19800101", "011");
    for (list, sealed) in [
        (
            "houses",
            [
                (li_si(), masked_id(&li_si())),
                ("010-65123456".into(), "010-****3456".into()),
            ]
            .to_vec(),
        ),
        (
            "employers",
            vec![
                ("赵六".into(), "赵*".into()),
                ("13900139000".into(), "139****9000".into()),
            ],
        ),
        (
            "outflows",
            vec![
                (leaver.clone(), masked_id(&leaver)),
                ("13700137000".into(), "137****7000".into()),
                (id_number_child(), String::new()),
            ],
        ),
    ] {
        let text = csv_export(&director, list).await;
        for (plain, masked) in sealed {
            assert!(!text.contains(&plain), "{list}: {plain} in full");
            assert!(text.contains(&masked), "{list}: {masked} missing");
        }
    }
}

async fn csv_export(app: &TestApp, list: &str) -> String {
    let job = export(app, list, &json!({ "format": "csv" })).await;
    let (_, _, bytes) = app.download(job["file"].as_str().expect("file")).await;
    String::from_utf8(bytes).expect("UTF-8")
}

#[tokio::test]
async fn a_minors_guardians_numbers_are_masked_in_the_residents_ledger() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let child = id_number("110101", "20180506", "013");
    let guardian = json!({
        "name": "李四", "id_number": li_si(), "relation": "母亲", "phone": "13911112222"
    });
    let body = with(
        with(arrival(&child), "name", json!("张小宝")),
        "guardian",
        guardian,
    );
    director
        .register_arrival(&body)
        .await
        .expect(StatusCode::CREATED);
    let text = csv_export(&director, "residents").await;
    assert!(text.contains("监护人公民身份号码"), "{text}");
    for (plain, masked) in [
        (li_si(), masked_id(&li_si())),
        ("13911112222".to_owned(), "139****2222".to_owned()),
    ] {
        assert!(!text.contains(&plain), "{plain} in full");
        assert!(text.contains(&masked), "{masked} missing");
    }
}

#[tokio::test]
async fn the_list_page_offers_the_export_and_the_job_page_polls_its_progress() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    seeded(&director).await;
    let list = director
        .get(&format!("/residents?unit={COMMUNITY}"))
        .await
        .expect(StatusCode::OK);
    let html = list.body.as_str().expect("html");
    assert!(html.contains("action=\"/residents/export\""));
    assert!(html.contains(&format!("name=\"unit\" value=\"{COMMUNITY}\"")));
    // A clerk (no export permission) is not offered it.
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    let page = clerk.get("/residents").await.expect(StatusCode::OK);
    assert!(
        !page
            .body
            .as_str()
            .expect("html")
            .contains("/residents/export")
    );

    let form = format!("format=xlsx&layout=ledger&unit={COMMUNITY}");
    let started = director
        .raw(
            Method::POST,
            "/residents/export",
            "application/x-www-form-urlencoded",
            form,
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    let location = started.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(location.starts_with("/residents/export/"));
    let page = director.get(&location).await.expect(StatusCode::OK);
    assert!(page.body.as_str().expect("html").contains("export-status"));
    let mut done = false;
    for _ in 0..500 {
        let status = director
            .get(&format!("{location}/status"))
            .await
            .expect(StatusCode::OK);
        let html = status.body.as_str().expect("html").to_owned();
        if html.contains("/file") {
            assert!(!html.contains("hx-trigger"), "polling stops when done");
            assert!(html.contains("5"), "the row count: {html}");
            done = true;
            break;
        }
        assert!(html.contains("hx-trigger=\"every 1s\""), "{html}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(done);
    let (status, _, bytes) = director.download(&format!("{location}/file")).await;
    assert_eq!(status, StatusCode::OK);
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("xlsx");
    let range = book.worksheet_range("流动人口登记台账").expect("sheet");
    assert_eq!(range.height(), 2 + 5);
    // A wrong format from the page is an HTML page saying why.
    let refused = director
        .raw(
            Method::POST,
            "/residents/export",
            "application/x-www-form-urlencoded",
            "format=doc",
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.as_str().expect("html").contains("xlsx, csv"));
}

#[tokio::test]
async fn a_third_export_while_two_run_is_refused_but_another_account_may_start_one() {
    let app = spawn_app(ROOT).await;
    app.hold_running_exports(2);
    let refused = app
        .post("/api/v1/exports/residents", &json!({ "format": "csv" }))
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "export_jobs_busy");
    assert!(
        refused.message_zh().contains("导出正在进行"),
        "{}",
        refused.body
    );
    // Another account is not held up by them.
    let other = app.user(Role::OfficeDirector, ROOT).await;
    other
        .post("/api/v1/exports/residents", &json!({ "format": "csv" }))
        .await
        .expect(StatusCode::ACCEPTED);
}
