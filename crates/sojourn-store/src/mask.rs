//! Masking of personal values where a role may not read them: the
//! masks themselves ([`masked`]), and the net over free-form JSON that
//! every audit entry passes through on its way in
//! ([`mask_sealed_fields`]). Record snapshots mask themselves by their
//! fields' types (`crate::snapshot`); the net catches a personal value
//! someone puts into an entry's details by hand, under a key a sealed
//! field declares.

use crate::sql::sealed::{Field, Mask};
use serde_json::Value;

/// Masks every sealed value in a record snapshot or an entry's details:
/// the audit administrator must not read them, and the trail must hold no
/// plaintext the encryption at rest protects. Which keys are masked, and
/// how, is each [`Field`]'s declaration (`sql/sealed.rs`), the one that
/// seals it: ID numbers keep their first 6 and last 4 characters, phones
/// as [`Phone::masked`](sojourn_domain::codes::Phone::masked), names their
/// first character. Every audit entry is masked so on its way in
/// (`sql/audit.rs`), whoever wrote it.
pub fn mask_sealed_fields(value: &mut Value) {
    mask_under(value, None);
}

fn mask_under(value: &mut Value, parent: Option<&str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match sealed_mask(parent, key) {
                    Some(mask) => mask_value(v, mask),
                    None => mask_under(v, Some(key)),
                }
            }
        }
        // The items of a list sit under the list's key.
        Value::Array(items) => items.iter_mut().for_each(|v| mask_under(v, parent)),
        _ => {}
    }
}

/// The mask of the sealed field carried under `key` inside `parent`.
fn sealed_mask(parent: Option<&str>, key: &str) -> Option<Mask> {
    let carries = |declared: &&str| match declared.split_once('.') {
        Some((outer, inner)) => parent == Some(outer) && key == inner,
        None => key == *declared,
    };
    Field::ALL
        .iter()
        .find(|field| field.snapshot_keys().iter().any(carries))
        .map(|field| field.mask())
}

/// A sealed key's value masked whatever its JSON type: a number or a
/// nested value under a sealed key is masked, never let through.
fn mask_value(value: &mut Value, mask: Mask) {
    match value {
        Value::Null => {}
        Value::String(text) => *value = Value::String(masked(mask, text)),
        Value::Array(items) => items.iter_mut().for_each(|v| mask_value(v, mask)),
        Value::Object(map) => map.values_mut().for_each(|v| mask_value(v, mask)),
        Value::Number(_) | Value::Bool(_) => {
            *value = Value::String(masked(mask, &value.to_string()));
        }
    }
}

pub(crate) fn masked(mask: Mask, text: &str) -> String {
    use sojourn_domain::codes::{IdNumber, Phone};
    let stars = |max: usize| "*".repeat(text.chars().count().clamp(1, max));
    match mask {
        Mask::IdNumber => IdNumber::parse(text).map_or_else(|_| stars(18), |id| id.masked()),
        Mask::Phone => Phone::parse(text).map_or_else(|_| stars(11), |p| p.masked()),
        Mask::Code => match IdNumber::parse(text) {
            Ok(id) => id.masked(),
            Err(_) => keep_ends(text, 6, 4).unwrap_or_else(|| stars(18)),
        },
        Mask::Name => sojourn_domain::text::PersonName::parse(text)
            .map_or_else(|_| stars(10), |name| name.masked()),
        Mask::Hidden => "******".to_owned(),
    }
}

/// `text` with all but its first `head` and last `tail` characters
/// starred; `None` when that would leave fewer than 8 starred.
fn keep_ends(text: &str, head: usize, tail: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let hidden = chars.len().checked_sub(head + tail).filter(|n| *n >= 8)?;
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(hidden));
    out.extend(&chars[head + hidden..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn personal_numbers_are_masked_in_details() {
        let mut value = json!({
            "id_number": "11010519491231002X",
            "phone": "13800138000",
            "landlord": { "kind": "person", "code": "11010519491231002X" },
            "left_behind": [{ "id_number": "11010519491231002X" }],
        });
        mask_sealed_fields(&mut value);
        let text = value.to_string();
        assert!(!text.contains("19491231"), "{text}");
        assert!(text.contains("110105********002X"), "{text}");
        assert!(text.contains("138****8000"), "{text}");
    }

    #[test]
    fn every_sealed_field_is_masked_under_each_of_its_keys() {
        let plain = "11010519491231002X";
        for field in Field::ALL {
            for key in field.snapshot_keys() {
                let mut value = match key.split_once('.') {
                    Some((outer, inner)) => json!({ "after": { outer: { inner: plain } } }),
                    None => json!({ "after": [{ *key: plain }] }),
                };
                mask_sealed_fields(&mut value);
                assert!(!value.to_string().contains("19491231"), "{key}: {value}");
            }
        }
    }

    #[test]
    fn a_legal_representative_keeps_the_first_character_and_unsealed_keys_are_left() {
        let mut value = json!({
            "legal_representative": "钱法人",
            "name": "东华门饭店",
            "landlord": { "kind": "company", "code": "91110101MA01ABCD3X", "name": "某公司" },
            "code": "reveal_reason_length",
            "declared_workers": 12,
        });
        mask_sealed_fields(&mut value);
        assert_eq!(value["legal_representative"], "钱**");
        assert_eq!(value["name"], "东华门饭店");
        assert_eq!(value["landlord"]["code"], "911101********CD3X");
        assert_eq!(value["landlord"]["name"], "某公司");
        assert_eq!(value["code"], "reveal_reason_length");
        assert_eq!(value["declared_workers"], 12);
    }
}
