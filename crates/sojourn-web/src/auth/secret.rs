//! Random secrets and what is kept of them. Session ids and API tokens are
//! 256 bits from the operating system's CSPRNG; the database keeps only
//! their SHA-256 digest, so a copy of it opens no session.

use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// Prefix of API tokens, so a leaked one is recognisable (secret scanners,
/// logs) and never mistaken for a session id.
pub const API_TOKEN_PREFIX: &str = "sjt_";

/// The operating system could not supply randomness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the operating system's random number generator failed")]
pub struct NoRandomness;

/// `N` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], NoRandomness> {
    let mut bytes = [0u8; N];
    OsRng.try_fill_bytes(&mut bytes).map_err(|_| NoRandomness)?;
    Ok(bytes)
}

/// A new session id (what the cookie carries).
pub fn new_session_id() -> Result<String, NoRandomness> {
    Ok(BASE64URL_NOPAD.encode(&random_bytes::<32>()?))
}

/// A new API token (shown once to its creator).
pub fn new_api_token() -> Result<String, NoRandomness> {
    Ok(format!(
        "{API_TOKEN_PREFIX}{}",
        BASE64URL_NOPAD.encode(&random_bytes::<32>()?)
    ))
}

/// What the store keeps of a session id or token: its SHA-256, in hex.
pub fn digest(secret: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(secret.as_bytes()))
}

/// The CSRF token of a session: derived from its id, so it needs no storage
/// and cannot be computed from the database (which holds only the id's
/// digest) — only by someone who holds the session cookie.
pub fn csrf_token(session_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"sojourn csrf token\0");
    hasher.update(session_id.as_bytes());
    BASE64URL_NOPAD.encode(&hasher.finalize())
}

/// Equality that takes as long whatever the first difference, for secrets
/// compared in memory.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_256_bits_and_differ() {
        let a = new_session_id().expect("random");
        let b = new_session_id().expect("random");
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            new_api_token()
                .expect("random")
                .starts_with(API_TOKEN_PREFIX)
        );
    }

    #[test]
    fn the_digest_is_sha256_hex() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_csrf_token_depends_on_the_session() {
        assert_ne!(csrf_token("one"), csrf_token("two"));
        assert_eq!(csrf_token("one"), csrf_token("one"));
        assert_ne!(csrf_token("one"), digest("one"));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
