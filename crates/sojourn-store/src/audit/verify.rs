//! Verifying the chain: one walk in order of sequence number that keeps
//! only the runs of linked entries, and names every entry edited, deleted,
//! inserted or moved, a cut end, and an anchor that no longer holds.

use super::*;
use std::collections::{BTreeMap, HashMap, HashSet};

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
                    .object(sojourn_domain::record::RecordKind::Person, seq)
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
