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
    /// The audit trail.
    Audit,
}

/// What is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    Create,
    Update,
    /// See a masked personal value in full, giving a reason (audited).
    Reveal,
    Export,
    /// Create, disable and unlock accounts; add units.
    Manage,
    /// Grant or withdraw roles.
    Assign,
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

/// Actions each role may take on the tree, accounts and audit trail.
fn administrative_actions(role: Role, resource: Resource) -> &'static [Action] {
    match (role, resource) {
        (Role::SystemAdmin, Resource::Unit) => &[Read, Manage],
        (Role::SystemAdmin, Resource::Account) => &[Read, Manage],
        (Role::SecurityAdmin, Resource::Account) => &[Read, Assign, Manage],
        (Role::AuditAdmin, Resource::Audit) => &[Read, Export],
        (Role::SecurityAdmin | Role::AuditAdmin, Resource::Unit) => &[Read],
        (r, Resource::Unit) if !r.is_administrator() => &[Read],
        _ => &[],
    }
}

/// Whether `role` may take `action` on `resource` (inside its unit's
/// subtree; the scope is checked separately, by the store).
pub fn allows(role: Role, action: Action, resource: Resource) -> bool {
    let actions = if REGISTERS.contains(&resource) {
        register_actions(role)
    } else {
        administrative_actions(role, resource)
    };
    actions.contains(&action)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn field_roles_work_on_registers_without_exporting() {
        assert!(allows(Role::Coordinator, Create, Resource::Resident));
        assert!(!allows(Role::Coordinator, Export, Resource::Resident));
        assert!(!allows(Role::Inspector, Reveal, Resource::Resident));
        assert!(!allows(Role::Clerk, Manage, Resource::Account));
    }

    #[test]
    fn role_keys_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_key(role.key()), Some(role));
        }
    }
}
