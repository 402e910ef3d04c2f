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
use sha2::{Digest, Sha256};
use sojourn_domain::account::AccountId;
use sojourn_domain::unit::{Scope, UnitCode};
use std::collections::{BTreeMap, HashMap, HashSet};
use time::OffsetDateTime;

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

/// The record an entry is about: its kind (`person`, `account`, …) and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditObject {
    pub kind: String,
    pub id: String,
}

impl AuditObject {
    pub fn new(kind: &str, id: impl ToString) -> Self {
        Self {
            kind: kind.to_owned(),
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

    pub fn object(mut self, kind: &str, id: impl ToString) -> Self {
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

/// SHA-256 over the predecessor's hash (32 bytes) and `canonical`, in
/// lower-case hex; `None` if `prev_hash` is not 64 hex digits.
pub fn entry_hash(prev_hash: &str, canonical: &[u8]) -> Option<String> {
    let prev = data_encoding::HEXLOWER_PERMISSIVE
        .decode(prev_hash.as_bytes())
        .ok()
        .filter(|b| b.len() == 32)?;
    let mut hasher = Sha256::new();
    hasher.update(&prev);
    hasher.update(canonical);
    Some(data_encoding::HEXLOWER.encode(&hasher.finalize()))
}

/// The entry an event becomes once its place in the chain is known.
pub(crate) fn seal(
    seq: i64,
    at: OffsetDateTime,
    actor: &Actor,
    event: &AuditEvent,
    unit: Option<String>,
    prev_hash: &str,
) -> AuditEntry {
    let mut entry = AuditEntry {
        seq,
        at_us: i64::try_from(at.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX),
        actor_name: actor.name.clone(),
        actor_account: actor.account.map(|AccountId(id)| id),
        actor_role: actor.role.map(|r| r.key().to_owned()),
        actor_unit: actor.unit.as_ref().map(|u| u.as_str().to_owned()),
        actor_token: actor.api_token.map(|t| t.0),
        address: actor.address.map(|a| a.to_string()),
        action: event.action.key().to_owned(),
        object_kind: event.object.as_ref().map(|o| o.kind.clone()),
        object_id: event.object.as_ref().map(|o| o.id.clone()),
        unit,
        outcome: event.outcome.key().to_owned(),
        details: event.details.to_string(),
        prev_hash: prev_hash.to_owned(),
        hash: String::new(),
    };
    entry.hash = entry_hash(prev_hash, &entry.canonical_bytes()).unwrap_or_default();
    entry
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

/// A point of the chain written down elsewhere: the entry with this
/// sequence number must still have this hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

impl Anchor {
    /// Reads `SEQ:HASH`.
    pub fn parse(text: &str) -> Option<Self> {
        let (seq, hash) = text.trim().split_once(':')?;
        let hash = hash.trim().to_ascii_lowercase();
        let is_hash = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        Some(Self {
            seq: seq.trim().parse().ok()?,
            hash: is_hash.then_some(hash)?,
        })
    }
}

/// Something wrong with the chain, naming the entries by sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The entry's content no longer gives its hash: it was changed.
    Edited { seq: i64 },
    /// Entries `from..=to` are missing.
    Deleted { from: i64, to: i64 },
    /// Entries `from..=to` were never part of the chain: no later entry
    /// commits to them.
    Inserted { from: i64, to: i64 },
    /// Entries `from..=to` are intact but out of place: they belong right
    /// after entry `belongs_after` (0: at the start).
    Reordered {
        from: i64,
        to: i64,
        belongs_after: i64,
    },
    /// The entry after `seq` does not commit to it, and no entry is
    /// missing from the numbering: entry `seq` was rewritten together with
    /// its hash, or entries after it were deleted and the rest renumbered.
    Broken { seq: i64 },
    /// The chain ends at `last`, but the head records `head`: entries
    /// after `last` were cut off.
    Truncated { last: i64, head: i64 },
    /// The anchor's entry has another hash now (or is gone).
    AnchorMismatch { seq: i64 },
}

impl Finding {
    /// One line for people, in English and Chinese.
    pub fn describe(&self) -> String {
        match self {
            Self::Edited { seq } => {
                format!("entry {seq} was edited / 第{seq}条记录被篡改")
            }
            Self::Deleted { from, to } if from == to => {
                format!("entry {from} was deleted / 第{from}条记录被删除")
            }
            Self::Deleted { from, to } => {
                format!("entries {from}–{to} were deleted / 第{from}至{to}条记录被删除")
            }
            Self::Inserted { from, to } if from == to => {
                format!("entry {from} was inserted / 第{from}条记录为插入的伪造记录")
            }
            Self::Inserted { from, to } => {
                format!("entries {from}–{to} were inserted / 第{from}至{to}条记录为插入的伪造记录")
            }
            Self::Reordered {
                from,
                to,
                belongs_after,
            } => {
                let what = if from == to {
                    format!("entry {from}")
                } else {
                    format!("entries {from}–{to}")
                };
                format!(
                    "{what} moved: belongs after entry {belongs_after} / 第{from}条起的记录顺序被调换，应在第{belongs_after}条之后"
                )
            }
            Self::Broken { seq } => format!(
                "the entry after {seq} does not follow it: entry {seq} was rewritten with a new hash, or entries after it were deleted and renumbered / 第{seq}条之后的链接断裂"
            ),
            Self::Truncated { last, head } => format!(
                "entries after {last} were cut off (the head records {head}) / 第{last}条之后的记录被截断（链头记录为第{head}条）"
            ),
            Self::AnchorMismatch { seq } => format!(
                "entry {seq} no longer has the hash written down for it / 第{seq}条记录与留存的校验值不符"
            ),
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditReport {
    /// Entries checked.
    pub entries: u64,
    /// The last entry checked: write it down as an anchor.
    pub last: Option<Anchor>,
    /// In order of sequence number; empty when the chain is intact.
    pub findings: Vec<Finding>,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.findings.is_empty()
    }
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

/// Checks a chain given as entries in order of sequence number (an
/// exported archive), against its first predecessor hash and `anchors`.
pub fn verify_entries(
    entries: impl IntoIterator<Item = AuditEntry>,
    anchors: &[Anchor],
) -> AuditReport {
    let mut verifier = Verifier::new(anchors, None);
    let mut all = Vec::new();
    for entry in entries {
        verifier.feed(&entry);
        all.push((entry.seq, entry.hash));
    }
    let wanted = verifier.unresolved();
    let found: HashMap<String, i64> = all
        .into_iter()
        .filter(|(_, hash)| wanted.contains(hash))
        .map(|(seq, hash)| (hash, seq))
        .collect();
    verifier.finish(&found)
}

/// A stretch of entries, consecutive by sequence number, each committing to
/// the one before it.
#[derive(Debug, Clone)]
struct Run {
    first: i64,
    last: i64,
    /// The hash the first entry commits to.
    head_prev: String,
    tail_hash: String,
    /// Whether the last entry's content still gives its hash.
    tail_intact: bool,
}

/// The chain check, fed entries in order of sequence number. Memory grows
/// with the number of breaks, not of entries, so a chain of any length is
/// checked in one pass (plus, only if something was tampered with, a
/// second pass to look up a few hashes).
pub(crate) struct Verifier {
    runs: Vec<Run>,
    findings: Vec<Finding>,
    anchors: BTreeMap<i64, String>,
    entries: u64,
    last: Option<Anchor>,
    /// What the head table records, and whether an entry has its hash.
    head: Option<(i64, String)>,
    head_seen: bool,
    /// The run holding the entry the head names.
    head_run: Option<usize>,
}

impl Verifier {
    /// `head`: the head table's sequence number and hash, read before the
    /// walk (entries appended during the walk come after it).
    pub(crate) fn new(anchors: &[Anchor], head: Option<(i64, String)>) -> Self {
        Self {
            runs: Vec::new(),
            findings: Vec::new(),
            anchors: anchors.iter().map(|a| (a.seq, a.hash.clone())).collect(),
            entries: 0,
            last: None,
            head,
            head_seen: false,
            head_run: None,
        }
    }

    pub(crate) fn feed(&mut self, entry: &AuditEntry) {
        self.entries += 1;
        let intact = entry.is_intact();
        let is_head = self
            .head
            .as_ref()
            .is_some_and(|(_, hash)| *hash == entry.hash);
        if !intact {
            self.findings.push(Finding::Edited { seq: entry.seq });
        }
        if let Some(hash) = self.anchors.remove(&entry.seq)
            && hash != entry.hash
        {
            self.findings
                .push(Finding::AnchorMismatch { seq: entry.seq });
        }
        self.last = Some(Anchor {
            seq: entry.seq,
            hash: entry.hash.clone(),
        });
        match self.runs.last_mut() {
            Some(run) if run.tail_hash == entry.prev_hash => {
                run.last = entry.seq;
                run.tail_hash = entry.hash.clone();
                run.tail_intact = intact;
            }
            _ => self.runs.push(Run {
                first: entry.seq,
                last: entry.seq,
                head_prev: entry.prev_hash.clone(),
                tail_hash: entry.hash.clone(),
                tail_intact: intact,
            }),
        }
        // A copy of the head entry further on does not move the head.
        if is_head && !self.head_seen {
            self.head_seen = true;
            self.head_run = self.runs.len().checked_sub(1);
        }
    }

    /// Predecessor hashes that are neither the start nor the end of a run:
    /// look them up among all entries and hand them to [`Self::finish`].
    pub(crate) fn unresolved(&self) -> HashSet<String> {
        let tails: HashSet<&str> = self.runs.iter().map(|r| r.tail_hash.as_str()).collect();
        self.runs
            .iter()
            .map(|r| r.head_prev.as_str())
            .filter(|h| *h != GENESIS_HASH && !tails.contains(h))
            .map(str::to_owned)
            .collect()
    }

    /// The findings. `found` maps the hashes [`Self::unresolved`] asked
    /// for to the entries having them.
    pub(crate) fn finish(mut self, found: &HashMap<String, i64>) -> AuditReport {
        let runs = std::mem::take(&mut self.runs);
        let tail_of: HashMap<&str, usize> = runs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.tail_hash.as_str(), i))
            .collect();
        // Which run each run's first entry commits to.
        #[derive(Clone, Copy, PartialEq)]
        enum Pred {
            Genesis,
            Run(usize),
            Missing,
            /// An inserted branch, already reported.
            Forged,
        }
        let mut pred: Vec<Pred> = runs
            .iter()
            .enumerate()
            .map(|(j, r)| {
                if r.head_prev == GENESIS_HASH {
                    Pred::Genesis
                } else {
                    match tail_of.get(r.head_prev.as_str()) {
                        Some(&i) if i != j => Pred::Run(i),
                        _ => Pred::Missing,
                    }
                }
            })
            .collect();
        let has_successor = |pred: &[Pred], i: usize| pred.contains(&Pred::Run(i));
        // A run committing to an entry inside another run: a fork. The
        // branch leading to the head (the entry the head table names, or
        // the last entry) is the genuine one; the other was inserted.
        let end = self.head_run.or(runs.len().checked_sub(1));
        let leads_to_end = |pred: &[Pred], start: usize| {
            let mut at = Some(start);
            for _ in 0..=runs.len() {
                match at {
                    Some(run) if Some(run) == end => return true,
                    Some(run) => at = pred.iter().position(|p| *p == Pred::Run(run)),
                    None => return false,
                }
            }
            false
        };
        for j in 0..runs.len() {
            if pred[j] != Pred::Missing {
                continue;
            }
            let Some(&at) = found.get(&runs[j].head_prev) else {
                continue;
            };
            let Some(i) = runs.iter().position(|r| r.first <= at && at < r.last) else {
                continue;
            };
            if leads_to_end(&pred, j) && !leads_to_end(&pred, i) {
                self.findings.push(Finding::Inserted {
                    from: at + 1,
                    to: runs[i].last,
                });
                pred[j] = Pred::Run(i);
            } else {
                self.findings.push(Finding::Inserted {
                    from: runs[j].first,
                    to: runs[j].last,
                });
                pred[j] = Pred::Forged;
            }
        }
        for j in 0..runs.len() {
            if pred[j] != Pred::Missing {
                continue;
            }
            let run = &runs[j];
            if j == 0 {
                if run.first > 1 {
                    self.findings.push(Finding::Deleted {
                        from: 1,
                        to: run.first - 1,
                    });
                } else {
                    self.findings.push(Finding::Broken { seq: 0 });
                }
                continue;
            }
            let before = &runs[j - 1];
            let skipped = j + 1 < runs.len() && pred[j + 1] == Pred::Run(j - 1);
            if skipped && !has_successor(&pred, j) {
                self.findings.push(Finding::Inserted {
                    from: run.first,
                    to: run.last,
                });
            } else if run.first > before.last + 1 {
                self.findings.push(Finding::Deleted {
                    from: before.last + 1,
                    to: run.first - 1,
                });
            } else if before.tail_intact {
                // An edited last entry whose hash was left alone is
                // already reported; one with a new hash breaks the link.
                self.findings.push(Finding::Broken { seq: before.last });
            }
        }
        let links: Vec<Option<usize>> = pred
            .iter()
            .map(|p| match p {
                Pred::Run(i) => Some(*i),
                _ => None,
            })
            .collect();
        let forged: Vec<bool> = pred.iter().map(|p| *p == Pred::Forged).collect();
        self.reordered(&runs, &links, &forged);
        // The entry the head names must still be there: if not, the end
        // was cut off (or rewritten).
        if let Some((head_seq, _)) = self.head.filter(|_| !self.head_seen) {
            let last = runs.last().map_or(0, |r| r.last);
            if last < head_seq {
                self.findings.push(Finding::Truncated {
                    last,
                    head: head_seq,
                });
            } else {
                self.findings.push(Finding::Broken { seq: head_seq });
            }
        }
        for seq in self.anchors.keys() {
            self.findings.push(Finding::AnchorMismatch { seq: *seq });
        }
        self.findings.sort_by_key(|f| match f {
            Finding::Edited { seq } | Finding::Broken { seq } | Finding::AnchorMismatch { seq } => {
                *seq
            }
            Finding::Deleted { from, .. }
            | Finding::Inserted { from, .. }
            | Finding::Reordered { from, .. } => *from,
            Finding::Truncated { last, .. } => *last + 1,
        });
        self.findings.dedup();
        AuditReport {
            entries: self.entries,
            last: self.last,
            findings: self.findings,
        }
    }

    /// Runs that are intact and linked, but not where the links put them:
    /// the fewest runs that, moved, restore the order (the complement of a
    /// longest increasing subsequence of the linked order).
    fn reordered(&mut self, runs: &[Run], pred: &[Option<usize>], forged: &[bool]) {
        if runs.len() < 2
            || pred
                .iter()
                .enumerate()
                .all(|(j, p)| p.is_none_or(|i| i + 1 == j))
        {
            return;
        }
        let mut successor: Vec<Option<usize>> = vec![None; runs.len()];
        for (j, p) in pred.iter().enumerate() {
            if let Some(i) = p {
                successor[*i].get_or_insert(j);
            }
        }
        // The linked order: each chain from a run nothing precedes, chains
        // in order of their first run.
        let mut order = Vec::with_capacity(runs.len());
        // Inserted runs are reported already and have no place.
        let mut placed = forged.to_vec();
        for start in 0..runs.len() {
            if pred[start].is_some() || placed[start] {
                continue;
            }
            let mut at = Some(start);
            while let Some(i) = at.filter(|i| !placed[*i]) {
                placed[i] = true;
                order.push(i);
                at = successor[i];
            }
        }
        // Cycles (possible only by forgery) are placed as they come.
        order.extend((0..runs.len()).filter(|i| !placed[*i]));
        let keep = longest_increasing(&order);
        for i in order {
            if keep.contains(&i) {
                continue;
            }
            if let Some(p) = pred[i] {
                self.findings.push(Finding::Reordered {
                    from: runs[i].first,
                    to: runs[i].last,
                    belongs_after: runs[p].last,
                });
            }
        }
    }
}

/// The values of a longest strictly increasing subsequence of `items`.
fn longest_increasing(items: &[usize]) -> HashSet<usize> {
    // Patience sorting with back links.
    let mut tails: Vec<usize> = Vec::new(); // index into items
    let mut back: Vec<Option<usize>> = vec![None; items.len()];
    for (k, value) in items.iter().enumerate() {
        let pos = tails.partition_point(|&t| items[t] < *value);
        back[k] = pos.checked_sub(1).map(|p| tails[p]);
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    let mut keep = HashSet::new();
    let mut at = tails.last().copied();
    while let Some(k) = at {
        keep.insert(items[k]);
        at = back[k];
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let event = AuditEvent::new(AuditAction::Read, Outcome::Success)
                    .object("person", seq)
                    .details(json!({ "n": seq }));
                let at = OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(seq);
                let entry = seal(seq, at, &Actor::new("clerk"), &event, None, &prev);
                prev = entry.hash.clone();
                entry
            })
            .collect()
    }

    fn findings(entries: Vec<AuditEntry>) -> Vec<Finding> {
        verify_entries(entries, &[]).findings
    }

    #[test]
    fn an_intact_chain_has_no_findings() {
        let report = verify_entries(chain(10), &[]);
        assert!(report.is_intact(), "{:?}", report.findings);
        assert_eq!(report.entries, 10);
        assert_eq!(report.last.map(|a| a.seq), Some(10));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut entries = chain(10);
        entries[3].outcome = "failure".into();
        assert_eq!(findings(entries), [Finding::Edited { seq: 4 }]);
    }

    #[test]
    fn an_edited_entry_with_a_new_hash_breaks_the_next_link() {
        let mut entries = chain(10);
        entries[3].actor_name = "someone".into();
        entries[3].hash =
            entry_hash(&entries[3].prev_hash, &entries[3].canonical_bytes()).expect("hash");
        assert_eq!(findings(entries), [Finding::Broken { seq: 4 }]);
    }

    #[test]
    fn deleted_entries_are_named() {
        let mut entries = chain(10);
        entries.drain(4..6);
        assert_eq!(findings(entries), [Finding::Deleted { from: 5, to: 6 }]);
        let mut entries = chain(10);
        entries.remove(0);
        assert_eq!(findings(entries), [Finding::Deleted { from: 1, to: 1 }]);
    }

    #[test]
    fn an_inserted_entry_is_named_whether_or_not_its_hash_was_forged_well() {
        // Forged properly onto entry 4, the rest renumbered.
        let mut entries = chain(10);
        let forged = seal(
            5,
            OffsetDateTime::UNIX_EPOCH,
            &Actor::new("mallory"),
            &AuditEvent::new(AuditAction::SignIn, Outcome::Success),
            None,
            &entries[3].hash,
        );
        entries.insert(4, forged.clone());
        for (i, e) in entries.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(findings(entries), [Finding::Inserted { from: 5, to: 5 }]);
        // With a made-up predecessor.
        let mut entries = chain(10);
        let mut forged = forged;
        forged.prev_hash = "ab".repeat(32);
        forged.seq = 5;
        entries.insert(4, forged);
        for (i, e) in entries.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        let found = findings(entries);
        assert!(
            found.contains(&Finding::Inserted { from: 5, to: 5 }),
            "{found:?}"
        );
    }

    #[test]
    fn a_copy_of_an_entry_appended_at_the_end_is_the_inserted_one() {
        let mut entries = chain(8);
        let mut copy = entries[5].clone();
        copy.seq = 100;
        entries.push(copy);
        let head = Some((8, entries[7].hash.clone()));
        let mut verifier = Verifier::new(&[], head);
        for e in &entries {
            verifier.feed(e);
        }
        let found: HashMap<String, i64> = [(entries[4].hash.clone(), 5)].into();
        assert_eq!(
            verifier.finish(&found).findings,
            [Finding::Inserted { from: 100, to: 100 }]
        );
    }

    #[test]
    fn swapped_entries_are_named_as_reordered() {
        let mut entries = chain(10);
        entries.swap(3, 4);
        entries[3].seq = 4;
        entries[4].seq = 5;
        let found = findings(entries);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            matches!(found[0], Finding::Reordered { from: 4 | 5, .. }),
            "{found:?}"
        );
    }

    #[test]
    fn a_cut_off_end_is_found_by_the_head_or_an_anchor() {
        let entries = chain(10);
        let anchor = Anchor {
            seq: 10,
            hash: entries[9].hash.clone(),
        };
        let head = Some((10, anchor.hash.clone()));
        let mut verifier = Verifier::new(std::slice::from_ref(&anchor), head);
        for e in &entries[..8] {
            verifier.feed(e);
        }
        let report = verifier.finish(&HashMap::new());
        assert_eq!(
            report.findings,
            [
                Finding::Truncated { last: 8, head: 10 },
                Finding::AnchorMismatch { seq: 10 }
            ]
        );
    }

    #[test]
    fn anchors_parse_from_seq_colon_hash() {
        let hash = "a".repeat(64);
        assert_eq!(
            Anchor::parse(&format!("12:{hash}")),
            Some(Anchor { seq: 12, hash })
        );
        assert_eq!(Anchor::parse("12:abc"), None);
    }
}
