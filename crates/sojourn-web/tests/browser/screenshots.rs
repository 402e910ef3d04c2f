//! Screenshots of every page at an office screen (1366×768) and a phone
//! (390×844), written to docs/screenshots/ for the README and for review.
//! Each page is also checked for a missing message (shown as ⟦key⟧).

use crate::harness::Ctx;
use crate::seed::Seeded;
use std::path::PathBuf;

const SIZES: [(u32, u32); 2] = [(1366, 768), (390, 844)];

/// `docs/screenshots` when `SOJOURN_UPDATE_SCREENSHOTS=1` asks for the
/// README's pictures to be renewed; otherwise a folder under the build's
/// own, so that a test run leaves the working tree as it was.
fn folder() -> PathBuf {
    if std::env::var_os("SOJOURN_UPDATE_SCREENSHOTS").is_some_and(|v| v == "1") {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
    }
}

/// Width and height from a PNG's header.
fn png_size(png: &[u8]) -> (u32, u32) {
    let word = |at: usize| {
        let bytes: [u8; 4] = png[at..at + 4].try_into().expect("a PNG header");
        u32::from_be_bytes(bytes)
    };
    (word(16), word(20))
}

/// Makes the viewport (not the window) `width`×`height`.
pub async fn viewport(ctx: &Ctx, width: u32, height: u32) {
    ctx.client
        .set_window_size(width, height)
        .await
        .expect("window size");
    let inner = ctx
        .eval("return [window.innerWidth, window.innerHeight];")
        .await;
    let got = |i: usize| inner[i].as_u64().unwrap_or(0) as u32;
    let (w, h) = (got(0), got(1));
    if (w, h) != (width, height) {
        let outer_w = width + width.saturating_sub(w).max(w.saturating_sub(width));
        let outer_h = height + height.saturating_sub(h).max(h.saturating_sub(height));
        ctx.client
            .set_window_size(outer_w, outer_h)
            .await
            .expect("window size");
    }
}

/// Saves what the browser shows now as `{name}-{w}x{h}.png` in [`folder`].
pub async fn save(ctx: &Ctx, name: &str, width: u32, height: u32) {
    let png = ctx.client.screenshot().await.expect("screenshot");
    let dir = folder();
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let path = dir.join(format!("{name}-{width}x{height}.png"));
    std::fs::write(&path, &png).expect("screenshot written");
    let (w, h) = png_size(&png);
    assert!(
        w >= width * 9 / 10 && w <= width && h >= height * 9 / 10 && h <= height,
        "{name}: screenshot is {w}×{h}, wanted {width}×{height}"
    );
}

/// Opens `path` at each size, checks it, and saves it.
async fn shoot(ctx: &Ctx, name: &str, path: &str) {
    for (width, height) in SIZES {
        viewport(ctx, width, height).await;
        ctx.goto(path).await;
        ctx.find("main").await;
        let html = ctx.source().await;
        assert!(
            !html.contains('⟦'),
            "{path}: a message is missing from the catalogue"
        );
        let errors = ctx.console_errors().await;
        assert!(errors.is_empty(), "{path}: console errors {errors:?}");
        save(ctx, name, width, height).await;
    }
}

/// The resident list searched by pinyin initials (a posted search).
async fn searched_list(ctx: &Ctx) {
    for (width, height) in SIZES {
        viewport(ctx, width, height).await;
        ctx.goto("/residents?status=any").await;
        ctx.type_into("#filter-q", "wang").await;
        ctx.click("form.filters button.primary").await;
        ctx.wait_text(".count", "the search result", |t| t.contains("共 3 条"))
            .await;
        save(ctx, "residents-search", width, height).await;
    }
}

/// The registration form refused: live ID error, and the errors of a
/// submit with required fields left blank.
async fn refused_form(ctx: &Ctx) {
    for (width, height) in SIZES {
        viewport(ctx, width, height).await;
        ctx.goto("/residents/new").await;
        ctx.type_into("#name", "欧阳晓明").await;
        ctx.type_into("#id_number", "410105199003071230").await;
        ctx.wait_text("#id_number-msg", "the check-digit error", |t| {
            t.contains("校验位")
        })
        .await;
        ctx.click("form.form button.primary").await;
        ctx.find("#form-errors").await;
        save(ctx, "register-refused", width, height).await;
    }
}

/// The console check sees what a page reports (else its silence proves
/// nothing).
async fn console_check_works(ctx: &Ctx) {
    ctx.goto("/").await;
    ctx.eval("console.error('console probe'); return null;")
        .await;
    let errors = ctx.console_errors().await;
    assert!(
        errors.iter().any(|e| e.contains("console probe")),
        "the browser log is not read: {errors:?}"
    );
}

pub async fn every_page(ctx: &Ctx, seeded: &Seeded) {
    console_check_works(ctx).await;
    let pages = [
        ("home", "/".to_owned()),
        ("residents", "/residents".to_owned()),
        ("register", "/residents/new".to_owned()),
        ("person", format!("/persons/{}", seeded.person)),
        (
            "departure",
            format!("/residences/{}/departure", seeded.residence),
        ),
        ("card", format!("/persons/{}/card", seeded.person)),
        ("houses", "/houses".to_owned()),
        ("house", format!("/houses/{}", seeded.house)),
        ("employers", "/employers".to_owned()),
        ("employer", format!("/employers/{}", seeded.employer)),
        ("outflows", "/outflows".to_owned()),
        ("outflow", format!("/outflows/{}", seeded.outflow)),
        ("house-new", "/houses/new".to_owned()),
        ("house-edit", format!("/houses/{}/edit", seeded.house)),
        ("employer-new", "/employers/new".to_owned()),
        (
            "employer-edit",
            format!("/employers/{}/edit", seeded.employer),
        ),
        ("outflow-new", "/outflows/new".to_owned()),
        ("outflow-edit", format!("/outflows/{}/edit", seeded.outflow)),
        (
            "outflow-return",
            format!("/outflows/{}/return", seeded.outflow),
        ),
        ("not-found", "/persons/999999".to_owned()),
        ("no-page", "/nothing-here".to_owned()),
        ("password", "/password".to_owned()),
        ("sign-in", "/sign-in".to_owned()),
    ];
    for (name, path) in &pages {
        shoot(ctx, name, path).await;
    }
    searched_list(ctx).await;
    refused_form(ctx).await;
    ctx.goto("/lang/en?back=/").await;
    shoot(ctx, "home-en", "/").await;
    shoot(ctx, "register-en", "/residents/new").await;
    ctx.goto("/lang/zh-CN?back=/").await;
}
