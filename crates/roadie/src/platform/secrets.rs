//! Where the platform token is kept. The desktop will put it in the OS keychain (`keyring`) and
//! fall back to this file where no secret service runs; the CLI uses the file: a JSON map in a
//! file only its owner can read (0600), written atomically.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>>;
    fn set(&self, key: &str, secret: &str) -> Result<()>;
    fn delete(&self, key: &str) -> Result<()>;
    /// Where the secrets are, for the user to see ("a file only you can read: PATH").
    fn location(&self) -> String;
}

/// Secrets in a 0600 JSON file.
pub struct FileSecrets {
    path: PathBuf,
}

impl FileSecrets {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file the CLI uses for a store: beside it, `<store>.secrets.json`.
    pub fn beside_store(store_path: &Path) -> Self {
        let mut name = store_path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".secrets.json");
        Self::new(store_path.with_file_name(name))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, reason: impl ToString) -> Error {
        Error::SecretStore { location: self.path.display().to_string(), reason: reason.to_string() }
    }

    fn read(&self) -> Result<BTreeMap<String, String>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| self.err(format!("not a secrets file: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(self.err(e)),
        }
    }

    fn write(&self, map: &BTreeMap<String, String>) -> Result<()> {
        if map.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(self.err(e)),
                _ => Ok(()),
            };
        }
        let tmp = self.path.with_extension("tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(|e| self.err(e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(|e| self.err(e))?;
        }
        f.write_all(&serde_json::to_vec_pretty(map).map_err(|e| self.err(e))?).map_err(|e| self.err(e))?;
        f.sync_all().map_err(|e| self.err(e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| self.err(e))
    }
}

impl SecretStore for FileSecrets {
    fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.read()?.get(key).cloned())
    }
    fn set(&self, key: &str, secret: &str) -> Result<()> {
        let mut map = self.read()?;
        map.insert(key.to_string(), secret.to_string());
        self.write(&map)
    }
    fn delete(&self, key: &str) -> Result<()> {
        let mut map = self.read()?;
        if map.remove(key).is_some() {
            self.write(&map)?;
        }
        Ok(())
    }
    fn location(&self) -> String {
        format!("a file only you can read: {}", self.path.display())
    }
}

/// Which kind of secret store holds the token, for the UI to say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SecretStoreKind {
    /// The OS keychain (Secret Service over D-Bus on Linux, Keychain on macOS, Credential
    /// Manager on Windows).
    Keyring,
    /// A file only the user can read (0600).
    File,
}

/// Where the token is kept and, for the file, why the keychain was not used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct SecretStoreInfo {
    pub kind: SecretStoreKind,
    /// The file's path, or the keychain's name.
    pub location: String,
    /// Why the keychain is not used (no D-Bus session, no secret service answering, ...).
    pub fallback_reason: Option<String>,
}

/// The service name the token is filed under in the OS keychain.
pub const KEYRING_SERVICE: &str = "roadie";

/// The OS keychain through `keyring` (only with the `os-keyring` feature).
#[cfg(feature = "os-keyring")]
pub struct KeyringSecrets {
    service: String,
}

#[cfg(feature = "os-keyring")]
impl KeyringSecrets {
    pub fn new(service: &str) -> Self {
        Self { service: service.to_string() }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, key).map_err(|e| self.err(e))
    }

    fn err(&self, e: impl ToString) -> Error {
        Error::SecretStore { location: self.location(), reason: e.to_string() }
    }

    /// Whether a keychain answers: reading an entry that does not exist must say "no entry".
    pub fn probe(&self) -> std::result::Result<(), String> {
        let entry = keyring::Entry::new(&self.service, "roadie-probe").map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

#[cfg(feature = "os-keyring")]
impl SecretStore for KeyringSecrets {
    fn get(&self, key: &str) -> Result<Option<String>> {
        match self.entry(key)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.err(e)),
        }
    }
    fn set(&self, key: &str, secret: &str) -> Result<()> {
        self.entry(key)?.set_password(secret).map_err(|e| self.err(e))
    }
    fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.err(e)),
        }
    }
    fn location(&self) -> String {
        "the system keychain".into()
    }
}

/// Picks where the desktop keeps its token: the OS keychain when one answers, else `fallback`
/// (a 0600 file). On Linux the keychain is the Secret Service over the D-Bus session bus:
/// `session_bus` is `$DBUS_SESSION_BUS_ADDRESS` (passed in, so tests need not touch the
/// environment); without it (headless, CI) the keychain is not even tried.
pub fn detect_secret_store(session_bus: Option<&str>, fallback: FileSecrets) -> (Box<dyn SecretStore>, SecretStoreInfo) {
    let file = |fallback: FileSecrets, reason: String| {
        let info = SecretStoreInfo {
            kind: SecretStoreKind::File,
            location: fallback.path().display().to_string(),
            fallback_reason: Some(reason),
        };
        (Box::new(fallback) as Box<dyn SecretStore>, info)
    };
    if cfg!(target_os = "linux") && session_bus.is_none_or(|b| b.trim().is_empty()) {
        return file(fallback, "no D-Bus session bus".into());
    }
    #[cfg(feature = "os-keyring")]
    {
        let keyring = KeyringSecrets::new(KEYRING_SERVICE);
        match keyring.probe() {
            Ok(()) => {
                let info = SecretStoreInfo { kind: SecretStoreKind::Keyring, location: keyring.location(), fallback_reason: None };
                (Box::new(keyring), info)
            }
            Err(reason) => file(fallback, format!("no secret service answered: {reason}")),
        }
    }
    #[cfg(not(feature = "os-keyring"))]
    {
        file(fallback, "built without keychain support".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_secrets_round_trip_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let s = FileSecrets::beside_store(&dir.path().join("store.sqlite"));
        assert_eq!(s.path(), dir.path().join("store.sqlite.secrets.json"));
        assert_eq!(s.get("a").unwrap(), None);
        s.set("a", "secret-1").unwrap();
        s.set("b", "secret-2").unwrap();
        assert_eq!(s.get("a").unwrap().as_deref(), Some("secret-1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(s.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
        s.delete("a").unwrap();
        assert_eq!(s.get("a").unwrap(), None);
        s.delete("b").unwrap();
        assert!(!s.path().exists(), "an empty secrets file is removed");
    }

    #[test]
    fn without_a_session_bus_the_token_goes_to_the_file_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        for bus in [None, Some(""), Some("  ")] {
            let (store, info) = detect_secret_store(bus, FileSecrets::new(dir.path().join("s.json")));
            if cfg!(target_os = "linux") {
                assert_eq!(info.kind, SecretStoreKind::File);
                assert_eq!(info.location, dir.path().join("s.json").display().to_string());
                assert_eq!(info.fallback_reason.as_deref(), Some("no D-Bus session bus"));
                store.set("k", "v").unwrap();
                assert_eq!(store.get("k").unwrap().as_deref(), Some("v"));
            }
        }
    }

    #[test]
    fn a_session_bus_without_a_secret_service_falls_back_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // A bus address nothing listens on: the keychain probe fails fast.
        let bus = format!("unix:path={}", dir.path().join("no-bus").display());
        let (_, info) = detect_secret_store(Some(&bus), FileSecrets::new(dir.path().join("s.json")));
        if cfg!(target_os = "linux") {
            assert_eq!(info.kind, SecretStoreKind::File);
            assert!(info.fallback_reason.is_some());
        }
    }
}
