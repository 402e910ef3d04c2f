//! `sojourn audit verify` and `sojourn audit export`: checking the hash
//! chain of the audit trail (in the database, or in an exported archive)
//! and archiving the whole trail. Nothing here deletes an entry: archiving
//! is an export, and the trail stays in the database.

use crate::db::DbArg;
use crate::error::{CliError, Result};
use sojourn_store::{
    Actor, Anchor, AuditAction, AuditEntry, AuditEvent, AuditReport, Outcome, Store,
};
use std::fs::File;
use std::io::{BufRead, Write};
use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

/// Who the command line acts as in the audit trail: whoever runs it holds
/// the database itself.
pub fn actor() -> Actor {
    Actor::new("cli")
}

/// Walks the chain in the database.
pub fn verify_db(store: &dyn Store, anchors: &[Anchor]) -> Result<AuditReport> {
    Ok(store.verify_audit_unscoped(anchors)?)
}

/// Walks the chain of an archive written by `sojourn audit export`.
pub fn verify_file(input: impl BufRead, anchors: &[Anchor]) -> Result<AuditReport> {
    let mut entries = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| CliError::file("archive", e))?;
        if line.trim().is_empty() {
            continue;
        }
        let entry = serde_json::from_str(&line)
            .ok()
            .and_then(|value| AuditEntry::from_json(&value))
            .ok_or_else(|| CliError::Archive { line: n + 1 })?;
        entries.push(entry);
    }
    Ok(sojourn_store::audit::verify_entries(entries, anchors))
}

/// Prints the report: every finding, or that the chain is intact, and the
/// anchor to write down.
pub fn print_report(out: &mut impl Write, report: &AuditReport) -> std::io::Result<()> {
    if report.is_intact() {
        writeln!(
            out,
            "audit trail intact: {} entries / 审计记录完整：共 {} 条",
            report.entries, report.entries
        )?;
    } else {
        writeln!(
            out,
            "audit trail TAMPERED: {} finding(s) in {} entries / 审计记录被篡改：发现 {} 处问题",
            report.findings.len(),
            report.entries,
            report.findings.len()
        )?;
        for finding in &report.findings {
            writeln!(out, "  {}", finding.describe())?;
        }
    }
    if let Some(last) = &report.last {
        writeln!(
            out,
            "anchor (write it down; check later with --anchor) / 校验锚点：{}:{}",
            last.seq, last.hash
        )?;
    }
    Ok(())
}

/// Records that the chain was checked, and what was found.
pub fn record_verify(store: &dyn Store, report: &AuditReport) -> Result<()> {
    let findings: Vec<String> = report.findings.iter().map(|f| f.describe()).collect();
    let outcome = if report.is_intact() {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    let event = AuditEvent::new(AuditAction::AuditVerify, outcome).details(serde_json::json!({
        "entries": report.entries,
        "findings": findings,
        "last_seq": report.last.as_ref().map(|a| a.seq),
        "last_hash": report.last.as_ref().map(|a| a.hash.clone()),
    }));
    store.append_audit(&actor(), &event)?;
    Ok(())
}

/// Writes the whole trail, oldest first, as JSON lines (what `verify
/// --file` reads); returns the count and the last entry.
pub fn export(store: &dyn Store, mut out: impl Write) -> Result<(u64, Option<Anchor>)> {
    let mut after = 0;
    let mut count = 0;
    let mut last = None;
    loop {
        let batch = store.audit_entries_unscoped(after, 5_000)?;
        let Some(tail) = batch.last() else { break };
        after = tail.seq;
        last = Some(Anchor {
            seq: tail.seq,
            hash: tail.hash.clone(),
        });
        for entry in &batch {
            writeln!(out, "{}", entry.to_json()).map_err(|e| CliError::file("output", e))?;
            count += 1;
        }
    }
    out.flush().map_err(|e| CliError::file("output", e))?;
    let event =
        AuditEvent::new(AuditAction::AuditExport, Outcome::Success).details(serde_json::json!({
            "entries": count,
            "last_seq": last.as_ref().map(|a: &Anchor| a.seq),
            "last_hash": last.as_ref().map(|a: &Anchor| a.hash.clone()),
        }));
    store.append_audit(&actor(), &event)?;
    Ok((count, last))
}

/// Records a register export or import run on the server.
pub fn record_register_job(
    store: &dyn Store,
    action: AuditAction,
    register: &str,
    details: serde_json::Value,
) -> Result<()> {
    let mut details = details;
    details["register"] = serde_json::json!(register);
    let event = AuditEvent::new(action, Outcome::Success).details(details);
    store.append_audit(&actor(), &event)?;
    Ok(())
}

/// `sojourn audit verify`: the chain in the database, or in an archive
/// (`file`), checked against `anchors`.
pub(crate) fn run_verify(
    db: &DbArg,
    file: Option<PathBuf>,
    anchors: Vec<String>,
) -> Result<ExitCode> {
    let anchors = anchors
        .iter()
        .map(|a| sojourn_store::Anchor::parse(a).ok_or_else(|| CliError::Anchor(a.clone())))
        .collect::<Result<Vec<_>>>()?;
    let report = match file {
        Some(file) => {
            let path = file.display().to_string();
            let input = File::open(&file).map_err(|e| CliError::file(&path, e))?;
            verify_file(BufReader::new(input), &anchors)?
        }
        None => {
            let store = db.open()?;
            let report = verify_db(&*store, &anchors)?;
            record_verify(&*store, &report)?;
            report
        }
    };
    print_report(&mut std::io::stdout().lock(), &report)
        .map_err(|e| CliError::file("stdout", e))?;
    Ok(if report.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `sojourn audit export`: the whole trail to `file` or standard output.
pub(crate) fn run_export(file: Option<PathBuf>, db: &DbArg) -> Result<ExitCode> {
    let store = db.open()?;
    let (count, last) = match &file {
        Some(file) => {
            let path = file.display().to_string();
            let out = File::create(file).map_err(|e| CliError::file(&path, e))?;
            export(&*store, BufWriter::new(out))?
        }
        None => export(&*store, BufWriter::new(std::io::stdout().lock()))?,
    };
    eprintln!("exported {count} audit entries / 已导出 {count} 条审计记录");
    if let Some(last) = last {
        eprintln!("anchor / 校验锚点：{}:{}", last.seq, last.hash);
    }
    Ok(ExitCode::SUCCESS)
}
