//! Sojourn's domain: the national codes, the jurisdiction tree and the
//! registers of floating residents, rental houses, employers and outflow.
//!
//! Pure Rust with no I/O: no SQL, HTTP or JSON lives here. Every value that
//! reaches a register was made by a parser in this crate, so code further in
//! never checks it again ("parse, don't validate").

/// Staff accounts: roles, the permission table, password policy.
pub mod account;
/// National codes (ID numbers, credit codes, divisions, code tables, phones).
pub mod codes;
/// When and where a collector collected a record (review workflow).
pub mod collection;
/// Documents checked (查验) or chased (催办) for a resident.
pub mod document;
/// Employers (用工单位) and the residents working for them.
pub mod employer;
/// Errors of domain rules, each with a stable code and zh-CN/en messages.
pub mod error;
/// Rental houses (出租房屋), landlords, filing and tenancies.
pub mod house;
/// The trait every domain error and finding implements: a stable code and
/// zh-CN/en messages (a leaf, so the parsers need not name `error`).
mod localized;
/// Outflow register (流出人口) and left-behind family.
pub mod outflow;
/// Person files (一人一档): identity and personal details.
pub mod person;
/// Data-quality rules and the probable-duplicate finder (监控管理).
pub mod quality;
/// The kinds of record, and a reference to one register record.
pub mod record;
/// Residence episodes: arrival, activation and departure (来有登记, 走有注销).
pub mod residence;
/// The review workflow: collected → entered → reviewed → spot-checked.
pub mod review;
/// Free-text survey helpers: how one search box is read.
pub mod search;
/// Services of the one-stop window: permits, family planning, vaccination,
/// requests.
pub mod services;
/// Bounded, trimmed text values (names, addresses, notes).
pub mod text;
/// Dates that the registers accept: real, and not in the future.
pub mod time_rules;
/// The jurisdiction tree: unit codes as materialized paths, and scopes.
pub mod unit;

pub use error::{DomainError, Localized};
