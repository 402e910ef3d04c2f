//! The chain: each entry's hash over its predecessor's and its own
//! canonical bytes, and the sealing of a new entry onto the chain.

use super::*;
use crate::Actor;
use sha2::{Digest, Sha256};
use sojourn_domain::account::AccountId;
use time::OffsetDateTime;

/// SHA-256 over the predecessor's hash (32 bytes) and `canonical`, in
/// lower-case hex; `None` if `prev_hash` is not 64 hex digits.
pub fn entry_hash(prev_hash: &str, canonical: &[u8]) -> Option<String> {
    let prev = data_encoding::HEXLOWER_PERMISSIVE
        .decode(prev_hash.as_bytes())
        .ok()
        .filter(|b| b.len() == 32)?;
    let mut hasher = Sha256::new();
    hasher.update(&prev);
    hasher.update(canonical);
    Some(data_encoding::HEXLOWER.encode(&hasher.finalize()))
}

/// The entry an event becomes once its place in the chain is known.
pub(crate) fn seal(
    seq: i64,
    at: OffsetDateTime,
    actor: &Actor,
    event: &AuditEvent,
    unit: Option<String>,
    prev_hash: &str,
) -> AuditEntry {
    let mut entry = AuditEntry {
        seq,
        at_us: i64::try_from(at.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX),
        actor_name: actor.name.clone(),
        actor_account: actor.account.map(|AccountId(id)| id),
        actor_role: actor.role.map(|r| r.key().to_owned()),
        actor_unit: actor.unit.as_ref().map(|u| u.as_str().to_owned()),
        actor_token: actor.api_token.map(|t| t.0),
        address: actor.address.map(|a| a.to_string()),
        action: event.action.key().to_owned(),
        object_kind: event.object.as_ref().map(|o| o.kind.clone()),
        object_id: event.object.as_ref().map(|o| o.id.clone()),
        unit,
        outcome: event.outcome.key().to_owned(),
        details: event.details.to_string(),
        prev_hash: prev_hash.to_owned(),
        hash: String::new(),
    };
    entry.hash = entry_hash(prev_hash, &entry.canonical_bytes()).unwrap_or_default();
    entry
}
