//! Sojourn's storage: one interface ([`Store`]) over two real backends,
//! SQLite (one file, the embedded default) and PostgreSQL (production).
//!
//! **Every method takes the caller's [`Scope`]** and neither returns nor
//! changes a record outside it: a record out of scope is reported exactly as
//! a missing one ([`StoreError::NotFound`]), so its existence is not leaked.
//! The one deliberate exception is the duplicate check on arrival (重卡),
//! which must see the whole deployment and names only the unit holding the
//! active residence. Methods that see everything say so in their name
//! (`*_unscoped`).
//!
//! The register logic and its SQL are written once ([`sql`]), in the
//! subset both engines share; each backend supplies a thin driver (value
//! binding, transactions) and its own migrations (DDL differs).
//!
//! The interface is synchronous: both drivers block, and the web layer calls
//! the store from `spawn_blocking`. That keeps the trait object-safe and lets
//! the CLI and benchmarks use it without a runtime.

/// Staff accounts, sessions and API tokens.
pub mod accounts;
/// The tamper-evident audit trail.
pub mod audit;
/// Encryption at rest: AES-256-GCM and keyed blind indexes.
pub mod crypto;
/// Errors of the store layer.
pub mod error;
/// The family-planning follow-up of married women of childbearing age.
pub mod family_planning;
/// What the imports hand the store: stays, and rows through a sink.
pub mod imports;
/// Export and import jobs of the web server, kept across restarts.
pub mod jobs;
/// Masking of personal values: the masks, and the net over free-form JSON.
pub mod mask;
/// The schema's migrations, one list for both engines.
mod migrations;
/// The store as operators see it: readiness, inventory, sealed values.
pub mod operations;
/// Patrols (巡查): recorded, due, overdue, and the tasks they open.
pub mod patrols;
/// Residence permits 居住证 (R4.1): worklists, rate, the trait's part.
pub mod permits;
/// PostgreSQL backend.
pub mod postgres;
/// The data-quality monitor: findings, scans, the duplicate queue.
pub mod quality;
/// Queries, filters and pages shared by both backends.
pub mod query;
/// Service requests at the one-stop window (一站式服务, R4.2).
pub mod requests;
/// The review workflow's queues and counts.
pub mod review;
/// JSON snapshots of records for the revision history.
pub mod snapshot;
/// The register logic, written once over a minimal SQL driver interface
/// that both backends implement.
mod sql;
/// SQLite backend.
pub mod sqlite;
/// The staffing ratios (配备标准): the figures they rest on.
pub mod staffing;
/// Running totals for the home page.
pub mod statistics;
/// Transfer requests (转移申请) between communities, for 重卡.
pub mod transfers;

pub use accounts::{
    Account, AccountChange, AccountStore, ApiToken, ApiTokenId, Credentials, Failures, Lockout,
    NewAccount, NewApiToken, NewSession, Session,
};
pub use audit::{
    Anchor, AuditAction, AuditEntry, AuditEvent, AuditLog, AuditObject, AuditQuery, AuditReport,
    Finding, ObjectKind, Outcome,
};
pub use error::StoreError;
pub use family_planning::FamilyPlanningStore;
pub use imports::{ImportSink, StayImport};
pub use jobs::JobStore;
pub use operations::OperationsStore;
pub use patrols::PatrolStore;
pub use permits::{PermitList, PermitRate, PermitRow, PermitStore};
pub use quality::QualityStore;
pub use query::*;
pub use requests::RequestStore;
pub use review::{
    ReviewCounts, ReviewFilter, ReviewItem, ReviewList, ReviewQueue, ReviewSort, StepCount,
};
pub use staffing::StaffingStore;
pub use statistics::ResidentStatistics;
pub use transfers::TransferStore;

use sojourn_domain::account::{AccountId, Role};
use sojourn_domain::codes::{IdNumber, Uscc};
use sojourn_domain::document::{DocumentCheck, RecordedDocumentCheck};
use sojourn_domain::employer::{Employer, EmployerDetails, EmployerId};
use sojourn_domain::house::{House, HouseDetails, HouseId, Inspection, RecordedInspection};
use sojourn_domain::outflow::{Outflow, OutflowDetails, OutflowId};
use sojourn_domain::person::{Person, PersonDetails, PersonId};
use sojourn_domain::residence::{
    Arrival, Departure, Residence, ResidenceId, ResidenceStatus, StayDetails,
};
use sojourn_domain::time_rules::PastDate;
use sojourn_domain::unit::{Scope, Unit, UnitCode};

pub type Result<T> = std::result::Result<T, StoreError>;

/// Who makes a change, recorded with every revision (and, by the audit
/// trail, with every read and sign-in): the account and what it acted as,
/// from where. Programs acting on their own (`init`, `demo`, `cli`) have a
/// name only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User name of the account, or the name of the program acting.
    pub name: String,
    pub account: Option<AccountId>,
    /// The unit the account works in.
    pub unit: Option<UnitCode>,
    /// The role that allowed this action.
    pub role: Option<Role>,
    /// The client's address, as the server saw it (or the trusted proxy
    /// reported it).
    pub address: Option<std::net::IpAddr>,
    /// The API token the request came with, if not a session.
    pub api_token: Option<ApiTokenId>,
    /// When and where a collector collected the records being registered
    /// (typed in later from paper): their review starts collected then and
    /// there. Read only when the actor is a collector.
    pub collection: Option<sojourn_domain::collection::Collection>,
}

impl Actor {
    /// A program acting on its own.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            account: None,
            unit: None,
            role: None,
            address: None,
            api_token: None,
            collection: None,
        }
    }
}

/// The storage interface. See the crate documentation for the scope rule.
/// Accounts, sessions and tokens ([`AccountStore`]) and the audit trail
/// ([`AuditLog`]) are part of it, so one `Arc<dyn Store>` serves all.
pub trait Store:
    AccountStore
    + AuditLog
    + QualityStore
    + TransferStore
    + OperationsStore
    + StaffingStore
    + PatrolStore
    + RequestStore
    + PermitStore
    + FamilyPlanningStore
    + Send
    + Sync
{
    // ---- the jurisdiction tree ----

    /// Creates the deployment's root unit and the units below it. Refused
    /// if the deployment already has a root. Unscoped by nature: it makes
    /// the tree scopes are drawn from.
    fn init_deployment_unscoped(&self, root: &Unit, below: &[Unit]) -> Result<()>;
    /// The root unit, `None` before `init`.
    fn deployment_root_unscoped(&self) -> Result<Option<Unit>>;
    /// Adds a unit whose parent exists in scope.
    fn create_unit(&self, scope: &Scope, unit: &Unit, actor: &Actor) -> Result<Unit>;
    fn get_unit(&self, scope: &Scope, code: &UnitCode) -> Result<Unit>;
    /// Whom a resident of a unit in scope may call (the contact card).
    fn unit_contacts(
        &self,
        scope: &Scope,
        code: &UnitCode,
    ) -> Result<sojourn_domain::unit::UnitContacts>;
    /// Sets the contacts of a unit in scope; audited.
    fn set_unit_contacts(
        &self,
        scope: &Scope,
        code: &UnitCode,
        contacts: &sojourn_domain::unit::UnitContacts,
        actor: &Actor,
    ) -> Result<()>;
    /// The units directly below `parent`, or the whole subtree when `None`.
    fn list_units(&self, scope: &Scope, parent: Option<&UnitCode>) -> Result<Vec<Unit>>;

    // ---- bulk loading ----

    /// Prepares the first load of an empty register: when no person file
    /// and no residence exists yet, drops the indexes only searches use (and
    /// on PostgreSQL the foreign keys of persons and residences), noting
    /// each so it can be rebuilt. Every rule of an arrival still holds
    /// during the load (the unique ID number and the one current residence
    /// stay). Returns whether the register was empty. Changes no record.
    /// Unscoped: the schema belongs to the whole deployment.
    fn begin_bulk_load_unscoped(&self) -> Result<bool>;
    /// Rebuilds what `begin_bulk_load_unscoped` set aside, each index from
    /// sorted data in one pass, and checks the foreign keys once. Idempotent;
    /// a store opened after an interrupted load does it itself.
    fn finish_bulk_load_unscoped(&self) -> Result<()>;

    // ---- persons and residences (流动人口) ----

    /// Registers an arrival: finds or creates the person file for the ID
    /// number and opens a new residence. Refused with
    /// [`StoreError::DuplicateResidence`] if the number already has a current
    /// residence anywhere in the deployment.
    fn register_arrival(
        &self,
        scope: &Scope,
        arrival: &Arrival,
        actor: &Actor,
    ) -> Result<(Person, Residence)>;
    /// Registers many arrivals in as few transactions as the backend likes;
    /// each row succeeds or fails whole and on its own.
    fn register_arrivals(
        &self,
        scope: &Scope,
        arrivals: &[Arrival],
        actor: &Actor,
    ) -> Result<Vec<Result<ResidenceId>>>;
    /// Imports stays (the resident import): registers `arrivals` as
    /// `register_arrivals` does and brings each new stay to its row's status
    /// (`statuses[i]` for `arrivals[i]`) in the transaction that registers
    /// it, so a row is stored whole or not at all. A row repeating a stay on
    /// file — the same person at the same unit since the same day, current
    /// or departed — comes back [`StayImport::AlreadyRegistered`] and
    /// changes nothing (neither 重卡 nor a second stay): importing a file
    /// again adds nothing.
    fn import_stays(
        &self,
        scope: &Scope,
        arrivals: &[Arrival],
        statuses: &[ResidenceStatus],
        actor: &Actor,
    ) -> Result<Vec<Result<StayImport>>>;
    /// A dry run of `import_stays` over a whole file: each batch `next`
    /// hands over is imported exactly as `import_stays` would (later
    /// batches seeing what earlier ones wrote, 重卡 and all) and its
    /// outcomes handed to `decided`, all in one transaction that is rolled
    /// back at the end, so a check gives the real import's verdict and
    /// changes nothing.
    fn check_import_stays(
        &self,
        scope: &Scope,
        actor: &Actor,
        next: &mut dyn FnMut() -> Option<(Vec<Arrival>, Vec<ResidenceStatus>)>,
        decided: &mut dyn FnMut(Vec<Result<StayImport>>),
    ) -> Result<()>;
    /// Runs `check` — the house, employer or outflow import of a whole
    /// file — against a sink that writes each row as the import would, in
    /// its own savepoint, inside one transaction that is rolled back at
    /// the end: a check-only run gives the real import's verdict and
    /// writes nothing.
    fn check_import_rows(
        &self,
        scope: &Scope,
        actor: &Actor,
        check: &mut dyn FnMut(&mut dyn ImportSink) -> Result<()>,
    ) -> Result<()>;
    /// Marks the files of these imported stays as having their household
    /// registration taken from the ID number, the ledger's place being
    /// unreadable: the monitor lists them (`quality_domicile_from_id_number`)
    /// until the file is saved again. Called by the import after the batch
    /// that stored them: a remark, which the import report also carries.
    fn mark_domicile_from_id_number(&self, scope: &Scope, stays: &[ResidenceId]) -> Result<()>;
    /// The stay on file each arrival repeats, as `import_stays` would find
    /// it (for an import that only checks). Writes nothing.
    fn stays_on_file(
        &self,
        scope: &Scope,
        arrivals: &[Arrival],
    ) -> Result<Vec<Option<ResidenceId>>>;
    fn activate_residence(
        &self,
        scope: &Scope,
        id: ResidenceId,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Residence>;
    fn register_departure(
        &self,
        scope: &Scope,
        id: ResidenceId,
        departure: &Departure,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Residence>;
    fn update_stay(
        &self,
        scope: &Scope,
        id: ResidenceId,
        stay: &StayDetails,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Residence>;
    /// Moves a current stay in scope to `house` from `on`: its tenancy
    /// ends there that day and one here begins (not before the stay or its
    /// present tenancy began).
    fn move_to_house(
        &self,
        scope: &Scope,
        id: ResidenceId,
        house: sojourn_domain::house::HouseId,
        on: sojourn_domain::time_rules::PastDate,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Residence>;
    fn get_residence(&self, scope: &Scope, id: ResidenceId) -> Result<Residence>;
    fn get_person(&self, scope: &Scope, id: PersonId) -> Result<Person>;
    fn find_person(&self, scope: &Scope, id_number: &IdNumber) -> Result<Option<Person>>;
    fn update_person(
        &self,
        scope: &Scope,
        id: PersonId,
        details: &PersonDetails,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Person>;
    /// Records a document check or chase on a person's file. Only the unit
    /// holding the file now may (as for `update_person`); audited.
    fn record_document_check(
        &self,
        scope: &Scope,
        person: PersonId,
        check: &DocumentCheck,
        actor: &Actor,
    ) -> Result<RecordedDocumentCheck>;
    /// Records a safety inspection (安全检查) of a house in scope; audited.
    fn record_inspection(
        &self,
        scope: &Scope,
        house: HouseId,
        inspection: &Inspection,
        actor: &Actor,
    ) -> Result<RecordedInspection>;
    /// The inspections of a house in scope, the latest inspected first.
    fn inspections_of(&self, scope: &Scope, house: HouseId) -> Result<Vec<RecordedInspection>>;
    /// The document checks of a person readable in scope, newest first.
    fn document_checks(
        &self,
        scope: &Scope,
        person: PersonId,
    ) -> Result<Vec<RecordedDocumentCheck>>;
    /// Every residence of a person that lies in scope, newest first.
    fn residences_of(&self, scope: &Scope, person: PersonId) -> Result<Vec<Residence>>;
    fn search_residents(&self, scope: &Scope, query: &ResidentQuery) -> Result<Page<ResidentRow>>;
    /// Every stay in scope, departed ones included, in the order they were
    /// registered: at most `limit` (1 to [`PageRequest::MAX_LIMIT`]) after
    /// the stay `after`. Keyset paging for exports: each page costs the
    /// same however deep into the register it lies.
    fn export_residents(
        &self,
        scope: &Scope,
        after: Option<ResidenceId>,
        limit: u32,
    ) -> Result<Vec<ResidentRow>>;
    /// As [`Store::export_residents`], only the stays matching the list
    /// filters of `query` (its unit, status, sex, house, employer, arrival
    /// period, origin province and birth dates; its term, order and page
    /// are not read): the rows of a filtered list's export, keyset paged.
    fn export_residents_matching(
        &self,
        scope: &Scope,
        query: &ResidentQuery,
        after: Option<ResidenceId>,
        limit: u32,
    ) -> Result<Vec<ResidentRow>>;

    // ---- rental houses ----

    fn create_house(&self, scope: &Scope, details: &HouseDetails, actor: &Actor) -> Result<House>;
    fn get_house(&self, scope: &Scope, id: HouseId) -> Result<House>;
    fn update_house(
        &self,
        scope: &Scope,
        id: HouseId,
        details: &HouseDetails,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<House>;
    fn search_houses(&self, scope: &Scope, query: &HouseQuery) -> Result<Page<House>>;
    /// Tenancies of a house, current and ended, newest first.
    fn tenants_of(&self, scope: &Scope, house: HouseId) -> Result<Vec<Link>>;

    // ---- employers ----

    fn create_employer(
        &self,
        scope: &Scope,
        uscc: &Uscc,
        details: &EmployerDetails,
        actor: &Actor,
    ) -> Result<Employer>;
    fn get_employer(&self, scope: &Scope, id: EmployerId) -> Result<Employer>;
    fn update_employer(
        &self,
        scope: &Scope,
        id: EmployerId,
        details: &EmployerDetails,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Employer>;
    fn search_employers(&self, scope: &Scope, query: &EmployerQuery) -> Result<Page<Employer>>;
    /// Employments of an employer, current and ended, newest first.
    fn workers_of(&self, scope: &Scope, employer: EmployerId) -> Result<Vec<Link>>;

    // ---- what a stay points to ----

    /// The name of the house or employer a stay points to, wherever it lies
    /// in the deployment (`None` if there is no such record), and whether
    /// `scope` may open its file. A name is all that crosses the scope: a
    /// person page of one community shows "works at X" for an employer
    /// kept by another.
    fn stay_link(&self, scope: &Scope, link: StayLink) -> Result<Option<Linked>>;

    // ---- outflow (流出人口) ----

    /// Refused with [`StoreError::DuplicateOutflow`] if the number already
    /// has an open outflow record in the deployment.
    fn create_outflow(
        &self,
        scope: &Scope,
        id_number: &IdNumber,
        details: &OutflowDetails,
        actor: &Actor,
    ) -> Result<Outflow>;
    fn get_outflow(&self, scope: &Scope, id: OutflowId) -> Result<Outflow>;
    fn update_outflow(
        &self,
        scope: &Scope,
        id: OutflowId,
        details: &OutflowDetails,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Outflow>;
    /// Records that the person came back on `returned_on`, closing the
    /// record. Refused if it is already closed or the date is before the
    /// person left.
    fn register_return(
        &self,
        scope: &Scope,
        id: OutflowId,
        returned_on: PastDate,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Outflow>;
    fn search_outflows(&self, scope: &Scope, query: &OutflowQuery) -> Result<Page<Outflow>>;
    /// Every outflow record in scope in the order recorded, as
    /// [`Store::export_residents`] pages stays.
    fn export_outflows(
        &self,
        scope: &Scope,
        after: Option<OutflowId>,
        limit: u32,
    ) -> Result<Vec<Outflow>>;

    // ---- history ----

    /// Every revision of a record in scope, oldest first.
    fn history(&self, scope: &Scope, record: RecordRef) -> Result<Vec<Revision>>;

    // ---- the review workflow (采集 → 录入 → 审核 → 抽查, R3.1) ----

    /// A record's review as it stands and every step taken, oldest first.
    /// `NotFound` when the record is out of scope or predates the workflow.
    fn review_status(
        &self,
        scope: &Scope,
        record: sojourn_domain::review::ReviewRecord,
    ) -> Result<(
        sojourn_domain::review::ReviewStatus,
        Vec<sojourn_domain::review::ReviewEvent>,
    )>;
    /// Takes a step on a record in scope whose review is at
    /// `expected_version`, at `at` (the caller's clock). A step the state
    /// does not allow is refused with [`StoreError::Review`]; audited.
    fn take_review_step(
        &self,
        scope: &Scope,
        record: sojourn_domain::review::ReviewRecord,
        step: &sojourn_domain::review::ReviewStep,
        expected_version: i64,
        at: time::OffsetDateTime,
        actor: &Actor,
    ) -> Result<sojourn_domain::review::ReviewStatus>;
    /// A page of one of the workflow's queues in scope.
    fn review_queue(
        &self,
        scope: &Scope,
        queue: ReviewQueue,
        page: PageRequest,
    ) -> Result<Vec<sojourn_domain::review::ReviewStatus>>;
    /// How many records in scope wait in one of the workflow's queues,
    /// counted up to [`WAITING_COUNT_CAP`] (a longer queue answers one more).
    fn review_queue_size(&self, scope: &Scope, queue: ReviewQueue) -> Result<u64>;
    /// A page of one of the workflow's queues in scope, narrowed and sorted
    /// by `filter`, each record named; with the whole list's size.
    fn review_list(
        &self,
        scope: &Scope,
        queue: ReviewQueue,
        filter: &ReviewFilter,
        page: PageRequest,
    ) -> Result<ReviewList>;
    /// Steps taken on records in scope since `since`, per person and unit.
    fn review_counts(
        &self,
        scope: &Scope,
        since: Option<time::OffsetDateTime>,
    ) -> Result<ReviewCounts>;

    // ---- encryption at rest (`sojourn keys rotate`) ----

    /// Re-encrypts every sealed value that is not under the current key
    /// (and its blind index), `batch` rows per transaction, while the
    /// store stays in use. `progress` hears each batch (table, rows
    /// rewritten) and stops the walk by returning `false`; running it again
    /// resumes. Returns the rows rewritten.
    fn reencrypt_unscoped(
        &self,
        batch: u32,
        progress: &mut dyn FnMut(&str, u64) -> bool,
    ) -> Result<u64>;
    /// How many stored values are not yet under the current key.
    fn stale_values_unscoped(&self) -> Result<u64>;
    /// Records every key but the current one as retired, refused while a
    /// value still uses one; returns the ids retired.
    fn retire_keys_unscoped(&self) -> Result<Vec<String>>;
    // ---- figures ----

    /// The running totals of the units in scope (residents now by origin,
    /// arrivals and departures by month from `since`'s on).
    fn resident_statistics(&self, scope: &Scope, since: time::Date) -> Result<ResidentStatistics>;

    /// A page of the residents of `unit` (in `scope`) with `status`, in
    /// order of arrival, walked along an arrival index: for a unit holding
    /// a good share of the register, where the ordinary search would sort
    /// the whole unit. No total.
    fn residents_by_arrival(
        &self,
        scope: &Scope,
        unit: &UnitCode,
        status: StatusFilter,
        newest_first: bool,
        page: PageRequest,
    ) -> Result<Vec<ResidentRow>>;

    /// As [`Store::residents_by_arrival`], by the full pinyin of the name
    /// (same spellings in the order the files were opened).
    fn residents_by_name(
        &self,
        scope: &Scope,
        unit: &UnitCode,
        status: StatusFilter,
        page: PageRequest,
    ) -> Result<Vec<ResidentRow>>;

    /// The residents of `unit` (in `scope`) matching the filters of `query`
    /// (its term, unit and order aside), newest arrival first, walked along
    /// the arrival index; the total counted up to `cap + 1`, as a search
    /// counts.
    fn residents_filtered_by_arrival(
        &self,
        scope: &Scope,
        unit: &UnitCode,
        query: &ResidentQuery,
        cap: u64,
    ) -> Result<Page<ResidentRow>>;
}

/// Opens the store a `--db` URL names: `postgres://…` (or `postgresql://…`)
/// for PostgreSQL, anything else a SQLite file path (`sqlite://` optional).
/// `keys` encrypt and decrypt the sensitive columns: a [`crypto::Keyring`]
/// fixed for the store's life, or a [`crypto::KeySource`] that follows a
/// key file. Refused with [`StoreError::Crypto`] when the data is encrypted
/// under a key the ring does not hold.
///
/// A store a newer version has migrated is refused
/// ([`StoreError::NewerSchema`]) before anything touches it.
pub fn open(url: &str, keys: impl Into<crypto::KeySource>) -> Result<std::sync::Arc<dyn Store>> {
    if let operations::Schema::Ahead(unknown) = schema_of(url)? {
        return Err(StoreError::NewerSchema(unknown));
    }
    let store = if is_postgres(url) {
        postgres::open(url, keys)?
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        sqlite::open(std::path::Path::new(path), keys)?
    };
    Ok(std::sync::Arc::from(store))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Where the schema of the store `url` names stands against this build's
/// migrations, read without changing anything: what an upgrade would do
/// (`sojourn migrate --check`), or that the store is a newer version's.
pub fn schema_of(url: &str) -> Result<operations::Schema> {
    let applied = if is_postgres(url) {
        postgres::backup::applied_migrations(url)?
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        sqlite::backup::applied_migrations(std::path::Path::new(path))?
    };
    Ok(operations::Schema::of(&applied))
}

/// Every encrypted column as (table, column): what the database must never
/// hold in the clear, in any table.
pub fn sealed_columns() -> Vec<(&'static str, &'static str)> {
    sql::rotation::sealed_columns()
        .into_iter()
        .map(|(table, column, _)| (table, column))
        .collect()
}
