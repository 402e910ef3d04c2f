//! Sheets at scale: writing a 1,000,000-row 《流动人口信息登记表》 to .xlsx,
//! then reading it back with every row validated by the domain parsers.
//!
//! ```sh
//! cargo bench -p sojourn-sheets --bench sheets                  # both, in a temporary directory
//! cargo bench -p sojourn-sheets --bench sheets -- write big.xlsx [ROWS]
//! cargo bench -p sojourn-sheets --bench sheets -- write-shared excel.xlsx [ROWS]  # as Excel saves
//! cargo bench -p sojourn-sheets --bench sheets -- read big.xlsx  # under /usr/bin/time -v for peak memory
//! ```
#![allow(clippy::unwrap_used)]

use sojourn_domain::codes::{DivisionCode, Ethnicity, IdNumber, Phone, ReasonForStay};
use sojourn_domain::text::{Address, PersonName};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::UnitCode;
use sojourn_sheets::{Form, Limits, SheetRow, TableWriter, read_file};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;
use time::macros::date;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";
const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];
const GIVEN: [&str; 8] = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊"];

/// A valid, distinct ID number for each `n` (synthetic).
fn id_number(n: u64) -> String {
    let day = n / 1000;
    let birth = date!(1960 - 01 - 01) + time::Duration::days((day % 14_000) as i64);
    let first17 = format!(
        "410102{:04}{:02}{:02}{:03}",
        birth.year(),
        birth.month() as u8,
        birth.day(),
        n % 1000
    );
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{first17}{}", CHECK[(sum % 11) as usize] as char)
}

fn row(n: u64) -> Vec<String> {
    let fields = Form::Residents.fields();
    let mut cells = vec![String::new(); fields.len()];
    let mut set = |key: &str, value: String| {
        let i = fields.iter().position(|f| f.key == key).unwrap();
        cells[i] = value;
    };
    set("id_number", id_number(n));
    set(
        "name",
        format!(
            "{}{}{}",
            SURNAMES[(n % 8) as usize],
            GIVEN[(n / 8 % 8) as usize],
            GIVEN[(n / 64 % 8) as usize]
        ),
    );
    set("ethnicity", "汉族".into());
    set("domicile", "410102001002".into());
    set("phone", format!("139{:08}", n % 100_000_000));
    set("unit", "110101001001".into());
    // Dates in the forms people type them.
    let arrived = date!(2020 - 01 - 01) + time::Duration::days((n % 1500) as i64);
    let (y, m, d) = (arrived.year(), arrived.month() as u8, arrived.day());
    set(
        "arrived_on",
        match n % 4 {
            0 => format!("{y}-{m:02}-{d:02}"),
            1 => format!("{y}/{m}/{d}"),
            2 => format!("{y}年{m}月{d}日"),
            _ => format!("{y}{m:02}{d:02}"),
        },
    );
    set("reason", "务工".into());
    set(
        "current_address",
        format!(
            "多福巷{}号院{}号楼{}室",
            n % 97 + 1,
            n % 13 + 1,
            n % 600 + 101
        ),
    );
    cells
}

fn write(path: &Path, rows: u64) {
    let form = Form::Residents;
    let header: Vec<&str> = form.fields().iter().map(|f| f.header).collect();
    let start = Instant::now();
    let mut table = TableWriter::create(path, form.title(), Some(form.title()), &header).unwrap();
    for n in 0..rows {
        table.row(&row(n)).unwrap();
    }
    table.finish().unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let size = std::fs::metadata(path).unwrap().len();
    println!(
        "write: {rows} rows in {seconds:.1} s = {:.0} rows/s ({:.0} MB)",
        rows as f64 / seconds,
        size as f64 / 1e6
    );
}

/// The same rows as Excel saves them: strings in the shared string table
/// (which a reader must hold whole), not inline.
fn write_shared(path: &Path, rows: u64) {
    let form = Form::Residents;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet_with_low_memory();
    sheet.write_string(0, 0, form.title()).unwrap();
    for (column, field) in form.fields().iter().enumerate() {
        sheet.write_string(1, column as u16, field.header).unwrap();
    }
    for n in 0..rows {
        for (column, cell) in row(n).iter().enumerate() {
            if !cell.is_empty() {
                sheet
                    .write_string(n as u32 + 2, column as u16, cell)
                    .unwrap();
            }
        }
    }
    workbook.save(path).unwrap();
    println!("wrote {rows} rows with shared strings");
}

/// Every field the resident parser reads, through the domain's parsers.
fn validate(row: &SheetRow) -> bool {
    let form = Form::Residents;
    let today = date!(2026 - 01 - 01);
    let value = |key| row.value(form, key).unwrap_or_default();
    row.problems.is_empty()
        && IdNumber::parse_as_of(value("id_number"), today).is_ok()
        && PersonName::parse(value("name")).is_ok()
        && Ethnicity::parse(value("ethnicity")).is_ok()
        && DivisionCode::parse_known(value("domicile")).is_ok()
        && Phone::parse(value("phone")).is_ok()
        && UnitCode::parse(value("unit")).is_ok()
        && PastDate::parse(value("arrived_on"), today).is_ok()
        && ReasonForStay::parse(value("reason")).is_ok()
        && Address::parse(value("current_address")).is_ok()
}

fn read(path: &Path) {
    let start = Instant::now();
    let (mut valid, mut rows) = (0_u64, 0_u64);
    // The bench's million rows are over the web's bounds: raise them, as
    // `sojourn import --max-rows` does.
    let limits = Limits::for_rows(10_000_000);
    read_file(path, Form::Residents, &limits, &mut |_, row| {
        rows += 1;
        valid += u64::from(validate(&row));
        ControlFlow::Continue(())
    })
    .unwrap();
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(valid, rows, "every generated row is valid");
    println!(
        "read+validate: {rows} rows in {seconds:.1} s = {:.0} rows/s",
        rows as f64 / seconds
    );
}

fn main() {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let rows = |i: usize| args.get(i).map_or(1_000_000, |r| r.parse().unwrap());
    match args.first().map(String::as_str) {
        Some("write") => write(Path::new(&args[1]), rows(2)),
        Some("write-shared") => write_shared(Path::new(&args[1]), rows(2)),
        Some("read") => read(Path::new(&args[1])),
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("residents.xlsx");
            write(&path, rows(0));
            read(&path);
        }
    }
}
