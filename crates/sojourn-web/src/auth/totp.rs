//! Time-based one-time passwords (RFC 6238): HMAC-SHA1 over the 30-second
//! step, six digits, a step either side accepted for clock drift. What
//! authenticator apps (and 政务 tokens) speak.

use super::secret::{NoRandomness, random_bytes};
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use time::OffsetDateTime;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;
/// The name apps show beside the account.
pub const ISSUER: &str = "Sojourn";

/// A new secret: 160 bits (RFC 4226's recommendation), in base32.
pub fn new_secret() -> Result<String, NoRandomness> {
    Ok(BASE32_NOPAD.encode(&random_bytes::<20>()?))
}

/// The step `at` falls in.
pub fn step_at(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(STEP_SECONDS)
}

fn key(secret: &str) -> Option<Vec<u8>> {
    let cleaned: String = secret
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    BASE32_NOPAD.decode(cleaned.as_bytes()).ok()
}

fn code_for_step(key: &[u8], step: i64) -> Option<u32> {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).ok()?;
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let bytes: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    Some((u32::from_be_bytes(bytes) & 0x7fff_ffff) % 10u32.pow(DIGITS))
}

/// The code for `at`, as an app would show it.
pub fn code_at(secret: &str, at: OffsetDateTime) -> Option<String> {
    let code = code_for_step(&key(secret)?, step_at(at))?;
    Some(format!("{code:0width$}", width = DIGITS as usize))
}

/// The step `code` is valid for at `at` (this one or a neighbour), if any.
/// The caller must still refuse a step already used.
pub fn verify(secret: &str, code: &str, at: OffsetDateTime) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = code.parse().ok()?;
    let key = key(secret)?;
    let now = step_at(at);
    [now - 1, now, now + 1]
        .into_iter()
        .find(|step| code_for_step(&key, *step) == Some(wanted))
}

/// The `otpauth://` URI an app reads from a QR code.
pub fn provisioning_uri(secret: &str, username: &str) -> String {
    format!(
        "otpauth://totp/{ISSUER}:{username}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, key "12345678901234567890": the last six
    /// of each eight-digit value.
    #[test]
    fn codes_match_the_rfc_6238_vectors() {
        let secret = BASE32_NOPAD.encode(b"12345678901234567890");
        for (unix, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            let at = OffsetDateTime::from_unix_timestamp(unix).expect("time");
            assert_eq!(code_at(&secret, at).as_deref(), Some(code), "{unix}");
        }
    }

    #[test]
    fn a_code_is_good_one_step_either_side_only() {
        let secret = new_secret().expect("random");
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let code = code_at(&secret, at).expect("code");
        let step = step_at(at);
        assert_eq!(verify(&secret, &code, at), Some(step));
        assert_eq!(
            verify(&secret, &code, at + time::Duration::seconds(30)),
            Some(step)
        );
        assert_eq!(
            verify(&secret, &code, at - time::Duration::seconds(30)),
            Some(step)
        );
        assert_eq!(
            verify(&secret, &code, at + time::Duration::seconds(90)),
            None
        );
        assert_eq!(verify(&secret, "12345", at), None);
        assert_eq!(verify(&secret, "abcdef", at), None);
    }
}
