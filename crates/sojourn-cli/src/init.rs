//! `sojourn init --unit <code>`: roots a deployment at one street or town
//! (9 digits), with its communities and villages, or at a county or
//! district (6 digits), with every town and street in it and their
//! communities, all from the embedded division data.
//!
//! A county root is what the county's bureau runs (P12, P13): its own
//! accounts (the director, the inspectors 督查) sit at the root and so see
//! every town, while each town's accounts see their own. Nothing below
//! depends on the root's level: a scope is a code prefix however long.

use crate::accounts;
use crate::db;
use crate::db::DbArg;
use crate::error::{CliError, Result};
use sojourn_domain::codes::division::{self, Division};
use sojourn_domain::codes::{DivisionCode, DivisionLevel};
use sojourn_domain::text::UnitName;
use sojourn_domain::unit::{Unit, UnitCode};
use sojourn_store::Store;
use std::io::Write;
use std::process::ExitCode;

/// What `init` found or did.
#[derive(Debug)]
pub enum InitOutcome {
    Created {
        root: Unit,
        /// The units made below the root: towns (under a county),
        /// communities and villages.
        below: usize,
    },
    /// The store was already rooted at this very unit; nothing changed.
    AlreadyInitialised { root: Unit },
}

/// Roots the store at the county or town `root_code` names, unless it is
/// rooted already. Rooting it elsewhere is refused: a deployment has one
/// root.
pub fn init_deployment(store: &dyn Store, root_code: &str) -> Result<InitOutcome> {
    let division = find_root(root_code)?;
    let root = unit_of(&division)?;
    if let Some(existing) = store.deployment_root_unscoped()? {
        return if existing.code == root.code {
            Ok(InitOutcome::AlreadyInitialised { root: existing })
        } else {
            Err(CliError::InitialisedForAnotherUnit {
                code: existing.code.to_string(),
                name: existing.name.to_string(),
            })
        };
    }
    let below = units_below(&division)?;
    store.init_deployment_unscoped(&root, &below)?;
    tracing::info!(unit = %root.code, below = below.len(), "deployment initialised");
    Ok(InitOutcome::Created {
        root,
        below: below.len(),
    })
}

/// The county (6 digits) or town (9 digits) with that code in today's
/// division data.
fn find_root(text: &str) -> Result<Division> {
    let not_a_root = || CliError::NotATownCode(text.trim().to_owned());
    let code = DivisionCode::parse_form(text).map_err(|_| not_a_root())?;
    if !matches!(code.level(), DivisionLevel::County | DivisionLevel::Town) {
        return Err(not_a_root());
    }
    division::lookup(&code).ok_or_else(|| CliError::UnknownTown(code.to_string()))
}

/// Every division under `root` down to the communities and villages,
/// each parent before its children (the store checks each lies under the
/// root, not the order, but a reader of the table expects it).
fn units_below(root: &Division) -> Result<Vec<Unit>> {
    let mut below = Vec::new();
    for child in division::children(Some(&root.code)) {
        below.push(unit_of(&child)?);
        if child.code.level() == DivisionLevel::Town {
            below.extend(units_below(&child)?);
        }
    }
    Ok(below)
}

/// Town and village codes are unit codes of the same digits.
fn unit_of(division: &Division) -> Result<Unit> {
    let invalid = |what: String| {
        CliError::Internal(format!("division {} makes no unit: {what}", division.code))
    };
    Ok(Unit {
        code: UnitCode::parse(division.code.as_str()).map_err(|e| invalid(e.to_string()))?,
        name: UnitName::parse(&division.name).map_err(|e| invalid(e.to_string()))?,
    })
}

/// `sojourn init`: roots the deployment, then opens its administrators
/// and shows their credentials once.
pub(crate) fn run_init(unit: &str, db: &DbArg) -> Result<ExitCode> {
    let store = db::open(&db.db, db.key_file.as_deref(), db::Keys::CreateIfMissing)?;
    let root = match init_deployment(&*store, unit)? {
        InitOutcome::Created { root, below } => {
            println!(
                "initialised {} ({}) with {below} units below it / 已初始化，下辖单位 {below} 个",
                root.name, root.code
            );
            root
        }
        InitOutcome::AlreadyInitialised { root } => {
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
