use sojourn_domain::record::RecordKind;
use sojourn_domain::{DomainError, Localized};
use thiserror::Error;

/// What can go wrong in the store. Backends map their constraint
/// violations onto these variants in one place each, so callers never see a
/// driver error for a rule the data broke.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No such record in the caller's scope (it may exist outside it).
    #[error("{kind} {id} not found")]
    NotFound { kind: RecordKind, id: String },
    /// The ID number already has a current residence (重卡).
    #[error("ID number already has a current residence in unit {unit_code} {unit_name}")]
    DuplicateResidence {
        unit_code: String,
        unit_name: String,
    },
    /// The ID number already has an open outflow record.
    #[error("ID number already has an open outflow record in unit {unit_code} {unit_name}")]
    DuplicateOutflow {
        unit_code: String,
        unit_name: String,
    },
    /// The ID number already has an outflow record with the same
    /// departure date, open or closed: the same departure, recorded (or
    /// imported) before.
    #[error(
        "an outflow record of this ID number with this departure date is on file in unit {unit_code} {unit_name}"
    )]
    OutflowOnFile {
        unit_code: String,
        unit_name: String,
    },
    /// The ID number's file was merged into another file (a probable
    /// duplicate): it keeps its history but takes no new stay.
    #[error(
        "the file of this ID number was merged into file {into}; check the number, or register on that file"
    )]
    MergedFile { into: i64 },
    /// The credit code is already registered for another employer.
    #[error("an employer with this credit code already exists")]
    DuplicateEmployer,
    /// The unit code is already taken.
    #[error("unit {0} already exists")]
    DuplicateUnit(String),
    /// The user name is already taken (anywhere in the deployment).
    #[error("the user name {0} is already taken")]
    DuplicateAccount(String),
    /// The record changed since the caller read it.
    #[error("the record was changed by someone else (now version {current}, you read {expected})")]
    VersionConflict { expected: i64, current: i64 },
    /// A unit, house or employer named in the input is not in scope.
    #[error("{kind} {id} is not in your jurisdiction or does not exist")]
    ReferenceOutOfScope { kind: RecordKind, id: String },
    /// The deployment has no root unit yet, or already has one.
    #[error("{0}")]
    Deployment(&'static str),
    /// A domain rule refused the change.
    #[error(transparent)]
    Rule(#[from] DomainError),
    /// The review step is not one the record's state allows.
    #[error(transparent)]
    Review(#[from] sojourn_domain::review::ReviewError),
    /// The keys do not fit the data: a key file other than the one the
    /// database was encrypted with, a key missing, a value altered.
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
    /// A merge or dismissal of a probable duplicate was refused.
    #[error("{}", sojourn_domain::Localized::message_en(.0))]
    Quality(crate::quality::QualityRefusal),
    /// A transfer request, or a decision on one, was refused.
    #[error("{}", sojourn_domain::Localized::message_en(.0))]
    Transfer(crate::transfers::TransferRefusal),
    /// A service request, a step on one, or a kind was refused.
    #[error("{}", sojourn_domain::Localized::message_en(.0))]
    Request(sojourn_domain::services::request::RequestRefusal),
    /// A residence permit's application or step was refused.
    #[error("{}", sojourn_domain::Localized::message_en(.0))]
    Permit(#[from] sojourn_domain::services::permit::PermitError),
    /// The family-planning follow-up refused a file or a 三查 result.
    #[error(transparent)]
    FamilyPlanning(#[from] sojourn_domain::services::family_planning::FamilyPlanningError),
    /// Stored data no longer reads as it was written: a value that no
    /// longer parses, a column of a type the schema does not give it.
    /// Details are logged, not shown.
    /// Old keys cannot be retired while values are still sealed under
    /// them (a rotation not finished).
    #[error(
        "{values} values are still under an old key: run `sojourn keys rotate` to finish re-encrypting"
    )]
    KeysStillInUse { values: u64 },

    /// The store has migrations this version does not know: a newer
    /// version made or upgraded it, and this one must not write to it.
    #[error(
        "the database was upgraded by a newer version of Sojourn (migrations {}): run that \
         version, or restore a backup taken before the upgrade",
        .0.join(", ")
    )]
    NewerSchema(Vec<String>),

    #[error("stored data unreadable: {0}")]
    Corrupt(String),
    /// The store broke a rule of its own (a batch answered for fewer rows
    /// than it was given, a lock poisoned by a panic, a page size no caller
    /// should ask for). Details are logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
    /// The database engine failed: a driver's error (SQL, connection, a
    /// constraint that no variant above stands for). Details are logged,
    /// not shown.
    #[error("database error: {0}")]
    Backend(String),
}

impl StoreError {
    /// Whether this is a failure of the system rather than of the input:
    /// the database, the stored data or the store itself. A caller shows a
    /// generic message and logs the detail.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Self::Backend(_) | Self::Corrupt(_) | Self::Internal(_)
        )
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Backend(e.to_string())
    }
}

impl From<postgres::Error> for StoreError {
    /// A server error's DETAIL line quotes the values that broke a
    /// constraint (an ID number, say); the message ends up in logs, so it
    /// keeps the SQLSTATE and the message only.
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => Self::Backend(format!("{}: {}", db.code().code(), db.message())),
            None => Self::Backend(e.to_string()),
        }
    }
}

impl Localized for StoreError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::DuplicateResidence { .. } => "duplicate_residence",
            Self::DuplicateOutflow { .. } => "duplicate_outflow",
            Self::OutflowOnFile { .. } => "outflow_on_file",
            Self::MergedFile { .. } => "merged_file",
            Self::DuplicateEmployer => "duplicate_employer",
            Self::DuplicateUnit(_) => "duplicate_unit",
            Self::DuplicateAccount(_) => "duplicate_account",
            Self::VersionConflict { .. } => "version_conflict",
            Self::ReferenceOutOfScope { .. } => "reference_out_of_scope",
            Self::Deployment(_) => "deployment_state",
            Self::Rule(e) => e.code(),
            Self::Review(e) => e.code(),
            Self::Crypto(_) => "keys",
            Self::KeysStillInUse { .. } => "keys_still_in_use",
            Self::NewerSchema(_) => "newer_schema",
            Self::Quality(refusal) => refusal.code(),
            Self::Transfer(refusal) => refusal.code(),
            Self::Request(refusal) => refusal.code(),
            Self::Permit(refusal) => refusal.code(),
            Self::FamilyPlanning(e) => e.code(),
            Self::Backend(_) | Self::Corrupt(_) | Self::Internal(_) => "internal",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            Self::NotFound { kind, .. } => {
                format!("未找到该{}，或不在您的管辖范围内", kind.name_zh())
            }
            Self::DuplicateResidence {
                unit_code,
                unit_name,
            } => format!(
                "重卡：该身份证号码已在“{unit_name}”（{unit_code}）登记在住，请先在该单位办理注销"
            ),
            Self::DuplicateOutflow {
                unit_code,
                unit_name,
            } => {
                format!("该身份证号码已在“{unit_name}”（{unit_code}）登记为流出人口")
            }
            Self::OutflowOnFile {
                unit_code,
                unit_name,
            } => format!(
                "该身份证号码同一外出日期的流出人口记录已在“{unit_name}”（{unit_code}）登记，未重复登记"
            ),
            Self::MergedFile { into } => format!(
                "该身份证号码的档案已并入档案 {into}（疑似重复档案合并）：请核对号码，或在该档案上登记"
            ),
            Self::DuplicateEmployer => "该统一社会信用代码的用工单位已登记".into(),
            Self::DuplicateUnit(code) => format!("单位代码 {code} 已存在"),
            Self::DuplicateAccount(name) => format!("用户名 {name} 已被使用"),
            Self::VersionConflict { .. } => {
                "该记录已被他人修改，请刷新后重新编辑（您的修改未保存）".into()
            }
            Self::ReferenceOutOfScope { kind, id } => {
                format!("{} {id} 不在您的管辖范围内或不存在", kind.name_zh())
            }
            Self::Deployment(_) => "系统尚未初始化或已经初始化".into(),
            Self::Rule(e) => e.message_zh(),
            Self::Review(e) => e.message_zh(),
            Self::Crypto(_) => "数据密钥与数据库不符或缺失，请联系系统管理员".into(),
            Self::KeysStillInUse { values } => format!(
                "仍有 {values} 个数据项使用旧密钥加密：请先运行 `sojourn keys rotate` 完成重新加密"
            ),
            Self::NewerSchema(unknown) => format!(
                "数据库已由更新版本的 Sojourn 升级（迁移 {}）：请使用该版本，或恢复升级前的备份",
                unknown.join(", ")
            ),
            Self::Quality(refusal) => refusal.message_zh(),
            Self::Transfer(refusal) => refusal.message_zh(),
            Self::Request(refusal) => refusal.message_zh(),
            Self::Permit(refusal) => refusal.message_zh(),
            Self::FamilyPlanning(e) => e.message_zh(),
            Self::Backend(_) | Self::Corrupt(_) | Self::Internal(_) => {
                "数据库出错，请稍后再试；如仍出错请联系系统管理员".into()
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            Self::Backend(_) | Self::Corrupt(_) | Self::Internal(_) => {
                "database error; please try again later".into()
            }
            other => other.to_string(),
        }
    }
}
