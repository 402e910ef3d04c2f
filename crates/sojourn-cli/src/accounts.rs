//! Accounts the command line opens: the three administrators at `init`
//! (三员: system, security, audit), and — when nobody else can — a fresh
//! credential for one account (`reset-account`). Passwords and second-factor
//! secrets are printed once and kept nowhere but in the user's hands: the
//! store holds an Argon2id hash and the TOTP secret only.

use crate::db::DbArg;
use crate::error::{CliError, Result};
use sojourn_domain::account::{PasswordPolicy, Role, Username};
use sojourn_domain::text::PersonName;
use sojourn_domain::unit::{Scope, Unit};
use sojourn_store::{AccountChange, Actor, NewAccount, Store};
use sojourn_web::auth::{password, totp};
use std::io::{self, Write};
use std::process::ExitCode;
use time::OffsetDateTime;

/// The administrators `init` opens, with their names on the screen.
pub const ADMINISTRATORS: [(&str, Role, &str); 3] = [
    ("sysadmin", Role::SystemAdmin, "系统管理员"),
    ("secadmin", Role::SecurityAdmin, "安全管理员"),
    ("auditadmin", Role::AuditAdmin, "审计管理员"),
];

/// A credential handed out: to be written down now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub username: String,
    pub roles: Vec<Role>,
    pub unit: Unit,
    pub password: String,
    pub totp_secret: Option<String>,
}

fn internal(e: impl std::fmt::Display) -> CliError {
    CliError::Internal(e.to_string())
}

fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t)
}

/// An account to open, its credentials chosen.
#[derive(Debug, Clone)]
pub struct Opening<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub roles: &'a [Role],
    pub password: &'a str,
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
}

/// Opens an account in `unit`; refuses if the name is taken.
pub fn open(store: &dyn Store, unit: &Unit, opening: Opening<'_>, actor: &Actor) -> Result<Issued> {
    let new = NewAccount {
        username: Username::parse(opening.username).map_err(internal)?,
        display_name: PersonName::parse(opening.display_name).map_err(internal)?,
        unit: unit.code.clone(),
        roles: opening.roles.to_vec(),
        password_hash: password::hash(opening.password).map_err(internal)?,
        password_set_at: now(),
        must_change_password: opening.must_change_password,
        totp_secret: opening.totp_secret.clone(),
    };
    store.create_account(&Scope::of(unit.code.clone()), &new, actor)?;
    Ok(Issued {
        username: opening.username.to_owned(),
        roles: opening.roles.to_vec(),
        unit: unit.clone(),
        password: opening.password.to_owned(),
        totp_secret: opening.totp_secret,
    })
}

/// Opens the three administrators at the root with random one-time
/// passwords (to be changed at first sign-in) and second factors. Does
/// nothing if the deployment already has accounts.
pub fn open_administrators(store: &dyn Store, root: &Unit) -> Result<Vec<Issued>> {
    if store.has_accounts_unscoped()? {
        return Ok(Vec::new());
    }
    let policy = PasswordPolicy::default();
    ADMINISTRATORS
        .iter()
        .map(|(username, role, name)| {
            let one_time = password::one_time(username, &policy).map_err(internal)?;
            let secret = totp::new_secret().map_err(internal)?;
            let opening = Opening {
                username,
                display_name: name,
                roles: &[*role],
                password: &one_time,
                must_change_password: true,
                totp_secret: Some(secret),
            };
            open(store, root, opening, &Actor::new("init"))
        })
        .collect()
}

/// A new one-time password for `username` (to be changed at sign-in), the
/// lock lifted, and a new second factor if the account is an
/// administrator's or had one. For the operator of the server when no
/// security administrator can help (their own account).
pub fn reset(store: &dyn Store, root: &Unit, username: &str) -> Result<Issued> {
    let name = Username::parse(username).map_err(|_| CliError::UnknownAccount(username.into()))?;
    let credentials = store
        .credentials_unscoped(&name)?
        .ok_or_else(|| CliError::UnknownAccount(username.into()))?;
    let account = credentials.account;
    let scope = Scope::of(root.code.clone());
    let actor = Actor::new("cli");
    let one_time = password::one_time(username, &PasswordPolicy::default()).map_err(internal)?;
    let change = AccountChange::Password {
        hash: password::hash(&one_time).map_err(internal)?,
        must_change: true,
        at: now(),
        keep_session: None,
    };
    store.change_account(&scope, account.id, &change, &actor)?;
    store.change_account(&scope, account.id, &AccountChange::Unlock, &actor)?;
    let needs_totp = account.has_totp || account.roles.iter().any(|r| r.is_administrator());
    let totp_secret = if needs_totp {
        let secret = totp::new_secret().map_err(internal)?;
        let enrol = AccountChange::Totp(Some(secret.clone()));
        store.change_account(&scope, account.id, &enrol, &actor)?;
        Some(secret)
    } else {
        None
    };
    let unit = store.get_unit(&scope, &account.unit)?;
    Ok(Issued {
        username: username.to_owned(),
        roles: account.roles,
        unit,
        password: one_time,
        totp_secret,
    })
}

/// Prints a sign-in table: user, roles, unit, password, second factor.
pub fn print_table(out: &mut impl Write, issued: &[Issued]) -> io::Result<()> {
    let row = |cells: [&str; 5]| {
        format!(
            "  {} {} {} {} {}",
            pad_wide(cells[0], 12),
            pad_wide(cells[1], 18),
            pad_wide(cells[2], 32),
            pad_wide(cells[3], 20),
            cells[4]
        )
    };
    writeln!(
        out,
        "{}",
        row([
            "user 用户",
            "role 角色",
            "unit 单位",
            "password 密码",
            "TOTP secret 动态验证码密钥",
        ])
        .trim_end()
    )?;
    for account in issued {
        let roles: Vec<&str> = account.roles.iter().map(|r| r.name_zh()).collect();
        let roles = if roles.is_empty() {
            "（未授权）".to_owned()
        } else {
            roles.join("、")
        };
        let unit = format!("{} {}", account.unit.name, account.unit.code);
        let secret = account.totp_secret.as_deref().unwrap_or("-");
        writeln!(
            out,
            "{}",
            row([&account.username, &roles, &unit, &account.password, secret])
        )?;
    }
    for account in issued {
        if let Some(secret) = &account.totp_secret {
            writeln!(
                out,
                "  {}: {}",
                account.username,
                totp::provisioning_uri(secret, &account.username)
            )?;
        }
    }
    Ok(())
}

/// Chinese characters take two columns: pad by display width.
fn pad_wide(text: &str, width: usize) -> String {
    let shown: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}

/// `sojourn reset-account`: the new credentials, shown once.
pub(crate) fn run_reset_account(username: &str, db: &DbArg) -> Result<ExitCode> {
    let deployment = db.deployment()?;
    let issued = reset(&*deployment.store, &deployment.root, username)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "new credentials for {username}, shown this once; the password must be changed at sign-in \
         and every session of the account has ended / 新的登录凭据（仅显示这一次），登录后须修改密码"
    )
    .and_then(|()| print_table(&mut out, &[issued]))
    .map_err(|e| CliError::file("stdout", e))?;
    Ok(ExitCode::SUCCESS)
}
