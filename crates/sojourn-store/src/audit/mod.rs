//! The audit trail: an append-only, hash-chained log of who did what,
//! when, from where, to which record, and how it ended.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the
//! entry's own canonical bytes ([`entry_hash`]), so every entry commits to
//! the whole history before it. The tables refuse UPDATE, DELETE and
//! TRUNCATE (triggers); the chain is what catches someone who gets round
//! them with direct access to the database: [`AuditLog::verify_audit_unscoped`]
//! walks it and names every entry that was edited, deleted, inserted or
//! moved ([`Finding`]).
//!
//! The position of an entry is fixed by the predecessor hash it carries;
//! its sequence number is a label (it is not hashed), so that renumbering
//! rows to hide a gap shows up as what it is — a break in the links — and
//! a moved entry can be told from an edited one.
//!
//! What the chain alone cannot catch: someone who rewrites an entry *and
//! recomputes every hash after it*, or who cuts entries off the end. The
//! head (`audit_head`, updated with every append) catches a careless cut;
//! an anchor — a `(sequence, hash)` pair written down off the machine, as
//! `sojourn audit verify` and every export print — catches a careful one
//! ([`Anchor`]).
//!
//! Nothing in the application deletes entries. Archiving is an export
//! (JSON lines or CSV) that keeps the hashes, so an archive can be checked
//! on its own ([`verify_entries`]).
//!
//! The store writes the entry of every change itself, inside the
//! transaction that makes the change (`sql::audit`, where appends are also
//! serialised, so the chain cannot fork): the record before and after,
//! record snapshots masked by their fields' types (`crate::snapshot`); a batch of arrivals is
//! one entry with its counts and ids. The web layer adds what the store
//! cannot see (sign-ins, reads, reveals, refusals). Verifying walks the
//! chain once, keeping only its runs of linked entries, so its memory
//! grows with the breaks, not with the length of the trail.

use crate::{Actor, Page, PageRequest, Result};
use serde_json::{Value, json};
use sojourn_domain::record::RecordKind;
use sojourn_domain::unit::{Scope, UnitCode};
use time::OffsetDateTime;

mod chain;
mod verify;
pub use chain::entry_hash;
pub(crate) use chain::seal;
pub(crate) use verify::Verifier;
pub use verify::{Anchor, AuditReport, Finding, verify_entries};

/// The predecessor hash of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. The key is what is stored and filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    // ---- signing in and out ----
    SignIn,
    SignInFailed,
    /// A failure that locked the account, or an attempt while locked.
    SignInLocked,
    SignOut,
    /// One's own password.
    PasswordChanged,
    // ---- reading personal data ----
    /// A record (a person's file, a stay, a house, …) was read.
    Read,
    /// A list or search returned records.
    Search,
    /// The revision history of a record was read.
    History,
    /// Masked values were shown in full, with a reason.
    Reveal,
    Export,
    // ---- changes to the registers and the tree ----
    Create,
    Update,
    Activate,
    Depart,
    // ---- accounts and credentials (permission changes) ----
    AccountCreated,
    AccountDisabled,
    AccountEnabled,
    RolesAssigned,
    AccountUnlocked,
    PasswordReset,
    TotpEnrolled,
    TotpWithdrawn,
    TokenIssued,
    TokenRevoked,
    // ---- the guard ----
    /// A request refused by the guard or a handler (401, 403).
    Refused,
    // ---- the audit trail itself and the deployment ----
    AuditRead,
    AuditExport,
    AuditVerify,
    KeysRotated,
    Import,
    Init,
}

impl AuditAction {
    pub const ALL: [AuditAction; 31] = [
        Self::SignIn,
        Self::SignInFailed,
        Self::SignInLocked,
        Self::SignOut,
        Self::PasswordChanged,
        Self::Read,
        Self::Search,
        Self::History,
        Self::Reveal,
        Self::Export,
        Self::Create,
        Self::Update,
        Self::Activate,
        Self::Depart,
        Self::AccountCreated,
        Self::AccountDisabled,
        Self::AccountEnabled,
        Self::RolesAssigned,
        Self::AccountUnlocked,
        Self::PasswordReset,
        Self::TotpEnrolled,
        Self::TotpWithdrawn,
        Self::TokenIssued,
        Self::TokenRevoked,
        Self::Refused,
        Self::AuditRead,
        Self::AuditExport,
        Self::AuditVerify,
        Self::KeysRotated,
        Self::Import,
        Self::Init,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignInLocked => "sign_in_locked",
            Self::SignOut => "sign_out",
            Self::PasswordChanged => "password_changed",
            Self::Read => "read",
            Self::Search => "search",
            Self::History => "history",
            Self::Reveal => "reveal",
            Self::Export => "export",
            Self::Create => "create",
            Self::Update => "update",
            Self::Activate => "activate",
            Self::Depart => "depart",
            Self::AccountCreated => "account_created",
            Self::AccountDisabled => "account_disabled",
            Self::AccountEnabled => "account_enabled",
            Self::RolesAssigned => "roles_assigned",
            Self::AccountUnlocked => "account_unlocked",
            Self::PasswordReset => "password_reset",
            Self::TotpEnrolled => "totp_enrolled",
            Self::TotpWithdrawn => "totp_withdrawn",
            Self::TokenIssued => "token_issued",
            Self::TokenRevoked => "token_revoked",
            Self::Refused => "refused",
            Self::AuditRead => "audit_read",
            Self::AuditExport => "audit_export",
            Self::AuditVerify => "audit_verify",
            Self::KeysRotated => "keys_rotated",
            Self::Import => "import",
            Self::Init => "init",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Success,
    /// Tried and failed: a wrong password, a refused change.
    Failure,
    /// Refused before it was tried: no permission, not signed in.
    Denied,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Self::Success, Self::Failure, Self::Denied];

    pub fn key(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.key() == key)
    }
}

/// What an entry is about: a record, or the review of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Record(RecordKind),
    /// The review workflow's state of a record (`house_review`, …).
    Review(RecordKind),
}

impl ObjectKind {
    /// The kind as the trail stores and filters it.
    pub fn code(self) -> String {
        match self {
            Self::Record(kind) => kind.code().to_owned(),
            Self::Review(kind) => format!("{}_review", kind.code()),
        }
    }
}

impl From<RecordKind> for ObjectKind {
    fn from(kind: RecordKind) -> Self {
        Self::Record(kind)
    }
}

/// The record an entry is about: its kind (`person`, `account`, …) and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditObject {
    pub kind: String,
    pub id: String,
}

impl AuditObject {
    pub fn new(kind: impl Into<ObjectKind>, id: impl ToString) -> Self {
        Self {
            kind: kind.into().code(),
            id: id.to_string(),
        }
    }
}

/// An event to record. Who did it is the [`Actor`] passed alongside.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub action: AuditAction,
    pub object: Option<AuditObject>,
    /// The unit whose jurisdiction the event belongs to (the record's);
    /// `None`: the actor's unit, or the deployment's root when the actor
    /// has none (a failed sign-in under an unknown name).
    pub unit: Option<UnitCode>,
    pub outcome: Outcome,
    /// What else there is to say: before and after of a change, the ids a
    /// search returned, the reason of a reveal. Never a password or a
    /// token; sealed values are masked on the way in
    /// ([`crate::mask::mask_sealed_fields`]).
    pub details: Value,
    /// The details are record snapshots already masked by their fields'
    /// types (`crate::snapshot`), not to be masked a second time.
    pub(crate) masked_by_type: bool,
}

impl AuditEvent {
    pub fn new(action: AuditAction, outcome: Outcome) -> Self {
        Self {
            action,
            object: None,
            unit: None,
            outcome,
            details: Value::Object(Default::default()),
            masked_by_type: false,
        }
    }

    pub fn object(mut self, kind: impl Into<ObjectKind>, id: impl ToString) -> Self {
        self.object = Some(AuditObject::new(kind, id));
        self
    }

    pub fn unit(mut self, unit: &UnitCode) -> Self {
        self.unit = Some(unit.clone());
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// One stored entry, read as it is in the database: every field as text
/// or number, so that a row someone tampered with can still be read (and
/// reported) rather than refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    /// Microseconds since the Unix epoch (UTC).
    pub at_us: i64,
    pub actor_name: String,
    pub actor_account: Option<i64>,
    pub actor_role: Option<String>,
    pub actor_unit: Option<String>,
    pub actor_token: Option<i64>,
    pub address: Option<String>,
    pub action: String,
    pub object_kind: Option<String>,
    pub object_id: Option<String>,
    /// The unit whose jurisdiction the entry belongs to.
    pub unit: Option<String>,
    pub outcome: String,
    /// JSON text.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    pub fn at(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.at_us) * 1000).ok()
    }

    /// The bytes the hash covers: every field but the sequence number and
    /// the hashes, as a JSON array (field order fixed; the details are the
    /// stored text, not re-serialised).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        json!([
            1,
            self.at_us,
            self.actor_name,
            self.actor_account,
            self.actor_role,
            self.actor_unit,
            self.actor_token,
            self.address,
            self.action,
            self.object_kind,
            self.object_id,
            self.unit,
            self.outcome,
            self.details,
        ])
        .to_string()
        .into_bytes()
    }

    /// Whether the stored hash is the one its predecessor hash and content
    /// give.
    pub fn is_intact(&self) -> bool {
        entry_hash(&self.prev_hash, &self.canonical_bytes()).as_deref() == Some(self.hash.as_str())
    }

    /// The entry as one JSON object (an export line).
    pub fn to_json(&self) -> Value {
        let at = self.at().and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
        json!({
            "seq": self.seq,
            "at": at,
            "at_us": self.at_us,
            "actor_name": self.actor_name,
            "actor_account": self.actor_account,
            "actor_role": self.actor_role,
            "actor_unit": self.actor_unit,
            "actor_token": self.actor_token,
            "address": self.address,
            "action": self.action,
            "object_kind": self.object_kind,
            "object_id": self.object_id,
            "unit": self.unit,
            "outcome": self.outcome,
            "details": self.details,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        })
    }

    /// Reads an export line back (for checking an archive).
    pub fn from_json(value: &Value) -> Option<Self> {
        let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
        let int = |k: &str| value.get(k).and_then(Value::as_i64);
        Some(Self {
            seq: int("seq")?,
            at_us: int("at_us")?,
            actor_name: text("actor_name")?,
            actor_account: int("actor_account"),
            actor_role: text("actor_role"),
            actor_unit: text("actor_unit"),
            actor_token: int("actor_token"),
            address: text("address"),
            action: text("action")?,
            object_kind: text("object_kind"),
            object_id: text("object_id"),
            unit: text("unit"),
            outcome: text("outcome")?,
            details: text("details")?,
            prev_hash: text("prev_hash")?,
            hash: text("hash")?,
        })
    }
}

/// Filters of the audit search, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// User name of the actor (exact).
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub object_kind: Option<String>,
    pub object_id: Option<String>,
    /// From this instant, inclusive.
    pub from: Option<OffsetDateTime>,
    /// Before this instant.
    pub to: Option<OffsetDateTime>,
    pub outcome: Option<Outcome>,
    pub page: PageRequest,
}

/// The audit trail's storage. Part of every [`Store`](crate::Store).
pub trait AuditLog {
    /// Appends an entry in a transaction of its own (sign-in, reads,
    /// refusals); changes record theirs inside their own transaction.
    fn append_audit(&self, actor: &Actor, event: &AuditEvent) -> Result<AuditEntry>;
    /// Entries of the scope's units (and those of the units below), newest
    /// first.
    fn search_audit(&self, scope: &Scope, query: &AuditQuery) -> Result<Page<AuditEntry>>;
    /// Up to `limit` entries of the scope matching `query` (its page is
    /// ignored) with sequence numbers above `after`, oldest first: an
    /// export, batch by batch.
    fn audit_entries(
        &self,
        scope: &Scope,
        query: &AuditQuery,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>>;
    /// Up to `limit` entries above `after`, oldest first, whatever their
    /// unit: the archive of the whole chain.
    fn audit_entries_unscoped(&self, after: i64, limit: u32) -> Result<Vec<AuditEntry>>;
    /// Walks the whole chain; `anchors` are points written down earlier.
    fn verify_audit_unscoped(&self, anchors: &[Anchor]) -> Result<AuditReport>;
}
