//! The four registers as CSV: the columns of each, how a row becomes
//! domain values (through the domain parsers, never around them) and how a
//! stored record becomes a row again.
//!
//! Files are UTF-8 with a header row of the English keys below (the API's
//! field names), in any order; a leading BOM is accepted and export writes
//! one. Required columns are marked `*`. Dates are `YYYY-MM-DD`. Code-table
//! cells take the standard code or the Chinese name (export writes codes).
//! Houses and employers are referred to by address and credit code, so
//! import `houses` and `employers` before `residents`.
//!
//! **residents** — one row per stay; a person with several stays has
//! several rows, oldest first:
//! `id_number*, name*, sex, birth_date, ethnicity*, domicile,
//! domicile_address, phone, marital_status, education, political_status,
//! occupation, unit*, arrived_on*, intended_stay_months, reason,
//! current_address*, house_address, employer_uscc, status, departed_on,
//! destination, destination_address, departure_reason`.
//! `sex` and `birth_date` are read from the ID number; when filled they
//! must agree with it. `status` is `registered` (default), `active` or
//! `departed` (default when `departed_on` is filled). `domicile` is a
//! division code or the place as text (河南省郑州市中原区…, read against the
//! embedded national data); blank or unreadable, it is the place the ID
//! number names, with a remark and a finding on the monitor. A blank
//! `reason` is recorded as unknown (不详) and listed by the monitor.
//! Destinations (here and for outflows) are codes or text, known to the
//! town or only to the prefecture or province.
//!
//! **houses** — `unit*, address*, landlord_kind* (person|company),
//! landlord_name*, landlord_id_number, landlord_uscc, landlord_phone,
//! rooms*, usage*, filed_on, security_agreement_on`. Addresses are unique.
//!
//! **employers** — `uscc*, name*, legal_representative*, unit*, address*,
//! phone, declared_workers`.
//!
//! **outflows** — `id_number*, name*, unit*, left_on*, destination*,
//! destination_address, reason, employer_name, contact_phone, left_behind`;
//! `left_behind` lists family members separated by `;`, each
//! `name/relation/birth date/ID number` (birth date or ID number may be
//! left blank, not both).

/// Employers: columns and row mapping.
pub mod employers;
/// Houses: columns and row mapping.
pub mod houses;
/// Outflows: columns and row mapping.
pub mod outflows;
/// Residents: columns and row mapping.
pub mod residents;

/// References a row may make, resolved without a query per row.
mod directory;
pub use directory::Directory;

use crate::table::{Column, FieldError, Inconsistency};
use sojourn_domain::codes::DivisionCode;
use sojourn_domain::codes::place::{PlaceMatch, resolve_place};
use sojourn_store::{Page, PageRequest};

/// A place given as a division code (any level: a destination may be
/// known only to its province) or as text read against the national data.
pub(crate) fn parse_place(text: &str) -> Result<DivisionCode, PlaceError> {
    if text
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return DivisionCode::parse_known(text).map_err(PlaceError::Code);
    }
    match resolve_place(text) {
        PlaceMatch::Resolved(code) => Ok(code),
        PlaceMatch::Unresolved => Err(PlaceError::Text(FieldError::PlaceUnreadable(
            text.to_owned(),
        ))),
    }
}

/// Why a place was not read: a wrong code, or text naming no division.
#[derive(Debug)]
pub(crate) enum PlaceError {
    Code(sojourn_domain::codes::division::DivisionError),
    Text(FieldError),
}

impl sojourn_domain::Localized for PlaceError {
    fn code(&self) -> &'static str {
        match self {
            Self::Code(e) => e.code(),
            Self::Text(e) => e.code(),
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::Code(e) => e.message_zh(),
            Self::Text(e) => e.message_zh(),
        }
    }
    fn message_en(&self) -> String {
        match self {
            Self::Code(e) => e.message_en(),
            Self::Text(e) => e.message_en(),
        }
    }
}

/// A register that can be imported and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Register {
    Residents,
    Houses,
    Employers,
    Outflows,
}

impl Register {
    pub const ALL: [Register; 4] = [
        Self::Residents,
        Self::Houses,
        Self::Employers,
        Self::Outflows,
    ];

    /// The register named `key` (as [`Register::key`] gives it).
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Residents => "residents",
            Self::Houses => "houses",
            Self::Employers => "employers",
            Self::Outflows => "outflows",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Residents => "流动人口",
            Self::Houses => "出租房屋",
            Self::Employers => "用工单位",
            Self::Outflows => "流出人口",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Residents => residents::COLUMNS,
            Self::Houses => houses::COLUMNS,
            Self::Employers => employers::COLUMNS,
            Self::Outflows => outflows::COLUMNS,
        }
    }
}

/// The columns of every register, for `sojourn import --help`.
pub fn columns_help() -> String {
    let mut help = String::from(
        "CSV files: UTF-8 (a BOM is accepted; export writes one), a header row of the keys \
         below in any order, dates YYYY-MM-DD, codes or Chinese names in code-table columns. \
         * marks required columns. Import houses and employers before residents: residents \
         refer to them by address and credit code.\n\
         .xlsx files, and CSV files whose header is not the keys below, are read as the \
         forms staff keep (`sojourn template <register> FILE.xlsx` writes one): title rows \
         above a header in Chinese, columns in any order, dates in any common form.\n",
    );
    for register in Register::ALL {
        help.push_str(&format!("\n{} ({}):\n", register.key(), register.name_zh()));
        for column in register.columns() {
            let mark = if column.required { "*" } else { "" };
            let key = format!("{}{mark}", column.key);
            help.push_str(&format!("  {key:<24}{}\n", column.about));
        }
    }
    help
}

/// The cross-field rules of the registers, in both languages.
pub const DEPARTED_WITHOUT_DATE: Inconsistency = Inconsistency {
    en: "status departed needs departed_on",
    zh: "状态为已注销时须填写注销日期",
};
pub const DEPARTURE_FIELDS_WITHOUT_DEPARTURE: Inconsistency = Inconsistency {
    en: "departed_on, destination and departure_reason belong to a departed stay only",
    zh: "未注销的居住记录不能填写注销日期、去向或注销原因",
};
pub const LANDLORD_CODE: Inconsistency = Inconsistency {
    en: "a person landlord needs landlord_id_number, a company landlord landlord_uscc",
    zh: "个人房东须填写身份证号码（landlord_id_number），单位房东须填写统一社会信用代码（landlord_uscc）",
};

/// Calls `visit` with every page `fetch` returns, from the first on, so a
/// whole register passes through without being held at once.
/// Generic over the caller's error, so the export's writer can fail in
/// its own terms.
pub fn for_each_page<T, E>(
    mut fetch: impl FnMut(PageRequest) -> sojourn_store::Result<Page<T>>,
    mut visit: impl FnMut(Vec<T>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E>
where
    E: From<sojourn_store::StoreError> + From<crate::error::ImportError>,
{
    let mut offset = 0_u64;
    loop {
        let page = PageRequest::new(offset, PageRequest::MAX_LIMIT)
            .ok_or_else(|| crate::error::ImportError::Internal("page size".into()))?;
        let Page { items, total } = fetch(page)?;
        let count = items.len() as u64;
        visit(items)?;
        offset += count;
        if count == 0 || offset >= total {
            return Ok(());
        }
    }
}
