//! The sensitive columns: what is encrypted, under which field name, and
//! which have a blind index for exact lookup. Values are sealed where rows
//! are built and opened where rows are read (`mapping`); nothing else in
//! the register logic sees a ciphertext.
//!
//! | table        | column                 | field (associated data) | blind index      |
//! |--------------|------------------------|-------------------------|------------------|
//! | persons      | id_number              | `id_number`             | `id_number_bidx` |
//! | persons      | phone                  | `phone`                 | `phone_bidx`     |
//! | persons      | guardian_id_number     | `guardian_id_number`    |                  |
//! | persons      | guardian_phone         | `guardian_phone`        |                  |
//! | houses       | landlord_code          | `landlord_code`         |                  |
//! | houses       | landlord_phone         | `phone`                 |                  |
//! | employers    | legal_representative   | `legal_representative`  |                  |
//! | employers    | phone                  | `phone`                 |                  |
//! | outflows     | id_number              | `id_number`             | `id_number_bidx` |
//! | outflows     | contact_phone          | `phone`                 |                  |
//! | left_behind  | id_number              | `id_number`             |                  |
//! | accounts     | totp_secret            | `totp_secret`           |                  |
//! | revisions    | snapshot               | `revision`              |                  |

use super::Value;
use crate::Result;
use crate::crypto::Keyring;

pub(crate) const ID_NUMBER: &str = "id_number";
pub(crate) const PHONE: &str = "phone";
/// A minor's guardian's numbers get fields of their own, so a ciphertext
/// moved between the guardian's and the person's columns fails to open.
pub(crate) const GUARDIAN_ID_NUMBER: &str = "guardian_id_number";
pub(crate) const GUARDIAN_PHONE: &str = "guardian_phone";
pub(crate) const LANDLORD_CODE: &str = "landlord_code";
pub(crate) const LEGAL_REPRESENTATIVE: &str = "legal_representative";
pub(crate) const TOTP_SECRET: &str = "totp_secret";
pub(crate) const REVISION: &str = "revision";

/// `value` of `field` encrypted under the current key.
pub(crate) fn seal(keys: &Keyring, field: &str, value: &str) -> Value {
    Value::Text(keys.encrypt(field, value))
}

pub(crate) fn seal_opt<T: ToString>(keys: &Keyring, field: &str, value: Option<&T>) -> Value {
    value.map_or(Value::Null, |v| seal(keys, field, &v.to_string()))
}

/// The plaintext of a stored ciphertext. A plaintext where a ciphertext
/// belongs is refused like an altered ciphertext: only the store writes
/// these columns.
pub(crate) fn open(keys: &Keyring, field: &str, stored: &str) -> Result<String> {
    Ok(keys.decrypt(field, stored)?)
}

pub(crate) fn open_opt(
    keys: &Keyring,
    field: &str,
    stored: Option<&str>,
) -> Result<Option<String>> {
    stored.map(|s| open(keys, field, s)).transpose()
}

/// The blind index of `value` under the current key: what a new row stores.
pub(crate) fn index(keys: &Keyring, field: &str, value: &str) -> Value {
    Value::Text(keys.blind_index(field, value))
}

pub(crate) fn index_opt<T: ToString>(keys: &Keyring, field: &str, value: Option<&T>) -> Value {
    value.map_or(Value::Null, |v| index(keys, field, &v.to_string()))
}

/// `column IN ($k, …)` over the blind index of `value` under every key of
/// the ring (one key but during a rotation), numbering parameters after
/// those in `params`.
pub(crate) fn index_match(
    keys: &Keyring,
    column: &str,
    field: &str,
    value: &str,
    params: &mut Vec<Value>,
) -> String {
    let mut placeholders = Vec::new();
    for index in keys.blind_indexes(field, value) {
        params.push(Value::Text(index));
        placeholders.push(format!("${}", params.len()));
    }
    if placeholders.len() == 1 {
        format!("{column} = {}", placeholders[0])
    } else {
        format!("{column} IN ({})", placeholders.join(", "))
    }
}
