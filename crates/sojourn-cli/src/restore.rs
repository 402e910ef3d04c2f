//! `sojourn restore FROM --db NEW`: a backup made by `sojourn backup`
//! into a new store, proven before it is declared restored.
//!
//! The copy goes first to a hidden staging file beside NEW and is checked
//! there, in this order, each step refusing with its reason:
//!
//! 1. its SHA-256 and size are the manifest's (the file is the one made);
//! 2. SQLite's integrity and foreign-key checks find nothing;
//! 3. its counts, audit chain head, keys and migrations are the
//!    manifest's;
//! 4. the audit chain verifies, ending at the manifest's head;
//! 5. the key file holds every key the manifest names, and opens every
//!    sealed value;
//! 6. it opens as a store (migrations of a newer version applied, if the
//!    backup is older).
//!
//! Only then is the staging file renamed to NEW. On any refusal it is
//! deleted and NEW is left as it was. An existing NEW is replaced only
//! with `--force` (stop the server using it first).

use crate::backup::{Manifest, remove_database, sqlite_path};
use crate::db::{DbArg, default_key_file};
use crate::error::{CliError, Result};
use sojourn_store::Anchor;
use sojourn_store::crypto::{Keyring, load_keys};
use sojourn_store::operations::Inventory;
use sojourn_store::sqlite::backup as copies;
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a restore was refused. Nothing was restored.
#[derive(Debug, Error)]
pub enum Refusal {
    #[error("{0} already exists: give --force to replace it (stop the server using it first)")]
    TargetExists(String),
    #[error("there is no manifest {0} beside the backup: restore only what `sojourn backup` made")]
    NoManifest(String),
    #[error("{0} is not a manifest of `sojourn backup`")]
    BadManifest(String),
    #[error("the backup file is not the one its manifest describes (size or SHA-256 differ)")]
    Checksum,
    #[error("the backup file is damaged: {0}")]
    Integrity(String),
    #[error("{table}: {expected} rows in the manifest, {found} in the backup")]
    Count {
        table: String,
        expected: u64,
        found: u64,
    },
    #[error("the audit chain ends at {found}, the manifest says {expected}")]
    Head { expected: String, found: String },
    #[error("the backup's keys or migrations are not the manifest's")]
    Schema,
    #[error("the audit chain does not verify: {0}")]
    Chain(String),
    #[error("the key file {path} lacks key(s) {missing} that the backup needs")]
    KeysMissing { path: String, missing: String },
    #[error("{failed} sealed value(s) do not open with the key file (e.g. {examples})")]
    Sealed { failed: u64, examples: String },
    #[error("restoring into PostgreSQL is done with pg_restore: see docs/DEPLOYMENT.md")]
    Postgres,
}

impl Refusal {
    pub fn message_zh(&self) -> String {
        match self {
            Self::TargetExists(path) => {
                format!("{path} 已存在：如要替换请加 --force（先停止使用它的服务）")
            }
            Self::NoManifest(path) => {
                format!("备份旁没有清单文件 {path}：只能恢复 sojourn backup 生成的备份")
            }
            Self::BadManifest(path) => format!("{path} 不是 sojourn backup 生成的清单"),
            Self::Checksum => "备份文件与清单不符（大小或 SHA-256 不同）".into(),
            Self::Integrity(what) => format!("备份文件已损坏：{what}"),
            Self::Count {
                table,
                expected,
                found,
            } => format!("{table} 表：清单记载 {expected} 行，备份中为 {found} 行"),
            Self::Head { expected, found } => {
                format!("审计链末条为 {found}，清单记载为 {expected}")
            }
            Self::Schema => "备份的密钥或数据库版本与清单不符".into(),
            Self::Chain(what) => format!("审计链校验未通过：{what}"),
            Self::KeysMissing { path, missing } => {
                format!("密钥文件 {path} 缺少备份所需的密钥 {missing}")
            }
            Self::Sealed { failed, examples } => {
                format!("有 {failed} 个加密值无法用该密钥文件解开（如 {examples}）")
            }
            Self::Postgres => "恢复到 PostgreSQL 请用 pg_restore：见 docs/DEPLOYMENT.md".into(),
        }
    }
}

/// The backup file and its manifest, from either one's path.
fn locate(from: &Path) -> Result<(PathBuf, Manifest)> {
    let manifest_path = if from.extension().is_some_and(|e| e == "json") {
        from.to_owned()
    } else {
        Manifest::path_of(from)
    };
    let shown = manifest_path.display().to_string();
    let text = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Refusal::NoManifest(shown).into());
        }
        Err(e) => return Err(CliError::file(&shown, e)),
    };
    let manifest = serde_json::from_str(&text)
        .ok()
        .and_then(|value| Manifest::from_json(&value))
        .ok_or(Refusal::BadManifest(shown))?;
    let dir = manifest_path.parent().unwrap_or(Path::new("."));
    Ok((dir.join(&manifest.file), manifest))
}

/// The ring of the key file (or `SOJOURN_KEY`), refused unless it holds
/// every key the backup needs.
fn keys_for(db: &DbArg, manifest: &Manifest) -> Result<Keyring> {
    let path = db
        .key_file
        .clone()
        .unwrap_or_else(|| default_key_file(&db.db));
    let shown = path.display().to_string();
    let ring = load_keys(&path)
        .map_err(|e| CliError::Keys(e.to_string()))?
        .ok_or_else(|| CliError::NoKey {
            path: shown.clone(),
        })?;
    let missing: Vec<&str> = manifest
        .inventory
        .keys_in_use
        .iter()
        .filter(|id| ring.keys().iter().all(|k| k.id() != id.as_str()))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        Ok(ring)
    } else {
        Err(Refusal::KeysMissing {
            path: shown,
            missing: missing.join(", "),
        }
        .into())
    }
}

fn anchor_text(anchor: Option<&Anchor>) -> String {
    anchor.map_or_else(|| "(empty)".into(), |a| format!("{}:{}", a.seq, a.hash))
}

/// Step 3: what the copy holds is what the manifest says.
fn same_inventory(expected: &Inventory, found: &Inventory) -> std::result::Result<(), Refusal> {
    for (table, &n) in &expected.counts {
        let m = found.counts.get(table).copied().unwrap_or(0);
        if m != n {
            return Err(Refusal::Count {
                table: table.clone(),
                expected: n,
                found: m,
            });
        }
    }
    if found.audit_head != expected.audit_head {
        return Err(Refusal::Head {
            expected: anchor_text(expected.audit_head.as_ref()),
            found: anchor_text(found.audit_head.as_ref()),
        });
    }
    if found.keys_in_use != expected.keys_in_use || found.migrations != expected.migrations {
        return Err(Refusal::Schema);
    }
    Ok(())
}

fn say(out: &mut impl Write, line: &str) -> Result<()> {
    writeln!(out, "  {line}").map_err(|e| CliError::file("stdout", e))
}

/// Steps 1 to 6 on the staging copy.
fn check(staging: &Path, manifest: &Manifest, ring: &Keyring, out: &mut impl Write) -> Result<()> {
    let shown = staging.display().to_string();
    let size = std::fs::metadata(staging)
        .map_err(|e| CliError::file(&shown, e))?
        .len();
    let digest = copies::file_digest(staging).map_err(|e| CliError::file(&shown, e))?;
    if size != manifest.size || digest != manifest.sha256 {
        return Err(Refusal::Checksum.into());
    }
    say(
        out,
        "size and SHA-256 match the manifest / 大小与校验和一致",
    )?;
    let problems = copies::integrity_problems(staging)?;
    if !problems.is_empty() {
        return Err(Refusal::Integrity(
            problems.into_iter().take(5).collect::<Vec<_>>().join("; "),
        )
        .into());
    }
    say(out, "integrity check passed / 完整性检查通过")?;
    let store = copies::open_as_is(staging, ring.clone())?;
    let found = store.inventory_unscoped()?;
    same_inventory(&manifest.inventory, &found)?;
    let count = |t: &str| found.counts.get(t).copied().unwrap_or(0);
    say(
        out,
        &format!(
            "counts match the manifest ({} tables: {} persons, {} stays, {} audit entries) / 各表行数与清单一致",
            found.counts.len(),
            count("persons"),
            count("residences"),
            count("audit_log")
        ),
    )?;
    let anchors: Vec<Anchor> = manifest.inventory.audit_head.iter().cloned().collect();
    let report = store.verify_audit_unscoped(&anchors)?;
    if !report.is_intact() || report.last != found.audit_head {
        let findings: Vec<String> = report
            .findings
            .iter()
            .take(5)
            .map(|f| f.describe())
            .collect();
        return Err(Refusal::Chain(findings.join("; ")).into());
    }
    say(
        out,
        &format!(
            "audit chain intact: {} entries, ending at the manifest's head / 审计链完整，末条与清单一致",
            report.entries
        ),
    )?;
    let sealed = store.open_sealed_values_unscoped(1000)?;
    if !sealed.is_whole() {
        return Err(Refusal::Sealed {
            failed: sealed.failed,
            examples: sealed.examples.join(", "),
        }
        .into());
    }
    say(
        out,
        &format!(
            "the key file opens all {} sealed values / 密钥文件可解开全部 {} 个加密值",
            sealed.opened, sealed.opened
        ),
    )?;
    drop(store);
    copies::settle(staging)?;
    let path = staging
        .to_str()
        .ok_or_else(|| CliError::Internal("the staging path is not UTF-8".into()))?;
    drop(sojourn_store::open(path, ring.clone())?);
    copies::settle(staging)?;
    say(out, "it opens as a store / 可正常打开")?;
    Ok(())
}

/// `sojourn restore`.
pub(crate) fn run(from: &Path, db: &DbArg, force: bool, out: &mut impl Write) -> Result<()> {
    let target = sqlite_path(&db.db).ok_or(Refusal::Postgres)?;
    let (copy, manifest) = locate(from)?;
    if manifest.engine != "sqlite" {
        return Err(Refusal::Postgres.into());
    }
    let shown = target.display().to_string();
    if target.exists() && !force {
        return Err(Refusal::TargetExists(shown).into());
    }
    let ring = keys_for(db, &manifest)?;
    let name = target
        .file_name()
        .ok_or_else(|| CliError::file(&shown, std::io::ErrorKind::InvalidInput.into()))?;
    let mut staging_name = std::ffi::OsString::from(".");
    staging_name.push(name);
    staging_name.push(".restoring");
    let staging = target.with_file_name(staging_name);
    writeln!(
        out,
        "restoring {} (taken {}) into {shown} / 正在恢复备份",
        copy.display(),
        crate::backup::rfc3339(manifest.taken_at)
    )
    .map_err(|e| CliError::file("stdout", e))?;
    remove_database(&staging);
    let checked = std::fs::copy(&copy, &staging)
        .map_err(|e| CliError::file(&copy.display().to_string(), e))
        .and_then(|_| check(&staging, &manifest, &ring, out));
    if let Err(error) = checked {
        remove_database(&staging);
        return Err(error);
    }
    if force {
        remove_database(&target);
    }
    std::fs::rename(&staging, &target).map_err(|e| CliError::file(&shown, e))?;
    writeln!(out, "restored into {shown} / 恢复完成：{shown}")
        .map_err(|e| CliError::file("stdout", e))?;
    Ok(())
}
