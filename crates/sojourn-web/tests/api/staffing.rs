//! The staffing ratios page (配备标准, R1.4): communities and employers
//! against the standard, an employer's coordinators recorded in its row,
//! the filter in the URL and the workbook.

use crate::fixtures::*;
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use sojourn_domain::account::Role;
use std::io::Cursor;

const FORM: &str = "application/x-www-form-urlencoded";

fn html(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

/// The `<tr>` of employer `id` on the page.
fn employer_row(page: &str, id: i64) -> &str {
    let start = page
        .find(&format!("id=\"employer-{id}\""))
        .expect("the employer's row");
    let end = page[start..]
        .find("</tr>")
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

async fn director_with_an_employer() -> (TestApp, i64) {
    let director = spawn_app(ROOT).await;
    let employer = director
        .create_employer(&employer(&acme_uscc()))
        .await
        .expect(StatusCode::CREATED)
        .id();
    (director, employer)
}

#[tokio::test]
async fn the_page_lists_each_community_and_an_employer_short_of_its_coordinator() {
    let (director, employer) = director_with_an_employer().await;
    director.user(Role::Coordinator, COMMUNITY).await;
    let page = director.get("/staffing").await.expect(StatusCode::OK);
    let text = html(&page);
    for name in [COMMUNITY_NAME, "银闸社区居委会", "北京多福餐饮有限公司"] {
        assert!(text.contains(name), "{name} listed");
    }
    assert!(employer_row(text, employer).contains("未达标"));
    assert!(employer_row(text, employer).contains("兼职1名"));

    // The sibling community has no coordinator: it alone falls short.
    let short = director
        .get("/staffing?short=1")
        .await
        .expect(StatusCode::OK);
    let communities = html(&short)
        .split("id=\"employers\"")
        .next()
        .expect("the communities' section");
    assert!(communities.contains("银闸社区居委会"));
    assert!(!communities.contains(COMMUNITY_NAME));
}

#[tokio::test]
async fn recording_an_employers_coordinators_checks_what_was_typed_and_keeps_it() {
    let (director, employer) = director_with_an_employer().await;
    let path = format!("/staffing/employers/{employer}");
    for typed in [
        "full_time=abc&part_time=1",
        "full_time=1000&part_time=0",
        "full_time=-1",
    ] {
        let refused = director
            .raw(Method::POST, &path, FORM, typed.to_owned())
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        let row = employer_row(html(&refused), employer).to_owned();
        assert!(row.contains("不是有效的人数"), "{typed}: {row}");
        assert!(row.contains("aria-invalid=\"true\""), "{typed}");
    }
    let page = director.get("/staffing").await.expect(StatusCode::OK);
    assert!(
        employer_row(html(&page), employer).contains("未达标"),
        "nothing saved"
    );

    let saved = director
        .raw(
            Method::POST,
            &path,
            FORM,
            "full_time=0&part_time=1".to_owned(),
        )
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        saved.headers[header::LOCATION],
        format!("/staffing?done=saved#employer-{employer}").as_str()
    );
    let page = director
        .get("/staffing?done=saved")
        .await
        .expect(StatusCode::OK);
    assert!(html(&page).contains("已保存"));
    assert!(!employer_row(html(&page), employer).contains("未达标"));
}

#[tokio::test]
async fn only_the_heads_record_coordinators_and_the_inspector_reads() {
    let (director, employer) = director_with_an_employer().await;
    let path = format!("/staffing/employers/{employer}");
    let inspector = director.user(Role::Inspector, ROOT).await;
    let page = inspector.get("/staffing").await.expect(StatusCode::OK);
    assert!(!employer_row(html(&page), employer).contains("<form"));
    inspector
        .raw(
            Method::POST,
            &path,
            FORM,
            "full_time=1&part_time=0".to_owned(),
        )
        .await
        .expect(StatusCode::FORBIDDEN);
    let clerk = director.user(Role::Clerk, ROOT).await;
    clerk.get("/staffing").await.expect(StatusCode::FORBIDDEN);
    // A sibling community's chief cannot reach an employer outside it.
    let sibling = director.user(Role::StationChief, SIBLING).await;
    sibling
        .raw(
            Method::POST,
            &path,
            FORM,
            "full_time=1&part_time=0".to_owned(),
        )
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_workbook_has_a_sheet_of_communities_and_one_of_employers() {
    let (director, _) = director_with_an_employer().await;
    let (status, headers, bytes) = director.download("/staffing.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .contains("attachment")
    );
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("an .xlsx file");
    assert_eq!(book.sheet_names(), ["村（社区）", "用工单位"]);
    let cells = |book: &mut Xlsx<_>, sheet: &str| -> Vec<Vec<String>> {
        book.worksheet_range(sheet)
            .expect("sheet")
            .rows()
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        Data::String(s) => s.clone(),
                        _ => String::new(),
                    })
                    .collect()
            })
            .collect()
    };
    let communities = cells(&mut book, "村（社区）");
    assert_eq!(communities[1][..3], ["村（社区）", "流动人口", "出租房屋"]);
    assert_eq!(communities[2][0], COMMUNITY_NAME);
    assert_eq!(communities[2][4], "0", "no coordinator account yet");
    let employers = cells(&mut book, "用工单位");
    assert_eq!(
        employers[2][..3],
        ["北京多福餐饮有限公司", COMMUNITY_NAME, "12"]
    );
    assert_eq!(employers[2][6], "未达标");
}
