//! Demo sign-ins: one user of every role, with a known password — demo
//! data only, never a real deployment. The administrators get second
//! factors as they must; their secrets are printed with the table.

use crate::accounts::{Issued, Opening, open};
use crate::error::{CliError, Result};
use sojourn_domain::account::{Role, Username};
use sojourn_domain::unit::{Scope, Unit};
use sojourn_store::{Actor, Store};
use sojourn_web::auth::{password, totp};

/// The password of every demo user: published, so demo data only. It is
/// set, not chosen through the policy (which refuses it today, being a
/// common word with a symbol and a year).
pub const DEMO_PASSWORD: &str = "Sojourn#2026";

/// Where a demo user works.
#[derive(Debug, Clone, Copy)]
enum Place {
    Root,
    FirstCommunity,
    SecondCommunity,
}

const USERS: [(&str, Role, Place, &str); 13] = [
    ("director", Role::OfficeDirector, Place::Root, "赵主任"),
    (
        "chief1",
        Role::StationChief,
        Place::FirstCommunity,
        "钱站长",
    ),
    ("clerk1", Role::Clerk, Place::FirstCommunity, "孙录入"),
    ("coord1", Role::Coordinator, Place::FirstCommunity, "李协管"),
    (
        "coord2",
        Role::Coordinator,
        Place::SecondCommunity,
        "周协管",
    ),
    (
        "collector1",
        Role::Collector,
        Place::FirstCommunity,
        "吴采集",
    ),
    (
        "police1",
        Role::PoliceLiaison,
        Place::FirstCommunity,
        "郑警官",
    ),
    (
        "fp1",
        Role::FamilyPlanningOfficer,
        Place::FirstCommunity,
        "王专干",
    ),
    (
        "health1",
        Role::HealthWorker,
        Place::FirstCommunity,
        "冯医生",
    ),
    (
        "inspector1",
        Role::Inspector,
        Place::FirstCommunity,
        "陈督查",
    ),
    ("sysadmin", Role::SystemAdmin, Place::Root, "系统管理员"),
    ("secadmin", Role::SecurityAdmin, Place::Root, "安全管理员"),
    ("auditadmin", Role::AuditAdmin, Place::Root, "审计管理员"),
];

/// Whether a deployment was made by `demo`. The first accounts of a
/// deployment are the three administrators, opened by whichever command
/// rooted it and stamped with that command as their creator (a stamp no
/// later change touches): `init` opens them with one-time passwords,
/// `demo` with [`DEMO_PASSWORD`]. A database with no such administrator
/// was not made by `demo` either (a deployment `init` rooted before
/// accounts existed, say), so it is not one.
pub fn made_by_demo(store: &dyn Store) -> Result<bool> {
    let admin = Username::parse(crate::accounts::ADMINISTRATORS[0].0).map_err(internal)?;
    Ok(store
        .credentials_unscoped(&admin)?
        .is_some_and(|c| c.account.created_by == DEMO_ACTOR))
}

/// Who the demo's accounts and data are recorded as made by.
pub const DEMO_ACTOR: &str = "demo";

fn internal(e: impl std::fmt::Display) -> CliError {
    CliError::Internal(e.to_string())
}

/// Opens the demo users that do not exist yet, and returns the sign-ins of
/// every demo user that still has the demo password (an account `init`
/// opened, or one whose password was changed, is left out).
pub fn open_demo_accounts(store: &dyn Store, root: &Unit) -> Result<Vec<Issued>> {
    let communities = store.list_units(&Scope::of(root.code.clone()), Some(&root.code))?;
    let place = |p: Place| match p {
        Place::Root => Some(root),
        Place::FirstCommunity => communities.first(),
        Place::SecondCommunity => communities.get(1),
    };
    let actor = Actor::new(DEMO_ACTOR);
    let mut issued = Vec::new();
    for (username, role, at, name) in USERS {
        let Some(unit) = place(at) else { continue };
        let name_parsed = Username::parse(username).map_err(internal)?;
        match store.credentials_unscoped(&name_parsed)? {
            None => {
                let opening = Opening {
                    username,
                    display_name: name,
                    roles: &[role],
                    password: DEMO_PASSWORD,
                    must_change_password: false,
                    totp_secret: role
                        .is_administrator()
                        .then(totp::new_secret)
                        .transpose()
                        .map_err(internal)?,
                };
                issued.push(open(store, unit, opening, &actor)?);
            }
            Some(existing) if password::verify(DEMO_PASSWORD, &existing.password_hash) => {
                let unit = store.get_unit(&Scope::of(root.code.clone()), &existing.account.unit)?;
                issued.push(Issued {
                    username: username.to_owned(),
                    roles: existing.account.roles,
                    unit,
                    password: DEMO_PASSWORD.to_owned(),
                    totp_secret: existing.totp_secret,
                });
            }
            Some(_) => {}
        }
    }
    Ok(issued)
}
