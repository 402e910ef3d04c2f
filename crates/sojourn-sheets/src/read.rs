//! Reading a sheet as real sheets come: the header found below the title
//! and filler rows by its words, columns in any order, each cell made into
//! the text the import's parsers read. The .xlsx sheet is streamed cell by
//! cell (calamine's cell reader), never held whole, and only once the file
//! is known to be within its [`Limits`] (`bounds.rs`); the rows, columns
//! and each cell's length are checked again as they are read.

use crate::bounds::{Bound, Limits, MAX_COLUMNS, column_letters};
use crate::error::{CellError, SheetError};
use crate::form::{Field, Form, Kind, header_words};
use crate::normalise;
use calamine::{DataRef, Reader, Xlsx};
use std::io::{BufRead, BufReader};
use std::ops::ControlFlow;
use std::path::Path;
use time::Date;

/// Rows searched for the header: titles, dates and notes of who filled the
/// form in come first.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum RawCell {
    Empty,
    Text(String),
    Number(f64),
    Date(Date),
    Error(String),
}

/// Where the form's fields sit in the sheet.
#[derive(Debug, Clone)]
pub struct Layout {
    pub form: Form,
    /// Row of the header, as Excel numbers it (from 1).
    pub header_row: u64,
    /// `(sheet column, field index, header as written)`.
    columns: Vec<(usize, usize, String)>,
    /// Headers that name no field, ignored.
    pub ignored: Vec<String>,
    /// The text of the rows above the header (the title, "XX社区流动人口
    /// 登记台账"), which may name the community the sheet is for.
    pub title: String,
}

impl Layout {
    /// Whether the sheet has a column for the field `key`.
    pub fn has(&self, key: &str) -> bool {
        let fields = self.form.fields();
        self.columns
            .iter()
            .any(|(_, field, _)| fields[*field].key == key)
    }

    /// The header as the sheet writes it for the field `key`, or the
    /// template's header when the sheet lacks the column.
    pub fn header_of(&self, key: &str) -> String {
        let fields = self.form.fields();
        self.columns
            .iter()
            .find(|(_, field, _)| fields[*field].key == key)
            .map(|(_, _, written)| written.clone())
            .or_else(|| {
                fields
                    .iter()
                    .find(|f| f.key == key)
                    .map(|f| f.header.to_owned())
            })
            .unwrap_or_else(|| key.to_owned())
    }

    /// Finds the header among `cells`; `None` when too few cells name
    /// fields of the form.
    fn find(form: Form, row: u64, cells: &[RawCell]) -> Option<Result<Self, SheetError>> {
        let fields = form.fields();
        let mut columns: Vec<(usize, usize, String)> = Vec::new();
        let mut ignored = Vec::new();
        let mut by_key_only = true;
        for (position, cell) in cells.iter().enumerate() {
            let RawCell::Text(written) = cell else {
                continue;
            };
            let words = header_words(written);
            if words.is_empty() {
                continue;
            }
            match fields.iter().position(|f| f.is_named(&words)) {
                Some(index) => {
                    by_key_only &= words == fields[index].key;
                    columns.push((position, index, written.trim().to_owned()));
                }
                None => ignored.push(written.trim().to_owned()),
            }
        }
        let required = fields.iter().filter(|f| f.required).count();
        let found_required = columns
            .iter()
            .filter(|(_, i, _)| fields[*i].required)
            .count();
        // Three headers of the form, or half its required ones, make a
        // header row (then missing columns are named); a title or a data
        // row matches one at most.
        let is_header =
            columns.len() >= 3 || (columns.len() >= 2 && found_required * 2 >= required);
        if !is_header {
            return None;
        }
        Some(Self::check(form, row, columns, ignored, by_key_only))
    }

    fn check(
        form: Form,
        row: u64,
        columns: Vec<(usize, usize, String)>,
        ignored: Vec<String>,
        by_key_only: bool,
    ) -> Result<Self, SheetError> {
        let fields = form.fields();
        // The machine form (English keys, as `sojourn export` writes it)
        // has no remarks columns: an unknown one is a typo that would
        // silently drop a column.
        if by_key_only && let Some(unknown) = ignored.first() {
            return Err(SheetError::UnknownColumn(unknown.clone()));
        }
        for (i, (_, field, written)) in columns.iter().enumerate() {
            if let Some((_, _, second)) = columns[i + 1..].iter().find(|(_, f, _)| f == field) {
                return Err(SheetError::RepeatedColumn {
                    key: fields[*field].key,
                    first: written.clone(),
                    second: second.clone(),
                });
            }
        }
        let missing: Vec<&str> = fields
            .iter()
            .enumerate()
            .filter(|(i, f)| f.required && !columns.iter().any(|(_, c, _)| c == i))
            .map(|(_, f)| f.header)
            .collect();
        if !missing.is_empty() {
            return Err(SheetError::MissingColumns(missing.join("、")));
        }
        Ok(Self {
            form,
            header_row: row,
            columns,
            ignored,
            title: String::new(),
        })
    }

    /// The row's cells read for each field, or `None` for a blank row.
    fn row(&self, row: u64, cells: &[RawCell]) -> Option<SheetRow> {
        let fields = self.form.fields();
        let mut values = vec![None; fields.len()];
        let mut problems = Vec::new();
        let mut blank = true;
        for (position, index, written) in &self.columns {
            let cell = cells.get(*position).unwrap_or(&RawCell::Empty);
            if !is_blank(cell) {
                blank = false;
            }
            match read_cell(&fields[*index], cell) {
                Ok(value) => values[*index] = value,
                Err(error) => problems.push(CellProblem {
                    key: fields[*index].key,
                    column: written.clone(),
                    error,
                }),
            }
        }
        (!blank).then_some(SheetRow {
            row,
            values,
            problems,
        })
    }
}

fn is_blank(cell: &RawCell) -> bool {
    match cell {
        RawCell::Empty => true,
        RawCell::Text(text) => text.chars().all(|c| c.is_whitespace() || c == '\u{3000}'),
        _ => false,
    }
}

/// A data row of the sheet, its cells read.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    /// The row number Excel shows.
    pub row: u64,
    /// One value per field of the form, in [`Form::fields`] order.
    pub values: Vec<Option<String>>,
    /// Cells that could not be read; the row is refused for them.
    pub problems: Vec<CellProblem>,
}

impl SheetRow {
    pub fn value(&self, form: Form, key: &str) -> Option<&str> {
        let index = form.fields().iter().position(|f| f.key == key)?;
        self.values.get(index)?.as_deref()
    }
}

/// A cell that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct CellProblem {
    pub key: &'static str,
    /// The header as the sheet writes it.
    pub column: String,
    pub error: CellError,
}

/// Reads one cell for its field.
pub fn read_cell(field: &Field, cell: &RawCell) -> Result<Option<String>, CellError> {
    match (field.kind, cell) {
        (_, RawCell::Empty) => Ok(None),
        (_, RawCell::Error(e)) => Err(CellError::ExcelError(e.clone())),
        (Kind::Text, RawCell::Text(text)) => Ok(normalise::text(text)),
        (Kind::Text, RawCell::Number(n)) => Ok(Some(normalise::number_text(*n))),
        (Kind::Code, RawCell::Text(text)) => normalise::code(text),
        (Kind::Code, RawCell::Number(n)) => normalise::code_from_number(*n).map(Some),
        (Kind::Code, RawCell::Date(d)) => Err(CellError::NotACode(d.to_string())),
        (Kind::Date, RawCell::Text(text)) if text.trim().is_empty() => Ok(None),
        (Kind::Date, RawCell::Text(text)) => normalise::date_from_text(text).map(|d| Some(iso(d))),
        (Kind::Date, RawCell::Number(n)) => normalise::date_from_number(*n).map(|d| Some(iso(d))),
        (Kind::Integer, RawCell::Text(text)) => Ok(normalise::code(text).unwrap_or(None)),
        (Kind::Integer, RawCell::Number(n)) => normalise::integer_from_number(*n).map(Some),
        (Kind::Integer, RawCell::Date(d)) => Err(CellError::NotAWholeNumber(d.to_string())),
        (Kind::Text | Kind::Date, RawCell::Date(d)) => Ok(Some(iso(*d))),
    }
}

fn iso(date: Date) -> String {
    // `time`'s Display of a Date is ISO 8601 (YYYY-MM-DD).
    date.to_string()
}

/// How a file is read, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Xlsx,
    Csv,
}

impl FileKind {
    pub fn of(path: &Path) -> Result<Self, SheetError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        match extension.as_str() {
            "xlsx" | "xlsm" => Ok(Self::Xlsx),
            "csv" | "txt" => Ok(Self::Csv),
            _ => Err(SheetError::Extension(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )),
        }
    }
}

/// What is called with each data row and the layout of the sheet.
pub type Visit<'a> = dyn FnMut(&Layout, SheetRow) -> ControlFlow<()> + 'a;

/// Reads the sheet at `path` as `form`, calling `visit` with each data row
/// in order until it breaks. Returns where the columns were. A file over
/// `limits` is refused before any row is read.
pub fn read_file(
    path: &Path,
    form: Form,
    limits: &Limits,
    visit: &mut Visit,
) -> Result<Layout, SheetError> {
    let kind = FileKind::of(path)?;
    crate::bounds::check_file(path, kind == FileKind::Xlsx, limits)?;
    let mut rows = RowSink::new(form, *limits, visit);
    match kind {
        FileKind::Xlsx => read_xlsx(path, &mut rows)?,
        FileKind::Csv => {
            let file = std::fs::File::open(path).map_err(|source| SheetError::File {
                path: path.display().to_string(),
                source,
            })?;
            read_csv(BufReader::with_capacity(1 << 16, file), &mut rows)?;
        }
    }
    rows.finish()
}

/// Turns raw rows into header then data rows.
struct RowSink<'a, 'v> {
    form: Form,
    limits: Limits,
    layout: Option<Layout>,
    visit: &'a mut Visit<'v>,
    /// Rows before the header.
    rows_seen: usize,
    /// Rows of the file, blank ones included.
    rows_read: u64,
    /// Text of the rows before the header, at most [`MAX_TITLE_CHARS`].
    title: String,
}

/// Of the rows above the header, as much text as a title needs.
const MAX_TITLE_CHARS: usize = 1000;

impl<'a, 'v> RowSink<'a, 'v> {
    fn new(form: Form, limits: Limits, visit: &'a mut Visit<'v>) -> Self {
        Self {
            form,
            limits,
            layout: None,
            visit,
            rows_seen: 0,
            rows_read: 0,
            title: String::new(),
        }
    }

    /// Refuses the file when this row is one too many, or holds a cell
    /// longer than a form's cell may be.
    fn check(&mut self, row: u64, cells: &[RawCell]) -> Result<(), Bound> {
        self.rows_read += 1;
        if self.rows_read > self.limits.max_rows {
            return Err(Bound::Rows {
                max: self.limits.max_rows,
            });
        }
        let max = self.limits.max_cell_chars;
        for (column, cell) in cells.iter().enumerate() {
            if let RawCell::Text(text) | RawCell::Error(text) = cell
                && text.len() > max
                && text.chars().count() > max
            {
                return Err(Bound::Cell {
                    at: Some((row, column_letters(column))),
                    max,
                });
            }
        }
        Ok(())
    }

    /// Takes row `row` (1-based); `Break` when reading should stop.
    fn take(&mut self, row: u64, cells: &[RawCell]) -> Result<ControlFlow<()>, SheetError> {
        self.check(row, cells)?;
        match &self.layout {
            Some(layout) => {
                // The template's own sample (张三) is an example, not a person.
                if let Some(sheet_row) = layout.row(row, cells)
                    && !self.form.is_sample(&sheet_row.values)
                    && (self.visit)(layout, sheet_row).is_break()
                {
                    return Ok(ControlFlow::Break(()));
                }
            }
            None => {
                self.rows_seen += 1;
                if let Some(layout) = Layout::find(self.form, row, cells) {
                    let mut layout = layout?;
                    layout.title = std::mem::take(&mut self.title);
                    self.layout = Some(layout);
                } else if self.rows_seen >= HEADER_SEARCH_ROWS {
                    return Err(self.no_header());
                } else {
                    self.keep_title(cells);
                }
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    fn keep_title(&mut self, cells: &[RawCell]) {
        for cell in cells {
            if let RawCell::Text(text) = cell
                && self.title.chars().count() + text.chars().count() <= MAX_TITLE_CHARS
            {
                self.title.push_str(text.trim());
                self.title.push(' ');
            }
        }
    }

    fn no_header(&self) -> SheetError {
        let expected: Vec<&str> = self
            .form
            .fields()
            .iter()
            .filter(|f| f.required)
            .map(|f| f.header)
            .collect();
        SheetError::NoHeader {
            searched: HEADER_SEARCH_ROWS,
            expected: expected.join("、"),
        }
    }

    fn finish(self) -> Result<Layout, SheetError> {
        match self.layout {
            Some(layout) => Ok(layout),
            None => Err(self.no_header()),
        }
    }
}

fn read_xlsx(path: &Path, rows: &mut RowSink) -> Result<(), SheetError> {
    let xlsx_error = |e: calamine::XlsxError| SheetError::Xlsx(e.to_string());
    let mut workbook: Xlsx<_> = calamine::open_workbook(path).map_err(xlsx_error)?;
    let first = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(SheetError::NoWorksheet)?;
    let mut cells_reader = workbook
        .worksheet_cells_reader(&first)
        .map_err(xlsx_error)?;
    let mut current_row: Option<u32> = None;
    let mut cells: Vec<RawCell> = Vec::new();
    while let Some(cell) = cells_reader.next_cell().map_err(xlsx_error)? {
        let (row, column) = cell.get_position();
        if current_row != Some(row) {
            if let Some(done) = current_row
                && rows.take(u64::from(done) + 1, &cells)?.is_break()
            {
                return Ok(());
            }
            current_row = Some(row);
            cells.clear();
        }
        let column = column as usize;
        if column >= MAX_COLUMNS {
            return Err(Bound::Columns { max: MAX_COLUMNS }.into());
        }
        if cells.len() <= column {
            cells.resize(column + 1, RawCell::Empty);
        }
        cells[column] = raw_cell(cell.get_value());
    }
    if let Some(done) = current_row {
        // The last row: whether the visitor would stop makes no difference.
        let _ = rows.take(u64::from(done) + 1, &cells)?;
    }
    Ok(())
}

fn raw_cell(value: &DataRef) -> RawCell {
    match value {
        DataRef::Empty => RawCell::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            RawCell::Text(s.clone())
        }
        DataRef::SharedString(s) => RawCell::Text((*s).to_owned()),
        DataRef::Int(i) => RawCell::Number(*i as f64),
        DataRef::Float(f) => RawCell::Number(*f),
        DataRef::Bool(b) => RawCell::Text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (year, month, day, ..) = dt.to_ymd_hms_milli();
            time::Month::try_from(month)
                .ok()
                .and_then(|m| Date::from_calendar_date(i32::from(year), m, day).ok())
                .map_or_else(|| RawCell::Number(dt.as_f64()), RawCell::Date)
        }
        DataRef::DateTime(dt) => RawCell::Number(dt.as_f64()),
        DataRef::Error(e) => RawCell::Error(e.to_string()),
    }
}

/// Excel writes a UTF-8 byte-order mark before "CSV UTF-8" files.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn read_csv(mut input: impl BufRead, rows: &mut RowSink) -> Result<(), SheetError> {
    let csv_error = |e: &dyn std::fmt::Display| SheetError::Csv(e.to_string());
    if input
        .fill_buf()
        .map_err(|e| csv_error(&e))?
        .starts_with(BOM)
    {
        input.consume(BOM.len());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut cells = Vec::new();
    let mut row = 0_u64;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(&e))?
    {
        row += 1;
        if record.len() > MAX_COLUMNS {
            return Err(Bound::Columns { max: MAX_COLUMNS }.into());
        }
        cells.clear();
        let mut readable = true;
        for field in record.iter() {
            match decode(field) {
                Some(text) if text.is_empty() => cells.push(RawCell::Empty),
                Some(text) => cells.push(RawCell::Text(text)),
                None => {
                    readable = false;
                    cells.push(RawCell::Empty);
                }
            }
        }
        if !readable && rows.layout.is_some() {
            rows.check(row, &cells)?;
            let Some(layout) = rows.layout.as_ref() else {
                continue;
            };
            let stop = (rows.visit)(
                layout,
                SheetRow {
                    row,
                    values: vec![None; rows.form.fields().len()],
                    problems: vec![CellProblem {
                        key: "",
                        column: String::new(),
                        error: CellError::NotUtf8,
                    }],
                },
            );
            if stop.is_break() {
                return Ok(());
            }
            continue;
        }
        if rows.take(row, &cells)?.is_break() {
            return Ok(());
        }
    }
    Ok(())
}

/// A CSV cell's text: UTF-8, or else GBK/GB18030, which Excel writes for
/// "CSV (逗号分隔)" on a Chinese system. Splitting the file into cells on
/// bytes is safe for both: every byte of a GBK character's second half is
/// 0x40 or above, never a comma, quote or line end. `None` when it is
/// neither.
fn decode(bytes: &[u8]) -> Option<String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.to_owned()),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(std::borrow::Cow::into_owned),
    }
}

/// Reads CSV text (for tests and callers holding the bytes), within the
/// default limits.
pub fn read_csv_bytes(bytes: &[u8], form: Form, visit: &mut Visit) -> Result<Layout, SheetError> {
    let mut rows = RowSink::new(form, Limits::default(), visit);
    read_csv(bytes, &mut rows)?;
    rows.finish()
}
