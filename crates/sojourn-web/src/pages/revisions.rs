//! What a revision changed: the fields whose values differ from the
//! revision before, named as the forms name them, with ID and phone
//! numbers masked as everywhere else on the pages.

use super::i18n::Tr;
use serde_json::Value;
use sojourn_store::audit::mask_sealed_fields;

/// One changed field: its label, the value before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldChange {
    pub label: String,
    pub before: String,
    pub after: String,
}

/// Fields that change with every revision or never: not worth showing.
const BOOKKEEPING: [&str; 4] = ["id", "version", "person_id", "updated_at"];

/// The fields that differ between two snapshots (JSON objects), in the
/// order of the later one. Snapshots that are not objects show nothing.
pub(crate) fn changed_fields(tr: Tr, before: &str, after: &str) -> Vec<FieldChange> {
    let (Some(before), Some(after)) = (masked(before), masked(after)) else {
        return Vec::new();
    };
    let (Value::Object(before), Value::Object(after)) = (before, after) else {
        return Vec::new();
    };
    after
        .iter()
        .filter(|(key, _)| !BOOKKEEPING.contains(&key.as_str()))
        .filter(|(key, value)| before.get(*key).unwrap_or(&Value::Null) != *value)
        .map(|(key, value)| FieldChange {
            label: label(tr, key),
            before: shown(before.get(key).unwrap_or(&Value::Null)),
            after: shown(value),
        })
        .collect()
}

fn masked(snapshot: &str) -> Option<Value> {
    let mut value = serde_json::from_str(snapshot).ok()?;
    mask_sealed_fields(&mut value);
    Some(value)
}

/// A field's label in the reader's language; the key itself if the forms
/// have no such field.
fn label(tr: Tr, key: &str) -> String {
    let message = match key {
        "name" => "field-name",
        "id_number" => "field-id-number",
        "ethnicity" => "field-ethnicity",
        "domicile" => "field-domicile",
        "domicile_address" => "field-domicile-address",
        "phone" => "field-phone",
        "marital_status" => "field-marital-status",
        "education" => "field-education",
        "political_status" => "field-political-status",
        "occupation" => "field-occupation",
        "unit" => "field-unit",
        "arrived_on" => "field-arrived-on",
        "intended_stay_months" => "field-intended-stay",
        "reason" => "field-reason",
        "current_address" => "field-current-address",
        "house_id" => "field-house",
        "employer_id" => "field-employer",
        "status" => "col-status",
        "departure" => "history-departed",
        other => return other.to_owned(),
    };
    tr.t(message)
}

/// A snapshot value as text: `—` for none, objects as `key: value` pairs.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "—".to_owned(),
        Value::String(text) => text.clone(),
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{k}: {}", shown(v)))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::Lang;

    #[test]
    fn only_changed_fields_are_listed_with_numbers_masked() {
        let tr = Tr::new(Lang::ZhCn);
        let before = r#"{"id":1,"name":"张三","phone":"13812341234","version":1}"#;
        let after = r#"{"id":1,"name":"张三","phone":"13900001111","version":2}"#;
        let changes = changed_fields(tr, before, after);
        assert_eq!(
            changes,
            vec![FieldChange {
                label: tr.t("field-phone"),
                before: "138****1234".to_owned(),
                after: "139****1111".to_owned(),
            }]
        );
    }

    #[test]
    fn a_field_set_for_the_first_time_shows_none_before() {
        let tr = Tr::new(Lang::ZhCn);
        let changes = changed_fields(tr, r#"{"education":null}"#, r#"{"education":"20"}"#);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].before, "—");
        assert_eq!(changes[0].after, "20");
    }

    #[test]
    fn snapshots_that_are_not_objects_show_nothing() {
        let tr = Tr::new(Lang::ZhCn);
        assert!(changed_fields(tr, "not json", "{}").is_empty());
    }
}
