//! The sensitive columns: what is encrypted, under which field name, and
//! which have a blind index for exact lookup. Values are sealed where rows
//! are built and opened where rows are read (`mapping`); nothing else in
//! the register logic sees a ciphertext.
//!
//! A value is sealed only as a [`Field`], and a field declares, beside the
//! name bound to its ciphertext, how it is masked. Record snapshots carry
//! each personal value as a type that masks itself (`crate::snapshot`);
//! the keys a field declares serve the net over free-form audit details
//! ([`crate::mask::mask_sealed_fields`]).
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
//! | fp_files     | contents               | `family_planning`       |                  |
//! | fp_checks    | findings               | `family_planning_check` |                  |

use super::Value;
use crate::Result;
use crate::crypto::Keyring;

/// How a sealed value is shown where it is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mask {
    /// `110105********1234`.
    IdNumber,
    /// `138****1234`; landlines keep area code and last four digits.
    Phone,
    /// An ID number masked as one; any other code (a company landlord's
    /// credit code) keeps its first 6 and last 4 characters.
    Code,
    /// A person's name: its first character, then one `*` per character.
    Name,
    /// Nothing of it (a secret).
    Hidden,
}

/// Declares the fields and [`Field::ALL`] together, so that no field can
/// be missing from the list the masking walks.
macro_rules! fields {
    ($($(#[$doc:meta])* $variant:ident,)*) => {
        /// A sealed field. Sealing, opening and indexing take one, so a
        /// value cannot be sealed without its masking being declared.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Field { $($(#[$doc])* $variant,)* }

        impl Field {
            pub const ALL: &[Field] = &[$(Field::$variant,)*];
        }
    };
}

fields! {
    IdNumber,
    Phone,
    /// A minor's guardian's numbers get fields of their own, so a
    /// ciphertext moved between the guardian's and the person's columns
    /// fails to open.
    GuardianIdNumber,
    GuardianPhone,
    LandlordCode,
    LegalRepresentative,
    TotpSecret,
    /// A whole revision snapshot, whose fields are masked as themselves.
    Revision,
    /// The contents of a family-planning follow-up file, whole.
    FamilyPlanning,
    /// What a 三查 found.
    FamilyPlanningCheck,
}

impl Field {
    /// The name bound to the ciphertext as associated data (and to the
    /// blind index): never change one, stored values depend on it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::IdNumber => "id_number",
            Self::Phone => "phone",
            Self::GuardianIdNumber => "guardian_id_number",
            Self::GuardianPhone => "guardian_phone",
            Self::LandlordCode => "landlord_code",
            Self::LegalRepresentative => "legal_representative",
            Self::TotpSecret => "totp_secret",
            Self::Revision => "revision",
            Self::FamilyPlanning => "family_planning",
            Self::FamilyPlanningCheck => "family_planning_check",
        }
    }

    pub const fn mask(self) -> Mask {
        match self {
            Self::IdNumber | Self::GuardianIdNumber => Mask::IdNumber,
            Self::Phone | Self::GuardianPhone => Mask::Phone,
            Self::LandlordCode => Mask::Code,
            Self::LegalRepresentative => Mask::Name,
            Self::TotpSecret
            | Self::Revision
            | Self::FamilyPlanning
            | Self::FamilyPlanningCheck => Mask::Hidden,
        }
    }

    /// The keys free-form audit details carry the value under, at any
    /// depth; `parent.key` when the key is sealed only inside that object
    /// (a landlord's `code`). Record snapshots do not depend on these.
    pub const fn snapshot_keys(self) -> &'static [&'static str] {
        match self {
            Self::IdNumber => &["id_number"],
            Self::Phone => &["phone", "contact_phone"],
            Self::GuardianIdNumber => &["guardian.id_number"],
            Self::GuardianPhone => &["guardian.phone"],
            Self::LandlordCode => &["landlord.code"],
            Self::LegalRepresentative => &["legal_representative"],
            Self::TotpSecret => &["totp_secret"],
            // The snapshot itself: never a value inside another.
            Self::Revision => &[],
            Self::FamilyPlanning => &["family_planning"],
            Self::FamilyPlanningCheck => &["findings"],
        }
    }
}

pub(crate) const ID_NUMBER: Field = Field::IdNumber;
pub(crate) const PHONE: Field = Field::Phone;
pub(crate) const GUARDIAN_ID_NUMBER: Field = Field::GuardianIdNumber;
pub(crate) const GUARDIAN_PHONE: Field = Field::GuardianPhone;
pub(crate) const LANDLORD_CODE: Field = Field::LandlordCode;
pub(crate) const LEGAL_REPRESENTATIVE: Field = Field::LegalRepresentative;
pub(crate) const TOTP_SECRET: Field = Field::TotpSecret;
pub(crate) const REVISION: Field = Field::Revision;
pub(crate) const FAMILY_PLANNING: Field = Field::FamilyPlanning;
pub(crate) const FAMILY_PLANNING_CHECK: Field = Field::FamilyPlanningCheck;

/// `value` of `field` encrypted under the current key.
pub(crate) fn seal(keys: &Keyring, field: Field, value: &str) -> Value {
    Value::Text(keys.encrypt(field.name(), value))
}

pub(crate) fn seal_opt<T: ToString>(keys: &Keyring, field: Field, value: Option<&T>) -> Value {
    value.map_or(Value::Null, |v| seal(keys, field, &v.to_string()))
}

/// The plaintext of a stored ciphertext. A plaintext where a ciphertext
/// belongs is refused like an altered ciphertext: only the store writes
/// these columns.
pub(crate) fn open(keys: &Keyring, field: Field, stored: &str) -> Result<String> {
    Ok(keys.decrypt(field.name(), stored)?)
}

pub(crate) fn open_opt(
    keys: &Keyring,
    field: Field,
    stored: Option<&str>,
) -> Result<Option<String>> {
    stored.map(|s| open(keys, field, s)).transpose()
}

/// The blind index of `value` under the current key: what a new row stores.
pub(crate) fn index(keys: &Keyring, field: Field, value: &str) -> Value {
    Value::Text(keys.blind_index(field.name(), value))
}

pub(crate) fn index_opt<T: ToString>(keys: &Keyring, field: Field, value: Option<&T>) -> Value {
    value.map_or(Value::Null, |v| index(keys, field, &v.to_string()))
}

/// `column IN ($k, …)` over the blind index of `value` under every key of
/// the ring (one key but during a rotation), numbering parameters after
/// those in `params`.
pub(crate) fn index_match(
    keys: &Keyring,
    column: &str,
    field: Field,
    value: &str,
    params: &mut Vec<Value>,
) -> String {
    let mut placeholders = Vec::new();
    for index in keys.blind_indexes(field.name(), value) {
        params.push(Value::Text(index));
        placeholders.push(format!("${}", params.len()));
    }
    if placeholders.len() == 1 {
        format!("{column} = {}", placeholders[0])
    } else {
        format!("{column} IN ({})", placeholders.join(", "))
    }
}
