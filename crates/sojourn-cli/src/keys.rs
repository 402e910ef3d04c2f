//! `sojourn keys rotate`: a new data key without downtime.
//!
//! 1. The key file gets a new key first, the old one kept after it as
//!    retiring. A running server reads the key file again when it changes
//!    (within `KEY_FILE_RECHECK`), so from then on it writes under the new
//!    key, reads under either, and looks up blind indexes under both.
//! 2. Every sealed value is re-encrypted under the new key in batches, one
//!    transaction each. Interrupted, the command is simply run again: the
//!    key file still holds two keys, so it resumes instead of adding a
//!    third, and values already under the new key are skipped.
//! 3. `--finish` re-encrypts whatever a server wrote under the old key
//!    before it noticed the new one, refuses if any value still uses it,
//!    records the old key retired and drops it from the key file.
//!
//! Keys never go to the database or the log: only their ids (digests).

use crate::error::{CliError, Result};
use sojourn_store::crypto::{
    DataKey, KEY_ENV, KEY_FILE_RECHECK, Keyring, load_keys, write_key_file,
};
use std::io::Write;
use std::path::Path;

fn out_err(e: std::io::Error) -> CliError {
    CliError::file("stdout", e)
}

/// The key file's ring; rotation works on the file, not on `SOJOURN_KEY`.
fn ring_in_file(path: &Path) -> Result<Keyring> {
    if std::env::var_os(KEY_ENV).is_some() {
        return Err(CliError::Rotation(format!(
            "{KEY_ENV} is set: rotation writes the key file, so unset {KEY_ENV} and give --key-file \
             (or rotate by hand: put the new key first in {KEY_ENV}, the old one after it)"
        )));
    }
    load_keys(path)
        .map_err(|e| CliError::Keys(e.to_string()))?
        .ok_or_else(|| CliError::NoKey {
            path: path.display().to_string(),
        })
}

fn reencrypt(store: &dyn sojourn_store::Store, batch: u32, out: &mut impl Write) -> Result<u64> {
    let mut failed = None;
    let total = store.reencrypt_unscoped(batch, &mut |table, rewritten| {
        if rewritten > 0
            && let Err(e) = writeln!(out, "  {table}: {rewritten} rows re-encrypted")
        {
            failed = Some(e);
            return false;
        }
        true
    })?;
    if let Some(e) = failed {
        return Err(out_err(e));
    }
    Ok(total)
}

/// Starts (or resumes) a rotation and re-encrypts every value.
pub fn rotate(db: &str, path: &Path, batch: u32, out: &mut impl Write) -> Result<()> {
    let ring = ring_in_file(path)?;
    let ring = if ring.keys().len() == 1 {
        let old = ring.current().clone();
        let ring = Keyring::new(DataKey::generate(), vec![old.clone()]);
        write_key_file(path, &ring).map_err(|e| CliError::file(&path.display().to_string(), e))?;
        writeln!(
            out,
            "new data key {} written to {}; key {} kept there as retiring / 已生成新密钥",
            ring.current().id(),
            path.display(),
            old.id()
        )
        .map_err(out_err)?;
        // Running servers notice the new key file within the recheck
        // interval; wait a few of them so none reads a value under a key it
        // does not hold yet.
        std::thread::sleep(KEY_FILE_RECHECK * 4);
        ring
    } else {
        writeln!(
            out,
            "resuming the rotation to key {} / 继续轮换密钥",
            ring.current().id()
        )
        .map_err(out_err)?;
        ring
    };
    let store = sojourn_store::open(db, ring)?;
    let total = reencrypt(&*store, batch, out)?;
    let stale = store.stale_values_unscoped()?;
    writeln!(
        out,
        "{total} rows re-encrypted; {stale} values left under the old key. Back up the key file \
         now, then run `sojourn keys rotate --finish` to drop the old key / 重新加密完成，\
         请备份密钥文件后运行 sojourn keys rotate --finish"
    )
    .map_err(out_err)?;
    Ok(())
}

/// Ends a rotation: the old key leaves the key file once nothing uses it.
pub fn finish(db: &str, path: &Path, batch: u32, out: &mut impl Write) -> Result<()> {
    let ring = ring_in_file(path)?;
    if ring.keys().len() == 1 {
        return Err(CliError::Rotation(format!(
            "the key file {} holds one key: no rotation is under way",
            path.display()
        )));
    }
    let store = sojourn_store::open(db, ring.clone())?;
    reencrypt(&*store, batch, out)?;
    let stale = store.stale_values_unscoped()?;
    if stale > 0 {
        return Err(CliError::Rotation(format!(
            "{stale} values are still under the old key (written while re-encrypting?):              run `sojourn keys rotate --finish` again"
        )));
    }
    let retired = store.retire_keys_unscoped()?;
    let current = Keyring::new(ring.current().clone(), Vec::new());
    write_key_file(path, &current).map_err(|e| CliError::file(&path.display().to_string(), e))?;
    writeln!(
        out,
        "rotation finished: key {} in use, retired {} / 密钥轮换完成",
        current.current().id(),
        if retired.is_empty() {
            "none".to_owned()
        } else {
            retired.join(", ")
        }
    )
    .map_err(out_err)?;
    Ok(())
}
