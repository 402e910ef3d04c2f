//! Password policy (GB/T 22239-2019 level 3, OWASP ASVS 4.0 level 2):
//! at least 10 characters from three of four classes, not containing the
//! user name, not a common password nor made from one (see `common`).
//! Passwords are never stored here; this only judges a candidate.

use super::common;
use crate::localized::Localized;
use thiserror::Error;

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PasswordError {
    #[error("the password must have at least {min} characters")]
    TooShort { min: usize },
    #[error("the password is longer than {max} characters")]
    TooLong { max: usize },
    #[error(
        "the password must mix at least three of: lower-case letters, upper-case letters, digits, symbols"
    )]
    TooFewClasses,
    #[error("the password must not contain the user name")]
    ContainsUsername,
    #[error("the password is too common")]
    Common,
    #[error("the new password must differ from the current one")]
    Unchanged,
}

impl Localized for PasswordError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "password_too_short",
            Self::TooLong { .. } => "password_too_long",
            Self::TooFewClasses => "password_too_few_classes",
            Self::ContainsUsername => "password_contains_username",
            Self::Common => "password_common",
            Self::Unchanged => "password_unchanged",
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::TooShort { min } => format!("密码至少需要{min}个字符"),
            Self::TooLong { max } => format!("密码不能超过{max}个字符"),
            Self::TooFewClasses => "密码须包含小写字母、大写字母、数字、符号中的至少三类".into(),
            Self::ContainsUsername => "密码不能包含用户名".into(),
            Self::Common => "该密码过于常见，容易被猜中，请换一个".into(),
            Self::Unchanged => "新密码不能与当前密码相同".into(),
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// The rules a new password must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_chars: usize,
    /// Long enough for passphrases, short enough that hashing stays cheap.
    pub max_chars: usize,
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_chars: 10,
            max_chars: 128,
            min_classes: 3,
        }
    }
}

impl PasswordPolicy {
    /// Checks `candidate` for the account `username`.
    pub fn check(&self, username: &str, candidate: &str) -> Result<(), PasswordError> {
        let chars = candidate.chars().count();
        if chars < self.min_chars {
            return Err(PasswordError::TooShort {
                min: self.min_chars,
            });
        }
        if chars > self.max_chars {
            return Err(PasswordError::TooLong {
                max: self.max_chars,
            });
        }
        if classes(candidate) < self.min_classes {
            return Err(PasswordError::TooFewClasses);
        }
        let lower = candidate.to_lowercase();
        if !username.is_empty() && lower.contains(&username.to_lowercase()) {
            return Err(PasswordError::ContainsUsername);
        }
        if common::is_common(candidate) {
            return Err(PasswordError::Common);
        }
        Ok(())
    }
}

fn classes(candidate: &str) -> usize {
    let has = |f: fn(char) -> bool| usize::from(candidate.chars().any(f));
    has(|c| c.is_lowercase())
        + has(|c| c.is_uppercase())
        + has(|c| c.is_ascii_digit())
        + has(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(user: &str, pw: &str) -> Result<(), PasswordError> {
        PasswordPolicy::default().check(user, pw)
    }

    #[test]
    fn a_long_mixed_password_passes() {
        assert_eq!(check("zhangsan", "Liudong#2026x"), Ok(()));
    }

    #[test]
    fn each_rule_refuses_with_its_reason() {
        assert_eq!(
            check("zhangsan", "Ab1!"),
            Err(PasswordError::TooShort { min: 10 })
        );
        assert_eq!(
            check("zhangsan", "abcdefghij12"),
            Err(PasswordError::TooFewClasses)
        );
        assert_eq!(
            check("zhangsan", "Zhangsan#2026"),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(check("someone", "Password123"), Err(PasswordError::Common));
        assert_eq!(
            check("someone", &"Aa1!".repeat(40)),
            Err(PasswordError::TooLong { max: 128 })
        );
    }

    #[test]
    fn common_passwords_dressed_up_to_meet_the_rules_are_refused() {
        for dressed in [
            "Password123!",
            "Admin@123456",
            "P@ssw0rd123",
            "1qaz@WSX3edc",
            "Woaini@1314",
            "Qwerty@2024",
            "Passw0rd!2023",
            "Iloveyou#520",
            "@dmin2024!!",
            "Aa123456!@#",
            "Qq@5201314",
            "Zxcv@12345",
            "qwer1234!@#$",
            "!QAZ2wsx#EDC",
            "Huawei@2026",
            "P4ssw0rd!2024",
            "Dragon#88888",
        ] {
            assert_eq!(
                check("someone", dressed),
                Err(PasswordError::Common),
                "{dressed}"
            );
        }
    }

    #[test]
    fn passwords_not_made_from_a_common_one_pass() {
        for fine in [
            "Liudong#2026x",
            "Dongcheng-2024!",
            "Test#Passw0rd-2026",
            "Bench#Pages-2026",
            "Another#Passw0rd2",
            "Tk9#mQ2$vL8w",
            "Xq#8302915746",
            "Hutong=Lane/37b",
            "Bq7x-Kd2m-9Wpt-Hr4z",
        ] {
            assert_eq!(check("someone", fine), Ok(()), "{fine}");
        }
    }

    #[test]
    fn the_policy_list_holds_passwords_only_its_commonness_refuses() {
        let policy = PasswordPolicy::default();
        let mut entries = 0;
        for entry in common::policy_list().filter(|e| e.chars().count() >= 10) {
            // As typed to pass the rules: its first letter a capital.
            let first = entry.find(char::is_alphabetic).unwrap_or(0);
            let (before, after) = entry.split_at(first);
            let capitalised = format!("{before}{}", {
                let mut letters = after.chars();
                letters
                    .next()
                    .map(|c| c.to_uppercase().chain(letters).collect::<String>())
                    .unwrap_or_default()
            });
            assert_eq!(
                policy.check("someone", &capitalised),
                Err(PasswordError::Common),
                "{entry}"
            );
            entries += 1;
        }
        assert!(entries >= 100, "{entries}");
    }

    #[test]
    fn the_common_list_is_loaded_and_sorted() {
        let list = common::list();
        assert!(list.len() > 19_000);
        assert!(list.binary_search(&"woaini1314").is_ok());
    }
}
