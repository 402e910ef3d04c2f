//! `sojourn export <register> [FILE]`: every record in the root's scope as
//! CSV that `sojourn import` reads back, page by page so a large register
//! never sits in memory whole. Residents and outflows, the registers that
//! grow to millions, are paged by key; houses and employers (hundreds to
//! a few thousand) by the list pages the API uses.

use crate::error;
use crate::error::{CliError, Result};
use crate::registers::{
    Directory, Register, employers, for_each_page, houses, outflows, residents,
};
use crate::table;
use crate::{audit, db};
use sojourn_domain::unit::Scope;
use sojourn_import::sheet;
use sojourn_store::{EmployerQuery, HouseQuery, PageRequest, Store};
use std::fs::File;
use std::io::BufWriter;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
}

/// Writes `register` to `out` and returns the number of records.
pub fn run(store: &dyn Store, scope: &Scope, register: Register, out: impl Write) -> Result<u64> {
    let mut csv = table::writer(out).map_err(|e| CliError::file("output", e))?;
    let header: Vec<&str> = register.columns().iter().map(|c| c.key).collect();
    csv.write_record(&header)?;
    let mut count = 0_u64;
    records(store, scope, register, &mut |record| {
        count += 1;
        csv.write_record(&record).map_err(CliError::from)
    })?;
    csv.flush().map_err(|e| CliError::file("output", e))?;
    Ok(count)
}

/// Writes `register` to the .xlsx file `path` as its form: the form's
/// title, its Chinese headers, the same values as the CSV export (which
/// `sojourn import` reads back), written straight into the zip stream
/// (`sojourn_sheets::export`). Returns the number of records.
pub fn run_xlsx(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
    form: sojourn_sheets::Form,
    path: &std::path::Path,
) -> Result<u64> {
    let header: Vec<&str> = register
        .columns()
        .iter()
        .map(|column| {
            form.fields()
                .iter()
                .find(|f| f.key == column.key)
                .map_or(column.key, |f| f.header)
        })
        .collect();
    let mut table = sojourn_sheets::ExportWriter::create(
        sojourn_sheets::ExportFormat::Xlsx,
        path,
        form.title(),
        form.title(),
        &header,
    )?;
    let mut count = 0_u64;
    records(store, scope, register, &mut |record| {
        count += 1;
        table.row(&record).map_err(CliError::from)
    })?;
    table.finish()?;
    Ok(count)
}

/// Calls `write` with the row of every record of `register`.
fn records(
    store: &dyn Store,
    scope: &Scope,
    register: Register,
    mut write: &mut dyn FnMut(Vec<String>) -> Result<()>,
) -> Result<()> {
    match register {
        Register::Residents => export_residents(store, scope, &mut write)?,
        Register::Houses => {
            let fetch = |page| {
                store.search_houses(
                    scope,
                    &HouseQuery {
                        page,
                        ..HouseQuery::default()
                    },
                )
            };
            for_each_page(fetch, |items| {
                items.iter().try_for_each(|h| write(houses::record(h)))
            })?;
        }
        Register::Employers => {
            let fetch = |page| {
                store.search_employers(
                    scope,
                    &EmployerQuery {
                        page,
                        ..EmployerQuery::default()
                    },
                )
            };
            for_each_page(fetch, |items| {
                items.iter().try_for_each(|e| write(employers::record(e)))
            })?;
        }
        Register::Outflows => {
            let mut after = None;
            loop {
                let page = store.export_outflows(scope, after, PageRequest::MAX_LIMIT)?;
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                page.iter().try_for_each(|o| write(outflows::record(o)))?;
            }
        }
    }
    Ok(())
}

/// Every stay, departed ones included, in the order registered: a
/// person's earlier (departed) stay then comes before their return, the
/// order in which import can register them again. Paged by key, so a
/// million stays cost a million rows read, not half a billion.
fn export_residents(
    store: &dyn Store,
    scope: &Scope,
    write: &mut &mut dyn FnMut(Vec<String>) -> Result<()>,
) -> Result<()> {
    let directory = Directory::load(store, scope)?;
    let mut after = None;
    loop {
        let rows = store.export_residents(scope, after, PageRequest::MAX_LIMIT)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = Some(last.residence.id);
        rows.iter()
            .try_for_each(|row| write(residents::record(row, &directory)))?;
    }
}

/// `sojourn export`: a register to a file or standard output, recorded
/// in the audit trail.
pub(crate) fn run_export(
    register: Register,
    file: Option<&PathBuf>,
    format: Format,
    deployment: &db::Deployment,
) -> Result<ExitCode> {
    let scope = deployment.scope();
    if format == Format::Xlsx {
        let file = file.ok_or(CliError::Usage(error::XLSX_NEEDS_FILE))?;
        let path = file.display().to_string();
        let form = sheet::form_of(register);
        let count = run_xlsx(&*deployment.store, &scope, register, form, file)?;
        record_export(deployment, register, count, Some(&path))?;
        println!(
            "exported {count} {} to {path} / 已导出 {count} 条",
            register.key()
        );
        return Ok(ExitCode::SUCCESS);
    }
    match file {
        Some(file) => {
            let path = file.display().to_string();
            let out = File::create(file).map_err(|e| CliError::file(&path, e))?;
            let count = run(&*deployment.store, &scope, register, BufWriter::new(out))?;
            record_export(deployment, register, count, Some(&path))?;
            println!(
                "exported {count} {} to {path} / 已导出 {count} 条",
                register.key()
            );
        }
        None => {
            let out = std::io::stdout().lock();
            let count = run(&*deployment.store, &scope, register, BufWriter::new(out))?;
            record_export(deployment, register, count, None)?;
            // Standard output carries the CSV, so the count goes to stderr.
            eprintln!("exported {count} {} / 已导出 {count} 条", register.key());
        }
    }
    std::io::stdout()
        .flush()
        .map_err(|e| CliError::file("stdout", e))?;
    Ok(ExitCode::SUCCESS)
}

/// The export of a register is recorded in the audit trail: it carries
/// every full value out of the system.
fn record_export(
    deployment: &db::Deployment,
    register: Register,
    count: u64,
    path: Option<&str>,
) -> Result<()> {
    audit::record_register_job(
        &*deployment.store,
        sojourn_store::AuditAction::Export,
        register.key(),
        serde_json::json!({ "records": count, "file": path }),
    )
}
