//! Writing .xlsx tables: a title, a header, then rows, in constant memory
//! (each row goes to a temporary file as it is written), so an export of a
//! million rows holds one row at a time. Every cell is text: codes keep
//! their digits and dates their form.

use crate::error::SheetError;
use crate::form::{Form, Kind};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::path::{Path, PathBuf};

/// Excel's last row number (1,048,576 rows, counted from 0).
const LAST_ROW: u32 = 1_048_575;

/// A table being written to an .xlsx file.
pub struct TableWriter {
    workbook: Workbook,
    path: PathBuf,
    sheet_name: String,
    title: Option<String>,
    header: Vec<String>,
    text: Format,
    sheet: usize,
    next_row: u32,
}

impl TableWriter {
    /// Starts `path` with a sheet named `sheet_name`, the optional title in
    /// its first row and `header` below it.
    pub fn create(
        path: &Path,
        sheet_name: &str,
        title: Option<&str>,
        header: &[&str],
    ) -> Result<Self, SheetError> {
        let mut writer = Self {
            workbook: Workbook::new(),
            path: path.to_owned(),
            sheet_name: sheet_name.to_owned(),
            title: title.map(str::to_owned),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            text: Format::new().set_num_format("@"),
            sheet: 0,
            next_row: 0,
        };
        writer.start_sheet(None)?;
        Ok(writer)
    }

    /// Adds a worksheet (the first, or the next once one is full) with the
    /// title and header.
    fn start_sheet(&mut self, part: Option<usize>) -> Result<(), SheetError> {
        let name = match part {
            Some(part) => format!("{}{part}", self.sheet_name),
            None => self.sheet_name.clone(),
        };
        let bold = Format::new().set_bold();
        let sheet = self.workbook.add_worksheet_with_constant_memory();
        sheet.set_name(name)?;
        let mut row = 0;
        if let Some(title) = &self.title {
            sheet.write_string_with_format(row, 0, title, &bold.clone().set_font_size(14))?;
            row += 1;
        }
        for (column, header) in self.header.iter().enumerate() {
            let column = column_number(column)?;
            sheet.set_column_width(column, 16)?;
            sheet.write_string_with_format(row, column, header, &bold)?;
        }
        sheet.set_freeze_panes(row + 1, 0)?;
        self.next_row = row + 1;
        self.sheet = self.workbook.worksheets().len() - 1;
        Ok(())
    }

    /// The sheet and row number the next row goes to, starting another
    /// sheet once one is full.
    fn next_row(&mut self) -> Result<(u32, &mut Worksheet), SheetError> {
        if self.next_row > LAST_ROW {
            let part = self.workbook.worksheets().len() + 1;
            self.start_sheet(Some(part))?;
        }
        let row = self.next_row;
        self.next_row += 1;
        Ok((row, self.workbook.worksheet_from_index(self.sheet)?))
    }

    /// Writes one row of text cells; blank cells are left empty.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        let text = self.text.clone();
        let (row, sheet) = self.next_row()?;
        write_text(sheet, row, 0, cells, &text)
    }

    /// Writes a row whose first cell is a number (a row number), then text.
    pub fn row_with_number<S: AsRef<str>>(
        &mut self,
        number: u64,
        cells: &[S],
    ) -> Result<(), SheetError> {
        let text = self.text.clone();
        let (row, sheet) = self.next_row()?;
        sheet.write_number(row, 0, number as f64)?;
        write_text(sheet, row, 1, cells, &text)
    }

    /// Marks columns of text (`@`) so that what a person types there stays
    /// text: an ID number typed into the template keeps its 18 digits.
    pub fn text_columns(&mut self, columns: &[usize]) -> Result<(), SheetError> {
        let text = self.text.clone();
        let sheet = self.workbook.worksheet_from_index(self.sheet)?;
        for column in columns {
            sheet.set_column_format(column_number(*column)?, &text)?;
        }
        Ok(())
    }

    /// Starts another worksheet named `name`, with its own title and header,
    /// for the rows written from now on.
    pub fn add_sheet(
        &mut self,
        name: &str,
        title: Option<&str>,
        header: &[&str],
    ) -> Result<(), SheetError> {
        self.sheet_name = name.to_owned();
        self.title = title.map(str::to_owned);
        self.header = header.iter().map(|h| (*h).to_owned()).collect();
        self.start_sheet(None)
    }

    /// Rows written to the current sheet so far, title and header included.
    pub fn rows_written(&self) -> u32 {
        self.next_row
    }

    /// Writes the file.
    pub fn finish(mut self) -> Result<(), SheetError> {
        self.workbook.save(&self.path)?;
        Ok(())
    }
}

fn write_text<S: AsRef<str>>(
    sheet: &mut Worksheet,
    row: u32,
    first_column: usize,
    cells: &[S],
    text: &Format,
) -> Result<(), SheetError> {
    for (column, cell) in cells.iter().enumerate() {
        let cell = cell.as_ref();
        if !cell.is_empty() {
            sheet.write_string_with_format(
                row,
                column_number(first_column + column)?,
                cell,
                text,
            )?;
        }
    }
    Ok(())
}

fn column_number(column: usize) -> Result<u16, SheetError> {
    u16::try_from(column).map_err(|_| SheetError::Write(format!("column {column} out of range")))
}

/// The blank form of `form`: its title, its header, one sample row
/// (synthetic, skipped by the import), with code and date columns
/// formatted as text so that Excel keeps what is typed there; and a second
/// sheet, 代码表, with the codes and names each coded column accepts.
pub fn write_template(form: Form, path: &Path) -> Result<(), SheetError> {
    let fields = form.fields();
    let header: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.required {
                format!("*{}", f.header)
            } else {
                f.header.to_owned()
            }
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = TableWriter::create(path, form.title(), Some(form.title()), &header)?;
    let text_columns: Vec<usize> = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f.kind, Kind::Code | Kind::Date))
        .map(|(i, _)| i)
        .collect();
    table.text_columns(&text_columns)?;
    table.row(form.sample())?;
    write_codes(form, &mut table)?;
    table.finish()
}

/// The 代码表 sheet: one row per accepted value of each coded column, and a
/// note on the columns that take places.
fn write_codes(form: Form, table: &mut TableWriter) -> Result<(), SheetError> {
    let title = format!("{}：代码表（填代码或名称均可）", form.title());
    table.add_sheet("代码表", Some(&title), &["列", "代码", "名称"])?;
    for field in form.fields() {
        if let Some(note) = crate::form::place_note(field.key) {
            table.row(&[field.header, "", note])?;
        }
        for (code, name) in crate::form::codes_of(form, field.key) {
            table.row(&[field.header, code, name])?;
        }
    }
    Ok(())
}
