//! Sheets as staff fill them in, generated here with rust_xlsxwriter, read
//! back: the header found under the title, columns by their words, every
//! date form, numbers Excel kept as numbers.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use sojourn_sheets::{
    CellError, Form, Layout, Limits, SheetError, SheetRow, read_csv_bytes, read_file,
};
use std::ops::ControlFlow;
use std::path::Path;

fn read_all(
    path: &Path,
    form: Form,
) -> Result<(sojourn_sheets::Layout, Vec<SheetRow>), SheetError> {
    let mut rows = Vec::new();
    let layout = read_file(path, form, &Limits::default(), &mut |_, row| {
        rows.push(row);
        ControlFlow::Continue(())
    })?;
    Ok((layout, rows))
}

/// A 《流动人口信息登记表》 as a community keeps it: title, filler, a
/// numbering column, headers in its own words, columns in its own order.
fn messy_residents(path: &Path) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .merge_range(0, 0, 0, 9, "东华门街道流动人口信息登记表", &Format::new())
        .expect("test sheet");
    sheet
        .write_string(1, 0, "填报单位：多福巷社区")
        .expect("test sheet");
    sheet
        .write_string(1, 6, "填报日期：2024年3月")
        .expect("test sheet");
    let header = [
        "序号",
        "姓 名",
        "身份证号",
        "民族",
        "户籍地",
        "*所属社区（代码）",
        "来本地时间",
        "居住事由",
        "现居住地址",
        "备注",
    ];
    for (column, text) in header.iter().enumerate() {
        sheet
            .write_string(3, column as u16, *text)
            .expect("test sheet");
    }
    let rows: [(&str, Cell, Cell); 7] = [
        // The template's sample number, not its sample (张三): read.
        (
            "陈三",
            Cell::Text("１１０１０５１９４９１２３１００２x"),
            Cell::Date(2024, 3, 5),
        ),
        (
            "李四",
            Cell::Text("11010519491231002X"),
            Cell::Text("2024/3/5"),
        ),
        (
            "王五",
            Cell::Text(" 110105 19491231 002X "),
            Cell::Text("2024.3.5"),
        ),
        (
            "赵六",
            Cell::Text("11010519491231002X"),
            Cell::Text("2024年3月5日"),
        ),
        (
            "钱七",
            Cell::Text("11010519491231002X"),
            Cell::Number(20240305.0),
        ),
        (
            "孙八",
            Cell::Number(110105194912310021.0),
            Cell::Text("2024-03-05"),
        ),
        (
            "周九",
            Cell::Text("11010519491231002X"),
            Cell::Text("上个月"),
        ),
    ];
    for (i, (name, id, arrived)) in rows.iter().enumerate() {
        let row = 4 + i as u32;
        sheet
            .write_number(row, 0, (i + 1) as f64)
            .expect("test sheet");
        sheet.write_string(row, 1, *name).expect("test sheet");
        id.write(sheet, row, 2, &date);
        sheet.write_string(row, 3, "汉族").expect("test sheet");
        sheet
            .write_number(row, 4, 410102001002.0)
            .expect("test sheet");
        sheet
            .write_string(row, 5, "110101001001")
            .expect("test sheet");
        arrived.write(sheet, row, 6, &date);
        sheet.write_string(row, 7, "务工").expect("test sheet");
        sheet
            .write_string(row, 8, "多福巷１２号  东院")
            .expect("test sheet");
    }
    // A blank line, then one more row: blank lines are skipped.
    sheet.write_string(13, 1, "吴十").expect("test sheet");
    sheet
        .write_string(13, 2, "11010519491231002X")
        .expect("test sheet");
    sheet.write_number(13, 6, 45356.0).expect("test sheet");
    workbook.save(path).expect("test sheet");
}

enum Cell {
    Text(&'static str),
    Number(f64),
    Date(u16, u8, u8),
}

impl Cell {
    fn write(&self, sheet: &mut rust_xlsxwriter::Worksheet, row: u32, column: u16, date: &Format) {
        match self {
            Self::Text(text) => sheet.write_string(row, column, *text).map(drop),
            Self::Number(n) => sheet.write_number(row, column, *n).map(drop),
            Self::Date(y, m, d) => sheet
                .write_datetime_with_format(
                    row,
                    column,
                    ExcelDateTime::from_ymd(*y, *m, *d).expect("test sheet"),
                    date,
                )
                .map(drop),
        }
        .expect("test sheet");
    }
}

#[test]
fn a_messy_sheet_reads_into_the_forms_fields() {
    let dir = tempfile::tempdir().expect("test sheet");
    let path = dir.path().join("登记表.xlsx");
    messy_residents(&path);
    let (layout, rows) = read_all(&path, Form::Residents).expect("test sheet");
    assert_eq!(layout.header_row, 4);
    assert_eq!(layout.ignored, ["序号", "备注"]);
    assert_eq!(layout.header_of("id_number"), "身份证号");
    assert_eq!(layout.header_of("unit"), "*所属社区（代码）");

    let numbers: Vec<u64> = rows.iter().map(|r| r.row).collect();
    assert_eq!(
        numbers,
        [5, 6, 7, 8, 9, 10, 11, 14],
        "blank rows skipped, Excel's numbering kept"
    );
    let form = Form::Residents;
    for row in rows.iter().take(5) {
        assert!(row.problems.is_empty(), "{row:?}");
        assert_eq!(
            row.value(form, "id_number"),
            Some("11010519491231002X"),
            "{row:?}"
        );
        assert_eq!(row.value(form, "arrived_on"), Some("2024-03-05"), "{row:?}");
        assert_eq!(row.value(form, "domicile"), Some("410102001002"));
        assert_eq!(row.value(form, "current_address"), Some("多福巷12号 东院"));
    }
    // The ID number Excel kept as a number: refused for its lost digits.
    let lost = &rows[5];
    assert_eq!(lost.problems.len(), 1);
    assert_eq!(lost.problems[0].column, "身份证号");
    assert!(matches!(
        lost.problems[0].error,
        CellError::LostDigits { .. }
    ));
    // Text that is no date.
    assert_eq!(rows[6].problems[0].column, "来本地时间");
    assert!(matches!(&rows[6].problems[0].error, CellError::NotADate(s) if s == "上个月"));
    // A serial number in a date column that lost its date format.
    assert_eq!(rows[7].value(form, "arrived_on"), Some("2024-03-05"));
}

#[test]
fn a_sheet_without_the_forms_header_or_a_required_column_is_refused_whole() {
    let mut visit = |_: &Layout, _| ControlFlow::Continue(());
    let no_header = read_csv_bytes("甲,乙\n1,2\n".as_bytes(), Form::Houses, &mut visit);
    assert!(
        matches!(no_header, Err(SheetError::NoHeader { .. })),
        "{no_header:?}"
    );

    let missing = read_csv_bytes(
        "流出人口登记表\n姓名,身份证号,流出日期\n".as_bytes(),
        Form::Outflows,
        &mut visit,
    );
    match missing {
        Err(SheetError::MissingColumns(columns)) => assert_eq!(columns, "流入地区划代码"),
        other => panic!("{other:?}"),
    }
    // No community column is not a missing one: the community is chosen
    // for the sheet, or named in its title, by the import.
    let no_community = read_csv_bytes(
        "流出人口登记表\n姓名,身份证号,流出日期,流入地\n".as_bytes(),
        Form::Outflows,
        &mut visit,
    );
    assert!(no_community.is_ok(), "{no_community:?}");

    let twice = read_csv_bytes(
        "姓名,身份证号,公民身份号码,户籍社区,流出日期,流入地\n".as_bytes(),
        Form::Outflows,
        &mut visit,
    );
    assert!(
        matches!(
            twice,
            Err(SheetError::RepeatedColumn {
                key: "id_number",
                ..
            })
        ),
        "{twice:?}"
    );

    // The machine form (English keys) refuses a column it does not know.
    let typo = read_csv_bytes(
        "id_number,name,unit,left_on,destination,remark\n".as_bytes(),
        Form::Outflows,
        &mut visit,
    );
    assert!(matches!(typo, Err(SheetError::UnknownColumn(c)) if c == "remark"));
}

#[test]
fn csv_sheets_read_like_xlsx_ones() {
    let csv = "\u{feff}出租房屋申请备案表\n,,,\n房屋用途,房东姓名,出租间数,房屋坐落,所属社区,房主类型,房主身份证号,备案时间\n\
               居住,李建,３,多福巷12号,110101001001,个人,110105196501010013,2024年1月10日\n\
               ,,,,,,,\n\
               居住,王五,2,多福巷14号,110101001001,个人,1.10101E+17,2024-1-10\n";
    let mut rows = Vec::new();
    let layout = read_csv_bytes(csv.as_bytes(), Form::Houses, &mut |_, row| {
        rows.push(row);
        ControlFlow::Continue(())
    })
    .expect("test sheet");
    assert_eq!(layout.header_row, 3);
    assert_eq!(rows.len(), 2);
    let form = Form::Houses;
    assert_eq!(rows[0].row, 4);
    assert_eq!(rows[0].value(form, "rooms"), Some("3"));
    assert_eq!(rows[0].value(form, "filed_on"), Some("2024-01-10"));
    assert_eq!(rows[0].value(form, "landlord_kind"), Some("个人"));
    assert_eq!(rows[1].row, 6);
    assert!(matches!(
        rows[1].problems[0].error,
        CellError::LostDigits { .. }
    ));
    assert_eq!(rows[1].problems[0].column, "房主身份证号");
}

#[test]
fn templates_read_back_as_their_form_without_their_sample_row() {
    let dir = tempfile::tempdir().expect("test sheet");
    for form in Form::ALL {
        let path = dir.path().join(format!("{}.xlsx", form.key()));
        sojourn_sheets::write_template(form, &path).expect("test sheet");
        let (layout, rows) = read_all(&path, form).expect("test sheet");
        assert_eq!(layout.header_row, 2, "{form:?}: title above the header");
        assert!(layout.ignored.is_empty(), "{form:?}: {:?}", layout.ignored);
        assert_eq!(
            layout.title.trim(),
            form.title(),
            "{form:?}: the title kept"
        );
        // The sample (张三, 李四) is the template's example, not a record.
        assert!(rows.is_empty(), "{form:?}: {rows:?}");
        let sample: Vec<Option<String>> = form
            .sample()
            .iter()
            .map(|v| (!v.is_empty()).then(|| (*v).to_owned()))
            .collect();
        assert!(form.is_sample(&sample), "{form:?}");
    }
}

#[test]
fn a_row_is_the_sample_only_with_the_samples_own_keys() {
    let form = Form::Residents;
    let mut values: Vec<Option<String>> = form
        .sample()
        .iter()
        .map(|v| (!v.is_empty()).then(|| (*v).to_owned()))
        .collect();
    let name = form
        .fields()
        .iter()
        .position(|f| f.key == "name")
        .expect("a name field");
    values[name] = Some("陈三".into());
    assert!(
        !form.is_sample(&values),
        "the sample's number, someone else"
    );
    values[name] = None;
    assert!(!form.is_sample(&values));
}

#[test]
fn a_gbk_csv_as_excel_saves_it_on_a_chinese_system_reads_like_utf8() {
    let text = "流出人口登记表\n姓名,身份证号,户籍社区,流出日期,流入地\n李建,110105196501010013,110101001001,2024年2月1日,440304001\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the bytes are GBK, not UTF-8"
    );
    let mut rows = Vec::new();
    let layout = read_csv_bytes(&gbk, Form::Outflows, &mut |_, row| {
        rows.push(row);
        ControlFlow::Continue(())
    })
    .expect("read");
    assert_eq!(layout.header_of("left_on"), "流出日期");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].value(Form::Outflows, "name"), Some("李建"));
    assert_eq!(rows[0].value(Form::Outflows, "left_on"), Some("2024-02-01"));
}
