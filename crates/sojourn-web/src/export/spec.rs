//! An export request, checked: the list, its layout and format, its
//! filters, whether numbers are revealed (and why), and the file's name.

use super::filters::{
    Filters, Problems, SEARCH, SEARCH_RECORD, filter_keys, filters, search_kind, unknown,
};
use super::lists::ExportList;
use crate::dto::fields::InputError;
use crate::error::ApiError;
use crate::format::Numbers;
use crate::i18n::Lang;
use serde_json::{Value, json};
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_sheets::ExportFormat;
use sojourn_store::ReviewQueue;
use std::collections::HashMap;
use time::OffsetDateTime;

/// The ledger or the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutKind {
    Ledger,
    List,
}

impl LayoutKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Ledger => "ledger",
            Self::List => "list",
        }
    }
}

/// A checked export request.
#[derive(Debug, Clone)]
pub struct ExportSpec {
    pub list: ExportList,
    pub layout: LayoutKind,
    pub format: ExportFormat,
    pub filters: Filters,
    /// The filters as given (blank ones left out), for the audit trail;
    /// a search term only by its kind (`"search": "id_number"`), never
    /// its text, which may be an ID or phone number.
    pub filter_record: Value,
    /// The numbers in full: the reason given.
    pub reveal: Option<String>,
    /// The language of the list's headers.
    pub(crate) lang: Lang,
}

impl ExportSpec {
    /// Reads an export request: `format` (`xlsx` or `csv`), `layout`
    /// (`ledger`, the default, or `list`), `numbers` (`masked`, the
    /// default, or `full` with a `reason` of 5–200 characters) and the
    /// list's filters as its URL has them, and the list's search term `q`
    /// (posted, never in a URL), read by the list's own query parser so the
    /// export has exactly the list's rows. Every wrong field is reported
    /// at once.
    /// The list's headers are in Chinese; see [`ExportSpec::in_lang`].
    pub fn parse(list: ExportList, params: &HashMap<String, String>) -> Result<Self, ApiError> {
        let lang = Lang::ZhCn;
        let get = |k: &str| params.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let mut fields = Problems::default();
        let format = match get("format") {
            None => {
                fields.refuse("format", &InputError::Required);
                None
            }
            Some(text) => ExportFormat::parse(text).or_else(|| {
                fields.refuse("format", &unknown(text, "xlsx, csv"));
                None
            }),
        };
        let layout = match get("layout") {
            None | Some("ledger") => Some(LayoutKind::Ledger),
            Some("list") => Some(LayoutKind::List),
            Some(other) => {
                fields.refuse("layout", &unknown(other, "ledger, list"));
                None
            }
        };
        let reveal = match get("numbers") {
            None | Some("masked") => Some(None),
            Some("full") if list.is_register() => {
                let reason = get("reason").unwrap_or_default();
                if (5..=200).contains(&reason.chars().count()) {
                    Some(Some(reason.to_owned()))
                } else {
                    fields.refuse("reason", &crate::dto::reveal::RevealReasonLength);
                    None
                }
            }
            Some(other) if list.is_register() => {
                fields.refuse("numbers", &unknown(other, "masked, full"));
                None
            }
            // The workflow's lists show no number to reveal.
            Some(other) => {
                fields.refuse("numbers", &unknown(other, "masked"));
                None
            }
        };
        let filters = match filters(list, params) {
            Ok(filters) => Some(filters),
            Err(ApiError::Validation(problems)) => {
                fields.0.extend(problems);
                None
            }
            Err(other) => return Err(other),
        };
        let mut record: serde_json::Map<String, Value> = filter_keys(list)
            .iter()
            .filter(|k| **k != SEARCH)
            .filter_map(|k| get(k).map(|v| ((*k).to_owned(), json!(v))))
            .collect();
        if let Some(kind) = get(SEARCH).map(search_kind) {
            record.insert(SEARCH_RECORD.to_owned(), json!(kind));
        }
        let parsed = (|| {
            Some(Self {
                list,
                layout: layout?,
                format: format?,
                filters: filters?,
                filter_record: Value::Object(record),
                reveal: reveal?,
                lang,
            })
        })();
        fields.finish(parsed)
    }

    /// Takes `now` (the server's clock) as the moment the overdue list
    /// is judged at.
    pub(crate) fn at(mut self, now: OffsetDateTime) -> Self {
        if let Filters::Review(ReviewQueue::Overdue { .. }) = self.filters {
            self.filters = Filters::Review(ReviewQueue::Overdue { now });
        }
        // A permit worklist is a question about the day the job starts.
        if let Filters::Permits(list, unit, _) = &self.filters {
            let today = now.to_offset(sojourn_domain::time_rules::CHINA).date();
            self.filters = Filters::Permits(*list, unit.clone(), today);
        }
        self
    }

    /// The page's columns rather than the ledger's.
    pub(crate) fn in_list_layout(mut self) -> Self {
        self.layout = LayoutKind::List;
        self
    }

    /// The list's headers in `lang`.
    pub(crate) fn in_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// Whether numbers are shown in full.
    pub(crate) fn numbers(&self) -> Numbers {
        if self.reveal.is_some() {
            Numbers::InFull
        } else {
            Numbers::Masked
        }
    }

    /// The downloaded file's name as an office files it
    /// (`流动人口台账-多福巷社区-2026-12-07.xlsx`), and its ASCII form for a
    /// client that reads no other (`residents-ledger.xlsx`).
    pub fn file_names(&self, unit_name: &str, today: time::Date) -> FileNames {
        let extension = self.format.extension();
        let title = self.list.file_title(self.layout, self.lang);
        FileNames {
            full: format!("{title}-{unit_name}-{today}.{extension}"),
            ascii: format!("{}-{}.{extension}", self.list.key(), self.layout.key()),
        }
    }

    /// The unit the export covers: its unit filter, or else the scope.
    pub(crate) fn unit<'a>(&'a self, scope: &'a Scope) -> &'a UnitCode {
        self.filters.unit().unwrap_or_else(|| scope.root())
    }

    /// What the audit trail keeps of the request: never a number.
    pub fn audit_details(&self) -> Value {
        json!({
            "list": self.list.key(),
            "layout": self.layout.key(),
            "format": self.format.extension(),
            "filters": self.filter_record,
            "numbers": if self.reveal.is_some() { "full" } else { "masked" },
        })
    }
}

/// A download's name, in full and in ASCII.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNames {
    pub full: String,
    pub ascii: String,
}

impl FileNames {
    /// `Content-Disposition` naming the file both ways (RFC 6266): the
    /// UTF-8 name for every current browser, the ASCII one for the rest.
    pub(crate) fn disposition(&self) -> String {
        let encoded: String = self
            .full
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        format!(
            "attachment; filename=\"{}\"; filename*=UTF-8''{encoded}",
            self.ascii
        )
    }
}
