//! `sojourn backup --to DIR`: a consistent copy of the whole store while
//! the server keeps serving, named by the time it was taken, with a
//! manifest beside it; older copies pruned by a retention rule.
//!
//! The copy (`sojourn-20261207T021500Z.db`, UTC) is SQLite's `VACUUM
//! INTO`: the database as of one commit, compacted, one self-contained
//! file. It is written under a hidden `.partial` name and renamed only
//! once it is whole, so a copy under its final name is always complete.
//!
//! The manifest (`sojourn-20261207T021500Z.json`) records what the copy
//! holds, read from the copy itself (so it describes exactly that moment):
//! its size and SHA-256, the rows of every register, the audit chain's
//! head, the ids of the keys its values are sealed under, and the
//! migrations applied. Never a key: the key file is backed up apart, and a
//! stolen backup without it reveals no ID or phone number. `sojourn
//! restore` checks a restored copy against the manifest.
//!
//! Retention keeps the newest copy of each of the last `--keep-daily`
//! days, `--keep-weekly` ISO weeks and `--keep-monthly` months (UTC) that
//! have one, and always the newest; the rest are deleted. Only files this
//! command made (its name pattern, with a manifest) are ever deleted.

use crate::db::DbArg;
use crate::error::{CliError, Result};
use clap::Args;
use serde_json::json;
use sojourn_store::Anchor;
use sojourn_store::operations::Inventory;
use sojourn_store::sqlite::backup as copies;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// What a manifest says it is, so `restore` knows it reads one.
pub const FORMAT: &str = "sojourn-backup/1";

/// How a copy is named: `sojourn-<STAMP>.db`, its manifest `.json`.
const STAMP: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");

// The retention options. (A plain comment: clap would take a doc comment
// for help text.)
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct Retention {
    /// Keep the newest backup of each of this many last days.
    #[arg(long, value_name = "N", default_value_t = 7)]
    keep_daily: usize,
    /// Keep the newest backup of each of this many last weeks.
    #[arg(long, value_name = "N", default_value_t = 4)]
    keep_weekly: usize,
    /// Keep the newest backup of each of this many last months.
    #[arg(long, value_name = "N", default_value_t = 12)]
    keep_monthly: usize,
}

/// What a backup holds, as its manifest records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `sqlite` (a database file) or `postgres` (a `pg_dump` archive).
    pub engine: String,
    /// The copy's file name, in the manifest's folder.
    pub file: String,
    pub taken_at: OffsetDateTime,
    pub size: u64,
    pub sha256: String,
    pub inventory: Inventory,
}

impl Manifest {
    /// The manifest's path beside a copy.
    pub fn path_of(copy: &Path) -> PathBuf {
        copy.with_extension("json")
    }

    pub fn to_json(&self) -> serde_json::Value {
        let inventory = &self.inventory;
        json!({
            "format": FORMAT,
            "engine": self.engine,
            "file": self.file,
            "taken_at": rfc3339(self.taken_at),
            "size": self.size,
            "sha256": self.sha256,
            "counts": inventory.counts,
            "audit_head": inventory.audit_head.as_ref().map(|a| format!("{}:{}", a.seq, a.hash)),
            "keys": inventory.keys_in_use,
            "migrations": inventory.migrations,
            "sojourn_version": env!("CARGO_PKG_VERSION"),
        })
    }

    /// Reads a manifest; `None` if `value` is not one of this format.
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        let engine = value["engine"].as_str()?;
        if value["format"] != FORMAT || !["sqlite", "postgres"].contains(&engine) {
            return None;
        }
        let texts = |key: &str| -> Option<Vec<String>> {
            value[key]
                .as_array()?
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        let counts = value["counts"]
            .as_object()?
            .iter()
            .map(|(table, n)| Some((table.clone(), n.as_u64()?)))
            .collect::<Option<BTreeMap<_, _>>>()?;
        let audit_head = match &value["audit_head"] {
            serde_json::Value::Null => None,
            head => Some(Anchor::parse(head.as_str()?)?),
        };
        Some(Self {
            engine: engine.to_owned(),
            file: value["file"].as_str()?.to_owned(),
            taken_at: OffsetDateTime::parse(
                value["taken_at"].as_str()?,
                &time::format_description::well_known::Rfc3339,
            )
            .ok()?,
            size: value["size"].as_u64()?,
            sha256: value["sha256"].as_str()?.to_owned(),
            inventory: Inventory {
                counts,
                audit_head,
                keys_in_use: texts("keys")?,
                migrations: texts("migrations")?,
            },
        })
    }
}

pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

/// The SQLite file a `--db` names; `None` for a PostgreSQL URL.
pub(crate) fn sqlite_path(db: &str) -> Option<PathBuf> {
    (!is_postgres(db)).then(|| PathBuf::from(db.strip_prefix("sqlite://").unwrap_or(db)))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |e| CliError::file(&path.display().to_string(), e)
}

/// Removes a database file and whatever SQLite kept beside it.
pub(crate) fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// Copies `source` to `partial` and reads what the copy holds; leaves the
/// copy one settled file.
fn copy_and_count(source: &Path, partial: &Path) -> Result<Inventory> {
    copies::copy_into(source, partial)?;
    // The inventory reads no sealed value: any ring will do.
    let copy = copies::open_as_is(partial, sojourn_store::crypto::Keyring::generate())?;
    let inventory = copy.inventory_unscoped()?;
    drop(copy);
    copies::settle(partial)?;
    Ok(inventory)
}

/// A copy holds names and addresses in the clear (only the numbers are
/// sealed): readable by its owner only, whatever the umask.
fn owner_only(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io(path))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Whether `db` names a PostgreSQL database.
fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Makes one backup of `db` in `dir` at `taken_at` (to the second) and
/// returns its path and manifest.
pub fn make(db: &str, dir: &Path, taken_at: OffsetDateTime) -> Result<(PathBuf, Manifest)> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let stamp = taken_at
        .format(STAMP)
        .map_err(|e| CliError::Internal(e.to_string()))?;
    let (engine, extension) = if is_postgres(db) {
        ("postgres", "dump")
    } else {
        ("sqlite", "db")
    };
    let file = format!("sojourn-{stamp}.{extension}");
    let path = dir.join(&file);
    if path.exists() {
        return Err(CliError::BackupExists(path.display().to_string()));
    }
    let partial = dir.join(format!(".{file}.partial"));
    remove_database(&partial);
    let made = if is_postgres(db) {
        dump_and_count(db, &partial)
    } else {
        copy_and_count(
            Path::new(db.strip_prefix("sqlite://").unwrap_or(db)),
            &partial,
        )
    };
    let inventory = match made {
        Ok(inventory) => inventory,
        Err(error) => {
            remove_database(&partial);
            return Err(error);
        }
    };
    owner_only(&partial)?;
    let size = std::fs::metadata(&partial).map_err(io(&partial))?.len();
    let sha256 = copies::file_digest(&partial).map_err(io(&partial))?;
    std::fs::rename(&partial, &path).map_err(io(&path))?;
    let manifest = Manifest {
        engine: engine.to_owned(),
        file,
        taken_at,
        size,
        sha256,
        inventory,
    };
    let manifest_path = Manifest::path_of(&path);
    let text = serde_json::to_string_pretty(&manifest.to_json())
        .map_err(|e| CliError::Internal(e.to_string()))?;
    let partial_manifest = dir.join(format!(".{}.json.partial", manifest.file));
    std::fs::write(&partial_manifest, text + "\n").map_err(io(&partial_manifest))?;
    owner_only(&partial_manifest)?;
    std::fs::rename(&partial_manifest, &manifest_path).map_err(io(&manifest_path))?;
    Ok((path, manifest))
}

/// Dumps the PostgreSQL database at `url` to `partial` with `pg_dump`
/// (custom format), in the snapshot the inventory is counted in.
fn dump_and_count(url: &str, partial: &Path) -> Result<Inventory> {
    match std::process::Command::new("pg_dump")
        .arg("--version")
        .output()
    {
        Ok(output) if output.status.success() => {}
        _ => return Err(CliError::NoPgDump),
    }
    let inventory = sojourn_store::postgres::backup::inventory_of_dump(url, |snapshot| {
        let output = std::process::Command::new("pg_dump")
            .arg("--format=custom")
            .arg(format!("--snapshot={snapshot}"))
            .arg("--file")
            .arg(partial)
            .arg("--dbname")
            .arg(url)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "pg_dump failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    })?;
    Ok(inventory)
}

/// The backups this command made in `dir`: their time, copy and manifest.
fn backups_in(dir: &Path) -> Result<Vec<(OffsetDateTime, PathBuf, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stamp) = name
            .strip_prefix("sojourn-")
            .and_then(|n| n.strip_suffix(".db").or_else(|| n.strip_suffix(".dump")))
        else {
            continue;
        };
        let Ok(at) = time::PrimitiveDateTime::parse(stamp, STAMP) else {
            continue;
        };
        let manifest = Manifest::path_of(&path);
        if manifest.is_file() {
            found.push((at.assume_utc(), path, manifest));
        }
    }
    Ok(found)
}

/// The day, week or month a backup falls in, as (year, number in year).
type Bucket = fn(OffsetDateTime) -> (i32, u16);

impl Retention {
    /// Which of `times` to keep: the newest of each of the last days,
    /// weeks and months that have one, as many as the rule says, and
    /// always the newest of all.
    pub(crate) fn keeps(&self, times: &[OffsetDateTime]) -> BTreeSet<OffsetDateTime> {
        let mut newest_first = times.to_vec();
        newest_first.sort_unstable_by(|a, b| b.cmp(a));
        let mut kept: BTreeSet<OffsetDateTime> =
            newest_first.first().copied().into_iter().collect();
        let rules: [(usize, Bucket); 3] = [
            (self.keep_daily, |t| (t.year(), t.ordinal())),
            (self.keep_weekly, |t| {
                let (year, week, _) = t.to_iso_week_date();
                (year, u16::from(week))
            }),
            (self.keep_monthly, |t| {
                (t.year(), u16::from(u8::from(t.month())))
            }),
        ];
        for (count, bucket) in rules {
            let mut last = None;
            let mut taken = 0;
            for at in &newest_first {
                if taken == count {
                    break;
                }
                if last != Some(bucket(*at)) {
                    last = Some(bucket(*at));
                    kept.insert(*at);
                    taken += 1;
                }
            }
        }
        kept
    }
}

/// Deletes the backups in `dir` the rule does not keep; returns their
/// copies' paths.
fn prune(dir: &Path, retention: &Retention) -> Result<Vec<PathBuf>> {
    let backups = backups_in(dir)?;
    let times: Vec<OffsetDateTime> = backups.iter().map(|(at, _, _)| *at).collect();
    let kept = retention.keeps(&times);
    let mut removed = Vec::new();
    for (at, copy, manifest) in backups {
        if !kept.contains(&at) {
            std::fs::remove_file(&copy).map_err(io(&copy))?;
            std::fs::remove_file(&manifest).map_err(io(&manifest))?;
            removed.push(copy);
        }
    }
    Ok(removed)
}

fn out_err(e: std::io::Error) -> CliError {
    CliError::file("stdout", e)
}

/// `sojourn backup`: one backup now, then the old ones pruned.
pub(crate) fn run(
    db: &DbArg,
    dir: &Path,
    retention: &Retention,
    out: &mut impl Write,
) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let taken_at = now.replace_nanosecond(0).unwrap_or(now);
    let (path, manifest) = make(&db.db, dir, taken_at)?;
    let inventory = &manifest.inventory;
    let count = |table: &str| inventory.counts.get(table).copied().unwrap_or(0);
    writeln!(
        out,
        "backup written: {} ({} bytes; {} persons, {} stays, {} audit entries) / 备份完成",
        path.display(),
        manifest.size,
        count("persons"),
        count("residences"),
        count("audit_log"),
    )
    .map_err(out_err)?;
    if let Some(head) = &inventory.audit_head {
        writeln!(
            out,
            "audit chain head / 审计链末条：{}:{}",
            head.seq, head.hash
        )
        .map_err(out_err)?;
    }
    writeln!(
        out,
        "restoring it needs the key file holding key(s) {} — kept apart from this backup / \
         恢复时需要含上述密钥的密钥文件（请与备份分开保管）",
        inventory.keys_in_use.join(", ")
    )
    .map_err(out_err)?;
    for removed in prune(dir, retention)? {
        writeln!(
            out,
            "removed the old backup {} / 已删除过期备份",
            removed.display()
        )
        .map_err(out_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn rule(daily: usize, weekly: usize, monthly: usize) -> Retention {
        Retention {
            keep_daily: daily,
            keep_weekly: weekly,
            keep_monthly: monthly,
        }
    }

    #[test]
    fn retention_keeps_the_newest_of_each_recent_day_week_and_month() {
        let times = [
            datetime!(2026-12-07 02:00 UTC),
            datetime!(2026-12-06 14:00 UTC),
            datetime!(2026-12-06 02:00 UTC),
            datetime!(2026-12-05 02:00 UTC),
            datetime!(2026-11-30 02:00 UTC),
            datetime!(2026-11-20 02:00 UTC),
            datetime!(2026-10-15 02:00 UTC),
            datetime!(2026-09-15 02:00 UTC),
        ];
        let kept = rule(2, 2, 2).keeps(&times);
        let expected: BTreeSet<_> = [
            // two days, 7 and 6 December (the later of the 6th)
            datetime!(2026-12-07 02:00 UTC),
            datetime!(2026-12-06 14:00 UTC),
            // two weeks: 7 December is a Monday, so week 50 holds only it,
            // and week 49 (30 Nov – 6 Dec) the 6th's later copy
            // two months: December's newest and November's newest
            datetime!(2026-11-30 02:00 UTC),
        ]
        .into_iter()
        .collect();
        assert_eq!(kept, expected);
    }

    #[test]
    fn retention_always_keeps_the_newest_and_nothing_else_when_zero() {
        let times = [
            datetime!(2026-12-07 02:00 UTC),
            datetime!(2026-12-06 02:00 UTC),
        ];
        let kept = rule(0, 0, 0).keeps(&times);
        assert_eq!(
            kept.into_iter().collect::<Vec<_>>(),
            [datetime!(2026-12-07 02:00 UTC)]
        );
        assert!(rule(7, 4, 12).keeps(&[]).is_empty());
    }

    #[test]
    fn a_manifest_reads_back_what_it_wrote() {
        let manifest = Manifest {
            engine: "sqlite".into(),
            file: "sojourn-20261207T021500Z.db".into(),
            taken_at: datetime!(2026-12-07 02:15 UTC),
            size: 4096,
            sha256: "ab".repeat(32),
            inventory: Inventory {
                counts: [("persons".to_owned(), 3)].into_iter().collect(),
                audit_head: Some(Anchor {
                    seq: 9,
                    hash: "cd".repeat(32),
                }),
                keys_in_use: vec!["k1".into()],
                migrations: vec!["0001_registers".into()],
            },
        };
        assert_eq!(Manifest::from_json(&manifest.to_json()), Some(manifest));
        assert_eq!(Manifest::from_json(&json!({"format": "other"})), None);
    }
}
