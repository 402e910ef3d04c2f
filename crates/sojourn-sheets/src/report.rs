//! The import report: every row of the sheet accepted, refused (with
//! column and reason in zh-CN and English) or already imported, written as
//! JSON and as .xlsx for the clerk who sent the sheet. The rows are kept in
//! a temporary file as they come, one JSON line each ([`ReportWriter`]):
//! a report holds in memory its counts and its first rows that were not
//! accepted ([`FIRST_ROWS`], what a reply shows), never the whole sheet.

use crate::error::SheetError;
use crate::write::TableWriter;
use serde::{Deserialize, Serialize};
use sojourn_domain::Localized;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Accepted,
    Refused,
    /// The register holds the row already (an earlier import of the same
    /// file); nothing was written.
    AlreadyImported,
}

impl Status {
    fn zh(self) -> &'static str {
        match self {
            Self::Accepted => "导入",
            Self::Refused => "拒绝",
            Self::AlreadyImported => "已导入过",
        }
    }
}

/// A reason a row was refused, or a remark on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The header as the sheet writes it; `None` for the row as a whole.
    pub column: Option<String>,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

impl Problem {
    pub fn new(column: Option<String>, reason: &dyn Localized) -> Self {
        Self {
            column,
            code: reason.code().to_owned(),
            message_zh: reason.message_zh(),
            message_en: reason.message_en(),
        }
    }
}

/// One row of the sheet and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowOutcome {
    /// The row number Excel shows.
    pub row: u64,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Problem>,
}

/// Rows not simply accepted that a report holds in memory (and a reply
/// shows); the rest are in its file.
pub const FIRST_ROWS: usize = 100;

fn write_error(error: impl std::fmt::Display) -> SheetError {
    SheetError::Write(error.to_string())
}

/// Rows as JSON lines in a temporary file, deleted when dropped: written
/// once in order, then read as often as wanted.
pub struct RowFile {
    file: tempfile::NamedTempFile,
    out: Option<BufWriter<File>>,
}

impl std::fmt::Debug for RowFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowFile")
            .field("path", &self.file.path())
            .finish()
    }
}

impl RowFile {
    pub fn new() -> Result<Self, SheetError> {
        let file = tempfile::Builder::new()
            .prefix("sojourn-report-")
            .tempfile()
            .map_err(write_error)?;
        let out = BufWriter::new(file.reopen().map_err(write_error)?);
        Ok(Self {
            file,
            out: Some(out),
        })
    }

    pub fn push(&mut self, row: &RowOutcome) -> Result<(), SheetError> {
        let out = self
            .out
            .as_mut()
            .ok_or_else(|| write_error("the rows were closed"))?;
        serde_json::to_writer(&mut *out, row).map_err(write_error)?;
        out.write_all(b"\n").map_err(write_error)
    }

    /// Ends the writing; the rows can be read from now on.
    pub fn close(&mut self) -> Result<(), SheetError> {
        if let Some(mut out) = self.out.take() {
            out.flush().map_err(write_error)?;
        }
        Ok(())
    }

    /// Each row in the order written (a fresh reader each time, so readers
    /// do not share a position).
    pub fn rows(&self) -> Result<impl Iterator<Item = Result<RowOutcome, SheetError>>, SheetError> {
        let file = self.file.reopen().map_err(write_error)?;
        Ok(BufReader::new(file).lines().map(|line| {
            let line = line.map_err(write_error)?;
            serde_json::from_str(&line).map_err(write_error)
        }))
    }
}

/// Builds a [`Report`] from its rows, given in row order.
pub struct ReportWriter {
    rows: RowFile,
    accepted: u64,
    refused: u64,
    already_imported: u64,
    first_rows: Vec<RowOutcome>,
}

impl ReportWriter {
    pub fn new() -> Result<Self, SheetError> {
        Ok(Self {
            rows: RowFile::new()?,
            accepted: 0,
            refused: 0,
            already_imported: 0,
            first_rows: Vec::new(),
        })
    }

    pub fn push(&mut self, row: RowOutcome) -> Result<(), SheetError> {
        self.rows.push(&row)?;
        match row.status {
            Status::Accepted => self.accepted += 1,
            Status::Refused => self.refused += 1,
            Status::AlreadyImported => self.already_imported += 1,
        }
        if row.status != Status::Accepted && self.first_rows.len() < FIRST_ROWS {
            self.first_rows.push(row);
        }
        Ok(())
    }

    pub fn finish(
        mut self,
        register: &str,
        file: &str,
        dry_run: bool,
        ignored_columns: Vec<String>,
    ) -> Result<Report, SheetError> {
        self.rows.close()?;
        Ok(Report {
            register: register.to_owned(),
            file: file.to_owned(),
            dry_run,
            accepted: self.accepted,
            refused: self.refused,
            already_imported: self.already_imported,
            ignored_columns,
            first_rows: self.first_rows,
            rows: self.rows,
        })
    }
}

/// The report of one import.
#[derive(Debug)]
pub struct Report {
    pub register: String,
    pub file: String,
    /// Nothing was written: the rows were only checked.
    pub dry_run: bool,
    pub accepted: u64,
    pub refused: u64,
    pub already_imported: u64,
    /// Headers of the sheet that name no field, ignored.
    pub ignored_columns: Vec<String>,
    /// The first [`FIRST_ROWS`] rows not simply accepted, in row order.
    pub first_rows: Vec<RowOutcome>,
    /// Every data row, in sheet order.
    rows: RowFile,
}

/// The report as a reply carries it: the counts and the first rows that
/// were not accepted.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub register: &'a str,
    pub file: &'a str,
    pub dry_run: bool,
    pub accepted: u64,
    pub refused: u64,
    pub already_imported: u64,
    pub ignored_columns: &'a [String],
    /// The first rows refused or already imported, in row order.
    pub rows: &'a [RowOutcome],
    /// Rows refused or already imported that are not in `rows`; the whole
    /// report has them.
    pub rows_left_out: u64,
}

impl Report {
    /// A report of `rows` (any order) held in memory, for tests and small
    /// callers.
    pub fn new(
        register: &str,
        file: &str,
        dry_run: bool,
        ignored_columns: Vec<String>,
        mut rows: Vec<RowOutcome>,
    ) -> Result<Self, SheetError> {
        rows.sort_by_key(|r| r.row);
        let mut writer = ReportWriter::new()?;
        for row in rows {
            writer.push(row)?;
        }
        writer.finish(register, file, dry_run, ignored_columns)
    }

    pub fn summary(&self) -> Summary<'_> {
        let not_accepted = self.refused + self.already_imported;
        Summary {
            register: &self.register,
            file: &self.file,
            dry_run: self.dry_run,
            accepted: self.accepted,
            refused: self.refused,
            already_imported: self.already_imported,
            ignored_columns: &self.ignored_columns,
            rows: &self.first_rows,
            rows_left_out: not_accepted.saturating_sub(self.first_rows.len() as u64),
        }
    }

    /// Every row, in sheet order, read from the report's file.
    pub fn rows(&self) -> Result<impl Iterator<Item = Result<RowOutcome, SheetError>>, SheetError> {
        self.rows.rows()
    }

    /// The whole report as one JSON object (the summary's fields, and
    /// `rows` with every row), streamed from the report's file.
    pub fn write_json(&self, out: impl Write) -> Result<(), SheetError> {
        let mut out = BufWriter::new(out);
        let head = serde_json::json!({
            "register": self.register,
            "file": self.file,
            "dry_run": self.dry_run,
            "accepted": self.accepted,
            "refused": self.refused,
            "already_imported": self.already_imported,
            "ignored_columns": self.ignored_columns,
        });
        let head = serde_json::to_string(&head).map_err(write_error)?;
        // The object without its closing brace, then the rows.
        let open = head.strip_suffix('}').unwrap_or(&head);
        write!(out, "{open},\"rows\":[").map_err(write_error)?;
        for (index, row) in self.rows()?.enumerate() {
            if index > 0 {
                out.write_all(b",\n").map_err(write_error)?;
            }
            serde_json::to_writer(&mut out, &row?).map_err(write_error)?;
        }
        out.write_all(b"]}\n")
            .and_then(|()| out.flush())
            .map_err(write_error)
    }

    /// One line per reason (a refused row with three reasons has three),
    /// one per accepted row, under a summary line.
    pub fn write_xlsx(&self, path: &Path) -> Result<(), SheetError> {
        let title = format!(
            "导入结果 Import report — {}：导入 {} 行，拒绝 {} 行，已导入过 {} 行{}",
            self.file,
            self.accepted,
            self.refused,
            self.already_imported,
            if self.dry_run {
                "（试导入，未写入）"
            } else {
                ""
            }
        );
        let header = [
            "行号 Row",
            "结果 Result",
            "列 Column",
            "原因",
            "Reason",
            "代码 Code",
        ];
        let mut table = TableWriter::create(path, "导入结果", Some(&title), &header)?;
        for outcome in self.rows()? {
            let outcome = outcome?;
            let status = format!("{} {}", outcome.status.zh(), status_en(outcome.status));
            if outcome.problems.is_empty() && outcome.warnings.is_empty() {
                table.row_with_number(outcome.row, &[&status])?;
            }
            for problem in &outcome.problems {
                table.row_with_number(outcome.row, &problem_cells(&status, problem))?;
            }
            for warning in &outcome.warnings {
                let status = format!("{status}（提示 warning）");
                table.row_with_number(outcome.row, &problem_cells(&status, warning))?;
            }
        }
        table.finish()
    }
}

fn problem_cells<'a>(status: &'a str, problem: &'a Problem) -> [&'a str; 5] {
    [
        status,
        problem.column.as_deref().unwrap_or_default(),
        &problem.message_zh,
        &problem.message_en,
        &problem.code,
    ]
}

fn status_en(status: Status) -> &'static str {
    match status {
        Status::Accepted => "accepted",
        Status::Refused => "refused",
        Status::AlreadyImported => "already imported",
    }
}
