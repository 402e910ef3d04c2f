//! Accounts, sessions and API tokens over any backend. Times that decide
//! locks and expiry come from the caller and are compared here, in Rust:
//! SQLite keeps them as text, whose order is not time order across
//! sub-second precisions.

use super::audit::append;
use super::columns::{Columns, col, columns};
use super::{Backend, Row, SqlStore, Tx, Value, now, scope_bounds};
use crate::accounts::*;
use crate::audit::{AuditAction, AuditEvent, Outcome};
use crate::{Actor, Result, StoreError};
use serde_json::json;
use sojourn_domain::account::{AccountId, Role, Username};
use sojourn_domain::text::{Note, PersonName};
use sojourn_domain::unit::{Scope, UnitCode};
use std::collections::BTreeMap;
use time::OffsetDateTime;

const ACCOUNT: Columns = columns!("a": "id", "username", "display_name", "unit_code", "disabled",
    "must_change_password", "password_changed_at", "failed_logins", "locked_until",
    "last_login_at", "created_at", "created_by", "updated_at", "updated_by";
    "CASE WHEN a.totp_secret IS NULL THEN 0 ELSE 1 END" as "has_totp");
const ACCOUNT_COLUMNS: &str = ACCOUNT.select;

/// What a sign-in reads beside the account.
const SECRETS: Columns = columns!("a": "password_hash", "totp_secret", "totp_last_step");

/// What a session adds to its account.
const SESSION: Columns = columns!("s": "created_at", "last_seen_at");

const TOKEN: Columns = columns!("t": "id", "name", "unit_code", "role", "account_id",
    "created_at", "created_by", "expires_at", "revoked_at", "revoked_by", "last_used_at");
const TOKEN_COLUMNS: &str = TOKEN.select;

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("stored {what} {value:?} no longer parses"))
}

fn opt_time(row: &Row, i: usize) -> Result<Option<OffsetDateTime>> {
    // A NULL reads as no integer; anything else must be a time.
    match row.opt_int(i) {
        Ok(None) => Ok(None),
        _ => row.time(i).map(Some),
    }
}

fn flag(row: &Row, i: usize) -> Result<bool> {
    Ok(row.int(i)? != 0)
}

fn role(key: &str) -> Result<Role> {
    Role::from_key(key).ok_or_else(|| bad("role", key))
}

fn unit_code(text: &str) -> Result<UnitCode> {
    UnitCode::parse(text).map_err(|_| bad("unit code", text))
}

/// An account row without its roles.
fn account(row: &Row, at: usize) -> Result<Account> {
    let at = |column: usize| at + column;
    let username = row.text(at(col!(ACCOUNT, "username")))?;
    let display_name = row.text(at(col!(ACCOUNT, "display_name")))?;
    let failed_logins = row.int(at(col!(ACCOUNT, "failed_logins")))?;
    Ok(Account {
        id: AccountId(row.int(at(col!(ACCOUNT, "id")))?),
        username: Username::parse(username).map_err(|_| bad("user name", username))?,
        display_name: PersonName::parse(display_name).map_err(|_| bad("name", display_name))?,
        unit: unit_code(row.text(at(col!(ACCOUNT, "unit_code")))?)?,
        roles: Vec::new(),
        disabled: flag(row, at(col!(ACCOUNT, "disabled")))?,
        must_change_password: flag(row, at(col!(ACCOUNT, "must_change_password")))?,
        password_changed_at: row.time(at(col!(ACCOUNT, "password_changed_at")))?,
        failed_logins: u32::try_from(failed_logins).unwrap_or(u32::MAX),
        locked_until: opt_time(row, at(col!(ACCOUNT, "locked_until")))?,
        has_totp: flag(row, at(col!(ACCOUNT, "has_totp")))?,
        last_login_at: opt_time(row, at(col!(ACCOUNT, "last_login_at")))?,
        created_at: row.time(at(col!(ACCOUNT, "created_at")))?,
        created_by: row.text(at(col!(ACCOUNT, "created_by")))?.to_owned(),
        updated_at: row.time(at(col!(ACCOUNT, "updated_at")))?,
        updated_by: row.text(at(col!(ACCOUNT, "updated_by")))?.to_owned(),
    })
}

fn roles_of(tx: &mut dyn Tx, id: AccountId) -> Result<Vec<Role>> {
    let rows = tx.query(
        "SELECT role FROM account_roles WHERE account_id = $1 ORDER BY role",
        &[id.0.into()],
    )?;
    let mut roles = rows
        .iter()
        .map(|r| role(r.text(0)?))
        .collect::<Result<Vec<_>>>()?;
    roles.sort_unstable();
    Ok(roles)
}

fn with_roles(tx: &mut dyn Tx, mut account: Account) -> Result<Account> {
    account.roles = roles_of(tx, account.id)?;
    Ok(account)
}

/// The account with `id` in `scope`, or not found.
fn get_account(tx: &mut dyn Tx, scope: &Scope, id: AccountId) -> Result<Account> {
    let [low, high] = scope_bounds(scope);
    let row = tx.query_opt(
        &format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a \
             WHERE a.id = $1 AND a.unit_code >= $2 AND a.unit_code < $3"
        ),
        &[id.0.into(), low, high],
    )?;
    let account = row
        .as_ref()
        .map(|r| account(r, 0))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            kind: sojourn_domain::record::RecordKind::Account,
            id: id.0.to_string(),
        })?;
    with_roles(tx, account)
}

fn set_roles(tx: &mut dyn Tx, id: AccountId, roles: &[Role]) -> Result<()> {
    tx.execute(
        "DELETE FROM account_roles WHERE account_id = $1",
        &[id.0.into()],
    )?;
    for role in roles {
        tx.execute(
            "INSERT INTO account_roles (account_id, role) VALUES ($1, $2)",
            &[id.0.into(), role.key().into()],
        )?;
    }
    Ok(())
}

fn create_account(
    tx: &mut dyn Tx,
    scope: &Scope,
    new: &NewAccount,
    actor: &Actor,
) -> Result<Account> {
    super::require_unit(tx, scope, &new.unit)?;
    let taken = tx.query_opt(
        "SELECT 1 FROM accounts WHERE username = $1",
        &[new.username.as_str().into()],
    )?;
    if taken.is_some() {
        return Err(StoreError::DuplicateAccount(new.username.to_string()));
    }
    let at = now();
    let row = tx.query_one(
        "INSERT INTO accounts (username, display_name, unit_code, password_hash, \
         password_changed_at, must_change_password, totp_secret, created_at, created_by, \
         updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9) RETURNING id",
        &[
            new.username.as_str().into(),
            new.display_name.as_str().into(),
            new.unit.as_str().into(),
            new.password_hash.as_str().into(),
            new.password_set_at.into(),
            Value::Int(i64::from(new.must_change_password)),
            super::sealed::seal_opt(
                &tx.keys(),
                super::sealed::TOTP_SECRET,
                new.totp_secret.as_ref(),
            ),
            at.into(),
            actor.name.as_str().into(),
        ],
    )?;
    let id = AccountId(row.int(0)?);
    set_roles(tx, id, &new.roles)?;
    let account = get_account(tx, scope, id)?;
    let event = AuditEvent::new(AuditAction::AccountCreated, Outcome::Success)
        .object(sojourn_domain::record::RecordKind::Account, id.0)
        .unit(&account.unit)
        .details(json!({
            "username": account.username.as_str(),
            "unit": account.unit.as_str(),
            "roles": role_keys(&account.roles),
            "second_factor": new.totp_secret.is_some(),
        }));
    append(tx, actor, event)?;
    Ok(account)
}

fn role_keys(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.key()).collect()
}

/// The audit entry of a change to an account: who it was, what changed;
/// never a password hash or a second-factor secret.
fn account_event(change: &AccountChange, before: &Account, actor: &Actor) -> AuditEvent {
    let (action, details) = match change {
        AccountChange::Roles(roles) => (
            AuditAction::RolesAssigned,
            json!({ "before": role_keys(&before.roles), "after": role_keys(roles) }),
        ),
        AccountChange::Disabled(true) => (AuditAction::AccountDisabled, json!({})),
        AccountChange::Disabled(false) => (AuditAction::AccountEnabled, json!({})),
        AccountChange::Unlock => (
            AuditAction::AccountUnlocked,
            json!({ "failed_logins": before.failed_logins }),
        ),
        AccountChange::Password { must_change, .. } if actor.account == Some(before.id) => (
            AuditAction::PasswordChanged,
            json!({ "must_change": must_change }),
        ),
        AccountChange::Password { must_change, .. } => (
            AuditAction::PasswordReset,
            json!({ "must_change": must_change }),
        ),
        AccountChange::Totp(Some(_)) => (AuditAction::TotpEnrolled, json!({})),
        AccountChange::Totp(None) => (AuditAction::TotpWithdrawn, json!({})),
    };
    let mut details = details;
    details["username"] = json!(before.username.as_str());
    AuditEvent::new(action, Outcome::Success)
        .object(sojourn_domain::record::RecordKind::Account, before.id.0)
        .unit(&before.unit)
        .details(details)
}

fn list_accounts(tx: &mut dyn Tx, scope: &Scope) -> Result<Vec<Account>> {
    let [low, high] = scope_bounds(scope);
    let rows = tx.query(
        &format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a \
             WHERE a.unit_code >= $1 AND a.unit_code < $2 ORDER BY a.username"
        ),
        &[low.clone(), high.clone()],
    )?;
    let mut roles: BTreeMap<i64, Vec<Role>> = BTreeMap::new();
    for row in tx.query(
        "SELECT r.account_id, r.role FROM account_roles r JOIN accounts a ON a.id = r.account_id \
         WHERE a.unit_code >= $1 AND a.unit_code < $2 ORDER BY r.role",
        &[low, high],
    )? {
        roles
            .entry(row.int(0)?)
            .or_default()
            .push(role(row.text(1)?)?);
    }
    rows.iter()
        .map(|row| {
            let mut account = account(row, 0)?;
            account.roles = roles.remove(&account.id.0).unwrap_or_default();
            account.roles.sort_unstable();
            Ok(account)
        })
        .collect()
}

fn change_account(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: AccountId,
    change: &AccountChange,
    actor: &Actor,
) -> Result<Account> {
    let before = get_account(tx, scope, id)?;
    append(tx, actor, account_event(change, &before, actor))?;
    // Placeholders are numbered in order of first use (SQLite binds them by
    // position): the change's own values first, then who and when.
    let stamp = |values: Vec<Value>| -> Vec<Value> {
        let mut params = values;
        params.extend([now().into(), actor.name.as_str().into(), id.0.into()]);
        params
    };
    let update = |tx: &mut dyn Tx, set: &str, values: Vec<Value>| -> Result<u64> {
        let n = values.len();
        tx.execute(
            &format!(
                "UPDATE accounts SET {set}updated_at = ${}, updated_by = ${} WHERE id = ${}",
                n + 1,
                n + 2,
                n + 3
            ),
            &stamp(values),
        )
    };
    match change {
        AccountChange::Roles(roles) => {
            set_roles(tx, id, roles)?;
            update(tx, "", vec![])?;
        }
        AccountChange::Disabled(disabled) => {
            update(
                tx,
                "disabled = $1, ",
                vec![Value::Int(i64::from(*disabled))],
            )?;
            if *disabled {
                end_sessions_of(tx, id, None)?;
            }
        }
        AccountChange::Unlock => {
            update(
                tx,
                "failed_logins = 0, failures_since = NULL, locked_until = NULL, ",
                vec![],
            )?;
        }
        AccountChange::Password {
            hash,
            must_change,
            at,
            keep_session,
        } => {
            update(
                tx,
                "password_hash = $1, must_change_password = $2, password_changed_at = $3, ",
                vec![
                    hash.as_str().into(),
                    Value::Int(i64::from(*must_change)),
                    (*at).into(),
                ],
            )?;
            end_sessions_of(tx, id, keep_session.as_deref())?;
        }
        AccountChange::Totp(secret) => {
            let keys = tx.keys();
            let sealed =
                super::sealed::seal_opt(&keys, super::sealed::TOTP_SECRET, secret.as_ref());
            update(
                tx,
                "totp_secret = $1, totp_last_step = NULL, ",
                vec![sealed],
            )?;
        }
    }
    get_account(tx, scope, id)
}

fn end_sessions_of(tx: &mut dyn Tx, id: AccountId, keep: Option<&str>) -> Result<()> {
    match keep {
        Some(keep) => tx.execute(
            "DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2",
            &[id.0.into(), keep.into()],
        )?,
        None => tx.execute("DELETE FROM sessions WHERE account_id = $1", &[id.0.into()])?,
    };
    Ok(())
}

fn credentials(tx: &mut dyn Tx, username: &Username) -> Result<Option<Credentials>> {
    let Some(row) = tx.query_opt(
        &format!(
            "SELECT {ACCOUNT_COLUMNS}, {} FROM accounts a WHERE a.username = $1",
            SECRETS.select
        ),
        &[username.as_str().into()],
    )?
    else {
        return Ok(None);
    };
    let account = with_roles(tx, account(&row, 0)?)?;
    let secret = |column: usize| ACCOUNT.width() + column;
    Ok(Some(Credentials {
        account,
        password_hash: row.text(secret(col!(SECRETS, "password_hash")))?.to_owned(),
        totp_secret: super::sealed::open_opt(
            &tx.keys(),
            super::sealed::TOTP_SECRET,
            row.opt_text(secret(col!(SECRETS, "totp_secret")))?,
        )?,
        totp_last_step: row.opt_int(secret(col!(SECRETS, "totp_last_step")))?,
    }))
}

/// Failures as the columns `failures, failures_since, locked_until` hold them.
fn failures_of(row: &Row) -> Result<Failures> {
    Ok(Failures {
        count: u32::try_from(row.int(0)?).unwrap_or(u32::MAX),
        since: opt_time(row, 1)?,
        locked_until: opt_time(row, 2)?,
    })
}

/// How `sign_in_failures` knows a name: by its keyed blind index, since a
/// name typed at sign-in is sometimes a password.
fn name_index(tx: &mut dyn Tx, username: &Username) -> String {
    tx.keys().blind_index("sign_in_name", username.as_str())
}

fn sign_in_failures(tx: &mut dyn Tx, username: &Username) -> Result<Failures> {
    let name = username.as_str();
    let row = match tx.query_opt(
        "SELECT failed_logins, failures_since, locked_until FROM accounts WHERE username = $1",
        &[name.into()],
    )? {
        Some(row) => Some(row),
        None => {
            let key = name_index(tx, username);
            tx.query_opt(
                "SELECT failures, failures_since, locked_until FROM sign_in_failures \
                 WHERE name_index = $1",
                &[key.into()],
            )?
        }
    };
    row.map_or(Ok(Failures::default()), |row| failures_of(&row))
}

fn record_sign_in_failure(
    tx: &mut dyn Tx,
    username: &Username,
    at: OffsetDateTime,
    lockout: &Lockout,
) -> Result<Failures> {
    let name = username.as_str();
    // The UPDATE takes the row lock first, so concurrent failures count
    // one after the other.
    let account = tx.execute(
        "UPDATE accounts SET failed_logins = failed_logins WHERE username = $1",
        &[name.into()],
    )?;
    if account == 1 {
        let row = tx.query_one(
            "SELECT failed_logins, failures_since, locked_until, id FROM accounts \
             WHERE username = $1",
            &[name.into()],
        )?;
        let before = failures_of(&row)?;
        let id = AccountId(row.int(3)?);
        let after = lockout.after_failure(before, at);
        tx.execute(
            "UPDATE accounts SET failed_logins = $1, failures_since = $2, locked_until = $3 \
             WHERE id = $4",
            &[
                i64::from(after.count).into(),
                after.since.into(),
                after.locked_until.into(),
                id.0.into(),
            ],
        )?;
        // A lock shuts out whoever is guessing, and whoever guessed right
        // before: the account's open sessions end with it.
        if after.locked_until != before.locked_until {
            end_sessions_of(tx, id, None)?;
        }
        return Ok(after);
    }
    let key = name_index(tx, username);
    tx.execute(
        "INSERT INTO sign_in_failures (name_index, failures, forget_after) VALUES ($1, 0, 0) \
         ON CONFLICT (name_index) DO NOTHING",
        &[key.as_str().into()],
    )?;
    tx.execute(
        "UPDATE sign_in_failures SET failures = failures WHERE name_index = $1",
        &[key.as_str().into()],
    )?;
    let row = tx.query_one(
        "SELECT failures, failures_since, locked_until FROM sign_in_failures \
         WHERE name_index = $1",
        &[key.as_str().into()],
    )?;
    let after = lockout.after_failure(failures_of(&row)?, at);
    let forget_after = lockout.forget_after(&after).unwrap_or(at);
    tx.execute(
        "UPDATE sign_in_failures SET failures = $1, failures_since = $2, locked_until = $3, \
         forget_after = $4 WHERE name_index = $5",
        &[
            i64::from(after.count).into(),
            after.since.into(),
            after.locked_until.into(),
            forget_after.unix_timestamp().into(),
            key.as_str().into(),
        ],
    )?;
    Ok(after)
}

fn create_api_token(
    tx: &mut dyn Tx,
    scope: &Scope,
    new: &NewApiToken,
    actor: &Actor,
) -> Result<ApiToken> {
    super::require_unit(tx, scope, &new.unit)?;
    let row = tx.query_one(
        "INSERT INTO api_tokens (token_hash, name, unit_code, role, account_id, created_at, \
         created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        &[
            new.token_hash.as_str().into(),
            new.name.as_str().into(),
            new.unit.as_str().into(),
            new.role.key().into(),
            new.account.0.into(),
            now().into(),
            actor.name.as_str().into(),
            new.expires_at.into(),
        ],
    )?;
    let token = get_api_token(tx, scope, ApiTokenId(row.int(0)?))?;
    let expires_at = token
        .expires_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let event = AuditEvent::new(AuditAction::TokenIssued, Outcome::Success)
        .object(sojourn_domain::record::RecordKind::ApiToken, token.id.0)
        .unit(&token.unit)
        .details(json!({
            "name": token.name.as_str(),
            "role": token.role.key(),
            "account": token.account.0,
            "expires_at": expires_at,
        }));
    append(tx, actor, event)?;
    Ok(token)
}

fn api_token(row: &Row, at: usize) -> Result<ApiToken> {
    let at = |column: usize| at + column;
    let name = row.text(at(col!(TOKEN, "name")))?;
    Ok(ApiToken {
        id: ApiTokenId(row.int(at(col!(TOKEN, "id")))?),
        name: Note::parse(name).map_err(|_| bad("token name", name))?,
        unit: unit_code(row.text(at(col!(TOKEN, "unit_code")))?)?,
        role: role(row.text(at(col!(TOKEN, "role")))?)?,
        account: AccountId(row.int(at(col!(TOKEN, "account_id")))?),
        created_at: row.time(at(col!(TOKEN, "created_at")))?,
        created_by: row.text(at(col!(TOKEN, "created_by")))?.to_owned(),
        expires_at: row.time(at(col!(TOKEN, "expires_at")))?,
        revoked_at: opt_time(row, at(col!(TOKEN, "revoked_at")))?,
        revoked_by: row
            .opt_text(at(col!(TOKEN, "revoked_by")))?
            .map(str::to_owned),
        last_used_at: opt_time(row, at(col!(TOKEN, "last_used_at")))?,
    })
}

fn get_api_token(tx: &mut dyn Tx, scope: &Scope, id: ApiTokenId) -> Result<ApiToken> {
    let [low, high] = scope_bounds(scope);
    tx.query_opt(
        &format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t \
             WHERE t.id = $1 AND t.unit_code >= $2 AND t.unit_code < $3"
        ),
        &[id.0.into(), low, high],
    )?
    .as_ref()
    .map(|r| api_token(r, 0))
    .transpose()?
    .ok_or_else(|| StoreError::NotFound {
        kind: sojourn_domain::record::RecordKind::ApiToken,
        id: id.0.to_string(),
    })
}

impl<B: Backend> AccountStore for SqlStore<B> {
    fn create_account(&self, scope: &Scope, new: &NewAccount, actor: &Actor) -> Result<Account> {
        self.backend
            .write(|tx| create_account(tx, scope, new, actor))
    }

    fn get_account(&self, scope: &Scope, id: AccountId) -> Result<Account> {
        self.backend.read(|tx| get_account(tx, scope, id))
    }

    fn list_accounts(&self, scope: &Scope) -> Result<Vec<Account>> {
        self.backend.read(|tx| list_accounts(tx, scope))
    }

    fn change_account(
        &self,
        scope: &Scope,
        id: AccountId,
        change: &AccountChange,
        actor: &Actor,
    ) -> Result<Account> {
        self.backend
            .write(|tx| change_account(tx, scope, id, change, actor))
    }

    fn has_accounts_unscoped(&self) -> Result<bool> {
        self.backend.read(|tx| {
            Ok(tx
                .query_opt("SELECT 1 FROM accounts LIMIT 1", &[])?
                .is_some())
        })
    }

    fn account_locale_unscoped(&self, id: AccountId) -> Result<Option<String>> {
        self.backend.read(|tx| {
            let row = tx
                .query_opt("SELECT locale FROM accounts WHERE id = $1", &[id.0.into()])?
                .ok_or_else(|| StoreError::NotFound {
                    kind: sojourn_domain::record::RecordKind::Account,
                    id: id.0.to_string(),
                })?;
            Ok(row.opt_text(0)?.map(str::to_owned))
        })
    }

    fn set_account_locale_unscoped(&self, id: AccountId, locale: Option<&str>) -> Result<()> {
        self.backend.write(|tx| {
            let value = locale.map_or(Value::Null, Value::from);
            let changed = tx.execute(
                "UPDATE accounts SET locale = $1 WHERE id = $2",
                &[value, id.0.into()],
            )?;
            if changed == 1 {
                Ok(())
            } else {
                Err(StoreError::NotFound {
                    kind: sojourn_domain::record::RecordKind::Account,
                    id: id.0.to_string(),
                })
            }
        })
    }

    fn credentials_unscoped(&self, username: &Username) -> Result<Option<Credentials>> {
        self.backend.read(|tx| credentials(tx, username))
    }

    fn sign_in_failures_unscoped(&self, username: &Username) -> Result<Failures> {
        self.backend.read(|tx| sign_in_failures(tx, username))
    }

    fn record_sign_in_failure_unscoped(
        &self,
        username: &Username,
        at: OffsetDateTime,
        lockout: &Lockout,
    ) -> Result<Failures> {
        let failures = self
            .backend
            .write(|tx| record_sign_in_failure(tx, username, at, lockout))?;
        // Forget what no longer counts, in a transaction of its own so
        // that it holds no lock the count above waits for.
        self.backend.write(|tx| {
            tx.execute(
                "DELETE FROM sign_in_failures WHERE forget_after <= $1",
                &[at.unix_timestamp().into()],
            )
        })?;
        Ok(failures)
    }

    fn record_login_success_unscoped(&self, id: AccountId, at: OffsetDateTime) -> Result<()> {
        self.backend.write(|tx| {
            tx.execute(
                "UPDATE accounts SET failed_logins = 0, failures_since = NULL, locked_until = NULL, \
                 last_login_at = $1 WHERE id = $2",
                &[at.into(), id.0.into()],
            )?;
            Ok(())
        })
    }

    fn claim_totp_step_unscoped(&self, id: AccountId, step: i64) -> Result<bool> {
        self.backend.write(|tx| {
            let claimed = tx.execute(
                "UPDATE accounts SET totp_last_step = $1 \
                 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
                &[step.into(), id.0.into()],
            )?;
            Ok(claimed == 1)
        })
    }

    fn create_session(&self, new: &NewSession) -> Result<()> {
        self.backend.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, address) \
                 VALUES ($1, $2, $3, $3, $4)",
                &[
                    new.token_hash.as_str().into(),
                    new.account.0.into(),
                    new.at.into(),
                    new.address.map(|a| a.to_string()).into(),
                ],
            )?;
            Ok(())
        })
    }

    fn session_unscoped(&self, token_hash: &str) -> Result<Option<Session>> {
        self.backend.read(|tx| {
            let Some(row) = tx.query_opt(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS}, {} FROM sessions s \
                     JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1",
                    SESSION.select
                ),
                &[token_hash.into()],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(Session {
                account: with_roles(tx, account(&row, 0)?)?,
                created_at: row.time(ACCOUNT.width() + col!(SESSION, "created_at"))?,
                last_seen_at: row.time(ACCOUNT.width() + col!(SESSION, "last_seen_at"))?,
            }))
        })
    }

    fn touch_session_unscoped(&self, token_hash: &str, at: OffsetDateTime) -> Result<()> {
        self.backend.write(|tx| {
            tx.execute(
                "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
                &[at.into(), token_hash.into()],
            )?;
            Ok(())
        })
    }

    fn end_session_unscoped(&self, token_hash: &str) -> Result<()> {
        self.backend.write(|tx| {
            tx.execute(
                "DELETE FROM sessions WHERE token_hash = $1",
                &[token_hash.into()],
            )?;
            Ok(())
        })
    }

    fn end_expired_sessions_unscoped(
        &self,
        idle_before: OffsetDateTime,
        opened_before: OffsetDateTime,
    ) -> Result<u64> {
        self.backend.write(|tx| {
            let rows = tx.query(
                "SELECT token_hash, created_at, last_seen_at FROM sessions",
                &[],
            )?;
            let mut ended = 0;
            for row in rows {
                if row.time(2)? < idle_before || row.time(1)? < opened_before {
                    ended += tx.execute(
                        "DELETE FROM sessions WHERE token_hash = $1",
                        &[row.text(0)?.into()],
                    )?;
                }
            }
            Ok(ended)
        })
    }

    fn create_api_token(
        &self,
        scope: &Scope,
        new: &NewApiToken,
        actor: &Actor,
    ) -> Result<ApiToken> {
        self.backend
            .write(|tx| create_api_token(tx, scope, new, actor))
    }

    fn list_api_tokens(&self, scope: &Scope) -> Result<Vec<ApiToken>> {
        self.backend.read(|tx| {
            let [low, high] = scope_bounds(scope);
            let rows = tx.query(
                &format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens t \
                     WHERE t.unit_code >= $1 AND t.unit_code < $2 ORDER BY t.id DESC"
                ),
                &[low, high],
            )?;
            rows.iter().map(|r| api_token(r, 0)).collect()
        })
    }

    fn revoke_api_token(
        &self,
        scope: &Scope,
        id: ApiTokenId,
        at: OffsetDateTime,
        actor: &Actor,
    ) -> Result<ApiToken> {
        self.backend.write(|tx| {
            let token = get_api_token(tx, scope, id)?;
            let event = AuditEvent::new(AuditAction::TokenRevoked, Outcome::Success)
                .object(sojourn_domain::record::RecordKind::ApiToken, id.0)
                .unit(&token.unit)
                .details(json!({
                    "name": token.name.as_str(),
                    "already_revoked": token.revoked_at.is_some(),
                }));
            append(tx, actor, event)?;
            tx.execute(
                "UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 \
                 WHERE id = $3 AND revoked_at IS NULL",
                &[at.into(), actor.name.as_str().into(), id.0.into()],
            )?;
            get_api_token(tx, scope, id)
        })
    }

    fn api_token_unscoped(&self, token_hash: &str) -> Result<Option<(ApiToken, Account)>> {
        self.backend.read(|tx| {
            let Some(row) = tx.query_opt(
                &format!(
                    "SELECT {TOKEN_COLUMNS}, {ACCOUNT_COLUMNS} FROM api_tokens t \
                     JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = $1"
                ),
                &[token_hash.into()],
            )?
            else {
                return Ok(None);
            };
            let token = api_token(&row, 0)?;
            let account = with_roles(tx, account(&row, TOKEN.width())?)?;
            Ok(Some((token, account)))
        })
    }

    fn touch_api_token_unscoped(&self, id: ApiTokenId, at: OffsetDateTime) -> Result<()> {
        self.backend.write(|tx| {
            tx.execute(
                "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
                &[at.into(), id.0.into()],
            )?;
            Ok(())
        })
    }
}
