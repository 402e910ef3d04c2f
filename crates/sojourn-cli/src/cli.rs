//! The command line as `sojourn` parses it: the subcommands and their
//! options (clap), and the options several share (`--db`, `--listen`).
//! Parsing only: what a command does is in its own module, and
//! `dispatch.rs` sends each command there.

use crate::backup;
use crate::db::DbArg;
use crate::export;
use crate::registers::{self, Register};
use crate::serve::ListenArg;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Sojourn — information system for street offices registering the
/// floating population (流动人口), their rental houses and employers.
#[derive(Debug, Parser)]
#[command(name = "sojourn", version)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Root a new deployment at a street or town (with its communities and
    /// villages) or at a county or district (with its towns and their
    /// communities), from the national division data.
    Init {
        /// 9-digit code of the street (街道) or town (镇/乡), e.g. 110101001,
        /// or 6-digit code of the county or district (县/区), e.g. 350181.
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
        /// Refuse a sheet of more rows than this, counted as Excel counts
        /// them: the title and header lines too (raise it for a larger
        /// register than a street's); the bounds on the unpacked size of an .xlsx file grow
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
    /// Add a kind of service request (一站式服务) to the deployment's
    /// table, or rename one or change its due period; prints the table.
    RequestKind {
        /// The kind's code: 2 to 32 lower-case letters, digits or `_`.
        code: String,
        /// Its name in Chinese, as the window's pages show it.
        #[arg(long)]
        zh: String,
        /// Its name in English.
        #[arg(long)]
        en: String,
        /// Days from intake to the due date (1 to 365).
        #[arg(long, default_value_t = 7)]
        days: i64,
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
    /// Write a consistent copy of the whole store into DIR while the server
    /// keeps serving, named by the time (UTC) it was taken, with a manifest
    /// beside it (counts, the audit chain's head, the ids of the keys it
    /// needs — never a key); then delete the older copies the retention
    /// rule does not keep. SQLite by VACUUM INTO; PostgreSQL by pg_dump.
    Backup {
        /// The folder the backups are kept in (made if missing).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        #[command(flatten)]
        retention: backup::Retention,
        #[command(flatten)]
        db: DbArg,
    },
    /// Restore a backup made by `sojourn backup` into a new store (--db),
    /// and prove it before declaring success: checksum, integrity, counts
    /// and audit chain against the manifest, and the key file (--key-file,
    /// or the one beside the new store) opening every sealed value. On any
    /// failure nothing is left behind.
    Restore {
        /// The backup file (sojourn-….db) or its manifest (sojourn-….json).
        from: PathBuf,
        /// Replace the store at --db if it exists (stop its server first).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Apply the migrations this version has and the store lacks (every
    /// command does at open; this does it now). Refuses a store a newer
    /// version has migrated.
    Migrate {
        /// Only say which migrations an upgrade would apply; change
        /// nothing.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
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
pub(crate) enum AuditCommand {
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

/// A unit code given on the command line, or what is wrong with it.
pub(crate) fn parse_unit_code(
    text: &str,
) -> std::result::Result<sojourn_domain::unit::UnitCode, String> {
    use sojourn_domain::Localized;
    sojourn_domain::unit::UnitCode::parse(text)
        .map_err(|e| format!("{} / {}", e.message_en(), e.message_zh()))
}
