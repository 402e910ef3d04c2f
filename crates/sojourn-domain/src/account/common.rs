//! Whether a password is common. An exact match against a list misses what
//! people actually type to get past a complexity rule: a common word with
//! a capital, a symbol and a year or `123` (`Password123!`, `Admin@123456`),
//! letters swapped for look-alike digits (`P@ssw0rd`), or a walk along the
//! keyboard with the shift key now and then (`1qaz@WSX3edc`). So a
//! candidate is reduced to the forms such passwords are built from, and
//! each form is looked up:
//!
//! - the whole password, lower-cased, with and without its symbols, and
//!   with shifted digit-row symbols typed as their digits (`@` → `2`);
//! - its core: the password without the digits and symbols it ends with
//!   (and, again, without those it starts with), with look-alikes undone
//!   (`@` `4` → a, `0` → o, `1` `!` → i or l, `3` → e, `$` `5` → s, `7` → t);
//! - when the core is shorter than four letters, the digits alone
//!   (`Aa123456!@#`, `Qq@5201314`);
//! - and, without a list, a keyboard walk: three quarters of the password
//!   in runs of three or more neighbouring keys, repeated characters or
//!   consecutive letters or digits (`qwer1234!@#$`, `zxcv@1234`).
//!
//! The lists are embedded (no network): Django's 20,000 breached passwords
//! with common Chinese ones, and a list of passwords that meet the length
//! and character-class rules yet are among the first an attacker tries
//! (`data/common-passwords-policy.txt`).

use std::sync::OnceLock;

/// The breached-password list (see data/README.md).
const COMMON_PASSWORDS: &str = include_str!("../../../../data/common-passwords.txt");
/// Passwords that meet the length and class rules, and Chinese base words.
const POLICY_PASSWORDS: &str = include_str!("../../../../data/common-passwords-policy.txt");

/// Both lists, lower-case and sorted for binary search.
pub(crate) fn list() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut list: Vec<&str> = COMMON_PASSWORDS
            .lines()
            .filter(|l| !l.is_empty())
            .chain(policy_list())
            .collect();
        list.sort_unstable();
        list.dedup();
        list
    })
}

/// The entries of the policy list (it has comment lines).
pub(crate) fn policy_list() -> impl Iterator<Item = &'static str> {
    POLICY_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("# "))
}

fn listed(form: &str) -> bool {
    list().binary_search(&form).is_ok()
}

/// A core shorter than this is not looked up (two letters match too much);
/// the digits around it are.
const MIN_CORE: usize = 4;

/// Whether `candidate` is, or is made from, a common password.
pub fn is_common(candidate: &str) -> bool {
    let lower = candidate.to_lowercase();
    let unshifted = unshift(&lower);
    let alphanumeric: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    if [&lower, &unshifted, &alphanumeric]
        .iter()
        .any(|form| listed(form))
    {
        return true;
    }
    let trailing = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    let both = trailing.trim_start_matches(|c: char| !c.is_alphabetic());
    for core in [trailing, both] {
        if core.chars().count() >= MIN_CORE && undo_look_alikes(core).iter().any(|f| listed(f)) {
            return true;
        }
    }
    let letters = lower.chars().filter(|c| c.is_alphabetic()).count();
    if letters < MIN_CORE {
        let digits: String = unshifted.chars().filter(char::is_ascii_digit).collect();
        if listed(&digits) {
            return true;
        }
    }
    is_keyboard_walk(&unshifted)
}

/// The shifted symbols of the digit row typed as their digits.
fn unshift(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '!' => '1',
            '@' => '2',
            '#' => '3',
            '$' => '4',
            '%' => '5',
            '^' => '6',
            '&' => '7',
            '*' => '8',
            '(' => '9',
            ')' => '0',
            other => other,
        })
        .collect()
}

/// `core` with look-alike digits and symbols read as letters: `1` and `!`
/// once as i and once as l, hence two forms (one if nothing changed).
fn undo_look_alikes(core: &str) -> Vec<String> {
    let read = |one: char| -> String {
        core.chars()
            .map(|c| match c {
                '@' | '4' => 'a',
                '0' => 'o',
                '1' | '!' | '|' => one,
                '3' => 'e',
                '$' | '5' => 's',
                '7' | '+' => 't',
                other => other,
            })
            .collect()
    };
    let mut forms = vec![core.to_owned(), read('i'), read('l')];
    forms.dedup();
    forms
}

/// The keys of a US keyboard by row, as Chinese offices use them; a key is
/// next to its row neighbours and to the two keys above or below it (rows
/// are staggered by half a key).
const ROWS: [&str; 4] = ["1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./"];

fn key_position(c: char) -> Option<(usize, usize)> {
    ROWS.iter()
        .enumerate()
        .find_map(|(row, keys)| keys.chars().position(|k| k == c).map(|col| (row, col)))
}

fn next_to(a: char, b: char) -> bool {
    let consecutive = a.is_ascii_alphanumeric()
        && b.is_ascii_alphanumeric()
        && u32::from(a).abs_diff(u32::from(b)) == 1;
    if a == b || consecutive {
        return true;
    }
    let (Some((ra, ca)), Some((rb, cb))) = (key_position(a), key_position(b)) else {
        return false;
    };
    match ra.abs_diff(rb) {
        0 => ca.abs_diff(cb) == 1,
        // The lower row is shifted right by half a key: its key `c` sits
        // under the upper row's keys `c` and `c + 1`.
        1 => {
            let (upper, lower) = if ra < rb { (ca, cb) } else { (cb, ca) };
            upper == lower || upper == lower + 1
        }
        _ => false,
    }
}

/// Runs of at least this many neighbouring keys count towards a walk.
const MIN_RUN: usize = 3;

/// Whether at least three quarters of `text` (lower-case, unshifted) lie in
/// runs of neighbouring keys, repeats or sequences.
fn is_keyboard_walk(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return false;
    }
    let mut covered = 0;
    let mut run = 1;
    for i in 1..=chars.len() {
        if i < chars.len() && next_to(chars[i - 1], chars[i]) {
            run += 1;
        } else {
            if run >= MIN_RUN {
                covered += run;
            }
            run = 1;
        }
    }
    covered * 4 >= chars.len() * 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbouring_keys_across_rows() {
        for (a, b) in [('1', 'q'), ('q', 'a'), ('a', 'z'), ('2', 'w'), ('s', 'x')] {
            assert!(next_to(a, b) && next_to(b, a), "{a}{b}");
        }
        for (a, b) in [('1', 'a'), ('q', 's'), ('z', 'w'), ('p', 'z')] {
            assert!(!next_to(a, b), "{a}{b}");
        }
    }

    #[test]
    fn walks_are_told_from_random_strings() {
        for walk in ["1qaz2wsx3edc", "qwer12341234", "zxcv21234", "asdf1234zxcv"] {
            assert!(is_keyboard_walk(walk), "{walk}");
        }
        for random in ["liudong32026x", "tk9#mq2$vl8w", "dongcheng-20241"] {
            assert!(!is_keyboard_walk(random), "{random}");
        }
    }
}
