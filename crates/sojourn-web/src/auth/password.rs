//! Password hashes: Argon2id with the crate's default parameters (19 MiB,
//! two passes, one lane — OWASP's minimum), a 128-bit salt from the
//! operating system, stored as a PHC string that names its own parameters,
//! so raising them later leaves old hashes verifiable.

use super::secret::{NoRandomness, random_bytes};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sojourn_domain::account::PasswordPolicy;
use std::sync::{Condvar, Mutex, OnceLock};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    #[error(transparent)]
    NoRandomness(#[from] NoRandomness),
    #[error("hashing failed: {0}")]
    Argon2(String),
}

/// Each hash or verification holds 19 MiB for its duration: a flood of
/// sign-ins from many addresses must not take all the memory, so only a
/// few run at once (per CPU, two) and the rest wait their turn.
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

/// A slot held; given back when dropped, even by a panic.
struct Slot(&'static Slots);

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

fn with_slot<T>(work: impl FnOnce() -> T) -> T {
    static SLOTS: OnceLock<Slots> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| Slots {
        free: Mutex::new(std::thread::available_parallelism().map_or(2, |n| n.get() * 2)),
        freed: Condvar::new(),
    });
    let mut free = slots.free.lock().unwrap_or_else(|e| e.into_inner());
    while *free == 0 {
        free = slots.freed.wait(free).unwrap_or_else(|e| e.into_inner());
    }
    *free -= 1;
    drop(free);
    let _slot = Slot(slots);
    work()
}

/// The PHC string of `password` (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash(password: &str) -> Result<String, HashError> {
    let salt = random_bytes::<16>()?;
    let hash: PasswordHash =
        with_slot(|| Argon2::default().hash_password_with_salt(password.as_bytes(), &salt))
            .map_err(|e| HashError::Argon2(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `stored`. A malformed stored
/// hash matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        with_slot(|| Argon2::default().verify_password(password.as_bytes(), &hash)).is_ok()
    })
}

/// Spends the time a verification takes, for a user name that does not
/// exist: the answer then takes as long as for a wrong password, and does
/// not tell which names are accounts.
pub fn verify_nobody(password: &str) {
    static DECOY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(decoy) = DECOY.get_or_init(|| hash("decoy password, never matched").ok()) {
        let _ = verify(password, decoy);
    }
}

/// Characters of generated passwords: no 0/O, 1/l/I to misread.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/// A random one-time password for `username` that meets `policy`: four
/// groups of four letters and digits joined by `-` (about 95 bits), easy to
/// read out and type once.
pub fn one_time(username: &str, policy: &PasswordPolicy) -> Result<String, NoRandomness> {
    loop {
        let bytes = random_bytes::<32>()?;
        // 256 is not a multiple of the alphabet's size: drop the bytes that
        // would favour its first letters.
        let limit = 256 - 256 % ALPHABET.len();
        let chars: Vec<char> = bytes
            .iter()
            .filter(|b| usize::from(**b) < limit)
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .take(16)
            .collect();
        if chars.len() < 16 {
            continue;
        }
        let groups: Vec<String> = chars.chunks(4).map(|g| g.iter().collect()).collect();
        let candidate = groups.join("-");
        if policy.check(username, &candidate).is_ok() {
            return Ok(candidate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_argon2id_and_verifies_only_its_password() {
        let stored = hash("Liudong#2026x").expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("Liudong#2026x", &stored));
        assert!(!verify("Liudong#2026y", &stored));
        assert!(!verify("Liudong#2026x", "not a hash"));
        assert_ne!(stored, hash("Liudong#2026x").expect("hash"), "salted");
    }

    #[test]
    fn one_time_passwords_meet_the_policy_and_differ() {
        let policy = PasswordPolicy::default();
        let a = one_time("sysadmin", &policy).expect("random");
        let b = one_time("sysadmin", &policy).expect("random");
        assert_eq!(a.len(), 19);
        assert_eq!(policy.check("sysadmin", &a), Ok(()));
        assert_ne!(a, b);
    }
}
