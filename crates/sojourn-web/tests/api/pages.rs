use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use sojourn_domain::account::Role;

fn location(reply: &Reply) -> String {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn is_html(reply: &Reply) -> bool {
    reply
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
}

fn text(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_page_sends_a_reader_who_is_not_signed_in_to_the_sign_in_page() {
    let app = deployment();
    let reply = app.get("/residents?status=any").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&reply), "/sign-in?next=/residents%3Fstatus%3Dany");
    // The sign-in page itself, the language switch and the assets are public.
    let page = app.get("/sign-in").await.expect(StatusCode::OK);
    assert!(is_html(&page) && text(&page).contains("name=\"username\""));
    app.get("/lang/en?back=/")
        .await
        .expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_unknown_page_is_an_html_404_and_an_unknown_api_route_stays_json() {
    let app = deployment();
    let reply = app.get("/nothing-here").await.expect(StatusCode::NOT_FOUND);
    assert!(is_html(&reply), "{:?}", reply.headers);
    assert!(text(&reply).contains("没有这个页面"));
    app.get("/api/v1/nothing-here")
        .await
        .expect_error(StatusCode::NOT_FOUND, "route_not_found");
}

#[tokio::test]
async fn a_page_the_role_does_not_allow_is_refused_with_a_zh_cn_page() {
    let app = deployment();
    let inspector = app.user(Role::HealthWorker, ROOT).await;
    inspector.get("/residents").await.expect(StatusCode::OK);
    let reply = inspector
        .get("/residents/new")
        .await
        .expect(StatusCode::FORBIDDEN);
    assert!(is_html(&reply));
    assert!(text(&reply).contains("您的角色无权进行此操作"));
}

#[tokio::test]
async fn a_page_form_without_the_csrf_token_is_refused() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, ROOT).await;
    let request = Request::builder()
        .method(Method::POST)
        .uri("/residents/new")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-csrf-token", "not-the-token")
        .body(Body::from("name=%E5%BC%A0%E4%B8%89"))
        .expect("request");
    let reply = clerk.send(request).await.expect(StatusCode::FORBIDDEN);
    assert!(is_html(&reply));
}

async fn sign_in_page(app: &TestApp, username: &str, password: &str) -> Reply {
    let body = format!("username={username}&password={password}&totp=&next=%2Fhouses");
    app.raw(
        Method::POST,
        "/sign-in",
        "application/x-www-form-urlencoded",
        body,
    )
    .await
}

#[tokio::test]
async fn the_sign_in_page_signs_in_with_the_api_rules() {
    let app = deployment();
    let (username, _) = app.open_account(&[Role::Clerk], ROOT, false);
    let password = PASSWORD.replace('#', "%23");

    let wrong = sign_in_page(&app, &username, "wrong").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(text(&wrong).contains("用户名、密码或动态验证码错误"));
    assert!(wrong.session_cookie().is_none());

    let right = sign_in_page(&app, &username, &password).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&right), "/houses");
    assert!(right.session_cookie().is_some());

    // An account whose password must be changed goes to the change first.
    let (fresh, _) = app.open_account(&[Role::Clerk], ROOT, true);
    let reply = sign_in_page(&app, &fresh, &password).await;
    assert_eq!(location(&reply), "/password");
}

#[tokio::test]
async fn every_page_and_fragment_but_the_public_ones_needs_a_sign_in() {
    let app = deployment();
    let gets = [
        "/",
        "/residents",
        "/residents/new",
        "/persons/1",
        "/persons/1/card",
        "/residences/1/departure",
        "/houses",
        "/houses/1",
        "/employers",
        "/employers/1",
        "/outflows",
        "/outflows/1",
        "/ui/pick/houses",
        "/ui/pick/employers",
        "/password",
    ];
    for path in gets {
        let reply = app.get(path).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "GET {path}");
        assert!(location(&reply).starts_with("/sign-in"), "GET {path}");
    }
    let posts = [
        "/residents",
        "/residents/new",
        "/residences/1/departure",
        "/houses",
        "/employers",
        "/outflows",
        "/ui/id-check",
        "/ui/field/name",
        "/ui/divisions/domicile",
        "/password",
        "/sign-out",
    ];
    for path in posts {
        let form = "application/x-www-form-urlencoded";
        let reply = app.raw(Method::POST, path, form, "q=x").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "POST {path}");
        assert_eq!(location(&reply), "/sign-in", "POST {path}");
    }
    // A fragment asked for by htmx is told where to go instead; asked for
    // from a page (a live check on the registration form), it comes back
    // to that page after the sign-in.
    assert_eq!(
        fragment_redirect(&app, None).await.as_deref(),
        Some("/sign-in")
    );
    assert_eq!(
        fragment_redirect(&app, Some("http://sojourn.test/residents/new"))
            .await
            .as_deref(),
        Some("/sign-in?next=/residents/new")
    );
}

/// Where htmx is told to go when a live check is refused for want of a
/// session, asked for from the page `referer` names.
async fn fragment_redirect(app: &TestApp, referer: Option<&str>) -> Option<String> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/ui/id-check")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "sojourn.test")
        .header("hx-request", "true");
    if let Some(referer) = referer {
        request = request.header(header::REFERER, referer);
    }
    let request = request.body(Body::from("id_number=1")).expect("request");
    let reply = app.send(request).await.expect(StatusCode::UNAUTHORIZED);
    let to = reply.headers.get("hx-redirect")?.to_str().ok()?;
    Some(to.to_owned())
}

/// Pairs as a form body.
fn form_body(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn the_registration_form_reports_every_error_in_one_submit_and_stores_nothing() {
    let app = deployment();
    let clerk = app.user(Role::Clerk, COMMUNITY).await;
    let body = form_body(&[
        ("id_number", "110101199003071230"),
        ("name", "%E6%AC%A7%E9%98%B3"),
        ("ethnicity", "01"),
        ("phone", "12345"),
        ("unit", ""),
        ("arrived_on", "2099-01-01"),
        ("reason", "05"),
        ("intended_stay_months", "many"),
        ("current_address", ""),
    ]);
    let reply = clerk
        .raw(
            Method::POST,
            "/residents/new",
            "application/x-www-form-urlencoded",
            body,
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(&reply);
    for field in [
        "id_number",
        "phone",
        "unit",
        "arrived_on",
        "intended_stay_months",
        "current_address",
        "domicile",
    ] {
        assert!(
            page.contains(&format!("id=\"{field}-msg\"")),
            "no error beside {field}"
        );
    }
    // What was typed is all there.
    assert!(page.contains("value=\"12345\"") && page.contains("value=\"many\""));
    let found = clerk
        .get("/api/v1/residents?status=any")
        .await
        .expect(StatusCode::OK);
    assert_eq!(found.body["total"], 0);
}
