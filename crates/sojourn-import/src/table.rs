//! The one table parser of the imports, and the CSV plumbing shared by
//! import and export: columns and headers, the rows of a file as one
//! source ([`RowSource`]: a CSV file here, a sheet as staff keep it in
//! `sheet.rs`), one row's fields read through the domain parsers, and
//! refusals that say row, column and reason in zh-CN and English.
//!
//! Row numbers are the ones a spreadsheet shows: the header is row 1, the
//! first record row 2, so a clerk can go straight to the cell. A source
//! gives each row its number, so a sheet's rows keep the numbers Excel
//! shows (title rows and all) through the same parser.
//!
//! This module names no register: the registers use it, not the reverse
//! (a rule's texts in both languages come with it, [`Inconsistency`]).

use crate::error::{ImportError, Result};
use sojourn_domain::Localized;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, Write};
use thiserror::Error;

/// Excel writes a UTF-8 byte-order mark before "CSV UTF-8" files and needs
/// one to read such a file as UTF-8 rather than the ANSI code page (GBK).
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One column of a register's CSV form.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Header key, as the API names the field.
    pub key: &'static str,
    /// The column must be present and every row must fill it.
    pub required: bool,
    /// What goes in it, for `--help`.
    pub about: &'static str,
}

/// A column of a register's form, in the registers' column tables.
pub const fn column(key: &'static str, required: bool, about: &'static str) -> Column {
    Column {
        key,
        required,
        about,
    }
}

/// A CSV reader over `input` that skips a leading BOM.
pub fn reader<R: BufRead>(mut input: R) -> io::Result<csv::Reader<R>> {
    if input.fill_buf()?.starts_with(BOM) {
        input.consume(BOM.len());
    }
    // Flexible: a row with too few or too many cells is refused on its own
    // instead of stopping the whole import.
    Ok(csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input))
}

/// What a [`RowSource`] read, besides the end of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceRow {
    /// The cells of this row (its number) were read.
    Cells(u64),
    /// This row is not UTF-8: it is refused on its own, the rest go on.
    NotUtf8(u64),
}

/// The rows of an import, whichever file they come from, as the one table
/// parser ([`read_rows`]) takes them: a header of the machine form's
/// column keys, then each row numbered as the spreadsheet shows it.
pub trait RowSource {
    /// The header row: the column keys, in the order of the cells.
    fn header(&mut self) -> Result<csv::StringRecord>;
    /// Reads the next row into `cells`; `None` at the end.
    fn next_row(&mut self, cells: &mut csv::StringRecord) -> Result<Option<SourceRow>>;
}

/// The rows of a CSV file of the machine form: the header is row 1, and
/// every line after it counts, blank or not.
pub struct CsvRows<R> {
    reader: csv::Reader<R>,
    row: u64,
}

impl<R: BufRead> CsvRows<R> {
    pub fn new(input: R) -> io::Result<Self> {
        Ok(Self {
            reader: reader(input)?,
            row: 1,
        })
    }
}

impl<R: io::Read> RowSource for CsvRows<R> {
    fn header(&mut self) -> Result<csv::StringRecord> {
        match self.reader.headers() {
            Ok(record) => Ok(record.clone()),
            Err(error) => Err(match error.kind() {
                csv::ErrorKind::Utf8 { .. } => ImportError::Header(
                    "the file is not UTF-8; save it as \"CSV UTF-8\" / 文件不是UTF-8编码，请另存为“CSV UTF-8”"
                        .into(),
                ),
                _ => ImportError::Csv(error),
            }),
        }
    }

    fn next_row(&mut self, cells: &mut csv::StringRecord) -> Result<Option<SourceRow>> {
        self.row += 1;
        match self.reader.read_record(cells) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(SourceRow::Cells(self.row))),
            Err(error) if matches!(error.kind(), csv::ErrorKind::Utf8 { .. }) => {
                Ok(Some(SourceRow::NotUtf8(self.row)))
            }
            Err(error) => Err(error.into()),
        }
    }
}

/// Calls `visit` with each non-blank row of `source`; a row that is not
/// UTF-8 is refused through `refuse` and the rest go on.
pub fn read_rows(
    source: &mut impl RowSource,
    header: &Header,
    mut refuse: impl FnMut(Refusal),
    mut visit: impl FnMut(Fields) -> Result<()>,
) -> Result<()> {
    let mut record = csv::StringRecord::new();
    loop {
        match source.next_row(&mut record)? {
            None => return Ok(()),
            // Excel leaves rows of empty cells below the data.
            Some(SourceRow::Cells(_)) if record.iter().all(|cell| cell.trim().is_empty()) => {}
            Some(SourceRow::Cells(row)) => visit(Fields::new(header, &record, row))?,
            Some(SourceRow::NotUtf8(row)) => {
                refuse(Refusal::new(row, None, &FieldError::NotUtf8));
            }
        }
    }
}

/// A CSV writer that starts `out` with a BOM.
pub fn writer<W: Write>(mut out: W) -> io::Result<csv::Writer<W>> {
    out.write_all(BOM)?;
    Ok(csv::Writer::from_writer(out))
}

/// Where each known column sits in the file.
pub struct Header {
    positions: HashMap<&'static str, usize>,
    width: usize,
}

impl Header {
    /// Maps the header row onto `columns`. Unknown or repeated columns are
    /// refused (a typo would otherwise silently drop a column), and so is a
    /// file without a required column.
    pub fn read(record: &csv::StringRecord, columns: &'static [Column]) -> Result<Self> {
        let mut positions = HashMap::new();
        for (position, cell) in record.iter().enumerate() {
            let key = cell.trim().to_ascii_lowercase();
            let column = columns.iter().find(|c| c.key == key).ok_or_else(|| {
                let known: Vec<&str> = columns.iter().map(|c| c.key).collect();
                ImportError::Header(format!(
                    "unknown column {cell:?} / 未知列；known columns / 可用列: {}",
                    known.join(", ")
                ))
            })?;
            if positions.insert(column.key, position).is_some() {
                return Err(ImportError::Header(format!(
                    "column {} appears twice / 列重复",
                    column.key
                )));
            }
        }
        let missing: Vec<&str> = columns
            .iter()
            .filter(|c| c.required && !positions.contains_key(c.key))
            .map(|c| c.key)
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::Header(format!(
                "required columns missing / 缺少必填列: {}",
                missing.join(", ")
            )));
        }
        Ok(Self {
            positions,
            width: record.len(),
        })
    }
}

/// A row, or a field of it, that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub row: u64,
    pub column: Option<&'static str>,
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

impl Refusal {
    pub fn new(row: u64, column: Option<&'static str>, reason: &dyn Localized) -> Self {
        Self {
            row,
            column,
            code: reason.code(),
            message_zh: reason.message_zh(),
            message_en: reason.message_en(),
        }
    }
}

impl fmt::Display for Refusal {
    /// `row 7, id_number [id_number_check_character]: 身份证号码… / wrong check character…`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.row)?;
        if let Some(column) = self.column {
            write!(f, ", {column}")?;
        }
        write!(
            f,
            " [{}]: {} / {}",
            self.code, self.message_zh, self.message_en
        )
    }
}

/// Problems of a field or row that no domain parser reports.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldError {
    #[error("this column is required")]
    Missing,
    #[error("{0:?} is not a whole number")]
    NotANumber(String),
    #[error("{value} is out of range ({min}–{max})")]
    OutOfRange { value: i64, min: i64, max: i64 },
    #[error("{value:?} is not one of: {choices}")]
    NotAChoice {
        value: String,
        choices: &'static str,
    },
    #[error("the row has {found} cells, the header {expected}")]
    CellCount { found: usize, expected: usize },
    #[error("the row is not valid UTF-8; save the sheet as \"CSV UTF-8\"")]
    NotUtf8,
    #[error("{column} {given} disagrees with the ID number, which says {from_id}")]
    DisagreesWithIdNumber {
        column: &'static str,
        given: String,
        from_id: String,
    },
    #[error("unit {0} is not in this deployment's jurisdiction")]
    UnitNotInScope(String),
    #[error("no rental house at address {0:?} is registered; import houses first")]
    UnknownHouse(String),
    #[error("several rental houses have the address {0:?}")]
    AmbiguousHouse(String),
    #[error("a rental house at address {0:?} is already registered")]
    DuplicateHouse(String),
    #[error("no employer with credit code {0} is registered; import employers first")]
    UnknownEmployer(String),
    #[error("{}", .0.en)]
    Inconsistent(Inconsistency),
    #[error("{0:?} is not name/relation/birth date/ID number")]
    LeftBehindEntry(String),
    #[error("the ID number's address code {0} names no county known since 1980")]
    UnknownIssuingCounty(String),
    #[error(
        "the household registration {text:?} could not be read; recorded as {code}, from the ID number"
    )]
    DomicileFromIdNumber { text: String, code: String },
    #[error("neither the household registration {0:?} nor the ID number names a known place")]
    DomicileUnreadable(String),
    #[error("{0:?} names no division, or several: give the division code")]
    PlaceUnreadable(String),
}

/// A cross-field rule of a register that a row broke, in both languages
/// (each register declares its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inconsistency {
    pub en: &'static str,
    pub zh: &'static str,
}

/// The code of the remark on a row whose household registration was taken
/// from the ID number (the import marks the file for the monitor by it).
pub const DOMICILE_FROM_ID_NUMBER: &str = "domicile_from_id_number";

impl Localized for FieldError {
    fn code(&self) -> &'static str {
        match self {
            Self::Missing => "required",
            Self::NotANumber(_) => "not_a_number",
            Self::OutOfRange { .. } => "out_of_range",
            Self::NotAChoice { .. } => "not_a_choice",
            Self::CellCount { .. } => "cell_count",
            Self::NotUtf8 => "not_utf8",
            Self::DisagreesWithIdNumber { .. } => "disagrees_with_id_number",
            Self::UnitNotInScope(_) => "unit_out_of_scope",
            Self::UnknownHouse(_) => "unknown_house",
            Self::AmbiguousHouse(_) => "ambiguous_house",
            Self::DuplicateHouse(_) => "duplicate_house",
            Self::UnknownEmployer(_) => "unknown_employer",
            Self::Inconsistent(_) => "inconsistent",
            Self::LeftBehindEntry(_) => "left_behind_entry",
            Self::UnknownIssuingCounty(_) => "id_number_unknown_county",
            Self::DomicileFromIdNumber { .. } => DOMICILE_FROM_ID_NUMBER,
            Self::DomicileUnreadable(_) => "domicile_unreadable",
            Self::PlaceUnreadable(_) => "place_unreadable",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::Missing => "此项为必填项".into(),
            Self::NotANumber(s) => format!("“{s}”不是整数"),
            Self::OutOfRange { value, min, max } => format!("{value} 超出范围（{min}–{max}）"),
            Self::NotAChoice { value, choices } => format!("“{value}”不是可选值：{choices}"),
            Self::CellCount { found, expected } => {
                format!("该行有{found}个单元格，表头有{expected}列")
            }
            Self::NotUtf8 => "该行不是UTF-8编码，请将表格另存为“CSV UTF-8”".into(),
            Self::DisagreesWithIdNumber {
                column,
                given,
                from_id,
            } => {
                format!("{column} 填写为 {given}，与身份证号码（{from_id}）不符")
            }
            Self::UnitNotInScope(code) => format!("单位 {code} 不在本系统的管辖范围内"),
            Self::UnknownHouse(a) => format!("未登记地址为“{a}”的出租房屋，请先导入出租房屋"),
            Self::AmbiguousHouse(a) => format!("地址为“{a}”的出租房屋有多处，无法确定"),
            Self::DuplicateHouse(a) => format!("地址为“{a}”的出租房屋已登记"),
            Self::UnknownEmployer(c) => {
                format!("未登记统一社会信用代码为 {c} 的用工单位，请先导入用工单位")
            }
            Self::Inconsistent(rule) => rule.zh.into(),
            Self::LeftBehindEntry(s) => {
                format!("“{s}”格式有误，应为 姓名/关系/出生日期/身份证号码")
            }
            Self::UnknownIssuingCounty(c) => {
                format!("身份证号码的地址码 {c} 不是1980年以来的县级区划代码，请核对（仅提示）")
            }
            Self::DomicileFromIdNumber { text, code } if text.is_empty() => {
                format!(
                    "未填户籍地，已按身份证号码登记为 {}，请核实（已列入数据质量监控）",
                    place_zh(code)
                )
            }
            Self::DomicileFromIdNumber { text, code } => format!(
                "户籍地址“{text}”未能识别，已按身份证号码登记为 {}，请核实（已列入数据质量监控）",
                place_zh(code)
            ),
            Self::PlaceUnreadable(text) => {
                format!("地名“{text}”未能识别（或有重名），请填写省、市、县（区）全称或区划代码")
            }
            Self::DomicileUnreadable(text) => format!(
                "户籍地址“{text}”未能识别，身份证号码的地址码也不对应任何省份，请填写户籍地区划代码"
            ),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// A division code with its full name (`河南省 郑州市 中原区（410102）`).
fn place_zh(code: &str) -> String {
    sojourn_domain::codes::DivisionCode::parse_form(code)
        .ok()
        .and_then(|c| sojourn_domain::codes::division::full_name(&c))
        .map_or_else(|| code.to_owned(), |name| format!("{name}（{code}）"))
}

/// One row being read: its cells by column, and the refusals found so far.
pub struct Fields<'a> {
    header: &'a Header,
    record: &'a csv::StringRecord,
    pub row: u64,
    refusals: Vec<Refusal>,
    warnings: Vec<Refusal>,
}

impl<'a> Fields<'a> {
    pub fn new(header: &'a Header, record: &'a csv::StringRecord, row: u64) -> Self {
        let mut fields = Self {
            header,
            record,
            row,
            refusals: Vec::new(),
            warnings: Vec::new(),
        };
        // Excel drops trailing empty cells of a row, so fewer is fine.
        if record.len() > header.width {
            let error = FieldError::CellCount {
                found: record.len(),
                expected: header.width,
            };
            fields.refuse(None, &error);
        }
        fields
    }

    /// The trimmed cell of `key`; `None` when the column is absent or the
    /// cell blank.
    pub fn text(&self, key: &'static str) -> Option<&'a str> {
        let position = *self.header.positions.get(key)?;
        let cell = self.record.get(position)?;
        let trimmed = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        (!trimmed.is_empty()).then_some(trimmed)
    }

    /// Parses a cell that must be filled; refuses the row otherwise.
    pub fn required<T, E: Localized>(
        &mut self,
        key: &'static str,
        parse: impl FnOnce(&str) -> std::result::Result<T, E>,
    ) -> Option<T> {
        match self.text(key) {
            Some(text) => self.parsed(key, parse(text)),
            None => {
                self.refuse(Some(key), &FieldError::Missing);
                None
            }
        }
    }

    /// Parses a cell that may be blank; a filled cell must parse.
    pub fn optional<T, E: Localized>(
        &mut self,
        key: &'static str,
        parse: impl FnOnce(&str) -> std::result::Result<T, E>,
    ) -> Option<T> {
        let text = self.text(key)?;
        self.parsed(key, parse(text))
    }

    fn parsed<T, E: Localized>(
        &mut self,
        key: &'static str,
        result: std::result::Result<T, E>,
    ) -> Option<T> {
        result.map_err(|error| self.refuse(Some(key), &error)).ok()
    }

    pub fn refuse(&mut self, column: Option<&'static str>, reason: &dyn Localized) {
        self.refusals.push(Refusal::new(self.row, column, reason));
    }

    /// A data-quality remark that does not stop the row.
    pub fn warn(&mut self, column: &'static str, reason: &dyn Localized) {
        self.warnings
            .push(Refusal::new(self.row, Some(column), reason));
    }

    pub fn is_clean(&self) -> bool {
        self.refusals.is_empty()
    }

    /// The refusals and warnings of the row.
    pub fn finish(self) -> (Vec<Refusal>, Vec<Refusal>) {
        (self.refusals, self.warnings)
    }
}

/// Parses a whole number in `min..=max`.
pub fn number_in(text: &str, min: i64, max: i64) -> std::result::Result<i64, FieldError> {
    let value: i64 = text
        .parse()
        .map_err(|_| FieldError::NotANumber(text.to_owned()))?;
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::OutOfRange { value, min, max })
    }
}

/// Text of an optional value, empty when absent.
pub fn cell<T: fmt::Display + ?Sized>(value: Option<&T>) -> String {
    value.map(ToString::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    /// The registers use the table parser; were it to name them again, the
    /// circle table ↔ registers would be back.
    #[test]
    fn the_table_parser_names_no_register() {
        let source = include_str!("table.rs");
        assert!(!source.contains(concat!("crate::", "registers")));
        assert!(!source.contains(concat!("super::", "registers")));
    }
}
