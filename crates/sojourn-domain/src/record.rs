//! The kinds of record the system keeps, and a reference to one register
//! record: one vocabulary for the review workflow, the data-quality
//! findings, revisions, the audit trail, the store's errors and the
//! exports. Each part uses the kinds it deals in (the review the four
//! registers a station reviews, [`RecordKind::REVIEWED`]; the monitor the
//! four it judges, [`RecordKind::JUDGED`]) and refuses the others where it
//! reads a kind from outside; a kind's code, stored and used in paths, and
//! its name in either language are written once, here.

use crate::employer::EmployerId;
use crate::house::HouseId;
use crate::outflow::OutflowId;
use crate::person::PersonId;
use crate::residence::ResidenceId;
use std::fmt;

/// A kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    /// A person file (一人一档).
    Person,
    /// A residence episode, the stay of a person at a unit.
    Residence,
    House,
    Employer,
    Outflow,
    Unit,
    Account,
    ApiToken,
    TransferRequest,
    /// Two files the monitor takes for one person (疑似重复档案).
    DuplicatePair,
    /// Arrivals registered together (one audit entry for the batch).
    ArrivalBatch,
    /// A document of a person checked or chased (R2.6).
    DocumentCheck,
    /// A safety inspection of a rental house.
    HouseInspection,
    /// A unit's contacts (coordinator, police officer).
    UnitContacts,
    /// The coordinators an employer has (staffing ratios, R1.4).
    EmployerCoordinators,
    /// A patrol of a house, collection point or station (巡查).
    Patrol,
    /// A service request taken at the one-stop window (R4.2).
    ServiceRequest,
    /// A residence permit 居住证, application to cancellation (R4.1).
    ResidencePermit,
    /// A married woman's family-planning follow-up file (R4.3).
    FamilyPlanningFile,
    /// A 三查 result of one window of a follow-up file.
    FamilyPlanningCheck,
}

impl RecordKind {
    pub const ALL: [RecordKind; 20] = [
        Self::Person,
        Self::Residence,
        Self::House,
        Self::Employer,
        Self::Outflow,
        Self::Unit,
        Self::Account,
        Self::ApiToken,
        Self::TransferRequest,
        Self::DuplicatePair,
        Self::ArrivalBatch,
        Self::DocumentCheck,
        Self::HouseInspection,
        Self::UnitContacts,
        Self::EmployerCoordinators,
        Self::Patrol,
        Self::ServiceRequest,
        Self::ResidencePermit,
        Self::FamilyPlanningFile,
        Self::FamilyPlanningCheck,
    ];

    /// The registers whose records go through review.
    pub const REVIEWED: [RecordKind; 4] =
        [Self::Residence, Self::House, Self::Employer, Self::Outflow];

    /// The registers the data-quality rules judge.
    pub const JUDGED: [RecordKind; 4] = [Self::Person, Self::Residence, Self::House, Self::Outflow];

    /// The stable code, stored and used in paths.
    pub fn code(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Residence => "residence",
            Self::House => "house",
            Self::Employer => "employer",
            Self::Outflow => "outflow",
            Self::Unit => "unit",
            Self::Account => "account",
            Self::ApiToken => "api_token",
            Self::TransferRequest => "transfer_request",
            Self::DuplicatePair => "duplicate",
            Self::ArrivalBatch => "arrival_batch",
            Self::DocumentCheck => "document_check",
            Self::HouseInspection => "house_inspection",
            Self::UnitContacts => "unit_contacts",
            Self::EmployerCoordinators => "employer_coordinators",
            Self::Patrol => "patrol",
            Self::ServiceRequest => "service_request",
            Self::ResidencePermit => "residence_permit",
            Self::FamilyPlanningFile => "family_planning_file",
            Self::FamilyPlanningCheck => "family_planning_check",
        }
    }

    /// The kind of a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// What a clerk calls a record of this kind.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Person => "人员档案",
            Self::Residence => "居住记录",
            Self::House => "出租房屋",
            Self::Employer => "用工单位",
            Self::Outflow => "流出人口记录",
            Self::Unit => "单位",
            Self::Account => "账号",
            Self::ApiToken => "接口令牌",
            Self::TransferRequest => "转移申请",
            Self::DuplicatePair => "疑似重复档案",
            Self::ArrivalBatch => "批量登记",
            Self::DocumentCheck => "证件核查记录",
            Self::HouseInspection => "出租房屋检查记录",
            Self::UnitContacts => "单位联系方式",
            Self::EmployerCoordinators => "用工单位协管员配备",
            Self::Patrol => "巡查记录",
            Self::ServiceRequest => "服务事项",
            Self::ResidencePermit => "居住证",
            Self::FamilyPlanningFile => "已婚育龄妇女跟踪服务档案",
            Self::FamilyPlanningCheck => "三查记录",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Person => "person file",
            Self::Residence => "residence",
            Self::House => "rental house",
            Self::Employer => "employer",
            Self::Outflow => "outflow record",
            Self::Unit => "unit",
            Self::Account => "account",
            Self::ApiToken => "API token",
            Self::TransferRequest => "transfer request",
            Self::DuplicatePair => "probable duplicate pair",
            Self::ArrivalBatch => "batch of arrivals",
            Self::DocumentCheck => "document check",
            Self::HouseInspection => "house inspection",
            Self::UnitContacts => "unit contacts",
            Self::EmployerCoordinators => "employer's coordinators",
            Self::Patrol => "patrol",
            Self::ServiceRequest => "service request",
            Self::ResidencePermit => "residence permit",
            Self::FamilyPlanningFile => "family-planning follow-up file",
            Self::FamilyPlanningCheck => "three-checks result",
        }
    }
}

impl fmt::Display for RecordKind {
    /// The code: messages in English name kinds as the API does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One register record, by kind and typed id: what has a history of
/// versions and entries in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordRef {
    Person(PersonId),
    Residence(ResidenceId),
    House(HouseId),
    Employer(EmployerId),
    Outflow(OutflowId),
}

impl RecordRef {
    pub fn kind(self) -> RecordKind {
        match self {
            Self::Person(_) => RecordKind::Person,
            Self::Residence(_) => RecordKind::Residence,
            Self::House(_) => RecordKind::House,
            Self::Employer(_) => RecordKind::Employer,
            Self::Outflow(_) => RecordKind::Outflow,
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Self::Person(PersonId(id))
            | Self::Residence(ResidenceId(id))
            | Self::House(HouseId(id))
            | Self::Employer(EmployerId(id))
            | Self::Outflow(OutflowId(id)) => id,
        }
    }

    /// The record of `kind` with `id`, for the register kinds.
    pub fn of(kind: RecordKind, id: i64) -> Option<Self> {
        match kind {
            RecordKind::Person => Some(Self::Person(PersonId(id))),
            RecordKind::Residence => Some(Self::Residence(ResidenceId(id))),
            RecordKind::House => Some(Self::House(HouseId(id))),
            RecordKind::Employer => Some(Self::Employer(EmployerId(id))),
            RecordKind::Outflow => Some(Self::Outflow(OutflowId(id))),
            RecordKind::Unit
            | RecordKind::Account
            | RecordKind::ApiToken
            | RecordKind::TransferRequest
            | RecordKind::DuplicatePair
            | RecordKind::ArrivalBatch
            | RecordKind::DocumentCheck
            | RecordKind::HouseInspection
            | RecordKind::UnitContacts
            | RecordKind::EmployerCoordinators
            | RecordKind::Patrol => None,
            RecordKind::ServiceRequest => None,
            RecordKind::ResidencePermit => None,
            RecordKind::FamilyPlanningFile | RecordKind::FamilyPlanningCheck => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_code_and_has_both_names() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::from_code(kind.code()), Some(kind));
            assert!(!kind.name_zh().is_empty() && !kind.name_en().is_empty());
        }
        assert_eq!(RecordKind::from_code("记录"), None);
    }

    #[test]
    fn a_register_record_is_referred_to_by_its_kind_and_id() {
        for kind in RecordKind::ALL {
            match RecordRef::of(kind, 7) {
                Some(record) => assert_eq!((record.kind(), record.id()), (kind, 7)),
                None => assert!(!RecordKind::REVIEWED.contains(&kind)),
            }
        }
    }
}
