//! The operations of the register — open an account, register an arrival,
//! start an export, search the audit trail … — as plain functions that
//! take the caller, the state and the input already parsed, check what the
//! caller may do, call the store and record what must be audited. The API
//! handlers and the pages both call them: a handler turns a request into
//! their input and their result into JSON, a page turns a form into their
//! input and their result (or refusal) into HTML. So a rule is written
//! once, and a page never calls a handler.
//!
//! They use `export` beside them and the floor below (`auth`, `dto`,
//! `error`, `blocking`, `audit`), and name neither `api` nor `pages`
//! (checked by `layers.rs`).

/// Staff accounts: opening, disabling, roles, credentials.
pub(crate) mod accounts;
/// The audit trail: searching it (itself recorded).
pub(crate) mod audit;
/// Exports: starting a job, the caller's jobs, their files.
pub(crate) mod exports;
/// The family-planning follow-up: files, 三查 results, schedules, lists.
pub(crate) mod family_planning;
/// Files sent in chunks as a response's body.
pub(crate) mod files;
/// Imports from uploaded sheets, and what bounds them.
pub mod imports;
/// Residence permits: applications and steps, today by the clock.
pub(crate) mod permits;
/// Deciding the data-quality monitor's duplicate pairs.
pub(crate) mod quality;
/// Writing the house, employer and outflow registers' records, and a
/// house's inspections.
pub(crate) mod records;
/// Service requests at the one-stop window: intake, steps, reads.
pub(crate) mod requests;
/// Registering an arrival and a departure; a file's document checks.
pub(crate) mod residents;
/// Steps of the review workflow.
pub(crate) mod review;
/// Signing out.
pub(crate) mod session;
/// API tokens: issuing and revoking.
pub(crate) mod tokens;
/// The jurisdiction tree: new grids and collection points.
pub(crate) mod units;

/// What a write answers: `Err` when the task itself failed (what tokio
/// says of it), otherwise the store's answer — whose refusals the API
/// answers with their status and a page puts beside the field they
/// concern.
pub(crate) type Written<T> = Result<sojourn_store::Result<T>, String>;
