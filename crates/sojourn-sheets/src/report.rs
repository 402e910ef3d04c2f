//! The import report: every row of the sheet accepted, refused (with
//! column and reason in zh-CN and English) or already imported, written as
//! JSON and as .xlsx for the clerk who sent the sheet.

use crate::error::SheetError;
use crate::write::TableWriter;
use serde::Serialize;
use sojourn_domain::Localized;
use std::io::Write;
use std::path::Path;

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowOutcome {
    /// The row number Excel shows.
    pub row: u64,
    pub status: Status,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Problem>,
}

/// The report of one import.
#[derive(Debug, Clone, Serialize)]
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
    /// Every data row, in sheet order.
    pub rows: Vec<RowOutcome>,
}

impl Report {
    /// A report of `rows`, sorted by row, with the counts taken from them.
    pub fn new(
        register: &str,
        file: &str,
        dry_run: bool,
        ignored_columns: Vec<String>,
        mut rows: Vec<RowOutcome>,
    ) -> Self {
        rows.sort_by_key(|r| r.row);
        let count = |status| rows.iter().filter(|r| r.status == status).count() as u64;
        Self {
            register: register.to_owned(),
            file: file.to_owned(),
            dry_run,
            accepted: count(Status::Accepted),
            refused: count(Status::Refused),
            already_imported: count(Status::AlreadyImported),
            ignored_columns,
            rows,
        }
    }

    pub fn write_json(&self, out: impl Write) -> Result<(), SheetError> {
        let mut out = std::io::BufWriter::new(out);
        serde_json::to_writer_pretty(&mut out, self)
            .map_err(|e| SheetError::Write(e.to_string()))?;
        out.write_all(b"\n")
            .and_then(|()| out.flush())
            .map_err(|e| SheetError::Write(e.to_string()))
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
        for outcome in &self.rows {
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
