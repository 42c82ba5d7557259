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
}
