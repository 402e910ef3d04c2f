//! `sojourn init --unit <town code>`: roots a deployment at one street or
//! town, with its communities and villages from the embedded division data.

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
        communities: usize,
    },
    /// The store was already rooted at this very unit; nothing changed.
    AlreadyInitialised {
        root: Unit,
    },
}

/// Roots the store at the town `town_code` names, unless it is rooted
/// already. Rooting it elsewhere is refused: a deployment has one root.
pub fn init_deployment(store: &dyn Store, town_code: &str) -> Result<InitOutcome> {
    let town = find_town(town_code)?;
    let root = unit_of(&town)?;
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
    let below = division::children(Some(&town.code))
        .iter()
        .map(unit_of)
        .collect::<Result<Vec<_>>>()?;
    store.init_deployment_unscoped(&root, &below)?;
    tracing::info!(unit = %root.code, communities = below.len(), "deployment initialised");
    Ok(InitOutcome::Created {
        root,
        communities: below.len(),
    })
}

/// The town or street with that 9-digit code in today's division data.
fn find_town(text: &str) -> Result<Division> {
    let not_a_town = || CliError::NotATownCode(text.trim().to_owned());
    let code = DivisionCode::parse_form(text).map_err(|_| not_a_town())?;
    if code.level() != DivisionLevel::Town {
        return Err(not_a_town());
    }
    division::lookup(&code).ok_or_else(|| CliError::UnknownTown(code.to_string()))
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
        InitOutcome::Created { root, communities } => {
            println!(
                "initialised {} ({}) with {communities} communities and villages / 已初始化",
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
