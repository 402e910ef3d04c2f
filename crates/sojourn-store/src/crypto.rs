//! Encryption at rest of the most sensitive values (ID numbers, phone
//! numbers, second-factor secrets): AES-256-GCM under a key that lives in
//! a key file or the `SOJOURN_KEY` environment variable — never in the
//! database — and a keyed blind index (HMAC-SHA256, truncated to 128
//! bits) so that finding a person by ID number stays an index seek.
//!
//! From each master key two keys are derived (HMAC-SHA256 over a label):
//! one encrypts, one computes blind indexes; neither is the master key.
//! Every ciphertext names the key that made it (`v1:<key id>:<data>`), so a
//! [`Keyring`] holding the current key and the ones being retired decrypts
//! everything while `sojourn keys rotate` re-encrypts row by row. The
//! field's name is bound to each ciphertext as associated data: a phone
//! number's ciphertext copied into the ID column does not decrypt.
//!
//! A running store takes its ring from a [`KeySource`]: fixed when the key
//! came from `SOJOURN_KEY`, else the key file, read again when it changes,
//! so `sojourn keys rotate` reaches a running server without a restart.
//! Each transaction takes the ring once (`Tx::keys`), so a key never
//! changes midway. Which columns are sealed, and how they are masked, is
//! `sql::sealed`; rows are sealed where they are built and opened in
//! `sql::mapping`, so the rest of the register logic sees plain values. A
//! lookup by ID or phone number matches the blind index under every key of
//! the ring, so it keeps working during a rotation. `sql::rotation` checks
//! at open that the ring holds every key the data uses and re-encrypts.

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// What goes wrong with keys and ciphertexts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the key file or SOJOURN_KEY holds no usable key: {0}")]
    BadKey(String),
    #[error("a value was encrypted under key {0}, which the key file does not hold")]
    UnknownKey(String),
    #[error("a stored value does not decrypt: it was altered, or belongs to another field")]
    Corrupt,
    #[error(
        "the database is encrypted under key(s) {0}, which the key file (or SOJOURN_KEY) does not hold: \
         is this the key file made for this database?"
    )]
    WrongKey(String),
}

/// The length of a master key: 256 bits.
pub const KEY_BYTES: usize = 32;

/// Marks a line of a key file.
const KEY_LINE: &str = "sojourn-key-v1";

/// One master key and the keys derived from it.
#[derive(Clone)]
pub struct DataKey {
    id: String,
    master: [u8; KEY_BYTES],
    cipher: Aes256Gcm,
    index: [u8; 32],
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey({})", self.id)
    }
}

fn derive(master: &[u8], label: &str) -> [u8; 32] {
    let mut mac =
        <HmacSha256 as hmac::KeyInit>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl DataKey {
    pub fn from_bytes(master: [u8; KEY_BYTES]) -> Self {
        let id = data_encoding::HEXLOWER
            .encode(&Sha256::digest(derive(&master, "sojourn v1 key id")))[..8]
            .to_owned();
        let enc = derive(&master, "sojourn v1 encryption");
        let cipher = Aes256Gcm::new(&enc.into());
        Self {
            id,
            master,
            cipher,
            index: derive(&master, "sojourn v1 blind index"),
        }
    }

    /// A new random key (from the operating system's generator).
    pub fn generate() -> Self {
        let key = aes_gcm::Key::<Aes256Gcm>::generate();
        let mut master = [0; KEY_BYTES];
        master.copy_from_slice(&key);
        Self::from_bytes(master)
    }

    /// Reads a key given as base64 (standard or URL alphabet, padded or
    /// not).
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        let text = text.trim().trim_end_matches('=');
        let bytes = data_encoding::BASE64_NOPAD
            .decode(text.as_bytes())
            .or_else(|_| data_encoding::BASE64URL_NOPAD.decode(text.as_bytes()))
            .map_err(|_| CryptoError::BadKey("not base64".into()))?;
        let master: [u8; KEY_BYTES] = bytes
            .try_into()
            .map_err(|_| CryptoError::BadKey(format!("a key has {KEY_BYTES} bytes")))?;
        Ok(Self::from_bytes(master))
    }

    pub fn to_base64(&self) -> String {
        data_encoding::BASE64.encode(&self.master)
    }

    /// Eight hex digits naming the key (a digest, not part of it).
    pub fn id(&self) -> &str {
        &self.id
    }

    fn index_of(&self, field: &str, value: &str) -> String {
        index_from(self.field_mac(field), value)
    }

    /// The MAC with the key and the field's name taken in: each value's
    /// index continues from a copy of it.
    fn field_mac(&self, field: &str) -> HmacSha256 {
        let mut mac = <HmacSha256 as hmac::KeyInit>::new_from_slice(&self.index)
            .expect("HMAC takes any key length");
        mac.update(field.as_bytes());
        mac.update(&[0]);
        mac
    }
}

fn index_from(mut mac: HmacSha256, value: &str) -> String {
    mac.update(value.as_bytes());
    data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes()[..16])
}

/// The keys a deployment holds: the current one, which encrypts, and the
/// ones being retired, which still decrypt until rotation is done.
#[derive(Debug, Clone)]
pub struct Keyring {
    keys: Vec<DataKey>,
}

impl Keyring {
    pub fn new(current: DataKey, retiring: Vec<DataKey>) -> Self {
        let mut keys = vec![current];
        for key in retiring {
            if keys.iter().all(|k| k.id != key.id) {
                keys.push(key);
            }
        }
        Self { keys }
    }

    /// A ring of one new random key.
    pub fn generate() -> Self {
        Self::new(DataKey::generate(), Vec::new())
    }

    pub fn current(&self) -> &DataKey {
        &self.keys[0]
    }

    /// Every key, the current first.
    pub fn keys(&self) -> &[DataKey] {
        &self.keys
    }

    /// Reads a key file: one `sojourn-key-v1 <base64>` line per key, the
    /// current first; `#` starts a comment.
    pub fn parse_key_file(text: &str) -> Result<Self, CryptoError> {
        let mut keys = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let key = line
                .strip_prefix(KEY_LINE)
                .ok_or_else(|| CryptoError::BadKey(format!("a line must start with {KEY_LINE}")))?;
            keys.push(DataKey::from_base64(key)?);
        }
        let mut keys = keys.into_iter();
        let current = keys
            .next()
            .ok_or_else(|| CryptoError::BadKey("the file holds no key".into()))?;
        Ok(Self::new(current, keys.collect()))
    }

    /// Reads `SOJOURN_KEY`: base64 keys separated by commas, the current
    /// first.
    pub fn parse_env(text: &str) -> Result<Self, CryptoError> {
        let mut keys = text
            .split(',')
            .filter(|k| !k.trim().is_empty())
            .map(DataKey::from_base64);
        let current = keys
            .next()
            .ok_or_else(|| CryptoError::BadKey("SOJOURN_KEY is empty".into()))??;
        Ok(Self::new(current, keys.collect::<Result<_, _>>()?))
    }

    /// The key file's text.
    pub fn to_key_file(&self) -> String {
        let mut text = String::from(
            "# Sojourn data keys: the first encrypts, the others are being retired.\n\
             # Keep this file (mode 0600) and a copy off this machine: without it the\n\
             # ID and phone numbers in the database cannot be read.\n",
        );
        for key in &self.keys {
            text.push_str(&format!("{KEY_LINE} {}\n", key.to_base64()));
        }
        text
    }

    /// Encrypts `value` of `field` under the current key.
    pub fn encrypt(&self, field: &str, value: &str) -> String {
        let key = self.current();
        let nonce = Nonce::generate();
        let sealed = key
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: value.as_bytes(),
                    aad: field.as_bytes(),
                },
            )
            .expect("AES-GCM encrypts any message of this size");
        let mut data = nonce.to_vec();
        data.extend_from_slice(&sealed);
        format!(
            "v1:{}:{}",
            key.id,
            data_encoding::BASE64URL_NOPAD.encode(&data)
        )
    }

    /// Decrypts what [`Self::encrypt`] made for `field`.
    pub fn decrypt(&self, field: &str, stored: &str) -> Result<String, CryptoError> {
        let mut parts = stored.splitn(3, ':');
        let (Some("v1"), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CryptoError::Corrupt);
        };
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_owned()))?;
        let data = data_encoding::BASE64URL_NOPAD
            .decode(data.as_bytes())
            .map_err(|_| CryptoError::Corrupt)?;
        if data.len() < 12 {
            return Err(CryptoError::Corrupt);
        }
        let (nonce, sealed) = data.split_at(12);
        let nonce = Nonce::try_from(nonce).map_err(|_| CryptoError::Corrupt)?;
        let plain = key
            .cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: field.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Corrupt)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Corrupt)
    }

    /// The key a stored value was encrypted under, if it is a ciphertext.
    pub fn key_of(stored: &str) -> Option<&str> {
        let rest = stored.strip_prefix("v1:")?;
        rest.split(':').next()
    }

    /// Whether a stored value is encrypted under another key than the
    /// current one (rotation has yet to reach it).
    pub fn is_stale(&self, stored: &str) -> bool {
        Self::key_of(stored).is_some_and(|id| id != self.current().id)
    }

    /// The blind index of `value` under the current key: 32 hex digits,
    /// equal for equal values of the same field, telling nothing else.
    pub fn blind_index(&self, field: &str, value: &str) -> String {
        self.current().index_of(field, value)
    }

    /// The blind index under every key of the ring: what a lookup matches
    /// while rotation is under way.
    pub fn blind_indexes(&self, field: &str, value: &str) -> Vec<String> {
        self.keys.iter().map(|k| k.index_of(field, value)).collect()
    }

    /// [`Keyring::blind_indexes`] of many values of one field, the key and
    /// field taken in once per key rather than once per value (a lookup of
    /// the numbers one digit away from another asks for 160 at a time).
    pub fn blind_indexes_of<'v>(
        &self,
        field: &str,
        values: impl IntoIterator<Item = &'v str> + Clone,
    ) -> Vec<String> {
        let mut indexes = Vec::new();
        for key in &self.keys {
            let mac = key.field_mac(field);
            indexes.extend(
                values
                    .clone()
                    .into_iter()
                    .map(|v| index_from(mac.clone(), v)),
            );
        }
        indexes
    }
}

/// Where the keys come from, in order: `SOJOURN_KEY` if set, else the key
/// file.
pub const KEY_ENV: &str = "SOJOURN_KEY";

/// The key file's default name, beside the SQLite database.
pub const KEY_FILE: &str = "sojourn.key";

/// Reads the keyring from `SOJOURN_KEY`, or else from `path`; `None` when
/// neither exists.
pub fn load_keys(path: &std::path::Path) -> Result<Option<Keyring>, CryptoError> {
    if let Ok(env) = std::env::var(KEY_ENV) {
        return Keyring::parse_env(&env).map(Some);
    }
    match std::fs::read_to_string(path) {
        Ok(text) => Keyring::parse_key_file(&text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CryptoError::BadKey(format!("{}: {e}", path.display()))),
    }
}

/// Writes the key file readable by its owner only (mode 0600), replacing
/// any old one atomically (a new file renamed over it), so a crash never
/// leaves half a key file.
pub fn write_key_file(path: &std::path::Path, keys: &Keyring) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| KEY_FILE.to_owned());
    let temp = dir
        .map(|d| d.join(format!(".{name}.new")))
        .unwrap_or_else(|| std::path::PathBuf::from(format!(".{name}.new")));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temp)?;
    file.write_all(keys.to_key_file().as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temp, path)
}

/// The keyring at `path` (or in `SOJOURN_KEY`), creating a key file with a
/// new random key when there is none: what `init` and `demo` do.
pub fn load_or_create_keys(path: &std::path::Path) -> Result<(Keyring, bool), CryptoError> {
    if let Some(keys) = load_keys(path)? {
        return Ok((keys, false));
    }
    let keys = Keyring::generate();
    write_key_file(path, &keys)
        .map_err(|e| CryptoError::BadKey(format!("{}: {e}", path.display())))?;
    Ok((keys, true))
}

/// Where a running store takes its keys from: a ring fixed at start
/// (`SOJOURN_KEY`, tests), or a key file it reads again when the file
/// changes, so `sojourn keys rotate` can add a key to a running server
/// without a restart.
#[derive(Debug)]
pub struct KeySource {
    ring: std::sync::RwLock<std::sync::Arc<Keyring>>,
    file: Option<WatchedFile>,
}

#[derive(Debug)]
struct WatchedFile {
    path: std::path::PathBuf,
    /// When the file was last looked at, and its modification time then.
    seen: std::sync::Mutex<(std::time::Instant, Option<std::time::SystemTime>)>,
}

/// How often a watched key file is looked at (a `stat`, at most once per
/// this interval, on the way into a transaction).
pub const KEY_FILE_RECHECK: std::time::Duration = std::time::Duration::from_millis(500);

fn modified(path: &std::path::Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl KeySource {
    /// A ring that never changes.
    pub fn fixed(ring: Keyring) -> Self {
        Self {
            ring: std::sync::RwLock::new(std::sync::Arc::new(ring)),
            file: None,
        }
    }

    /// The ring read from `path` now, read again whenever the file's
    /// modification time changes. A file that has become unreadable keeps
    /// the ring last read (and says so in the log).
    pub fn watch(path: &std::path::Path, ring: Keyring) -> Self {
        Self {
            ring: std::sync::RwLock::new(std::sync::Arc::new(ring)),
            file: Some(WatchedFile {
                path: path.to_owned(),
                seen: std::sync::Mutex::new((std::time::Instant::now(), modified(path))),
            }),
        }
    }

    /// The ring to use for one transaction.
    pub fn current(&self) -> std::sync::Arc<Keyring> {
        if let Some(file) = &self.file {
            self.reload_if_changed(file);
        }
        match self.ring.read() {
            Ok(ring) => ring.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn reload_if_changed(&self, file: &WatchedFile) {
        let Ok(mut seen) = file.seen.try_lock() else {
            return; // another thread is looking right now
        };
        if seen.0.elapsed() < KEY_FILE_RECHECK {
            return;
        }
        let now_modified = modified(&file.path);
        seen.0 = std::time::Instant::now();
        if now_modified == seen.1 {
            return;
        }
        let read = std::fs::read_to_string(&file.path)
            .map_err(|e| CryptoError::BadKey(e.to_string()))
            .and_then(|text| Keyring::parse_key_file(&text));
        match read {
            Ok(ring) => {
                tracing::info!(
                    current = ring.current().id(),
                    keys = ring.keys().len(),
                    "key file changed: keys reloaded"
                );
                seen.1 = now_modified;
                if let Ok(mut slot) = self.ring.write() {
                    *slot = std::sync::Arc::new(ring);
                }
            }
            Err(error) => {
                tracing::warn!(%error, "key file changed but does not read: keeping the keys in use");
            }
        }
    }
}

impl From<Keyring> for KeySource {
    fn from(ring: Keyring) -> Self {
        Self::fixed(ring)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_decrypts_to_itself_and_a_ciphertext_differs_each_time() {
        let ring = Keyring::generate();
        let a = ring.encrypt("id_number", "11010519491231002X");
        let b = ring.encrypt("id_number", "11010519491231002X");
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains("19491231"));
        assert!(a.starts_with(&format!("v1:{}:", ring.current().id())));
        assert_eq!(
            ring.decrypt("id_number", &a),
            Ok("11010519491231002X".into())
        );
    }

    #[test]
    fn a_ciphertext_does_not_decrypt_as_another_field_or_when_altered() {
        let ring = Keyring::generate();
        let phone = ring.encrypt("phone", "13800138000");
        assert_eq!(ring.decrypt("id_number", &phone), Err(CryptoError::Corrupt));
        let mut altered = phone.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).expect("ascii");
        assert_eq!(ring.decrypt("phone", &altered), Err(CryptoError::Corrupt));
        assert_eq!(
            ring.decrypt("phone", "13800138000"),
            Err(CryptoError::Corrupt)
        );
    }

    #[test]
    fn another_key_cannot_decrypt_and_a_retiring_key_still_does() {
        let old = Keyring::generate();
        let stored = old.encrypt("phone", "13800138000");
        let other = Keyring::generate();
        assert!(matches!(
            other.decrypt("phone", &stored),
            Err(CryptoError::UnknownKey(_))
        ));
        let rotating = Keyring::new(DataKey::generate(), vec![old.current().clone()]);
        assert_eq!(rotating.decrypt("phone", &stored), Ok("13800138000".into()));
        assert!(rotating.is_stale(&stored));
        assert!(!rotating.is_stale(&rotating.encrypt("phone", "1")));
    }

    #[test]
    fn the_blind_index_is_stable_per_key_and_field_and_differs_otherwise() {
        let ring = Keyring::generate();
        let a = ring.blind_index("id_number", "11010519491231002X");
        assert_eq!(a, ring.blind_index("id_number", "11010519491231002X"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, ring.blind_index("phone", "11010519491231002X"));
        assert_ne!(a, ring.blind_index("id_number", "11010519491231003X"));
        assert_ne!(
            a,
            Keyring::generate().blind_index("id_number", "11010519491231002X")
        );
        let rotating = Keyring::new(DataKey::generate(), vec![ring.current().clone()]);
        assert!(
            rotating
                .blind_indexes("id_number", "11010519491231002X")
                .contains(&a)
        );
        let values = ["11010519491231002X", "110105194912310035"];
        let many = rotating.blind_indexes_of("id_number", values);
        let one_by_one: Vec<String> = rotating
            .keys()
            .iter()
            .flat_map(|key| {
                let ring = Keyring::new(key.clone(), Vec::new());
                values.map(|v| ring.blind_index("id_number", v))
            })
            .collect();
        assert_eq!(many, one_by_one);
        assert!(many.contains(&a));
    }

    #[test]
    fn key_files_and_the_environment_round_trip() {
        let ring = Keyring::new(DataKey::generate(), vec![DataKey::generate()]);
        let file = ring.to_key_file();
        let read = Keyring::parse_key_file(&file).expect("parses");
        assert_eq!(read.keys().len(), 2);
        assert_eq!(read.current().id(), ring.current().id());
        let env = format!(
            "{},{}",
            ring.keys()[0].to_base64(),
            ring.keys()[1].to_base64()
        );
        let read = Keyring::parse_env(&env).expect("parses");
        assert_eq!(read.keys()[1].id(), ring.keys()[1].id());
        assert!(Keyring::parse_key_file("# nothing\n").is_err());
        assert!(Keyring::parse_env("c2hvcnQ=").is_err());
        assert!(
            !file.contains(ring.current().id()),
            "the id is no part of the key"
        );
    }

    #[test]
    fn a_watched_key_file_is_read_again_when_it_changes_and_kept_when_it_breaks() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("sojourn.key");
        let first = Keyring::generate();
        write_key_file(&path, &first).expect("written");
        let source = KeySource::watch(&path, first.clone());
        assert_eq!(source.current().current().id(), first.current().id());
        let rotated = Keyring::new(DataKey::generate(), vec![first.current().clone()]);
        // Far enough apart for any file system's modification times.
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_key_file(&path, &rotated).expect("rewritten");
        std::thread::sleep(KEY_FILE_RECHECK + std::time::Duration::from_millis(50));
        let now = source.current();
        assert_eq!(now.current().id(), rotated.current().id());
        assert_eq!(now.keys().len(), 2);
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&path, "not a key file").expect("broken");
        std::thread::sleep(KEY_FILE_RECHECK + std::time::Duration::from_millis(50));
        assert_eq!(source.current().current().id(), rotated.current().id());
        let fixed = KeySource::fixed(first.clone());
        assert_eq!(fixed.current().current().id(), first.current().id());
    }

    #[cfg(unix)]
    #[test]
    fn a_new_key_file_is_readable_by_its_owner_only_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("sojourn.key");
        if std::env::var(KEY_ENV).is_ok() {
            return;
        }
        let (made, created) = load_or_create_keys(&path).expect("created");
        assert!(created);
        let mode = std::fs::metadata(&path).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let (read, created) = load_or_create_keys(&path).expect("read");
        assert!(!created);
        assert_eq!(read.current().id(), made.current().id());
    }
}
