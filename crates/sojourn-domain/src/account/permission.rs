//! The permission table: role × resource → actions. The three separated
//! administrators (三员分立) have disjoint duties, and none of them reads
//! residents' personal data.

/// What an account is for (SPEC R1.3, plus the three administrators).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    OfficeDirector,
    StationChief,
    Clerk,
    Coordinator,
    Collector,
    PoliceLiaison,
    FamilyPlanningOfficer,
    HealthWorker,
    Inspector,
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Self::OfficeDirector,
        Self::StationChief,
        Self::Clerk,
        Self::Coordinator,
        Self::Collector,
        Self::PoliceLiaison,
        Self::FamilyPlanningOfficer,
        Self::HealthWorker,
        Self::Inspector,
        Self::SystemAdmin,
        Self::SecurityAdmin,
        Self::AuditAdmin,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::OfficeDirector => "office_director",
            Self::StationChief => "station_chief",
            Self::Clerk => "clerk",
            Self::Coordinator => "coordinator",
            Self::Collector => "collector",
            Self::PoliceLiaison => "police_liaison",
            Self::FamilyPlanningOfficer => "family_planning_officer",
            Self::HealthWorker => "health_worker",
            Self::Inspector => "inspector",
            Self::SystemAdmin => "system_admin",
            Self::SecurityAdmin => "security_admin",
            Self::AuditAdmin => "audit_admin",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::OfficeDirector => "流管办主任",
            Self::StationChief => "站长",
            Self::Clerk => "信息录入员",
            Self::Coordinator => "专职协管员",
            Self::Collector => "信息采集员",
            Self::PoliceLiaison => "社区民警",
            Self::FamilyPlanningOfficer => "计生专干",
            Self::HealthWorker => "卫生院（室）人员",
            Self::Inspector => "督查员",
            Self::SystemAdmin => "系统管理员",
            Self::SecurityAdmin => "安全管理员",
            Self::AuditAdmin => "审计管理员",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The three administrators must use a second factor.
    pub fn is_administrator(self) -> bool {
        matches!(
            self,
            Self::SystemAdmin | Self::SecurityAdmin | Self::AuditAdmin
        )
    }
}

/// What is acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Person files and residence episodes.
    Resident,
    House,
    Employer,
    Outflow,
    /// The jurisdiction tree (grids, collection points).
    Unit,
    /// Staff accounts and their roles.
    Account,
    /// Keys that let programs call the API (bound to a unit and a role).
    ApiToken,
    /// The audit trail.
    Audit,
    /// The review workflow of register records (采集→录入→审核→抽查):
    /// its queues, counts and steps.
    Review,
    /// The data-quality monitor (监控管理): findings, scans, the duplicate
    /// queue. `Manage` scans, merges and dismisses; `Export` downloads the
    /// monitor report.
    Quality,
    /// Checking and ranking the work (督查考核): the staffing ratios
    /// (配备标准) and what an employer's coordinators are. `Update`
    /// records an employer's coordinators.
    Assessment,
    /// Patrols (巡查): `Create` records one and closes the task it opened,
    /// `Update` sets the deployment's cycles, `Export` downloads a
    /// worklist.
    Patrol,
    /// Service requests at the one-stop window (R4.2): `Create` takes one
    /// in, `Update` refers, resolves and closes, `Export` downloads the list.
    ServiceRequest,
    /// Residence permits 居住证 (R4.1): `Create` takes an application,
    /// `Update` takes the steps (notice, accept, produce, issue, endorse,
    /// cancel), `Export` downloads the worklists and the register.
    Permit,
    /// The family-planning follow-up of married women of childbearing age
    /// (R4.3). `Read` sees that a woman has a file, its filing date and
    /// its 三查 schedule (due dates, done or not); `Reveal` sees what the
    /// file holds (certificate, contraception, pregnancy, births, what the
    /// checks found) and the key-group lists drawn from it; `Create`
    /// opens a file; `Update` changes it and records checks; `Manage`
    /// makes a year's schedule.
    FamilyPlanning,
}

impl Resource {
    pub const ALL: [Resource; 15] = [
        Self::Resident,
        Self::House,
        Self::Employer,
        Self::Outflow,
        Self::Unit,
        Self::Account,
        Self::ApiToken,
        Self::Audit,
        Self::Review,
        Self::Quality,
        Self::Assessment,
        Self::Patrol,
        Self::ServiceRequest,
        Self::Permit,
        Self::FamilyPlanning,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::House => "house",
            Self::Employer => "employer",
            Self::Outflow => "outflow",
            Self::Unit => "unit",
            Self::Account => "account",
            Self::ApiToken => "api_token",
            Self::Audit => "audit",
            Self::Review => "review",
            Self::Quality => "quality",
            Self::Assessment => "assessment",
            Self::Patrol => "patrol",
            Self::ServiceRequest => "service_request",
            Self::Permit => "permit",
            Self::FamilyPlanning => "family_planning",
        }
    }
}

/// What is done. What `Create`, `Update` and `Manage` mean depends on the
/// resource; the three administrators' duties are split along them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    /// Add a record; on units, add a grid or collection point; on
    /// accounts, open one (without roles).
    Create,
    /// Change a record; on accounts, disable or re-enable one.
    Update,
    /// See a masked personal value in full, giving a reason (audited).
    Reveal,
    Export,
    /// Act on credentials: unlock an account, reset its password, issue or
    /// withdraw its second factor; revoke API tokens.
    Manage,
    /// Grant or withdraw roles.
    Assign,
    /// The station's decision on an entered record: approve, reject or
    /// return for correction (审核).
    Review,
    /// Check an approved record on site (实地抽查).
    SpotCheck,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Self::Read,
        Self::Create,
        Self::Update,
        Self::Reveal,
        Self::Export,
        Self::Manage,
        Self::Assign,
        Self::Review,
        Self::SpotCheck,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Reveal => "reveal",
            Self::Export => "export",
            Self::Manage => "manage",
            Self::Assign => "assign",
            Self::Review => "review",
            Self::SpotCheck => "spot_check",
        }
    }
}

use Action::*;

const REGISTERS: [Resource; 4] = [
    Resource::Resident,
    Resource::House,
    Resource::Employer,
    Resource::Outflow,
];

/// Actions each role may take on the registers.
fn register_actions(role: Role) -> &'static [Action] {
    match role {
        Role::OfficeDirector | Role::StationChief => &[Read, Create, Update, Reveal, Export],
        Role::Clerk | Role::Coordinator => &[Read, Create, Update, Reveal],
        Role::Collector => &[Read, Create],
        Role::PoliceLiaison => &[Read, Reveal, Export],
        Role::FamilyPlanningOfficer => &[Read, Update, Reveal],
        Role::HealthWorker | Role::Inspector => &[Read],
        Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => &[],
    }
}

/// Actions each role may take on the tree, accounts, tokens and audit
/// trail. 三员分立: the system administrator opens and disables accounts and
/// keeps the tree; the security administrator grants roles and looks after
/// credentials; the audit administrator reads the trail. None of them can do
/// another's job, and none reads a register.
fn administrative_actions(role: Role, resource: Resource) -> &'static [Action] {
    match (role, resource) {
        (Role::SystemAdmin, Resource::Unit) => &[Read, Create, Update],
        (Role::SystemAdmin, Resource::Account) => &[Read, Create, Update],
        (Role::SecurityAdmin, Resource::Account) => &[Read, Assign, Manage],
        (Role::SecurityAdmin, Resource::ApiToken) => &[Read, Manage],
        (Role::AuditAdmin, Resource::Audit) => &[Read, Export],
        (Role::SecurityAdmin | Role::AuditAdmin, Resource::Unit) => &[Read],
        // The heads of an office or station connect their programs.
        (Role::OfficeDirector | Role::StationChief, Resource::ApiToken) => &[Read, Create, Manage],
        (r, Resource::Unit) if !r.is_administrator() => &[Read],
        _ => &[],
    }
}

/// Actions each role may take in the review workflow (R3.1): collectors
/// see it; the grid's coordinator (and the entry clerk) enters and
/// re-submits corrected records (`Update`); the station decides
/// (`Review`); inspectors and the heads check on site (`SpotCheck`); the
/// heads, who export the registers, export the work lists and counts.
fn review_actions(role: Role) -> &'static [Action] {
    match role {
        Role::OfficeDirector | Role::StationChief => &[Read, Update, Review, SpotCheck, Export],
        Role::Clerk | Role::Coordinator => &[Read, Update],
        Role::Inspector => &[Read, SpotCheck],
        Role::Collector
        | Role::PoliceLiaison
        | Role::FamilyPlanningOfficer
        | Role::HealthWorker => &[Read],
        Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => &[],
    }
}

/// Actions each role may take on the data-quality monitor: the heads of
/// an office or station and the clerks who correct the data scan and
/// decide duplicates; the inspector (督查, plan 12) reads and downloads
/// the report; the field roles that read registers read the findings.
fn quality_actions(role: Role) -> &'static [Action] {
    match role {
        Role::OfficeDirector | Role::StationChief => &[Read, Manage, Export],
        Role::Clerk => &[Read, Manage],
        Role::Inspector => &[Read, Export],
        Role::Coordinator | Role::PoliceLiaison | Role::FamilyPlanningOfficer => &[Read],
        Role::Collector | Role::HealthWorker => &[],
        Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => &[],
    }
}

/// Actions each role may take in checking and ranking the work: the
/// heads of an office or station, who answer for their staffing, read it,
/// export it and record an employer's coordinators; the inspector (督查)
/// reads and exports.
fn assessment_actions(role: Role) -> &'static [Action] {
    match role {
        Role::OfficeDirector | Role::StationChief => &[Read, Update, Export],
        Role::Inspector => &[Read, Export],
        _ => &[],
    }
}

/// Actions each role may take on patrols (三级巡查制, plan P5): the
/// coordinators patrol houses, the stations their collection points, the
/// office its stations; the heads also set the cycles and export; the
/// inspector and the clerks read them.
fn patrol_actions(role: Role) -> &'static [Action] {
    match role {
        Role::OfficeDirector | Role::StationChief => &[Read, Create, Update, Export],
        Role::Coordinator => &[Read, Create],
        Role::Inspector => &[Read, Export],
        Role::Clerk | Role::Collector => &[Read],
        _ => &[],
    }
}

/// Actions each role may take on service requests: whoever works the
/// window or the grid takes requests in and follows them up; the heads
/// also export the list; the field roles read what was asked of them.
fn service_request_actions(role: Role) -> &'static [Action] {
    match role {
        Role::OfficeDirector | Role::StationChief => &[Read, Create, Update, Export],
        Role::Clerk | Role::Coordinator => &[Read, Create, Update],
        Role::FamilyPlanningOfficer | Role::HealthWorker | Role::PoliceLiaison => &[Read],
        Role::Collector | Role::Inspector => &[Read],
        Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => &[],
    }
}

/// Actions each role may take on residence permits (R4.1): the clerk and
/// the coordinator at the window take applications and steps, as do the
/// heads, who also export the worklists and the register; the roles that
/// read residents read permits; the inspector reads only.
fn permit_actions(role: Role) -> &'static [Action] {
    match role {
        Role::OfficeDirector | Role::StationChief => &[Read, Create, Update, Export],
        Role::Clerk | Role::Coordinator => &[Read, Create, Update],
        Role::Collector
        | Role::PoliceLiaison
        | Role::FamilyPlanningOfficer
        | Role::HealthWorker
        | Role::Inspector => &[Read],
        Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => &[],
    }
}

/// Actions each role may take on the family-planning follow-up, the most
/// sensitive data the system holds. Its contents (`Reveal`) are the
/// family-planning officer's (计生专干) and the health service's: the
/// plans give the certificate checks, contraception and the 三查 to the
/// family-planning office and the health stations. The heads of an office
/// or station coordinate the work — they make the year's schedule, follow
/// the due lists and may open a file at the window — without reading what
/// a woman's file holds;
/// coordinators and collectors open files (checking the 婚育证明 is their
/// round's work) without reading them back; the other field roles see that
/// a file exists and when its checks are due.
fn family_planning_actions(role: Role) -> &'static [Action] {
    match role {
        Role::FamilyPlanningOfficer => &[Read, Create, Update, Reveal, Export, Manage],
        Role::HealthWorker => &[Read, Update, Reveal],
        Role::OfficeDirector | Role::StationChief => &[Read, Create, Manage],
        Role::Coordinator | Role::Collector => &[Read, Create],
        Role::Clerk | Role::PoliceLiaison | Role::Inspector => &[Read],
        Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => &[],
    }
}

/// Whether `role` may take `action` on `resource` (inside its unit's
/// subtree; the scope is checked separately, by the store).
pub fn allows(role: Role, action: Action, resource: Resource) -> bool {
    let actions = if REGISTERS.contains(&resource) {
        register_actions(role)
    } else if resource == Resource::Review {
        review_actions(role)
    } else if resource == Resource::Quality {
        quality_actions(role)
    } else if resource == Resource::Assessment {
        assessment_actions(role)
    } else if resource == Resource::Patrol {
        patrol_actions(role)
    } else if resource == Resource::ServiceRequest {
        service_request_actions(role)
    } else if resource == Resource::Permit {
        permit_actions(role)
    } else if resource == Resource::FamilyPlanning {
        family_planning_actions(role)
    } else {
        administrative_actions(role, resource)
    };
    actions.contains(&action)
}

/// Whether `role` grants nothing that none of `held` grants: what an API
/// token may carry ("not above its creator"). Administrator roles are never
/// within: a token has no second factor.
pub fn role_within(role: Role, held: &[Role]) -> bool {
    !role.is_administrator()
        && Resource::ALL.into_iter().all(|resource| {
            Action::ALL.into_iter().all(|action| {
                !allows(role, action, resource) || held.iter().any(|h| allows(*h, action, resource))
            })
        })
}

/// Why a set of roles cannot be held by one account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleSetError {
    /// 三员分立: an administrator holds exactly one role.
    #[error("an administrator role cannot be combined with any other role")]
    AdministratorCombined,
    #[error("the same role is given twice")]
    Repeated,
}

impl crate::localized::Localized for RoleSetError {
    fn code(&self) -> &'static str {
        match self {
            Self::AdministratorCombined => "roles_administrator_combined",
            Self::Repeated => "roles_repeated",
        }
    }
    fn message_zh(&self) -> String {
        match self {
            Self::AdministratorCombined => {
                "系统管理员、安全管理员、审计管理员角色须单独授予，不能与其他角色兼任".into()
            }
            Self::Repeated => "同一角色重复授予".into(),
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// Checks that one account may hold `roles` together: business roles
/// combine freely; an administrator role stands alone. No roles at all is
/// allowed (an account the security administrator has not yet authorised).
pub fn check_role_set(roles: &[Role]) -> Result<(), RoleSetError> {
    let mut sorted = roles.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != roles.len() {
        return Err(RoleSetError::Repeated);
    }
    if roles.len() > 1 && roles.iter().any(|r| r.is_administrator()) {
        return Err(RoleSetError::AdministratorCombined);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_family_planning_officer_and_health_workers_see_a_files_contents() {
        let revealing: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| allows(*r, Reveal, Resource::FamilyPlanning))
            .collect();
        assert_eq!(revealing, [Role::FamilyPlanningOfficer, Role::HealthWorker]);
        // Every business role sees that a file exists and when it is due.
        for role in Role::ALL {
            assert_eq!(
                allows(role, Read, Resource::FamilyPlanning),
                !role.is_administrator(),
                "{role:?}"
            );
        }
    }

    #[test]
    fn no_administrator_reads_personal_data() {
        for role in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            for resource in REGISTERS {
                assert!(!allows(role, Read, resource), "{role:?} reads {resource:?}");
                assert!(!allows(role, Reveal, resource));
            }
        }
    }

    #[test]
    fn the_three_administrators_have_disjoint_duties() {
        assert!(allows(Role::SecurityAdmin, Assign, Resource::Account));
        assert!(!allows(Role::SystemAdmin, Assign, Resource::Account));
        assert!(!allows(Role::SystemAdmin, Read, Resource::Audit));
        assert!(!allows(Role::SecurityAdmin, Read, Resource::Audit));
        assert!(allows(Role::AuditAdmin, Read, Resource::Audit));
        assert!(!allows(Role::AuditAdmin, Manage, Resource::Account));
        assert!(!allows(Role::AuditAdmin, Manage, Resource::Unit));
        // Opening and disabling accounts is the system administrator's;
        // credentials and roles are the security administrator's.
        for action in [Create, Update] {
            assert!(allows(Role::SystemAdmin, action, Resource::Account));
            assert!(!allows(Role::SecurityAdmin, action, Resource::Account));
        }
        for action in [Assign, Manage] {
            assert!(!allows(Role::SystemAdmin, action, Resource::Account));
            assert!(allows(Role::SecurityAdmin, action, Resource::Account));
        }
        // Every duty but reading the account list belongs to one of them.
        for action in Action::ALL.into_iter().filter(|a| *a != Read) {
            let holders = Role::ALL
                .into_iter()
                .filter(|r| r.is_administrator() && allows(*r, action, Resource::Account))
                .count();
            assert!(holders <= 1, "{action:?} on accounts is shared");
        }
    }

    #[test]
    fn a_token_role_grants_nothing_its_creator_lacks() {
        assert!(role_within(Role::Collector, &[Role::StationChief]));
        assert!(role_within(Role::Clerk, &[Role::Clerk]));
        assert!(!role_within(Role::StationChief, &[Role::Clerk]));
        assert!(!role_within(Role::PoliceLiaison, &[Role::Clerk]));
        assert!(!role_within(Role::SystemAdmin, &[Role::SystemAdmin]));
    }

    #[test]
    fn administrator_roles_stand_alone() {
        assert_eq!(check_role_set(&[]), Ok(()));
        assert_eq!(check_role_set(&[Role::Clerk, Role::Collector]), Ok(()));
        assert_eq!(check_role_set(&[Role::AuditAdmin]), Ok(()));
        assert_eq!(
            check_role_set(&[Role::SystemAdmin, Role::Clerk]),
            Err(RoleSetError::AdministratorCombined)
        );
        assert_eq!(
            check_role_set(&[Role::SystemAdmin, Role::SecurityAdmin]),
            Err(RoleSetError::AdministratorCombined)
        );
        assert_eq!(
            check_role_set(&[Role::Clerk, Role::Clerk]),
            Err(RoleSetError::Repeated)
        );
    }

    #[test]
    fn field_roles_work_on_registers_without_exporting() {
        assert!(allows(Role::Coordinator, Create, Resource::Resident));
        assert!(!allows(Role::Coordinator, Export, Resource::Resident));
        assert!(!allows(Role::Inspector, Reveal, Resource::Resident));
        assert!(!allows(Role::Clerk, Manage, Resource::Account));
    }

    #[test]
    fn the_review_steps_are_split_between_grid_station_and_inspectors() {
        assert!(allows(Role::Coordinator, Update, Resource::Review));
        assert!(!allows(Role::Coordinator, Review, Resource::Review));
        assert!(!allows(Role::Collector, Update, Resource::Review));
        assert!(allows(Role::StationChief, Review, Resource::Review));
        assert!(allows(Role::Inspector, SpotCheck, Resource::Review));
        assert!(!allows(Role::Inspector, Review, Resource::Review));
        assert!(allows(Role::StationChief, Export, Resource::Review));
        assert!(!allows(Role::Coordinator, Export, Resource::Review));
        // The workflow's actions mean nothing on the registers themselves.
        for resource in REGISTERS {
            for role in Role::ALL {
                assert!(!allows(role, Review, resource));
                assert!(!allows(role, SpotCheck, resource));
            }
        }
        for role in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            for action in Action::ALL {
                assert!(!allows(role, action, Resource::Review));
            }
        }
    }

    #[test]
    fn quality_decisions_are_for_those_who_correct_the_data() {
        assert!(allows(Role::Clerk, Manage, Resource::Quality));
        assert!(allows(Role::StationChief, Export, Resource::Quality));
        assert!(allows(Role::Inspector, Export, Resource::Quality));
        assert!(!allows(Role::Inspector, Manage, Resource::Quality));
        assert!(!allows(Role::Collector, Read, Resource::Quality));
        for admin in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            assert!(!allows(admin, Read, Resource::Quality));
        }
        // Whoever reads the findings reads the registers they point at.
        for role in Role::ALL {
            if allows(role, Read, Resource::Quality) {
                assert!(allows(role, Read, Resource::Resident), "{role:?}");
            }
        }
    }

    #[test]
    fn permits_are_worked_at_the_window_and_read_by_who_reads_residents() {
        for role in [
            Role::Clerk,
            Role::Coordinator,
            Role::StationChief,
            Role::OfficeDirector,
        ] {
            assert!(allows(role, Create, Resource::Permit), "{role:?}");
            assert!(allows(role, Update, Resource::Permit), "{role:?}");
        }
        assert!(allows(Role::StationChief, Export, Resource::Permit));
        assert!(!allows(Role::Clerk, Export, Resource::Permit));
        assert!(allows(Role::Inspector, Read, Resource::Permit));
        assert!(!allows(Role::Inspector, Update, Resource::Permit));
        for role in Role::ALL {
            assert_eq!(
                allows(role, Read, Resource::Permit),
                allows(role, Read, Resource::Resident),
                "{role:?}"
            );
        }
    }

    #[test]
    fn role_keys_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_key(role.key()), Some(role));
        }
    }
}
