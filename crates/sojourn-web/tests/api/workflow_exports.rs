//! Exports of the review workflow's lists (审核队列, 待更正, 超时未录入, 待抽查,
//! 工作量统计) and the data-quality monitor's (问题清单, 疑似重复档案): the
//! rows their lists show for the same caller and filter, read through the
//! caller's scope, no number in clear, wrong requests refused before any
//! job starts.

use crate::exports::{export, xlsx_rows};
use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use sojourn_domain::account::Role;

/// The record ids of an export's rows (`居住登记 #12` → 12, `张三（人员档案
/// #12）多福巷12号` → 12), from its record column.
fn record_ids(rows: &[Vec<String>], column: usize) -> Vec<i64> {
    let mut ids: Vec<i64> = rows[2..]
        .iter()
        .map(|r| {
            r[column]
                .rsplit('#')
                .next()
                .map(|n| {
                    n.chars()
                        .take_while(char::is_ascii_digit)
                        .collect::<String>()
                })
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no record id in {:?}", r[column]))
        })
        .collect();
    ids.sort_unstable();
    ids
}

fn queue_ids(reply: &Reply) -> Vec<i64> {
    let mut ids: Vec<i64> = reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    ids.sort_unstable();
    ids
}

/// Three stays collected in the community, two of them entered.
async fn collected(deployment: &TestApp) -> Vec<i64> {
    let collector = deployment.user(Role::Collector, COMMUNITY).await;
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let mut ids = Vec::new();
    for sequence in ["013", "024", "035"] {
        let body = arrival(&id_number("410105", "19880808", sequence));
        let reply = collector
            .register_arrival(&body)
            .await
            .expect(StatusCode::CREATED);
        ids.push(reply.body["residence"]["id"].as_i64().expect("id"));
    }
    for id in &ids[..2] {
        coordinator
            .post(
                &format!("/api/v1/review/residence/{id}/enter"),
                &json!({ "version": 1 }),
            )
            .await
            .expect(StatusCode::OK);
    }
    ids
}

#[tokio::test]
async fn the_review_queue_export_has_the_queues_rows_in_scope_alone() {
    let deployment = deployment();
    let ids = collected(&deployment).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let listed = chief
        .get("/api/v1/review/queue?per_page=500")
        .await
        .expect(StatusCode::OK);
    assert_eq!(queue_ids(&listed), ids[..2]);
    let job = export(&chief, "review-queue", &json!({ "format": "xlsx" })).await;
    let rows = xlsx_rows(&chief, &job).await;
    assert_eq!(rows[0][0], "审核队列");
    assert_eq!(
        rows[1],
        [
            "序号",
            "记录",
            "所属单位",
            "审核状态",
            "采集",
            "录入",
            "原因"
        ]
    );
    assert_eq!(record_ids(&rows, 1), queue_ids(&listed));
    assert!(rows[2][3].contains("待审核"), "{:?}", rows[2]);

    // The corrections and spot-check lists are empty; the overdue list
    // (as of now) too, since nothing waits a day.
    for list in ["review-corrections", "review-spot-checks", "review-overdue"] {
        let job = export(&chief, list, &json!({ "format": "csv" })).await;
        assert_eq!(job["state"], "done", "{list}: {job}");
        assert_eq!(job["rows_written"], 0, "{list}");
    }

    // The sibling's chief sees none of the community's records.
    let sibling = deployment.user(Role::StationChief, SIBLING).await;
    let job = export(&sibling, "review-queue", &json!({ "format": "xlsx" })).await;
    assert_eq!(xlsx_rows(&sibling, &job).await.len(), 2, "headers alone");
    // A coordinator reads the queue but may not export it.
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    coordinator
        .post("/api/v1/exports/review-queue", &json!({ "format": "xlsx" }))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn the_counts_export_has_the_pages_counts_for_a_day() {
    let deployment = deployment();
    collected(&deployment).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    let job = export(
        &chief,
        "review-counts",
        &json!({ "format": "xlsx", "filters": { "since": "2020-01-01" } }),
    )
    .await;
    let rows = xlsx_rows(&chief, &job).await;
    assert_eq!(rows[0][0], "工作量统计");
    assert_eq!(rows[1][..3], ["序号", "统计对象", "人员 / 单位"]);
    let counts = chief
        .get("/api/v1/review/counts?since=2020-01-01")
        .await
        .expect(StatusCode::OK);
    let people: Vec<String> = counts.body["by_person"]
        .as_array()
        .expect("by person")
        .iter()
        .map(|c| c["who"].as_str().expect("who").to_owned())
        .collect();
    assert!(!people.is_empty());
    for who in &people {
        assert!(
            rows.iter().any(|r| r[1] == "人员" && &r[2] == who),
            "{who}: {rows:?}"
        );
    }
    // Every step counted, person by person, is in the file.
    let total: u64 = counts.body["by_person"]
        .as_array()
        .expect("by person")
        .iter()
        .map(|c| c["count"].as_u64().expect("count"))
        .sum();
    let exported: u64 = rows[2..]
        .iter()
        .filter(|r| r[1] == "人员")
        .flat_map(|r| r[3..].iter().map(|n| n.parse::<u64>().expect("a count")))
        .sum();
    assert_eq!(exported, total);
    assert!(rows.iter().any(|r| r[1] == "单位"), "the units' counts");
}

/// Files two people of one name and birth date (two numbers) and scans.
async fn namesakes(app: &TestApp) -> Vec<String> {
    let numbers: Vec<String> = ["123", "125"]
        .iter()
        .map(|s| id_number("410105", "19900307", s))
        .collect();
    for number in &numbers {
        app.register_arrival(&arrival(number))
            .await
            .expect(StatusCode::CREATED);
    }
    app.post("/api/v1/quality/scan", &json!({}))
        .await
        .expect(StatusCode::OK);
    numbers
}

#[tokio::test]
async fn the_monitor_exports_have_the_findings_of_a_rule_and_the_queue_no_number_in_clear() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    let numbers = namesakes(&director).await;
    let rule = "quality_address_not_down_to_town";
    let listed = director
        .get(&format!("/api/v1/quality/findings?rule={rule}&limit=500"))
        .await
        .expect(StatusCode::OK);
    let mut listed_ids: Vec<i64> = listed
        .body
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["record_id"].as_i64().expect("record"))
        .collect();
    listed_ids.sort_unstable();
    assert!(!listed_ids.is_empty());
    let job = export(
        &director,
        "quality-findings",
        &json!({ "format": "xlsx", "filters": { "rule": rule } }),
    )
    .await;
    let rows = xlsx_rows(&director, &job).await;
    assert_eq!(
        rows[1],
        ["序号", "单位", "规则", "记录", "问题说明", "发现日期"]
    );
    assert_eq!(record_ids(&rows, 3), listed_ids);
    // Each row names its record, not only its number.
    assert!(
        rows[2..].iter().all(|r| r[3].starts_with("张三")),
        "{rows:?}"
    );
    // Every rule: at least as many.
    let job = export(&director, "quality-findings", &json!({ "format": "xlsx" })).await;
    assert!(xlsx_rows(&director, &job).await.len() - 2 >= listed_ids.len());

    let job = export(
        &director,
        "quality-duplicates",
        &json!({ "format": "xlsx" }),
    )
    .await;
    let rows = xlsx_rows(&director, &job).await;
    assert_eq!(rows[1][..3], ["序号", "相似度", "档案"]);
    assert_eq!(rows.len() - 2, 1, "the one open pair: {rows:?}");
    assert!(rows[2][2].contains("张三"));
    let text = format!("{rows:?}");
    for number in &numbers {
        assert!(!text.contains(number.as_str()), "a number in clear");
    }
    // Dismissed pairs: none yet.
    let job = export(
        &director,
        "quality-duplicates",
        &json!({ "format": "csv", "filters": { "status": "dismissed" } }),
    )
    .await;
    assert_eq!(job["rows_written"], 0);

    // Out of scope: the sibling's chief exports none of these.
    let sibling = deployment.user(Role::StationChief, SIBLING).await;
    for list in ["quality-findings", "quality-duplicates"] {
        let job = export(&sibling, list, &json!({ "format": "xlsx" })).await;
        assert_eq!(job["rows_written"], 0, "{list}");
    }
    // A clerk reads the monitor but may not export it.
    let clerk = deployment.user(Role::Clerk, COMMUNITY).await;
    clerk
        .post(
            "/api/v1/exports/quality-findings",
            &json!({ "format": "xlsx" }),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");

    // Each export is audited with its list and filters, no number.
    let entries = deployment
        .store()
        .audit_entries_unscoped(0, 1000)
        .expect("entries");
    let exports: Vec<Value> = entries
        .iter()
        .filter(|e| e.action == "export")
        .map(|e| serde_json::from_str(&e.details).expect("json"))
        .collect();
    assert!(
        exports
            .iter()
            .any(|d| d["list"] == "quality-findings" && d["filters"]["rule"] == rule)
    );
    for entry in entries.iter().filter(|e| e.action == "export") {
        for number in &numbers {
            assert!(!entry.details.contains(number.as_str()), "a number kept");
        }
    }
}

#[tokio::test]
async fn a_wrong_workflow_export_is_refused_in_both_languages_and_starts_nothing() {
    let deployment = deployment();
    let director = deployment.user(Role::OfficeDirector, ROOT).await;
    for (list, filters, field) in [
        (
            "quality-findings",
            json!({ "rule": "no_such_rule" }),
            "rule",
        ),
        ("quality-duplicates", json!({ "status": "lost" }), "status"),
        ("review-counts", json!({ "since": "yesterday" }), "since"),
    ] {
        let reply = director
            .post(
                &format!("/api/v1/exports/{list}"),
                &json!({ "format": "xlsx", "filters": filters }),
            )
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        let text = reply.body.to_string();
        let fields: Vec<String> = reply.fields().into_iter().map(|(f, _)| f).collect();
        assert!(fields.contains(&field.to_owned()), "{list}: {text}");
        assert!(
            text.contains("\"zh-CN\"") && text.contains("\"en\""),
            "{text}"
        );
    }
    // Nothing to reveal in a work list.
    director
        .post(
            "/api/v1/exports/review-queue",
            &json!({ "format": "xlsx", "numbers": "full", "reason": "核对审核队列" }),
        )
        .await
        .expect_field("numbers", "unknown_option");
    director
        .post(
            "/api/v1/exports/review-nothing",
            &json!({ "format": "xlsx" }),
        )
        .await
        .expect_error(StatusCode::NOT_FOUND, "route_not_found");
    let page = director
        .raw(
            Method::POST,
            "/review/nothing/export",
            "application/x-www-form-urlencoded",
            "format=xlsx".to_owned(),
        )
        .await;
    assert!(page.status.is_client_error(), "{}", page.status);
    let entries = deployment
        .store()
        .audit_entries_unscoped(0, 1000)
        .expect("entries");
    assert!(
        !entries
            .iter()
            .any(|e| e.action == "export" || e.action == "reveal"),
        "no job ran"
    );
}

#[tokio::test]
async fn each_workflow_page_offers_its_export_with_its_filter() {
    let deployment = deployment();
    let ids = collected(&deployment).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    for (page, action) in [
        ("/review", "/review/export"),
        ("/review/corrections", "/review/corrections/export"),
        ("/review/overdue", "/review/overdue/export"),
        ("/review/spot-checks", "/review/spot-checks/export"),
        ("/review/counts?since=2020-01-01", "/review/counts/export"),
        (
            "/quality/findings?rule=quality_address_not_down_to_town",
            "/quality/findings/export",
        ),
        (
            "/quality/duplicates?status=all",
            "/quality/duplicates/export",
        ),
    ] {
        let html = chief.get(page).await.expect(StatusCode::OK);
        let html = html.body.as_str().expect("html").to_owned();
        assert!(html.contains(&format!("action=\"{action}\"")), "{page}");
        assert!(
            !html.contains("name=\"numbers\""),
            "{page}: nothing to reveal"
        );
    }
    let html = chief
        .get("/quality/findings?rule=quality_address_not_down_to_town")
        .await
        .expect(StatusCode::OK);
    assert!(
        html.body
            .as_str()
            .expect("html")
            .contains("name=\"rule\" value=\"quality_address_not_down_to_town\"")
    );
    // A coordinator reads the queue without the export.
    let coordinator = deployment.user(Role::Coordinator, COMMUNITY).await;
    let html = coordinator.get("/review").await.expect(StatusCode::OK);
    assert!(!html.body.as_str().expect("html").contains("/review/export"));

    // From the page: the job's page, then the file, in the reader's words.
    let started = chief
        .raw(
            Method::POST,
            "/review/export",
            "application/x-www-form-urlencoded",
            "format=xlsx&layout=list".to_owned(),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    let location = started.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(location.starts_with("/review/export/"), "{location}");
    chief.get(&location).await.expect(StatusCode::OK);
    let mut bytes = Vec::new();
    for _ in 0..500 {
        let (status, _, body) = chief.download(&format!("{location}/file")).await;
        if status == StatusCode::OK {
            bytes = body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    assert_eq!(range.height(), 2 + 2, "the two entered records of {ids:?}");
    // Another account does not see the job.
    let other = deployment.user(Role::StationChief, ROOT).await;
    other.get(&location).await.expect(StatusCode::NOT_FOUND);
    // A wrong filter from the page is a page saying why.
    let refused = chief
        .raw(
            Method::POST,
            "/quality/findings/export",
            "application/x-www-form-urlencoded",
            "format=xlsx&rule=bogus".to_owned(),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.as_str().expect("html").contains("rule"));
}

#[tokio::test]
async fn the_corrections_spot_check_and_overdue_exports_have_their_lists_rows() {
    let deployment = deployment();
    let ids = collected(&deployment).await;
    let chief = deployment.user(Role::StationChief, ROOT).await;
    chief
        .post(
            &format!("/api/v1/review/residence/{}/return", ids[0]),
            &json!({ "version": 2, "reason": "现住址缺少门牌号" }),
        )
        .await
        .expect(StatusCode::OK);
    chief
        .post(
            &format!("/api/v1/review/residence/{}/approve", ids[1]),
            &json!({ "version": 2 }),
        )
        .await
        .expect(StatusCode::OK);
    // A day later the third, never entered, is overdue (judged by the
    // server's clock, as the list judges it).
    deployment.clock().advance(time::Duration::hours(25));
    let chief = deployment.user(Role::StationChief, ROOT).await;
    for (list, api, expected) in [
        ("review-corrections", "corrections", ids[0]),
        ("review-spot-checks", "spot-checks", ids[1]),
        ("review-overdue", "overdue", ids[2]),
    ] {
        let listed = chief
            .get(&format!("/api/v1/review/{api}?per_page=500"))
            .await
            .expect(StatusCode::OK);
        assert_eq!(queue_ids(&listed), [expected], "{list}");
        let job = export(&chief, list, &json!({ "format": "xlsx" })).await;
        let rows = xlsx_rows(&chief, &job).await;
        assert_eq!(record_ids(&rows, 1), [expected], "{list}: {rows:?}");
        if list == "review-corrections" {
            assert_eq!(rows[2][6], "现住址缺少门牌号", "the reason");
        }
    }
}
