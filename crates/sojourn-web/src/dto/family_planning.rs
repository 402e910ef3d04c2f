//! The family-planning follow-up (R4.3) as the API speaks it: a file's
//! opening and contents, a 三查 result, a file as answered (its contents
//! only for a caller who may see them), and the worklists.

use crate::dto::fields::Fields;
use crate::dto::iso;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use sojourn_domain::Localized;
use sojourn_domain::codes::{ContraceptiveMethod, MaritalStatus};
use sojourn_domain::services::family_planning::{
    Certificate, CheckResult, Contraception, Filing, FollowUp, FollowUpFile, HealthFinding,
    IudFinding, PregnancyFinding, ScheduledCheck, Woman,
};
use sojourn_domain::time_rules::parse_iso_date;
use sojourn_store::family_planning::FamilyPlanningRow;
use time::Date;
use utoipa::ToSchema;

/// A key that is not one of its field's.
#[derive(Debug)]
struct UnknownKey(&'static str);

impl Localized for UnknownKey {
    fn code(&self) -> &'static str {
        "family_planning_unknown_value"
    }
    fn message_zh(&self) -> String {
        format!("不是有效的选项（{}）", self.0)
    }
    fn message_en(&self) -> String {
        format!("not one of the values of {}", self.0)
    }
}

fn key<T>(
    fields: &mut Fields,
    field: &'static str,
    input: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    fields.take(field, parse(input.trim()).ok_or(UnknownKey(field)))
}

fn date(fields: &mut Fields, field: &str, input: Option<&str>) -> Option<Option<Date>> {
    fields.optional(field, input, parse_iso_date)
}

/// What a follow-up file holds (every field sealed in the store).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ContentsBody {
    /// `missing`, `checked` or `chased` (the 婚育证明).
    #[schema(example = "checked")]
    pub certificate: String,
    /// The day it was checked or chased.
    #[schema(value_type = Option<String>, format = Date)]
    pub certificate_on: Option<String>,
    /// Contraceptive method: its code (01–09) or Chinese name; blank for none.
    #[schema(example = "01")]
    pub method: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub method_since: Option<String>,
    /// The day a current pregnancy was learnt of; blank when not pregnant.
    #[schema(value_type = Option<String>, format = Date)]
    pub pregnant_since: Option<String>,
    /// Birth dates of her children.
    #[serde(default)]
    pub births: Vec<String>,
}

impl ContentsBody {
    /// The file's contents; every faulty field recorded in `fields`.
    pub(crate) fn parse(&self, fields: &mut Fields) -> Option<FollowUp> {
        let certificate_on = date(fields, "certificate_on", self.certificate_on.as_deref());
        let certificate = certificate_on.and_then(|on| {
            key(fields, "certificate", &self.certificate, |k| {
                Certificate::from_parts(k, on)
            })
        });
        let method = fields.optional("method", self.method.as_deref(), ContraceptiveMethod::parse);
        let since = date(fields, "method_since", self.method_since.as_deref());
        let contraception = match (method?, since?) {
            (Some(method), Some(since)) => Some(Some(Contraception { method, since })),
            (None, None) => Some(None),
            (Some(_), None) => {
                fields.refuse("method_since", &UnknownKey("method_since"));
                None
            }
            (None, Some(_)) => {
                fields.refuse("method", &UnknownKey("method"));
                None
            }
        };
        let pregnant_since = date(fields, "pregnant_since", self.pregnant_since.as_deref());
        let births: Option<Vec<Date>> = (self.births.iter().enumerate())
            .map(|(i, b)| fields.take(&format!("births.{i}"), parse_iso_date(b)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        Some(FollowUp {
            certificate: certificate?,
            contraception: contraception?,
            pregnant_since: pregnant_since?,
            births: births?,
        })
    }

    fn of(c: &FollowUp) -> Self {
        Self {
            certificate: c.certificate.key().to_owned(),
            certificate_on: c.certificate.on().map(iso),
            method: c.contraception.map(|m| m.method.code().to_owned()),
            method_since: c.contraception.map(|m| iso(m.since)),
            pregnant_since: c.pregnant_since.map(iso),
            births: c.births.iter().copied().map(iso).collect(),
        }
    }
}

/// Opens a woman's follow-up file.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenFileRequest {
    /// The filing date 建档日期: the day the file was made (by a collector,
    /// or as an imported sheet states it). Today if blank.
    #[schema(value_type = Option<String>, format = Date)]
    pub filed_on: Option<String>,
    /// `collector` (default) or `sheet`.
    pub filing: Option<String>,
    /// Her marital status (GB/T 2261.2 code or name), where the register
    /// holds none (an outflow woman).
    pub marital_status: Option<String>,
    pub contents: ContentsBody,
}

/// What a file's opening asks, parsed.
pub(crate) struct Opening {
    pub filing: Filing,
    pub marital_status: Option<MaritalStatus>,
    pub contents: FollowUp,
}

impl OpenFileRequest {
    pub(crate) fn parse(&self, today: Date) -> Result<Opening, ApiError> {
        let mut fields = Fields::default();
        let filed_on = date(&mut fields, "filed_on", self.filed_on.as_deref());
        let sheet = match self.filing.as_deref().map(str::trim) {
            None | Some("" | "collector") => Some(false),
            Some("sheet") => Some(true),
            Some(_) => fields.take("filing", Err::<bool, _>(UnknownKey("filing"))),
        };
        let marital_status = fields.optional(
            "marital_status",
            self.marital_status.as_deref(),
            MaritalStatus::parse,
        );
        let contents = self.contents.parse(&mut fields);
        let value = (|| {
            let on = filed_on?.unwrap_or(today);
            let filing = if sheet? {
                Filing::Sheet { stated: on }
            } else {
                Filing::Collector { on }
            };
            Some(Opening {
                filing,
                marital_status: marital_status?,
                contents: contents?,
            })
        })();
        fields.finish(value)
    }
}

/// Changes a file's contents.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateFileRequest {
    pub version: i64,
    pub contents: ContentsBody,
}

impl UpdateFileRequest {
    pub(crate) fn parse(&self) -> Result<FollowUp, ApiError> {
        let mut fields = Fields::default();
        let contents = self.contents.parse(&mut fields);
        fields.finish(contents)
    }
}

/// A 三查 result.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CheckBody {
    #[schema(value_type = String, format = Date)]
    pub checked_on: String,
    /// `in_place`, `not_in_place` or `not_applicable`.
    pub iud: String,
    /// `not_pregnant` or `pregnant`.
    pub pregnancy: String,
    /// `normal` or `referred`.
    pub health: String,
}

impl CheckBody {
    pub(crate) fn parse(&self) -> Result<CheckResult, ApiError> {
        let mut fields = Fields::default();
        let checked_on = fields.take("checked_on", parse_iso_date(&self.checked_on));
        let iud = key(&mut fields, "iud", &self.iud, IudFinding::from_key);
        let pregnancy = key(
            &mut fields,
            "pregnancy",
            &self.pregnancy,
            PregnancyFinding::from_key,
        );
        let health = key(&mut fields, "health", &self.health, HealthFinding::from_key);
        let value = (|| {
            Some(CheckResult {
                checked_on: checked_on?,
                iud: iud?,
                pregnancy: pregnancy?,
                health: health?,
            })
        })();
        fields.finish(value)
    }

    fn of(r: &CheckResult) -> Self {
        Self {
            checked_on: iso(r.checked_on),
            iud: r.iud.key().to_owned(),
            pregnancy: r.pregnancy.key().to_owned(),
            health: r.health.key().to_owned(),
        }
    }
}

/// One window of a woman's 三查 schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowResponse {
    pub year: i32,
    /// 1, 2 or 3.
    pub window: u8,
    #[schema(value_type = String, format = Date)]
    pub due_from: String,
    #[schema(value_type = String, format = Date)]
    pub due_to: String,
    /// `upcoming`, `due`, `done` or `missed`.
    pub state: String,
    /// The day of the checks, once done.
    #[schema(value_type = Option<String>, format = Date)]
    pub checked_on: Option<String>,
    /// What they found: only for a caller who may see a file's contents.
    pub result: Option<CheckBody>,
}

impl WindowResponse {
    pub(crate) fn of(c: &ScheduledCheck, today: Date, reveal: bool) -> Self {
        Self {
            year: c.window.year,
            window: c.window.number,
            due_from: iso(c.due_from),
            due_to: iso(c.due_to),
            state: c.state(today).key().to_owned(),
            checked_on: c.result.map(|r| iso(r.checked_on)),
            result: c.result.filter(|_| reveal).as_ref().map(CheckBody::of),
        }
    }
}

/// A follow-up file: that it exists, whose, its dates and schedule for
/// everyone who may read it; what it holds only for the roles that may
/// see it (the family-planning officer, the health service).
#[derive(Debug, Serialize, ToSchema)]
pub struct FileResponse {
    pub id: i64,
    pub unit: String,
    /// `inflow` or `outflow`.
    pub population: String,
    pub residence_id: Option<i64>,
    pub outflow_id: Option<i64>,
    pub person_id: Option<i64>,
    /// Her arrival (inflow) or departure (outflow).
    #[schema(value_type = String, format = Date)]
    pub basis_on: String,
    /// 建档日期.
    #[schema(value_type = String, format = Date)]
    pub filed_on: String,
    /// `collector` or `sheet`.
    pub filing: String,
    /// The last day the file was in time (30 days after `basis_on`).
    #[schema(value_type = String, format = Date)]
    pub filing_due: String,
    pub filed_late: bool,
    pub version: i64,
    /// Absent for a caller who may not see it.
    pub contents: Option<ContentsBody>,
    pub schedule: Vec<WindowResponse>,
}

impl FileResponse {
    pub(crate) fn of(
        file: &FollowUpFile,
        schedule: &[ScheduledCheck],
        today: Date,
        reveal: bool,
    ) -> Self {
        let (residence_id, outflow_id, person_id) = match file.woman {
            Woman::Inflow { residence, person } => (Some(residence.0), None, Some(person.0)),
            Woman::Outflow { outflow } => (None, Some(outflow.0), None),
        };
        Self {
            id: file.id.0,
            unit: file.unit.as_str().to_owned(),
            population: file.woman.population().key().to_owned(),
            residence_id,
            outflow_id,
            person_id,
            basis_on: iso(file.basis_on),
            filed_on: iso(file.filing.filed_on()),
            filing: file.filing.key().to_owned(),
            filing_due: iso(file.subject().filing_due()),
            filed_late: file.filed_late(),
            version: file.version,
            contents: reveal.then(|| ContentsBody::of(&file.contents)),
            schedule: (schedule.iter())
                .map(|c| WindowResponse::of(c, today, reveal))
                .collect(),
        }
    }
}

/// A worklist row.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorklistRow {
    pub file_id: i64,
    pub unit: String,
    pub person_id: Option<i64>,
    pub name: String,
    pub population: String,
    #[schema(value_type = String, format = Date)]
    pub basis_on: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_from: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_to: Option<String>,
}

impl From<&FamilyPlanningRow> for WorklistRow {
    fn from(r: &FamilyPlanningRow) -> Self {
        Self {
            file_id: r.file.0,
            unit: r.unit.as_str().to_owned(),
            person_id: r.person.map(|p| p.0),
            name: r.name.clone(),
            population: r.population.key().to_owned(),
            basis_on: iso(r.basis_on),
            due_from: r.due.map(|d| iso(d.0)),
            due_to: r.due.map(|d| iso(d.1)),
        }
    }
}

/// A worklist page.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorklistResponse {
    pub items: Vec<WorklistRow>,
    /// Counted up to 1,000 (one more means more).
    pub total: u64,
}

/// Makes a year's 三查 schedule.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScheduleRequest {
    pub year: i32,
}

/// How many windows were added.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleResponse {
    pub added: u64,
}

/// Which worklist, and which page of it.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorklistQuery {
    /// `due` (the window open today; the default), `missed`, or a key
    /// group: `recent_birth`, `pregnant`, `missed_check`,
    /// `no_long_acting_method`, `no_certificate` (these only for a caller
    /// who may see files' contents).
    pub list: Option<String>,
    /// 1 and up.
    pub page: Option<u32>,
    /// 1 to 500; 20 when absent.
    pub per_page: Option<u32>,
}

impl WorklistQuery {
    pub(crate) fn parse(
        &self,
        today: Date,
        windows: sojourn_domain::services::family_planning::CheckWindows,
    ) -> Result<sojourn_store::family_planning::FamilyPlanningQuery, ApiError> {
        use sojourn_domain::services::family_planning::KeyGroup;
        use sojourn_store::family_planning::{FamilyPlanningList, FamilyPlanningQuery};
        let mut fields = Fields::default();
        let list = match self.list.as_deref().map(str::trim) {
            None | Some("" | "due") => Some(FamilyPlanningList::Due),
            Some("missed") => Some(FamilyPlanningList::Missed),
            Some(other) => {
                key(&mut fields, "list", other, KeyGroup::from_key).map(FamilyPlanningList::Group)
            }
        };
        let paging = crate::dto::fields::paging(&mut fields, self.page, self.per_page);
        let value = (|| {
            Some(FamilyPlanningQuery {
                list: list?,
                today,
                windows,
                page: paging?.request,
            })
        })();
        fields.finish(value)
    }
}
