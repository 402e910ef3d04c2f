//! `sojourn import`: a register from a CSV file of the machine form (the
//! plain import, with its summary), or from a sheet as staff keep it (the
//! report of every row), recorded in the audit trail. The import itself is
//! the `sojourn-import` crate, which the web layer calls too.

use crate::audit;
use crate::db::DbArg;
use crate::error::{CliError, Result};
use crate::registers::Register;
use sojourn_import::sheet;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;

/// The plain import of a machine-form CSV file, its refusals and summary
/// printed; exits non-zero if any row was refused.
pub(crate) fn run_import(
    register: Register,
    file: &PathBuf,
    limits: &sojourn_sheets::Limits,
    db: &DbArg,
) -> Result<ExitCode> {
    let path = file.display().to_string();
    // The machine form's rows are bounded as a sheet's, before any is read.
    sojourn_sheets::bounds::check_file(file, false, limits)?;
    let input = File::open(file).map_err(|e| CliError::file(&path, e))?;
    let deployment = db.deployment()?;
    let today = sojourn_domain::time_rules::china_today();
    let mut report = sojourn_import::machine::run(
        &*deployment.store,
        &deployment.scope(),
        register,
        BufReader::with_capacity(1 << 16, input),
        today,
        &import_actor(),
        sojourn_import::machine::Running {
            progress: true,
            bulk_load: true,
            warnings: true,
            dry_run: false,
            committed: Default::default(),
        },
    )?;
    tracing::info!(
        register = register.key(),
        accepted = report.accepted,
        refused = report.refused(),
        "import done"
    );
    audit::record_register_job(
        &*deployment.store,
        sojourn_store::AuditAction::Import,
        register.key(),
        serde_json::json!({ "file": path, "accepted": report.accepted, "refused": report.refused(),
            "already_imported": report.already_imported.len() }),
    )?;
    report
        .print(&mut std::io::stdout().lock())
        .map_err(|e| CliError::file("stdout", e))?;
    Ok(if report.refused() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Whom the revisions of records imported from the command line name.
pub(crate) fn import_actor() -> sojourn_store::Actor {
    sojourn_store::Actor::new("import")
}

/// What `sojourn import` was asked beyond the file.
pub(crate) struct ImportOptions {
    pub(crate) dry_run: bool,
    pub(crate) unit: Option<sojourn_domain::unit::UnitCode>,
    pub(crate) reports: Vec<PathBuf>,
    pub(crate) limits: sojourn_sheets::Limits,
}

/// The import of a sheet (.xlsx, or a CSV in the form staff keep), with
/// the report of every row.
pub(crate) fn run_sheet_import(
    register: Register,
    file: &std::path::Path,
    options: &ImportOptions,
    db: &DbArg,
) -> Result<ExitCode> {
    let path = file.display().to_string();
    let deployment = db.deployment()?;
    let today = sojourn_domain::time_rules::china_today();
    let report = sheet::run(
        &*deployment.store,
        &deployment.scope(),
        register,
        file,
        &path,
        today,
        &import_actor(),
        sheet::Options {
            unit: options.unit.clone(),
            dry_run: options.dry_run,
            progress: true,
            bulk_load: true,
            limits: options.limits,
            committed: Default::default(),
        },
    )?;
    if !options.dry_run {
        // A dry run writes nothing, not even to the audit trail.
        audit::record_register_job(
            &*deployment.store,
            sojourn_store::AuditAction::Import,
            register.key(),
            serde_json::json!({
                "file": path,
                "accepted": report.accepted,
                "refused": report.refused,
                "already_imported": report.already_imported,
            }),
        )?;
    }
    for target in &options.reports {
        let is_xlsx = target
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        if is_xlsx {
            report.write_xlsx(target)?;
        } else {
            let name = target.display().to_string();
            let out = File::create(target).map_err(|e| CliError::file(&name, e))?;
            report.write_json(out)?;
        }
    }
    sheet::print(&report, register, &mut std::io::stdout().lock())
        .map_err(|e| CliError::file("stdout", e))?;
    Ok(if report.refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
