//! `sojourn`, the one binary of Sojourn: it wires the domain, the store and
//! the web layer together. One module per subcommand.

/// Administrator accounts at `init`, and `reset-account`.
pub mod accounts;
/// `audit verify` and `audit export`: the hash chain checked and archived.
pub mod audit;
/// `check-id`: checks citizen ID numbers (written with the domain crate).
mod check_id;
/// The `--db` option and the deployment it holds.
pub mod db;
/// `demo`: a street of synthetic data, then serve.
pub mod demo;
/// Errors that stop a command, in zh-CN and English.
pub mod error;
/// `export`: a register as CSV or .xlsx.
pub mod export;
/// `init`: roots a deployment at a street or town.
pub mod init;
/// `keys rotate`: a new data key, every value re-encrypted under it.
pub mod keys;
/// `serve`: the web application.
pub mod serve;
// `import` (a register from CSV or .xlsx, row by row checked) is the
// `sojourn-import` crate, which the web layer calls too; its registers'
// columns and CSV plumbing serve the export as well.
use sojourn_import::sheet;
pub use sojourn_import::{registers, table};

use clap::{Args, Parser, Subcommand};
use error::{CliError, Result};
use registers::Register;
use sojourn_domain::Localized;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Sojourn — information system for street offices registering the
/// floating population (流动人口), their rental houses and employers.
#[derive(Debug, Parser)]
#[command(name = "sojourn", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct DbArg {
    /// The store: a SQLite file path, or a postgres:// URL.
    #[arg(long, default_value = db::DEFAULT_DB)]
    db: String,
    /// The data key file (mode 0600; back it up). Default: sojourn.key
    /// beside the SQLite file, or in the working directory for PostgreSQL.
    /// The SOJOURN_KEY environment variable, if set, is used instead.
    #[arg(long, value_name = "PATH")]
    key_file: Option<PathBuf>,
}

impl DbArg {
    /// The store, with the key that must already exist.
    fn open(&self) -> Result<std::sync::Arc<dyn sojourn_store::Store>> {
        db::open(&self.db, self.key_file.as_deref(), db::Keys::Existing)
    }

    /// The initialised deployment in the store.
    fn deployment(&self) -> Result<db::Deployment> {
        db::Deployment::open(&self.db, self.key_file.as_deref())
    }
}

#[derive(Debug, Args)]
struct ListenArg {
    /// Address and port to serve on.
    #[arg(long, default_value = serve::DEFAULT_LISTEN)]
    listen: String,
    /// Users reach the server over HTTPS (through a TLS-terminating reverse
    /// proxy): mark the session cookie Secure and send HSTS.
    #[arg(long)]
    secure_cookies: bool,
    /// Address of a reverse proxy whose X-Forwarded-For names the client
    /// (repeat for several).
    #[arg(long = "trusted-proxy", value_name = "IP")]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Reads of personal data (file reads, searches, reveals: each an
    /// audit entry) one account may make per minute; more are refused
    /// (429) until the minute is over. Bounds how fast an account can
    /// grow the audit trail.
    #[arg(long, value_name = "N", default_value_t = sojourn_web::auth::AUDITED_READS_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..))]
    audited_reads_per_minute: u32,
    /// Refuse an uploaded sheet of more rows than this (the unpacked size
    /// allowed of an .xlsx file grows with it); the default is a street's
    /// ledger. A larger register is loaded with `sojourn import`.
    #[arg(long, value_name = "ROWS", default_value_t = sojourn_sheets::bounds::DEFAULT_MAX_ROWS)]
    import_max_rows: u64,
}

impl ListenArg {
    fn security(&self) -> sojourn_web::auth::SecurityConfig {
        sojourn_web::auth::SecurityConfig {
            secure_cookies: self.secure_cookies,
            trusted_proxies: self.trusted_proxies.clone(),
            audited_reads: sojourn_web::auth::RateLimit {
                max: self.audited_reads_per_minute,
                per: time::Duration::minutes(1),
            },
            ..Default::default()
        }
    }

    fn import_limits(&self) -> sojourn_sheets::Limits {
        sojourn_sheets::Limits::for_rows(self.import_max_rows)
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Root a new deployment at a street or town and create its communities
    /// and villages from the national division data.
    Init {
        /// 9-digit code of the street (街道) or town (镇/乡), e.g. 110101001.
        #[arg(long)]
        unit: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Serve the web application and API for the deployment's root unit.
    Serve {
        #[command(flatten)]
        listen: ListenArg,
        #[command(flatten)]
        db: DbArg,
    },
    /// Fill a new database with a synthetic street (110101001 东华门街道),
    /// then serve it. Reopens a database demo made; refuses one made by
    /// `init`, whose accounts must not get the published demo password.
    Demo {
        #[command(flatten)]
        listen: ListenArg,
        #[command(flatten)]
        db: DbArg,
        /// Seed of the synthetic data; the same seed gives the same street.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Generate the data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Import a register from an .xlsx or CSV file; bad rows are refused
    /// and listed, good rows are kept, rows imported before are reported
    /// and not written twice. Exits non-zero if any row was refused.
    #[command(after_long_help = registers::columns_help())]
    Import {
        /// Which register the file holds.
        register: Register,
        /// .xlsx file (the form as staff keep it: title rows, Chinese
        /// headers in any order), or CSV (UTF-8) with the same or the
        /// machine form's English header.
        file: PathBuf,
        /// Check every row and report, but write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The community (unit code) the sheet is for, when it has no
        /// community column (所属社区代码) or its title names none; rows that
        /// leave the column blank take it too.
        #[arg(long, value_name = "UNIT_CODE", value_parser = parse_unit_code)]
        unit: Option<sojourn_domain::unit::UnitCode>,
        /// Write the report of every row here too: .xlsx, or JSON for any
        /// other name (repeat for both).
        #[arg(long = "report", value_name = "FILE")]
        reports: Vec<PathBuf>,
        /// Refuse a sheet of more rows than this (a larger register than a
        /// street's); the bounds on the unpacked size of an .xlsx file grow
        /// with it. The server's uploads keep their own bound.
        #[arg(long, value_name = "ROWS", default_value_t = sojourn_sheets::bounds::DEFAULT_MAX_ROWS)]
        max_rows: u64,
        #[command(flatten)]
        db: DbArg,
    },
    /// Export a register as CSV (UTF-8 with BOM, readable by import and
    /// Excel) or .xlsx (the form's title and Chinese headers).
    #[command(after_long_help = registers::columns_help())]
    Export {
        /// Which register to write.
        register: Register,
        /// Output file; standard output when left out (CSV only).
        file: Option<PathBuf>,
        /// csv or xlsx.
        #[arg(long, value_enum, default_value_t = export::Format::Csv)]
        format: export::Format,
        #[command(flatten)]
        db: DbArg,
    },
    /// Write the blank .xlsx form of a register (title, header, one sample
    /// row) for staff to fill in and import.
    Template {
        /// Which register's form.
        register: Register,
        /// Output .xlsx file.
        file: PathBuf,
    },
    /// Give an account a new one-time password (and, for an administrator,
    /// a new second factor) and lift its lock: for when no security
    /// administrator can, such as the security administrator's own account.
    ResetAccount {
        /// The account's user name.
        username: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Check citizen ID numbers given as arguments, or one per line on
    /// standard input; prints one line for each.
    CheckId {
        /// Numbers to check; standard input when none.
        numbers: Vec<String>,
    },
    /// The audit trail: check its hash chain, or archive it.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The data key that encrypts ID and phone numbers at rest.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Put a new key first in the key file (the old one kept as retiring)
    /// and re-encrypt every value under it, batch by batch, while servers
    /// keep running. Run again to resume an interrupted rotation; then
    /// `--finish` drops the old key.
    Rotate {
        #[command(flatten)]
        db: DbArg,
        /// Drop the retiring key from the key file once no value uses it.
        #[arg(long)]
        finish: bool,
        /// Rows per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: u32,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and name every edited, deleted, inserted or
    /// reordered entry. Exits non-zero if anything was found.
    Verify {
        #[command(flatten)]
        db: DbArg,
        /// Check an archive written by `audit export` instead of the
        /// database.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// A `SEQ:HASH` printed by an earlier verify or export (repeat for
        /// several): that entry must still be there, unchanged.
        #[arg(long = "anchor", value_name = "SEQ:HASH")]
        anchors: Vec<String>,
    },
    /// Write the whole trail, oldest first, as JSON lines with the hashes
    /// (an archive `audit verify --file` checks). Entries stay in the
    /// database: nothing deletes them.
    Export {
        /// Output file; standard output when left out.
        file: Option<PathBuf>,
        #[command(flatten)]
        db: DbArg,
    },
}

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

/// Logs go to stderr, filtered by RUST_LOG (warnings by default). They
/// carry codes and counts, never a person's data.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init { unit, db } => run_init(&unit, &db),
        Command::Serve { listen, db } => {
            serve::serve(
                db.deployment()?,
                &listen.listen,
                listen.security(),
                listen.import_limits(),
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
            let options = ImportOptions {
                dry_run,
                unit,
                reports,
                limits: sojourn_sheets::Limits::for_rows(max_rows),
            };
            let as_sheet = options.dry_run || options.unit.is_some() || !options.reports.is_empty();
            if as_sheet || sheet::is_sheet(&file, register)? {
                run_sheet_import(register, &file, &options, &db)
            } else {
                run_import(register, &file, &options.limits, &db)
            }
        }
        Command::Export {
            register,
            file,
            format,
            db,
        } => run_export(register, file.as_ref(), format, &db),
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
        Command::ResetAccount { username, db } => run_reset_account(&username, &db),
        Command::Audit { command } => run_audit(command),
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

fn run_init(unit: &str, db: &DbArg) -> Result<ExitCode> {
    let store = db::open(&db.db, db.key_file.as_deref(), db::Keys::CreateIfMissing)?;
    let root = match init::init_deployment(&*store, unit)? {
        init::InitOutcome::Created { root, communities } => {
            println!(
                "initialised {} ({}) with {communities} communities and villages / 已初始化",
                root.name, root.code
            );
            root
        }
        init::InitOutcome::AlreadyInitialised { root } => {
            println!(
                "already initialised for {} ({}); nothing changed / 已初始化，未做更改",
                root.name, root.code
            );
            root
        }
    };
    // A deployment initialised before accounts existed gets its
    // administrators now.
    let administrators = accounts::open_administrators(&*store, &root)?;
    if !administrators.is_empty() {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "\nadministrators (三员) — shown this once: write the passwords down and add each TOTP \
             secret to an authenticator app; each password must be changed at first sign-in\n\
             管理员账号（仅显示这一次）：请记下密码，并把动态验证码密钥添加到身份验证器；首次登录须修改密码"
        )
        .and_then(|()| accounts::print_table(&mut out, &administrators))
        .map_err(|e| CliError::file("stdout", e))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_audit(command: AuditCommand) -> Result<ExitCode> {
    match command {
        AuditCommand::Verify { db, file, anchors } => {
            let anchors = anchors
                .iter()
                .map(|a| sojourn_store::Anchor::parse(a).ok_or_else(|| CliError::Anchor(a.clone())))
                .collect::<Result<Vec<_>>>()?;
            let report = match file {
                Some(file) => {
                    let path = file.display().to_string();
                    let input = File::open(&file).map_err(|e| CliError::file(&path, e))?;
                    audit::verify_file(BufReader::new(input), &anchors)?
                }
                None => {
                    let store = db.open()?;
                    let report = audit::verify_db(&*store, &anchors)?;
                    audit::record_verify(&*store, &report)?;
                    report
                }
            };
            audit::print_report(&mut std::io::stdout().lock(), &report)
                .map_err(|e| CliError::file("stdout", e))?;
            Ok(if report.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        AuditCommand::Export { file, db } => {
            let store = db.open()?;
            let (count, last) = match &file {
                Some(file) => {
                    let path = file.display().to_string();
                    let out = File::create(file).map_err(|e| CliError::file(&path, e))?;
                    audit::export(&*store, BufWriter::new(out))?
                }
                None => audit::export(&*store, BufWriter::new(std::io::stdout().lock()))?,
            };
            eprintln!("exported {count} audit entries / 已导出 {count} 条审计记录");
            if let Some(last) = last {
                eprintln!("anchor / 校验锚点：{}:{}", last.seq, last.hash);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_reset_account(username: &str, db: &DbArg) -> Result<ExitCode> {
    let deployment = db.deployment()?;
    let issued = accounts::reset(&*deployment.store, &deployment.root, username)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "new credentials for {username}, shown this once; the password must be changed at sign-in \
         and every session of the account has ended / 新的登录凭据（仅显示这一次），登录后须修改密码"
    )
    .and_then(|()| accounts::print_table(&mut out, &[issued]))
    .map_err(|e| CliError::file("stdout", e))?;
    Ok(ExitCode::SUCCESS)
}

fn run_import(
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

/// A unit code given on the command line, or what is wrong with it.
fn parse_unit_code(text: &str) -> std::result::Result<sojourn_domain::unit::UnitCode, String> {
    use sojourn_domain::Localized;
    sojourn_domain::unit::UnitCode::parse(text)
        .map_err(|e| format!("{} / {}", e.message_en(), e.message_zh()))
}

/// Whom the revisions of records imported from the command line name.
fn import_actor() -> sojourn_store::Actor {
    sojourn_store::Actor::new("import")
}

/// What `sojourn import` was asked beyond the file.
struct ImportOptions {
    dry_run: bool,
    unit: Option<sojourn_domain::unit::UnitCode>,
    reports: Vec<PathBuf>,
    limits: sojourn_sheets::Limits,
}

/// The import of a sheet (.xlsx, or a CSV in the form staff keep), with
/// the report of every row.
fn run_sheet_import(
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

fn run_export(
    register: Register,
    file: Option<&PathBuf>,
    format: export::Format,
    db: &DbArg,
) -> Result<ExitCode> {
    let deployment = db.deployment()?;
    let scope = deployment.scope();
    if format == export::Format::Xlsx {
        let file = file.ok_or(CliError::Usage(error::XLSX_NEEDS_FILE))?;
        let path = file.display().to_string();
        let form = sheet::form_of(register);
        let count = export::run_xlsx(&*deployment.store, &scope, register, form, file)?;
        record_export(&deployment, register, count, Some(&path))?;
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
            let count = export::run(&*deployment.store, &scope, register, BufWriter::new(out))?;
            record_export(&deployment, register, count, Some(&path))?;
            println!(
                "exported {count} {} to {path} / 已导出 {count} 条",
                register.key()
            );
        }
        None => {
            let out = std::io::stdout().lock();
            let count = export::run(&*deployment.store, &scope, register, BufWriter::new(out))?;
            record_export(&deployment, register, count, None)?;
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
