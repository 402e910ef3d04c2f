//! Files crafted to make a reader hold too much, refused by the bound each
//! goes over, before any row is read: a cell of megabytes, a cell longer
//! than a form's, too many rows, a part or shared strings that unpack to
//! more than their bound (a zip bomb), too many parts.

use sojourn_sheets::{Bound, Form, Limits, SheetError, read_file};
use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;

/// A workbook of one worksheet whose `sheetData` `rows` writes, with the
/// shared strings and other parts given.
fn xlsx(
    path: &Path,
    rows: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    parts: &mut dyn FnMut(&mut zip::ZipWriter<std::fs::File>) -> std::io::Result<()>,
) {
    let file = std::fs::File::create(path).expect("file");
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    let part = |zip: &mut zip::ZipWriter<std::fs::File>, name: &str, text: &str| {
        zip.start_file(name, options).expect("part");
        zip.write_all(text.as_bytes()).expect("part");
    };
    part(
        &mut zip,
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        &mut zip,
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        &mut zip,
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    part(
        &mut zip,
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    );
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .expect("sheet");
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
        .expect("sheet");
    rows(&mut zip).expect("rows");
    zip.write_all(b"</sheetData></worksheet>").expect("sheet");
    parts(&mut zip).expect("parts");
    zip.finish().expect("zip");
}

/// A row of inline-string cells.
fn row(out: &mut dyn Write, number: u64, cells: &[&str]) -> std::io::Result<()> {
    write!(out, r#"<row r="{number}">"#)?;
    for (column, text) in cells.iter().enumerate() {
        let letter = char::from(b'A' + column as u8);
        write!(
            out,
            r#"<c r="{letter}{number}" t="inlineStr"><is><t>{text}</t></is></c>"#
        )?;
    }
    write!(out, "</row>")
}

const HEADER: [&str; 6] = [
    "房屋地址",
    "出租人类型",
    "出租人姓名或名称",
    "所属社区代码",
    "出租间数",
    "房屋用途",
];

/// The houses' header, then `data` rows of one cell each.
fn header_and_rows(out: &mut dyn Write, data: u64) -> std::io::Result<()> {
    row(out, 1, &HEADER)?;
    for n in 0..data {
        row(out, n + 2, &["多福巷1号"])?;
    }
    Ok(())
}

fn no_parts(_: &mut zip::ZipWriter<std::fs::File>) -> std::io::Result<()> {
    Ok(())
}

fn read(path: &Path, limits: &Limits) -> Result<u64, SheetError> {
    let mut rows = 0;
    read_file(path, Form::Houses, limits, &mut |_, _| {
        rows += 1;
        ControlFlow::Continue(())
    })?;
    Ok(rows)
}

fn bound(result: Result<u64, SheetError>) -> Bound {
    match result {
        Err(SheetError::TooLarge(bound)) => bound,
        other => panic!("not refused by a bound: {other:?}"),
    }
}

fn temp(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

#[test]
fn a_well_formed_crafted_sheet_is_read() {
    let dir = tempfile::tempdir().expect("dir");
    let path = temp(&dir, "fine.xlsx");
    xlsx(&path, &mut |out| header_and_rows(out, 3), &mut no_parts);
    assert_eq!(read(&path, &Limits::default()).expect("read"), 3);
}

#[test]
fn a_cell_of_fifty_megabytes_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().expect("dir");
    let path = temp(&dir, "cell.xlsx");
    xlsx(
        &path,
        &mut |out| {
            row(out, 1, &HEADER)?;
            write!(out, r#"<row r="2"><c r="A2" t="inlineStr"><is><t>"#)?;
            let block = "多".repeat(64 * 1024);
            for _ in 0..(50 * 1024 * 1024 / block.len()) {
                out.write_all(block.as_bytes())?;
            }
            write!(out, "</t></is></c></row>")
        },
        &mut no_parts,
    );
    let refused = bound(read(&path, &Limits::default()));
    assert!(
        matches!(
            refused,
            Bound::Cell {
                at: None,
                max: 1_000
            }
        ),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("1000 characters"), "{refused}");
}

#[test]
fn a_cell_longer_than_a_forms_cell_is_refused_with_its_place() {
    let dir = tempfile::tempdir().expect("dir");
    let path = temp(&dir, "long.xlsx");
    let long = "址".repeat(1_001);
    xlsx(
        &path,
        &mut |out| {
            row(out, 1, &HEADER)?;
            row(out, 2, &["多福巷1号"])?;
            row(out, 3, &["个人", &long])
        },
        &mut no_parts,
    );
    let refused = bound(read(&path, &Limits::default()));
    assert_eq!(
        refused,
        Bound::Cell {
            at: Some((3, "B".into())),
            max: 1_000
        }
    );
    use sojourn_domain::Localized;
    assert!(
        refused.message_zh().contains("第3行B列"),
        "{}",
        refused.message_zh()
    );
    // A cell of exactly the bound is read.
    let fits = temp(&dir, "fits.xlsx");
    let fitting = "址".repeat(1_000);
    xlsx(
        &fits,
        &mut |out| {
            row(out, 1, &HEADER)?;
            row(out, 2, &[&fitting])
        },
        &mut no_parts,
    );
    assert_eq!(read(&fits, &Limits::default()).expect("read"), 1);
}

#[test]
fn a_sheet_of_more_rows_than_the_bound_is_refused_before_any_is_read() {
    let dir = tempfile::tempdir().expect("dir");
    let path = temp(&dir, "rows.xlsx");
    // The header and 100 rows: 101 rows of the sheet.
    xlsx(&path, &mut |out| header_and_rows(out, 100), &mut no_parts);
    let mut seen = 0;
    let refused = read_file(&path, Form::Houses, &Limits::for_rows(100), &mut |_, _| {
        seen += 1;
        ControlFlow::Continue(())
    });
    assert!(
        matches!(refused, Err(SheetError::TooLarge(Bound::Rows { max: 100 }))),
        "{refused:?}"
    );
    assert_eq!(seen, 0, "no row was handed on");
    assert_eq!(read(&path, &Limits::for_rows(101)).expect("read"), 100);
    // The default is a street's ledger; raised, it takes a larger register.
    assert_eq!(Limits::default().max_rows, 200_000);
    assert!(Limits::for_rows(1_000_000).max_entry_bytes > Limits::default().max_entry_bytes);
}

#[test]
fn a_csv_file_of_more_rows_than_the_bound_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = temp(&dir, "rows.csv");
    let mut csv =
        String::from("房屋地址,出租人类型,出租人姓名或名称,所属社区代码,出租间数,房屋用途\n");
    for _ in 0..100 {
        csv.push_str("多福巷1号,个人,张三,110101001001,1,居住\n");
    }
    std::fs::write(&path, csv).expect("csv");
    assert!(matches!(
        bound(read(&path, &Limits::for_rows(100))),
        Bound::Rows { max: 100 }
    ));
    assert_eq!(read(&path, &Limits::for_rows(101)).expect("read"), 100);
}

/// `megabytes` MiB of zeros in the part `name`: a few kilobytes packed.
fn zeros(
    name: &'static str,
    megabytes: usize,
) -> impl FnMut(&mut zip::ZipWriter<std::fs::File>) -> std::io::Result<()> {
    move |zip| {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .large_file(true);
        zip.start_file(name, options)?;
        let block = vec![b'0'; 1024 * 1024];
        for _ in 0..megabytes {
            zip.write_all(&block)?;
        }
        Ok(())
    }
}

#[test]
fn a_zip_bomb_is_refused_by_the_unpacked_size_of_its_part() {
    let dir = tempfile::tempdir().expect("dir");
    let path = temp(&dir, "bomb.xlsx");
    xlsx(
        &path,
        &mut |out| header_and_rows(out, 1),
        &mut zeros("xl/media/image1.png", 9),
    );
    let packed = std::fs::metadata(&path).expect("size").len();
    assert!(packed < 1024 * 1024, "{packed} bytes packed");
    let limits = Limits {
        max_entry_bytes: 8 * 1024 * 1024,
        ..Limits::default()
    };
    let refused = bound(read(&path, &limits));
    assert_eq!(
        refused,
        Bound::Entry {
            name: "xl/media/image1.png".into(),
            max: 8 * 1024 * 1024
        }
    );
    assert!(refused.to_string().contains("8 MiB"), "{refused}");
}

#[test]
fn shared_strings_over_their_bound_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = temp(&dir, "shared.xlsx");
    let mut shared = |zip: &mut zip::ZipWriter<std::fs::File>| -> std::io::Result<()> {
        zip.start_file("xl/sharedStrings.xml", SimpleFileOptions::default())?;
        zip.write_all(b"<sst>")?;
        let strings = "<si><t>a</t></si>".repeat(64 * 1024);
        for _ in 0..10 {
            zip.write_all(strings.as_bytes())?;
        }
        zip.write_all(b"</sst>")
    };
    xlsx(&path, &mut |out| header_and_rows(out, 1), &mut shared);
    let limits = Limits {
        max_shared_strings_bytes: 8 * 1024 * 1024,
        ..Limits::default()
    };
    assert_eq!(
        bound(read(&path, &limits)),
        Bound::SharedStrings {
            max: 8 * 1024 * 1024
        }
    );
}

#[test]
fn a_zip_of_more_parts_than_a_workbook_has_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = temp(&dir, "parts.xlsx");
    let mut many = |zip: &mut zip::ZipWriter<std::fs::File>| -> std::io::Result<()> {
        for n in 0..1_000 {
            zip.start_file(format!("xl/media/{n}.bin"), SimpleFileOptions::default())?;
        }
        Ok(())
    };
    xlsx(&path, &mut |out| header_and_rows(out, 1), &mut many);
    assert_eq!(
        bound(read(&path, &Limits::default())),
        Bound::Entries { max: 1_000 }
    );
}
