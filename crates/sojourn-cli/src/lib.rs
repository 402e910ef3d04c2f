//! `sojourn`, the one binary of Sojourn: it wires the domain, the store and
//! the web layer together. The command line is parsed in `cli`, sent on in
//! `dispatch`, and done in one module per subcommand.

/// Administrator accounts at `init`, and `reset-account`.
pub mod accounts;
/// `audit verify` and `audit export`: the hash chain checked and archived.
pub mod audit;
/// `backup`: a consistent copy of the store, its manifest, retention.
pub mod backup;
/// `check-id`: checks citizen ID numbers (written with the domain crate).
mod check_id;
/// The command line: subcommands and options, parsed, nothing done.
mod cli;
/// The `--db` option and the deployment it holds.
pub mod db;
/// `demo`: a street of synthetic data, then serve.
pub mod demo;
/// From a parsed command to the module that does it, and to the exit
/// status.
mod dispatch;
/// Errors that stop a command, in zh-CN and English.
pub mod error;
/// `export`: a register as CSV or .xlsx.
pub mod export;
/// `import`: a register from CSV or .xlsx, with its report. The import
/// itself (row by row checked) is the `sojourn-import` crate, which the
/// web layer calls too; its registers' columns and CSV plumbing serve the
/// export as well.
mod import;
/// `init`: roots a deployment at a street or town.
pub mod init;
/// `keys rotate`: a new data key, every value re-encrypted under it.
pub mod keys;
/// Logs as text or JSON lines, with each request's id.
mod logs;
/// `migrate`: what an upgrade does to the store, and `--check`.
mod migrate;
/// `request-kind`: the deployment's kinds of service request.
mod request_kinds;
/// `restore`: a backup into a new store, proven before it is declared
/// restored.
pub mod restore;
/// `serve`: the web application.
pub mod serve;

pub use cli::Cli;
pub use dispatch::main;
pub use sojourn_import::{registers, table};
