//! From a parsed command line to the module that does the command, and
//! from its outcome to the exit status and the bilingual error line. Kept
//! apart from the parsing (`cli.rs`) so each reads on its own.

use crate::cli::{AuditCommand, Cli, Command, KeysCommand};
use crate::error::{CliError, Result};
use crate::{
    accounts, audit, backup, check_id, db, demo, export, import, init, keys, migrate,
    request_kinds, restore, serve,
};
use clap::Parser;
use sojourn_domain::Localized;
use sojourn_import::sheet;
use std::process::ExitCode;

/// Runs the command line and turns the outcome into the exit status.
pub fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!(
                "错误：{}\nerror: {}",
                error.message_zh(),
                error.message_en()
            );
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, filtered by RUST_LOG (warnings by default), as text
/// or JSON lines (`crate::logs`). They carry codes and counts, never a
/// person's data.
fn init_logging() {
    crate::logs::init();
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init { unit, db } => init::run_init(&unit, &db),
        Command::Serve { listen, db } => {
            serve::serve(
                db.deployment()?,
                &listen.listen,
                listen.security(),
                listen.import_limits(),
                listen.job_files()?,
                listen.metrics_addr.as_deref(),
                listen.check_windows,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            listen,
            db,
            seed,
            no_serve,
        } => {
            let deployment = demo::prepare(&db.db, db.key_file.as_deref(), seed)?;
            if !no_serve {
                serve::serve(
                    deployment,
                    &listen.listen,
                    listen.security(),
                    listen.import_limits(),
                    listen.job_files()?,
                    listen.metrics_addr.as_deref(),
                    listen.check_windows,
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            register,
            file,
            dry_run,
            unit,
            reports,
            max_rows,
            db,
        } => {
            let options = import::ImportOptions {
                dry_run,
                unit,
                reports,
                limits: sojourn_sheets::Limits::for_rows(max_rows),
            };
            let as_sheet = options.dry_run || options.unit.is_some() || !options.reports.is_empty();
            if as_sheet || sheet::is_sheet(&file, register)? {
                import::run_sheet_import(register, &file, &options, &db)
            } else {
                import::run_import(register, &file, &options.limits, &db)
            }
        }
        Command::Export {
            register,
            file,
            format,
            db,
        } => export::run_export(register, file.as_ref(), format, &db.deployment()?),
        Command::Template { register, file } => {
            let form = sheet::form_of(register);
            sojourn_sheets::write_template(form, &file)?;
            println!(
                "wrote the {} form to {} / 已生成《{}》模板",
                register.key(),
                file.display(),
                form.title()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::ResetAccount { username, db } => accounts::run_reset_account(&username, &db),
        Command::RequestKind {
            code,
            zh,
            en,
            days,
            db,
        } => {
            let args = request_kinds::KindArgs {
                code: &code,
                name_zh: &zh,
                name_en: &en,
                days,
            };
            request_kinds::run(&args, &db)
        }
        Command::Audit {
            command: AuditCommand::Verify { db, file, anchors },
        } => audit::run_verify(&db, file, anchors),
        Command::Audit {
            command: AuditCommand::Export { file, db },
        } => audit::run_export(file, &db),
        Command::Keys {
            command: KeysCommand::Rotate { db, finish, batch },
        } => {
            let path = db
                .key_file
                .clone()
                .unwrap_or_else(|| db::default_key_file(&db.db));
            let mut out = std::io::stdout().lock();
            if finish {
                keys::finish(&db.db, &path, batch, &mut out)?;
            } else {
                keys::rotate(&db.db, &path, batch, &mut out)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { to, retention, db } => {
            backup::run(&db, &to, &retention, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from, force, db } => {
            restore::run(&from, &db, force, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { check, db } => {
            migrate::run(&db, check, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckId { numbers } => {
            let mut out = std::io::stdout().lock();
            let all_valid = check_id::run(&numbers, std::io::stdin().lock(), &mut out)
                .map_err(|e| CliError::file("stdout", e))?;
            Ok(if all_valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
