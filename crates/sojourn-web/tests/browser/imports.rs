//! Importing a sheet from the page: choose the form, upload the .xlsx,
//! read the report.

use crate::harness::{Ctx, communities, run};
use crate::seed;
use rust_xlsxwriter::Workbook;
use std::path::Path;
use std::sync::Arc;

/// A small 《流动人口信息登记表》: a title row, the header, one good row
/// and one with a wrong check character.
fn sheet(path: &Path) {
    let good = seed::id("410105", "19920101", "321");
    let bad = {
        let id = seed::id("410105", "19930202", "432");
        let (first17, check) = id.split_at(17);
        format!("{first17}{}", if check == "0" { "1" } else { "0" })
    };
    let community = communities().remove(0);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .write_string(0, 0, "流动人口信息登记表")
        .expect("title");
    let header = [
        "姓名",
        "公民身份号码",
        "民族",
        "户籍地",
        "所属社区",
        "来本地日期",
        "居住事由",
        "现住址",
    ];
    for (column, text) in header.iter().enumerate() {
        sheet.write_string(2, column as u16, *text).expect("header");
    }
    for (row, (name, id)) in [("韩梅", good), ("李雷", bad)].into_iter().enumerate() {
        let row = 3 + row as u32;
        let cells = [
            name,
            id.as_str(),
            "汉族",
            "410102001002",
            community.as_str(),
            "2024年3月5日",
            "务工",
            "多福巷7号",
        ];
        for (column, cell) in cells.iter().enumerate() {
            sheet.write_string(row, column as u16, *cell).expect("cell");
        }
    }
    workbook.save(path).expect("sheet saved");
}

#[test]
fn a_sheet_uploaded_from_the_page_shows_its_report() {
    run(|ctx: Arc<Ctx>| async move {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("登记表.xlsx");
        sheet(&path);
        ctx.goto("/import").await;
        ctx.click("a[href='/import/residents']").await;
        ctx.wait_path("/import/residents").await;
        ctx.find("#file")
            .await
            .send_keys(path.to_str().expect("UTF-8 path"))
            .await
            .expect("file chosen");
        ctx.click("#import-submit").await;
        ctx.wait_path("/import/reports/").await;
        let counts = ctx
            .wait_text("#import-counts", "the counts", |t| t.contains("拒绝 1 行"))
            .await;
        assert!(counts.contains("1 行可导入"), "{counts}");
        let rows = ctx.text("#import-rows").await;
        assert!(
            rows.contains('5') && rows.contains("公民身份号码") && rows.contains("校验"),
            "{rows}"
        );
        let xlsx = ctx.find("#report-xlsx").await.attr("href").await;
        assert!(xlsx.ok().flatten().unwrap_or_default().ends_with("/xlsx"));
    });
}

/// A ledger as an office keeps it: no community column, the household
/// registration as text, no reason for stay.
fn ledger(path: &Path) {
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
    let id = seed::id("410105", "19940303", "543");
    let cells = [
        "苏文",
        id.as_str(),
        "汉族",
        "河南省郑州市金水区",
        "2024-03-05",
        "多福巷9号",
    ];
    for (column, cell) in cells.iter().enumerate() {
        sheet.write_string(3, column as u16, *cell).expect("cell");
    }
    workbook.save(path).expect("ledger saved");
}

#[test]
fn a_ledger_without_a_community_column_is_imported_for_the_community_picked() {
    run(|ctx: Arc<Ctx>| async move {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("台账.xlsx");
        ledger(&path);
        let chosen = communities().remove(1);
        ctx.goto("/import/residents").await;
        // Nothing picked: the sheet is refused whole, and says why.
        ctx.find("#file")
            .await
            .send_keys(path.to_str().expect("UTF-8 path"))
            .await
            .expect("file chosen");
        ctx.click("#import-submit").await;
        let error = ctx
            .wait_text("#form-errors", "the refusal", |t| !t.is_empty())
            .await;
        assert!(error.contains("请选择本表所属的社区"), "{error}");
        // Picked: every row goes to that community.
        ctx.choose("#unit", &chosen).await;
        ctx.find("#file")
            .await
            .send_keys(path.to_str().expect("UTF-8 path"))
            .await
            .expect("file chosen");
        ctx.click("#import-submit").await;
        ctx.wait_path("/import/reports/").await;
        let counts = ctx
            .wait_text("#import-counts", "the counts", |t| t.contains("可导入"))
            .await;
        assert!(counts.contains("1 行可导入"), "{counts}");
        let id = sojourn_domain::codes::IdNumber::parse(&seed::id("410105", "19940303", "543"))
            .expect("valid");
        let scope = sojourn_domain::unit::Scope::of(
            sojourn_domain::unit::UnitCode::parse(&chosen).expect("unit"),
        );
        let person = ctx
            .app
            .store
            .find_person(&scope, &id)
            .expect("lookup")
            .expect("imported into the community picked");
        assert_eq!(person.details.domicile.as_str(), "410105");
    });
}
