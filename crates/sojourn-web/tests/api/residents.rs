use crate::fixtures::*;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn registering_an_arrival_creates_a_person_file_and_a_registered_stay() {
    let app = spawn_app(ROOT).await;
    let reply = app
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    let person = &reply.body["person"];
    assert_eq!(person["id_number"], masked_id(&zhang_san()));
    assert_eq!(person["name"], "张三");
    assert_eq!(person["sex"], "1");
    assert_eq!(person["sex_name"], "男");
    assert_eq!(person["birth_date"], "1990-03-07");
    assert_eq!(person["ethnicity_name"], "汉族");
    assert_eq!(person["education"], "20");
    assert_eq!(person["domicile_name"], "河南省 郑州市 金水区");
    assert_eq!(person["unit"], COMMUNITY);
    let residence = &reply.body["residence"];
    assert_eq!(residence["status"], "registered");
    assert_eq!(residence["arrived_on"], "2024-03-05");
    assert_eq!(residence["reason"], "01");
    assert_eq!(residence["person_id"], person["id"]);
    assert!(residence["departure"].is_null());
}

#[tokio::test]
async fn an_arrival_with_a_wrong_check_character_is_refused_and_nothing_is_registered() {
    let app = spawn_app(ROOT).await;
    let body = arrival(&with_wrong_check(&zhang_san()));
    let reply = app.register_arrival(&body).await;
    let reply = reply.expect_field("id_number", "id_number_check_character");
    assert!(
        reply.body["error"]["fields"][0]["message"]["zh-CN"]
            .as_str()
            .is_some_and(|m| m.contains("校验位"))
    );
    let list = app
        .search_residents("status=any")
        .await
        .expect(StatusCode::OK);
    assert_eq!(list.body["total"], 0);
}

#[tokio::test]
async fn every_invalid_field_of_an_arrival_is_reported_at_once() {
    let app = spawn_app(ROOT).await;
    let mut body = arrival(&with_wrong_check(&zhang_san()));
    body["name"] = json!("张3");
    body["ethnicity"] = json!("火星族");
    body["domicile"] = json!("419999");
    body["phone"] = json!("12345");
    body["unit"] = json!("11010100100");
    body["arrived_on"] = json!(tomorrow());
    body["reason"] = json!("度假");
    body["current_address"] = json!("路".repeat(201));
    let reply = app
        .register_arrival(&body)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = reply.fields();
    fields.sort();
    let expected = [
        ("arrived_on", "date_in_future"),
        ("current_address", "text_too_long"),
        ("domicile", "division_unknown"),
        ("ethnicity", "code_table_unknown"),
        ("id_number", "id_number_check_character"),
        ("name", "text_not_a_name"),
        ("phone", "phone_invalid"),
        ("reason", "code_table_unknown"),
        ("unit", "unit_code_malformed"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(fields, expected);
}

#[tokio::test]
async fn a_malformed_domicile_code_is_refused() {
    let app = spawn_app(ROOT).await;
    let body = with(arrival(&zhang_san()), "domicile", json!("41A1"));
    app.register_arrival(&body)
        .await
        .expect_field("domicile", "division_malformed");
}

#[tokio::test]
async fn an_over_long_name_is_refused() {
    let app = spawn_app(ROOT).await;
    let body = with(arrival(&zhang_san()), "name", json!("张".repeat(51)));
    let reply = app
        .register_arrival(&body)
        .await
        .expect_field("name", "text_too_long");
    assert!(
        reply.body["error"]["fields"][0]["message"]["zh-CN"]
            .as_str()
            .is_some_and(|m| m.contains("50"))
    );
}

#[tokio::test]
async fn a_missing_field_is_refused_with_serdes_reason() {
    let app = spawn_app(ROOT).await;
    let mut body = arrival(&zhang_san());
    body.as_object_mut().expect("object").remove("arrived_on");
    let reply = app
        .register_arrival(&body)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    assert!(
        reply.message_en().contains("arrived_on"),
        "{}",
        reply.message_en()
    );
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_refused_with_serdes_reason() {
    let app = spawn_app(ROOT).await;
    let body = with(
        arrival(&zhang_san()),
        "intended_stay_months",
        json!("twelve"),
    );
    let reply = app
        .register_arrival(&body)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    assert!(
        reply.message_en().contains("invalid type"),
        "{}",
        reply.message_en()
    );
}

#[tokio::test]
async fn registering_an_id_with_a_current_residence_is_a_duplicate_naming_the_unit() {
    let app = spawn_app(ROOT).await;
    app.register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    let again = with(arrival(&zhang_san()), "unit", json!(SIBLING));
    let reply = app
        .register_arrival(&again)
        .await
        .expect_error(StatusCode::CONFLICT, "duplicate_residence");
    assert!(reply.message_en().contains(COMMUNITY));
    assert!(reply.message_zh().contains(COMMUNITY_NAME));
    let list = app
        .search_residents("status=any")
        .await
        .expect(StatusCode::OK);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["residence"]["unit"], COMMUNITY);
}

#[tokio::test]
async fn someone_who_left_and_came_back_gets_a_new_stay_on_the_same_file() {
    let app = spawn_app(ROOT).await;
    let first = app
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    let residence = &first.body["residence"];
    let departure = json!({ "departed_on": "2024-05-01", "version": residence["version"] });
    let id = residence["id"].as_i64().expect("id");
    app.register_departure(id, &departure)
        .await
        .expect(StatusCode::OK);
    let body = with(arrival(&zhang_san()), "arrived_on", json!("2024-09-01"));
    let second = app
        .register_arrival(&body)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(second.body["person"]["id"], first.body["person"]["id"]);
    assert_ne!(second.body["residence"]["id"], residence["id"]);
    let file = app
        .get_person(second.body["person"]["id"].as_i64().expect("id"))
        .await;
    assert_eq!(file.body["residences"].as_array().map(Vec::len), Some(2));
}

/// Registers 张三 (man, 410105, phone 13800138000) and 李四 (woman,
/// 510107), returning their residence ids.
async fn two_residents(app: &TestApp) -> (i64, i64) {
    let zhang = app
        .register_arrival(&arrival(&zhang_san()))
        .await
        .expect(StatusCode::CREATED);
    let mut body = arrival(&li_si());
    body["name"] = json!("李四");
    body["domicile"] = json!("510107");
    body["phone"] = json!("13912345678");
    body["arrived_on"] = json!("2023-01-15");
    let li = app
        .register_arrival(&body)
        .await
        .expect(StatusCode::CREATED);
    let id = |r: &Reply| r.body["residence"]["id"].as_i64().expect("id");
    (id(&zhang), id(&li))
}

fn names(reply: &Reply) -> Vec<String> {
    let items = reply.body["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|i| i["person"]["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn one_search_box_finds_residents_by_id_name_pinyin_and_phone() {
    let app = spawn_app(ROOT).await;
    two_residents(&app).await;
    for q in [
        zhang_san().as_str(),
        "张",
        "zs",
        "ZhangSan",
        "zhang",
        "13800138000",
    ] {
        let reply = app
            .search_residents(&format!("q={q}"))
            .await
            .expect(StatusCode::OK);
        assert_eq!(names(&reply), ["张三"], "q={q}");
    }
    // ID and phone numbers are stored encrypted and found whole (blind
    // index): a part of one finds nobody.
    let prefix = &zhang_san()[..10];
    for q in [prefix, "1380013"] {
        let reply = app
            .search_residents(&format!("q={q}"))
            .await
            .expect(StatusCode::OK);
        assert!(names(&reply).is_empty(), "q={q}");
    }
    let reply = app.search_residents("q=ls").await.expect(StatusCode::OK);
    assert_eq!(names(&reply), ["李四"]);
}

#[tokio::test]
async fn the_resident_list_filters_sorts_and_pages() {
    let app = spawn_app(ROOT).await;
    two_residents(&app).await;
    let cases = [
        ("", vec!["张三", "李四"]),
        ("sort=arrived_asc", vec!["李四", "张三"]),
        ("sort=name", vec!["李四", "张三"]),
        ("sex=2", vec!["李四"]),
        ("sex=男", vec!["张三"]),
        ("origin_province=51", vec!["李四"]),
        ("arrived_from=2024-01-01", vec!["张三"]),
        ("arrived_to=2023-12-31", vec!["李四"]),
        ("unit=110101001001", vec!["张三", "李四"]),
        ("unit=110101001002", vec![]),
        ("status=departed", vec![]),
        ("per_page=1", vec!["张三"]),
        ("per_page=1&page=2", vec!["李四"]),
    ];
    for (query, expected) in cases {
        let reply = app.search_residents(query).await.expect(StatusCode::OK);
        assert_eq!(names(&reply), expected, "?{query}");
    }
    let page = app.search_residents("per_page=1&page=2").await;
    assert_eq!(page.body["total"], 2);
    assert_eq!(page.body["page"], 2);
    assert_eq!(page.body["per_page"], 1);
}

#[tokio::test]
async fn the_resident_list_filters_by_house_and_employer() {
    let app = spawn_app(ROOT).await;
    let seeded = seed(&app).await;
    two_residents_without_links(&app).await;
    let by_house = app
        .search_residents(&format!("house={}", seeded.house_id()))
        .await;
    assert_eq!(names(&by_house.expect(StatusCode::OK)), ["张三"]);
    let by_employer = app
        .search_residents(&format!("employer={}", seeded.employer_id()))
        .await;
    assert_eq!(names(&by_employer.expect(StatusCode::OK)), ["张三"]);
}

async fn two_residents_without_links(app: &TestApp) {
    let mut body = arrival(&li_si());
    body["name"] = json!("李四");
    app.register_arrival(&body)
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn invalid_list_filters_are_all_reported() {
    let app = spawn_app(ROOT).await;
    let reply = app
        .search_residents("status=gone&sort=age&sex=x&arrived_from=2024-13-01&origin_province=4101&unit=1&page=0&per_page=501")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields: Vec<String> = reply.fields().into_iter().map(|(f, _)| f).collect();
    fields.sort();
    let expected = [
        "arrived_from",
        "origin_province",
        "page",
        "per_page",
        "sex",
        "sort",
        "status",
        "unit",
    ];
    assert_eq!(fields, expected);
}

#[tokio::test]
async fn a_list_filter_of_the_wrong_type_is_a_bad_query() {
    let app = spawn_app(ROOT).await;
    app.search_residents("house=abc")
        .await
        .expect_error(StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn an_arrival_before_the_birth_or_at_the_street_itself_is_refused_and_changes_nothing() {
    let app = spawn_app(ROOT).await;
    // 张三 was born on 1990-03-07.
    let early = with(arrival(&zhang_san()), "arrived_on", json!("1990-03-06"));
    let reply = app
        .register_arrival(&early)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "arrival_before_birth");
    assert!(
        reply.body["error"]["message"]["zh-CN"]
            .as_str()
            .is_some_and(|m| m.contains("早于出生日期"))
    );
    let at_street = with(arrival(&zhang_san()), "unit", json!(ROOT));
    let reply = app.register_arrival(&at_street).await.expect_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "stay_unit_above_community",
    );
    assert!(
        reply.body["error"]["message"]["en"]
            .as_str()
            .is_some_and(|m| m.contains("community"))
    );
    let list = app
        .search_residents("status=any")
        .await
        .expect(StatusCode::OK);
    assert_eq!(list.body["total"], 0);
}
