//! The data-quality monitor over HTTP: counts, findings, a scan, the
//! duplicate queue with dismiss and merge refusals, wrong inputs, and the
//! monitor page and report.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{StatusCode, header};
use serde_json::json;

/// Files two people of one name and birth date (two numbers) and scans;
/// returns the queued pair's id.
async fn namesakes(app: &TestApp) -> i64 {
    for sequence in ["123", "125"] {
        let body = arrival(&id_number("410105", "19900307", sequence));
        app.register_arrival(&body)
            .await
            .expect(StatusCode::CREATED);
    }
    let scan = app
        .post("/api/v1/quality/scan", &json!({}))
        .await
        .expect(StatusCode::OK);
    assert!(
        scan.body["records"].as_u64().unwrap_or(0) >= 4,
        "{}",
        scan.body
    );
    let queue = app
        .get("/api/v1/quality/duplicates?status=open")
        .await
        .expect(StatusCode::OK);
    let pairs = queue.body.as_array().expect("queue").clone();
    assert_eq!(pairs.len(), 1, "{}", queue.body);
    assert_eq!(pairs[0]["first_name"], "张三");
    assert!(pairs[0]["score"].as_u64().unwrap_or(0) >= 80);
    pairs[0]["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_write_is_counted_and_listed_by_rule() {
    let app = spawn_app(ROOT).await;
    app.register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    let counts = app
        .get("/api/v1/quality/counts")
        .await
        .expect(StatusCode::OK);
    let findings = counts.body["findings"].as_array().expect("counts").clone();
    // The fixture's domicile is a county: not down to town level.
    assert!(
        findings
            .iter()
            .any(|c| c["rule"] == "quality_address_not_down_to_town" && c["count"] == 1),
        "{}",
        counts.body
    );
    let list = app
        .get("/api/v1/quality/findings?rule=quality_address_not_down_to_town")
        .await
        .expect(StatusCode::OK);
    let rows = list.body.as_array().expect("list").clone();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["record_kind"], "person");
    assert_eq!(rows[0]["record_name"], "张三");
    assert!(rows[0]["detail_zh"].as_str().unwrap_or("").contains("乡镇"));
    // The page names the record a clerk opens, not its kind and number.
    let page = app.get("/quality/findings").await.expect(StatusCode::OK);
    let link = "\">张三</a> <span class=\"muted\">";
    assert!(page.body.as_str().unwrap_or_default().contains(link));
}

#[tokio::test]
async fn a_dismissal_needs_a_reason_is_kept_and_cannot_be_repeated() {
    let app = spawn_app(ROOT).await;
    let id = namesakes(&app).await;
    let dismiss = format!("/api/v1/quality/duplicates/{id}/dismiss");
    app.post(&dismiss, &json!({ "reason": "  " }))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .expect_field("reason", "dismiss_reason_required");
    let done = app
        .post(&dismiss, &json!({ "reason": "电话核实为两人" }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(done.body["status"], "dismissed");
    let detail = app
        .get(&format!("/api/v1/quality/duplicates/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(detail.body["decisions"][0]["decision"], "dismissed");
    assert_eq!(detail.body["decisions"][0]["reason"], "电话核实为两人");
    app.post(&dismiss, &json!({ "reason": "再次排除" }))
        .await
        .expect_error(StatusCode::CONFLICT, "duplicate_already_decided");
}

#[tokio::test]
async fn a_merge_of_two_current_files_is_refused_with_the_reason() {
    let app = spawn_app(ROOT).await;
    let id = namesakes(&app).await;
    let pair = app
        .get(&format!("/api/v1/quality/duplicates/{id}"))
        .await
        .expect(StatusCode::OK);
    let keep = pair.body["pair"]["first_person"].clone();
    let refused = app
        .post(
            &format!("/api/v1/quality/duplicates/{id}/merge"),
            &json!({ "keep": keep }),
        )
        .await
        .expect_error(StatusCode::CONFLICT, "merge_both_current");
    assert!(refused.message_zh().contains("注销"));
    let after = app
        .get(&format!("/api/v1/quality/duplicates/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(after.body["pair"]["status"], "open");
    assert!(
        after.body["decisions"]
            .as_array()
            .expect("decisions")
            .is_empty()
    );
}

#[tokio::test]
async fn a_merged_file_says_so_and_its_number_takes_no_new_stay() {
    let app = spawn_app(ROOT).await;
    let (first, second) = (
        id_number("410105", "19900307", "123"),
        id_number("410105", "19900307", "125"),
    );
    let arrived = app
        .register_arrival(&arrival(&first))
        .await
        .expect(StatusCode::CREATED);
    let absorbed = arrived.body["person"]["id"].as_i64().expect("person");
    let stay = arrived.body["residence"]["id"].as_i64().expect("stay");
    app.register_departure(stay, &json!({ "departed_on": "2024-08-01", "version": 1 }))
        .await
        .expect(StatusCode::OK);
    let kept = app
        .register_arrival(&arrival(&second))
        .await
        .expect(StatusCode::CREATED)
        .body["person"]["id"]
        .as_i64()
        .expect("person");
    app.post("/api/v1/quality/scan", &json!({}))
        .await
        .expect(StatusCode::OK);
    let queue = app
        .get("/api/v1/quality/duplicates?status=open")
        .await
        .expect(StatusCode::OK);
    let id = queue.body[0]["id"].as_i64().expect("the pair");
    app.post(
        &format!("/api/v1/quality/duplicates/{id}/merge"),
        &json!({ "keep": kept }),
    )
    .await
    .expect(StatusCode::OK);

    let file = app
        .get(&format!("/api/v1/persons/{absorbed}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(file.body["person"]["merged_into"], kept, "{}", file.body);
    let refused = app
        .register_arrival(&arrival(&first))
        .await
        .expect_error(StatusCode::CONFLICT, "merged_file");
    assert!(
        refused.message_zh().contains("已并入档案"),
        "{}",
        refused.body
    );
    let page = app
        .get(&format!("/persons/{absorbed}"))
        .await
        .expect(StatusCode::OK);
    let html = page.body.as_str().unwrap_or_default();
    assert!(html.contains("本档案已并入另一档案"), "{html}");
    assert!(
        html.contains(&format!("href=\"/persons/{kept}\"")),
        "{html}"
    );
    assert!(
        !html.contains(&format!("/persons/{absorbed}/edit")),
        "a merged file offers no edit"
    );
}

#[tokio::test]
async fn wrong_monitor_inputs_are_refused() {
    let app = spawn_app(ROOT).await;
    app.get("/api/v1/quality/findings?rule=no_such_rule")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .expect_field("rule", "quality_unknown_rule");
    app.get("/api/v1/quality/duplicates?status=maybe")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .expect_field("status", "quality_unknown_status");
    app.get("/api/v1/quality/findings?limit=0")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY)
        .expect_field("limit", "page_limit");
    app.get("/api/v1/quality/duplicates/999999")
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_monitor_page_shows_the_counts_and_the_report_downloads() {
    let app = spawn_app(ROOT).await;
    let id = namesakes(&app).await;
    let page = app.get("/quality").await.expect(StatusCode::OK);
    let html = page.body.as_str().expect("html").to_owned();
    assert!(html.contains("数据质量监控"));
    assert!(html.contains("地址未登记到乡镇（街道）"));
    assert!(html.contains("/quality/report.xlsx"));
    // The queue opens the pair side by side; the merge is confirmed there.
    let queue = app.get("/quality/duplicates").await.expect(StatusCode::OK);
    let queue = queue.body.as_str().expect("html").to_owned();
    assert!(queue.contains("对比后合并"), "{queue}");
    let compared = app
        .get(&format!("/quality/duplicates/{id}"))
        .await
        .expect(StatusCode::OK);
    let compared = compared.body.as_str().expect("html");
    assert!(compared.contains(r#"class="differs""#), "{compared}");
    // Both files have a current stay: the page says why it cannot merge
    // them rather than offering a merge the store refuses.
    assert!(compared.contains("两份档案都有在住登记"), "{compared}");
    assert!(!compared.contains("合并，保留“张三”"), "{compared}");
    let report = app.get("/quality/report.xlsx").await.expect(StatusCode::OK);
    let kind = report
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert!(report.body.as_str().expect("bytes").starts_with("PK"));
}
