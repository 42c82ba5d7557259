//! The open store, swappable at run time ("open another store"), and where it was found.

use roadie::jobs::CancelToken;
use roadie::{Error, Store};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::RwLock;

pub struct AppState {
    inner: RwLock<Opened>,
    /// Running imports by the UI's job id, so a cancel command can reach them.
    jobs: Jobs,
    /// Reaches running platform uploads (pause, cancel); one queue runner at a time.
    uploads: roadie::platform::QueueControl,
    /// Remembers the last store the user chose, for the next start.
    config_file: Option<PathBuf>,
    app: tauri::AppHandle,
}

enum Opened {
    Ready(Arc<Store>),
    /// The store could not be opened; the UI shows why and offers another.
    Failed { path: PathBuf, error: roadie::ErrorPayload },
}

impl AppState {
    pub async fn open(app: tauri::AppHandle, path: PathBuf, config_file: Option<PathBuf>) -> Self {
        let inner = match Store::open(&path).await {
            Ok(store) => {
                // Uploads running when the app last stopped come back paused (they resume).
                let _ = store.recover_upload_queue().await;
                Opened::Ready(Arc::new(store))
            }
            Err(err) => Opened::Failed { path, error: err.payload() },
        };
        Self { inner: RwLock::new(inner), jobs: Jobs::default(), uploads: Default::default(), config_file, app }
    }

    pub fn register_job(&self, id: &str, token: CancelToken) -> JobGuard {
        self.jobs.register(id, token)
    }

    pub fn cancel_job(&self, id: &str) -> bool {
        self.jobs.cancel(id)
    }

    pub fn uploads(&self) -> &roadie::platform::QueueControl {
        &self.uploads
    }

    /// Where the platform token is kept: the OS keychain when a secret service answers (on Linux
    /// over the D-Bus session bus), else the CLI's 0600 file beside the store.
    pub async fn secrets(&self) -> (Box<dyn roadie::platform::SecretStore>, roadie::platform::SecretStoreInfo) {
        let file = roadie::platform::FileSecrets::beside_store(&self.path().await);
        let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").ok();
        tokio::task::block_in_place(|| roadie::platform::detect_secret_store(bus.as_deref(), file))
    }

    pub fn app(&self) -> &tauri::AppHandle {
        &self.app
    }

    pub async fn store(&self) -> Result<Arc<Store>, roadie::ErrorPayload> {
        match &*self.inner.read().await {
            Opened::Ready(store) => Ok(store.clone()),
            Opened::Failed { error, .. } => Err(error.clone()),
        }
    }

    pub async fn path(&self) -> PathBuf {
        match &*self.inner.read().await {
            Opened::Ready(store) => store.path().to_path_buf(),
            Opened::Failed { path, .. } => path.clone(),
        }
    }

    pub async fn failure(&self) -> Option<roadie::ErrorPayload> {
        match &*self.inner.read().await {
            Opened::Ready(_) => None,
            Opened::Failed { error, .. } => Some(error.clone()),
        }
    }

    /// Switches to the store at `path`. On failure the current store stays open.
    pub async fn switch(&self, path: &Path) -> Result<(), Error> {
        let store = Store::open(path).await?;
        let _ = store.recover_upload_queue().await;
        *self.inner.write().await = Opened::Ready(Arc::new(store));
        if let Some(config) = &self.config_file {
            remember_store(config, path)?;
        }
        Ok(())
    }
}

/// Running jobs' cancel tokens by the UI's job id.
#[derive(Default, Clone)]
pub struct Jobs(Arc<Mutex<HashMap<String, CancelToken>>>);

impl Jobs {
    /// Registers a running job's cancel token under the UI's id until the guard drops.
    pub fn register(&self, id: &str, token: CancelToken) -> JobGuard {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(id.to_string(), token);
        JobGuard { jobs: self.0.clone(), id: id.to_string() }
    }

    /// Cancels the job with this id; `false` when none is running.
    pub fn cancel(&self, id: &str) -> bool {
        match self.0.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}

/// Removes a finished job from the registry.
pub struct JobGuard {
    jobs: Arc<Mutex<HashMap<String, CancelToken>>>,
    id: String,
}

impl Drop for JobGuard {
    fn drop(&mut self) {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.id);
    }
}

/// The store to open at start: `$ROADIE_DB` (given as `env_override`), else the last one the
/// user chose, else `roadie.sqlite` in the app-data dir.
pub fn initial_store_path(
    env_override: Option<std::ffi::OsString>,
    config_file: Option<&Path>,
    app_data_dir: Option<&Path>,
) -> Result<PathBuf, Error> {
    if let Some(env) = env_override.filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(env));
    }
    if let Some(remembered) = config_file.and_then(|f| std::fs::read_to_string(f).ok()) {
        let remembered = PathBuf::from(remembered.trim());
        if remembered.exists() {
            return Ok(remembered);
        }
    }
    match app_data_dir {
        Some(dir) => Ok(dir.join(roadie::store::STORE_FILE_NAME)),
        None => roadie::default_store_path(),
    }
}

fn remember_store(config_file: &Path, path: &Path) -> Result<(), Error> {
    if let Some(dir) = config_file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(config_file, path.display().to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancel_reaches_a_running_job_and_none_after_it_ends() {
        let jobs = Jobs::default();
        let token = CancelToken::new();
        let guard = jobs.register("import-1", token.clone());
        assert!(!jobs.cancel("import-2"));
        assert!(!token.is_cancelled());
        assert!(jobs.cancel("import-1"));
        assert!(token.is_cancelled());
        drop(guard);
        assert!(!jobs.cancel("import-1"), "a finished job is gone from the registry");
    }

    #[test]
    fn env_beats_the_remembered_store_which_beats_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config/last-store");
        let data = dir.path().join("data");
        let default = initial_store_path(None, Some(&config), Some(&data)).unwrap();
        assert_eq!(default, data.join("roadie.sqlite"));

        let chosen = dir.path().join("chosen.sqlite");
        std::fs::write(&chosen, b"").unwrap();
        remember_store(&config, &chosen).unwrap();
        assert_eq!(initial_store_path(None, Some(&config), Some(&data)).unwrap(), chosen);

        let env = dir.path().join("env.sqlite");
        assert_eq!(initial_store_path(Some(env.clone().into()), Some(&config), Some(&data)).unwrap(), env);
        // A remembered store that was since deleted falls back to the default.
        std::fs::remove_file(&chosen).unwrap();
        assert_eq!(initial_store_path(None, Some(&config), Some(&data)).unwrap(), default);
    }
}
