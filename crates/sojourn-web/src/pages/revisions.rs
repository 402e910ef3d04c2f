//! What a revision changed: the fields whose values differ from the
//! revision before, in a clerk's words — named as the forms name them,
//! code-table values and places by their names (小学 → 初级中学, not
//! 20 → 30), states as the lists show them, units by name — with ID and
//! phone numbers masked as everywhere else on the pages.

use super::access::Units;
use crate::format;
use crate::i18n::Tr;
use serde_json::Value;
use sojourn_domain::codes::{
    DivisionCode, Education, Ethnicity, GuardianRelation, MaritalStatus, Occupation,
    PoliticalStatus, ReasonForStay,
};
use sojourn_domain::unit::UnitCode;
use sojourn_store::Revision;

/// One changed field: its label, the value before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldChange {
    pub label: String,
    pub before: String,
    pub after: String,
}

/// Fields that change with every revision or never: not worth showing.
const BOOKKEEPING: [&str; 4] = ["id", "version", "person_id", "updated_at"];

/// The fields that differ between two versions of a record, in the order
/// of the later one, personal fields masked by their types. Versions whose
/// snapshots do not read show nothing.
pub(crate) fn changed_fields(
    tr: Tr,
    units: &Units,
    before: &Revision,
    after: &Revision,
) -> Vec<FieldChange> {
    match (before.masked(), after.masked()) {
        (Ok(before), Ok(after)) => fields_between(tr, units, before, after),
        _ => Vec::new(),
    }
}

/// The fields that differ between two snapshots (JSON objects); snapshots
/// that are not objects show nothing.
fn fields_between(tr: Tr, units: &Units, before: Value, after: Value) -> Vec<FieldChange> {
    let (Value::Object(before), Value::Object(after)) = (before, after) else {
        return Vec::new();
    };
    after
        .iter()
        .filter(|(key, _)| !BOOKKEEPING.contains(&key.as_str()))
        .filter(|(key, value)| before.get(*key).unwrap_or(&Value::Null) != *value)
        .map(|(key, value)| {
            let shown = |value: &Value| Shown { tr, units }.value(key, value);
            FieldChange {
                label: label(tr, key),
                before: shown(before.get(key).unwrap_or(&Value::Null)),
                after: shown(value),
            }
        })
        .collect()
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
        "departed_on" => "field-departed-on",
        "destination" => "field-destination",
        "destination_address" => "field-destination-address",
        "guardian" => "person-guardian",
        "relation" => "field-guardian-relation",
        other => return other.to_owned(),
    };
    tr.t(message)
}

/// How snapshot values are put in the reader's words.
#[derive(Clone, Copy)]
struct Shown<'a> {
    tr: Tr,
    units: &'a Units,
}

impl Shown<'_> {
    /// The value of `key`: `—` for none, codes by name, an object (the
    /// departure, the guardian) as labelled `name：value` pairs.
    fn value(self, key: &str, value: &Value) -> String {
        match value {
            Value::Null => "—".to_owned(),
            Value::String(text) => self.text(key, text),
            Value::Object(map) => map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{}：{}", self.inner_label(key, k), self.inner(key, k, v)))
                .collect::<Vec<_>>()
                .join("；"),
            other => other.to_string(),
        }
    }

    /// A value inside an object: the departure's `reason` is free text,
    /// not the reason-for-stay code the stay's own `reason` is.
    fn inner(self, parent: &str, key: &str, value: &Value) -> String {
        match (parent, key, value) {
            ("departure", "reason", Value::String(text)) => text.clone(),
            _ => self.value(key, value),
        }
    }

    fn inner_label(self, parent: &str, key: &str) -> String {
        match (parent, key) {
            ("departure", "reason") => self.tr.t("field-departure-reason"),
            ("guardian", "name") => self.tr.t("field-guardian-name"),
            ("guardian", "id_number") => self.tr.t("field-guardian-id-number"),
            ("guardian", "phone") => self.tr.t("field-guardian-phone"),
            _ => label(self.tr, key),
        }
    }

    /// A text value by its name where it is a code this key names.
    fn text(self, key: &str, text: &str) -> String {
        let lang = self.tr.lang;
        let named = |zh: Option<(&str, &str)>| zh.map(|(zh, en)| lang.pick(zh, en).to_owned());
        let name = match key {
            "ethnicity" => named(Ethnicity::from_code(text).map(|c| (c.name_zh(), c.name_en()))),
            "marital_status" => {
                named(MaritalStatus::from_code(text).map(|c| (c.name_zh(), c.name_en())))
            }
            "education" => named(Education::from_code(text).map(|c| (c.name_zh(), c.name_en()))),
            "political_status" => {
                named(PoliticalStatus::from_code(text).map(|c| (c.name_zh(), c.name_en())))
            }
            "occupation" => named(Occupation::from_code(text).map(|c| (c.name_zh(), c.name_en()))),
            "reason" => named(ReasonForStay::from_code(text).map(|c| (c.name_zh(), c.name_en()))),
            "relation" => {
                named(GuardianRelation::from_code(text).map(|c| (c.name_zh(), c.name_en())))
            }
            "domicile" | "destination" => DivisionCode::parse_form(text)
                .ok()
                .map(|code| format::place(&code)),
            "unit" => UnitCode::parse(text)
                .ok()
                .map(|code| self.units.name_of(&code)),
            "status" => match text {
                "registered" | "active" | "departed" => Some(self.tr.t(&format!("status-{text}"))),
                _ => None,
            },
            _ => None,
        };
        name.unwrap_or_else(|| text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// `fields_between` over two snapshots written as JSON.
    fn between(tr: Tr, before: &str, after: &str) -> Vec<FieldChange> {
        let json = |text: &str| serde_json::from_str(text).unwrap_or(Value::Null);
        fields_between(tr, &Units::default(), json(before), json(after))
    }

    fn person_version(version: i64, phone: &str) -> Revision {
        let snapshot = serde_json::json!({
            "id": 1, "id_number": "11010519491231002X", "unit": "110105001001",
            "name": "张三", "ethnicity": "01", "domicile": "110105", "domicile_address": null,
            "phone": phone, "marital_status": null, "education": null,
            "political_status": null, "occupation": null, "guardian": null, "version": version,
        });
        Revision {
            kind: sojourn_domain::record::RecordKind::Person,
            version,
            at: time::OffsetDateTime::UNIX_EPOCH,
            actor: "clerk".into(),
            actor_name: None,
            action: "updated".into(),
            snapshot: snapshot.to_string(),
        }
    }

    #[test]
    fn only_changed_fields_are_listed_with_numbers_masked() {
        let tr = Tr::new(Lang::ZhCn);
        let (before, after) = (
            person_version(1, "13812341234"),
            person_version(2, "13900001111"),
        );
        let changes = changed_fields(tr, &Units::default(), &before, &after);
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
        let changes = between(tr, r#"{"education":null}"#, r#"{"education":"20"}"#);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].before, "—");
        let named = Education::from_code("20").map(|e| e.name_zh());
        assert_eq!(Some(changes[0].after.as_str()), named);
    }

    #[test]
    fn snapshots_that_are_not_objects_show_nothing() {
        let tr = Tr::new(Lang::ZhCn);
        assert!(between(tr, "not json", "{}").is_empty());
        let mut unreadable = person_version(2, "13900001111");
        unreadable.snapshot = r#"{"id":1}"#.into();
        let before = person_version(1, "13812341234");
        assert!(changed_fields(tr, &Units::default(), &before, &unreadable).is_empty());
    }

    #[test]
    fn codes_places_and_states_are_shown_by_name_and_the_departure_in_chinese() {
        let tr = Tr::new(Lang::ZhCn);
        let before = r#"{"education":"20","reason":"01","status":"active","domicile":"410102"}"#;
        let after = r#"{"education":"30","reason":"02","status":"departed","domicile":"410105",
            "departure":{"departed_on":"2024-08-01","destination":"440305","reason":"换工作"}}"#;
        let changes = between(tr, before, after);
        let change = |key: &str| {
            let label = tr.t(key);
            let found = changes.iter().find(|c| c.label == label);
            found
                .map(|c| (c.before.clone(), c.after.clone()))
                .unwrap_or_default()
        };
        let education = |code| Education::from_code(code).map_or("?", |e| e.name_zh());
        assert_eq!(
            change("field-education"),
            (education("20").to_owned(), education("30").to_owned())
        );
        let reason = |code| ReasonForStay::from_code(code).map_or("?", |r| r.name_zh());
        assert_eq!(change("field-reason").1, reason("02"));
        assert_eq!(
            change("col-status"),
            ("在住".to_owned(), "已注销".to_owned())
        );
        let domicile = change("field-domicile");
        assert!(
            domicile.0.contains("中原区") && domicile.1.contains("金水区"),
            "{domicile:?}"
        );
        assert_eq!(
            change("history-departed").1,
            "离开日期：2024-08-01；去向：广东省 深圳市 南山区；离开原因：换工作"
        );
    }
}
