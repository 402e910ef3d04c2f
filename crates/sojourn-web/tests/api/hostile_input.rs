use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use sojourn_domain::account::{Role, allows};
use sojourn_web::auth::Access;

fn location(reply: &Reply) -> Option<&str> {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
}

fn text(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

/// Return addresses made to leave the site, as they stand in a link's
/// query (percent-encoded once by the link's author): tab, CR/LF,
/// backslash, `//`, `/\`, a scheme, a host, and their encoded forms.
const CRAFTED: [&str; 16] = [
    "/%09/evil.example/",
    "/%0d%0a",
    "/%0D%0ALocation:%20//evil.example",
    "/%0a/evil.example/",
    "%5C%5Cevil.example/",
    "/%5Cevil.example/",
    "//evil.example/",
    "%2F%2Fevil.example%2F",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/%252F%252Fevil.example/",
    "/%255Cevil.example/",
    "/%2509/evil.example/",
    "/%E5%BC%A0",
];

#[tokio::test]
async fn the_language_switch_refuses_every_return_address_off_this_site() {
    let app = deployment();
    for back in CRAFTED {
        let reply = app.get(&format!("/lang/en?back={back}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "back={back}");
        assert_eq!(location(&reply), None, "back={back}");
        assert!(
            text(&reply).contains("返回地址"),
            "back={back}: {}",
            text(&reply)
        );
        // Refused means nothing changed: the language is not switched.
        assert!(reply.set_cookies().iter().all(|c| !c.starts_with("lang=")));
    }
}

#[tokio::test]
async fn the_language_switch_still_returns_to_a_page_of_this_site() {
    let app = deployment();
    for (back, to) in [
        ("%2Fresidents%3Fq%3Dzs%26page%3D2", "/residents?q=zs&page=2"),
        ("/persons/12", "/persons/12"),
        (
            "%2Fresidents%3Fq%3D%25E5%25BC%25A0",
            "/residents?q=%E5%BC%A0",
        ),
    ] {
        let reply = app
            .get(&format!("/lang/en?back={back}"))
            .await
            .expect(StatusCode::SEE_OTHER);
        assert_eq!(location(&reply), Some(to));
    }
    let home = app.get("/lang/en").await.expect(StatusCode::SEE_OTHER);
    assert_eq!(location(&home), Some("/"));
}

#[tokio::test]
async fn the_sign_in_page_refuses_a_next_address_off_this_site() {
    let app = deployment();
    for next in CRAFTED {
        let reply = app.get(&format!("/sign-in?next={next}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "next={next}");
        assert!(text(&reply).contains("返回地址"), "next={next}");
    }
    let page = app
        .get("/sign-in?next=%2Fhouses")
        .await
        .expect(StatusCode::OK);
    assert!(text(&page).contains("value=\"/houses\""), "{}", text(&page));
}

#[tokio::test]
async fn a_genuine_sign_in_is_never_sent_off_this_site() {
    let app = deployment();
    let (username, _) = app.open_account(&[Role::Clerk], ROOT, false);
    let password = PASSWORD.replace('#', "%23");
    for next in CRAFTED {
        let body = format!("username={username}&password={password}&totp=&next={next}");
        let form = "application/x-www-form-urlencoded";
        let reply = app.raw(Method::POST, "/sign-in", form, body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "next={next}");
        assert_eq!(location(&reply), None, "next={next}");
        assert!(reply.session_cookie().is_none(), "next={next}");
    }
    let body = format!("username={username}&password={password}&totp=&next=%2Fhouses");
    let form = "application/x-www-form-urlencoded";
    let reply = app.raw(Method::POST, "/sign-in", form, body).await;
    assert_eq!(location(&reply), Some("/houses"));
    assert!(reply.session_cookie().is_some());
}

/// One more than the largest id or offset the store can hold.
const BEYOND_I64: &str = "9223372036854775808";

/// A signed-in user whose role the route's access allows.
async fn allowed_caller(app: &TestApp, access: Access) -> TestApp {
    let role = match access {
        Access::Permission(action, resource) => *Role::ALL
            .iter()
            .find(|role| allows(**role, action, resource))
            .expect("some role is allowed"),
        _ => Role::OfficeDirector,
    };
    app.user(role, ROOT).await
}

#[tokio::test]
async fn an_offset_beyond_i64_is_a_400_with_its_reason_not_a_500() {
    let app = spawn_app(ROOT).await;
    for offset in [BEYOND_I64, "18446744073709551615", "18446744073709551616"] {
        let uri = format!("/api/v1/quality/duplicates?offset={offset}");
        let reply = app
            .get(&uri)
            .await
            .expect_error(StatusCode::BAD_REQUEST, "invalid_query");
        assert!(reply.message_en().contains("offset"), "{:?}", reply.body);
        assert!(
            reply.message_zh().contains("查询参数有误"),
            "{:?}",
            reply.body
        );
    }
    let page = app
        .get("/api/v1/quality/duplicates?offset=9223372036854775807")
        .await
        .expect(StatusCode::OK);
    assert_eq!(page.body, serde_json::json!([]));
}

#[tokio::test]
async fn an_id_or_page_beyond_i64_is_a_400_on_every_api_route() {
    let app = deployment();
    for route in sojourn_web::api::route_list() {
        let has_id = route.path.contains("{id}");
        if !has_id || route.access == Access::Public {
            continue;
        }
        let caller = allowed_caller(&app, route.access).await;
        let uri = route
            .path
            .replace("{id}", BEYOND_I64)
            .replace("{kind}", "residence");
        let method: Method = route.method.parse().expect("method");
        let reply = caller.raw(method, &uri, "application/json", "{}").await;
        let what = format!("{} {uri}", route.method);
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what}: {:?}",
            reply.body
        );
        assert_eq!(reply.code(), "invalid_path", "{what}");
    }
    let director = app.user(Role::OfficeDirector, ROOT).await;
    for query in [
        "/api/v1/residents?page=9223372036854775808",
        "/api/v1/houses?per_page=9223372036854775808",
        "/api/v1/quality/findings?after=9223372036854775808",
        "/api/v1/quality/duplicates?limit=9223372036854775808",
        "/api/v1/review/queue?page=9223372036854775808",
    ] {
        director
            .get(query)
            .await
            .expect_error(StatusCode::BAD_REQUEST, "invalid_query");
    }
}

#[tokio::test]
async fn an_id_or_offset_beyond_i64_is_a_400_page_on_every_page_route() {
    let app = deployment();
    let form = "application/x-www-form-urlencoded";
    for route in sojourn_web::pages::route_list() {
        // An import report's id is a random name, not a number.
        if !route.path.contains("{id}") || route.path.starts_with("/import/") {
            continue;
        }
        let caller = allowed_caller(&app, route.access).await;
        let uri = route
            .path
            .replace("{id}", BEYOND_I64)
            .replace("{kind}", "residence");
        let mut reply = caller.get(&uri).await;
        if reply.status == StatusCode::METHOD_NOT_ALLOWED {
            reply = caller.raw(Method::POST, &uri, form, "version=1").await;
        }
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{uri}: {}",
            text(&reply)
        );
        assert!(text(&reply).contains("无法识别"), "{uri}: {}", text(&reply));
    }
    let director = app.user(Role::OfficeDirector, ROOT).await;
    let reply = director
        .get(&format!("/quality/duplicates?offset={BEYOND_I64}"))
        .await
        .expect(StatusCode::BAD_REQUEST);
    assert!(text(&reply).contains("无法识别"), "{}", text(&reply));
}

#[tokio::test]
async fn an_unreadable_upload_is_refused_with_the_apis_json_error() {
    let app = spawn_app(ROOT).await;
    for content_type in ["multipart/form-data", "text/plain"] {
        let reply = app
            .raw(Method::POST, "/api/v1/imports/residents", content_type, "x")
            .await
            .expect_error(StatusCode::BAD_REQUEST, "unreadable_request");
        assert!(!reply.message_zh().is_empty() && !reply.message_en().is_empty());
    }
}
