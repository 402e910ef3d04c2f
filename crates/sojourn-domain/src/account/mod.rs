//! Staff accounts: who may do what, where. Every account is bound to one
//! unit and acts only inside that unit's subtree; what a role may do is one
//! table ([`permission::allows`]), not scattered checks.

/// Common passwords, and the forms they hide in.
pub mod common;
/// Passwords as the level-3 protection rules want them.
pub mod password;
/// Roles, resources, actions and the permission table.
pub mod permission;

pub use password::{PasswordError, PasswordPolicy};
pub use permission::{Action, Resource, Role, RoleSetError, allows, check_role_set, role_within};

use crate::localized::Localized;
use thiserror::Error;

/// Identity of a staff account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);

/// A sign-in name: 3–32 characters of lower-case ASCII letters, digits,
/// `.`, `_` and `-`, starting with a letter (names appear in audit logs and
/// must not be confusable).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "a user name has 3–32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter"
)]
pub struct UsernameError;

impl Localized for UsernameError {
    fn code(&self) -> &'static str {
        "username_invalid"
    }
    fn message_zh(&self) -> String {
        "用户名须为3至32位小写字母、数字或“. _ -”，并以字母开头".into()
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

impl Username {
    pub fn parse(input: &str) -> Result<Self, UsernameError> {
        let name = input.trim().to_ascii_lowercase();
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
        let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if (3..=32).contains(&name.len()) && starts_with_letter && name.chars().all(allowed) {
            Ok(Self(name))
        } else {
            Err(UsernameError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
