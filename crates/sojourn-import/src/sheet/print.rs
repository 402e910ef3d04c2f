//! Printing a sheet import's report for the CLI: each refusal, row set
//! aside and warning in row order, then the summary line. Kept apart since
//! only the command line prints; the web layer renders the report itself.

use crate::registers::Register;
use sojourn_sheets::{Problem, Report, Status};
use std::io::Write;

/// Each refusal, row set aside and warning, in row order, then the summary
/// (the lines of the CSV import, with the sheet's rows and headers).
pub fn print(report: &Report, register: Register, out: &mut impl Write) -> std::io::Result<()> {
    let line = |out: &mut dyn Write, kind: &str, row: u64, p: &Problem| {
        write!(out, "{kind} row {row}")?;
        if let Some(column) = &p.column {
            write!(out, ", {column}")?;
        }
        writeln!(out, " [{}]: {} / {}", p.code, p.message_zh, p.message_en)
    };
    let rows = || report.rows().map_err(std::io::Error::other);
    for outcome in rows()? {
        let outcome = outcome.map_err(std::io::Error::other)?;
        let kind = match outcome.status {
            Status::Refused => "refused",
            Status::AlreadyImported => "already imported",
            Status::Accepted => continue,
        };
        for problem in &outcome.problems {
            line(out, kind, outcome.row, problem)?;
        }
    }
    for outcome in rows()? {
        let outcome = outcome.map_err(std::io::Error::other)?;
        for warning in &outcome.warnings {
            line(out, "warning", outcome.row, warning)?;
        }
    }
    for column in &report.ignored_columns {
        writeln!(out, "ignored column {column:?} / 已忽略列“{column}”")?;
    }
    let (accepted, refused, already) = (report.accepted, report.refused, report.already_imported);
    let (verb, verb_zh) = if report.dry_run {
        (
            "would be accepted (dry run, nothing written)",
            "可导入（试导入，未写入）",
        )
    } else {
        ("accepted", "导入")
    };
    writeln!(
        out,
        "{}: {accepted} {verb}, {refused} refused, {already} already imported / {}：{verb_zh} {accepted} 行，拒绝 {refused} 行，已导入过 {already} 行",
        register.key(),
        register.name_zh(),
    )
}
