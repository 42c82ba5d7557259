//! The local store: one SQLite file, opened with WAL, foreign keys and a busy timeout, migrated at
//! open, and refused (untouched) when a newer Roadie wrote it.

use crate::clock::{Clock, IdGenerator, SystemClock, UuidV7};
use crate::error::{Error, Result};
use crate::hlc::HlcGenerator;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, Transaction};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// Environment variable that points the app and the CLI at another store file.
pub const STORE_ENV: &str = "ROADIE_DB";
/// Matches the Tauri app identifier, so the CLI and the desktop app share one default store.
pub const APP_IDENTIFIER: &str = "app.roadie.desktop";
pub const STORE_FILE_NAME: &str = "roadie.sqlite";

/// Where the store lives when nothing says otherwise: `$ROADIE_DB`, else the OS app-data dir.
pub fn default_store_path() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(STORE_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let base = dirs::data_dir().ok_or_else(|| Error::StoreUnavailable {
        path: "(app data dir)".into(),
        reason: "the OS gave no application data directory; pass --db FILE or set ROADIE_DB".into(),
    })?;
    Ok(base.join(APP_IDENTIFIER).join(STORE_FILE_NAME))
}

/// The newest schema version this build knows.
pub fn supported_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

pub struct Store {
    pub(crate) pool: SqlitePool,
    path: PathBuf,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn IdGenerator>,
    pub(crate) hlc: HlcGenerator,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the store at `path` with the system clock and UUIDv7 ids.
    pub async fn open(path: impl AsRef<Path>) -> Result<Store> {
        Self::open_with(path, Arc::new(SystemClock), Arc::new(UuidV7)).await
    }

    pub async fn open_with(path: impl AsRef<Path>, clock: Arc<dyn Clock>, ids: Arc<dyn IdGenerator>) -> Result<Store> {
        configure_sqlite();
        let path = path.as_ref().to_path_buf();
        let unavailable = |reason: String| Error::StoreUnavailable { path: path.display().to_string(), reason };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| unavailable(format!("cannot create {}: {e}", parent.display())))?;
        }
        if path.exists() {
            inspect_existing(&path).await?;
        }
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            // A new store's pages are 16 KiB (SQLite's default is 4): a 100,000-contact fan import
            // writes and sorts fewer, fuller pages (an eighth less time in SQLite alone,
            // bench/fans_layout.sh), and reads scan fewer. A store made before keeps its size
            // (WAL mode fixes it).
            .page_size(16384)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Reads map the file instead of copying every page they miss into SQLite's cache (a
            // Fans segment count over 100,000 contacts reads thousands of index pages).
            .pragma("mmap_size", "268435456");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        MIGRATOR.run(&pool).await?;
        crate::sync::install(&pool).await?;

        let node = match sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key = 'node_id'")
            .fetch_optional(&pool)
            .await?
        {
            Some(node) => node,
            None => {
                let node = ids.new_id().simple().to_string()[..12].to_string();
                sqlx::query("INSERT INTO settings (key, value) VALUES ('node_id', ?)").bind(&node).execute(&pool).await?;
                node
            }
        };
        let hlc = HlcGenerator::new(node);
        // Never stamp below what this store already holds, whatever the wall clock says now.
        for table in ["workspaces", "artists", "releases", "tracks", "isrc_counters"] {
            let max: Option<String> =
                sqlx::query_scalar(&format!("SELECT MAX(hlc) FROM {table}")).fetch_one(&pool).await?;
            if let Some(max) = max {
                hlc.observe(&max);
            }
        }
        // Clocks seen from other stores through sync.
        let max: Option<String> = sqlx::query_scalar("SELECT MAX(hlc) FROM sync_clocks").fetch_one(&pool).await?;
        if let Some(max) = max {
            hlc.observe(&max);
        }
        // Rows bulk writes made (no clock entry of their own: sync::bulk).
        let max: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'sync.bulk_hlc'").fetch_optional(&pool).await?;
        if let Some(max) = max {
            hlc.observe(&max);
        }
        Ok(Store { pool, path, clock, ids, hlc })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checkpoints the WAL into the main file, then closes: the file alone is then the whole
    /// store (safe to copy), and nothing writes to it after this returns.
    pub async fn close(self) {
        // Best effort: a failed checkpoint leaves the WAL, which SQLite replays on the next open.
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await;
        self.pool.close().await;
    }

    /// Copies the WAL into the store file on a background task, after a write big enough that
    /// copying it at its commit would hold up whoever waits for the write (readers see the rows
    /// already; a passive checkpoint blocks no reader or writer). A failed or unfinished one loses
    /// nothing: the next automatic checkpoint, or [`Store::close`], copies the same frames.
    pub(crate) fn checkpoint_in_background(&self) {
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await;
        });
    }

    pub async fn schema_version(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = 1")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Starts a write: `BEGIN IMMEDIATE` takes the write lock up front, so two writers queue on
    /// the busy timeout instead of failing mid-transaction with SQLITE_BUSY.
    pub(crate) async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// A fresh HLC stamp for a write happening now.
    pub(crate) fn stamp(&self) -> String {
        self.hlc.stamp(self.clock.now().timestamp_millis())
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = ?").bind(key).fetch_optional(&self.pool).await?)
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let mut tx = self.write().await?;
        put_setting(&mut tx, key, value).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Sets a setting inside a transaction the caller holds.
pub(crate) async fn put_setting(conn: &mut sqlx::SqliteConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// SQLite is configured once, before the first connection (only possible before it initialises;
/// a later call returns SQLITE_MISUSE, ignored):
/// - its memory statistics take a global mutex on every allocation; Roadie never reads them, and
///   bulk statement imports spent a tenth of their time there;
/// - it allocates through mimalloc, as the rest of the process does (glibc's malloc, shared with
///   other threads, was several per cent of a large sync's SQLite work).
fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: configuration calls with the argument types documented for
        // SQLITE_CONFIG_MEMSTATUS (an int) and SQLITE_CONFIG_MALLOC (a pointer to methods SQLite
        // copies); both before SQLite initialises or not at all.
        unsafe {
            libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int);
            let methods = sqlite_alloc::methods(); // SQLite copies it
            libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MALLOC, &methods as *const _);
        }
    });
}

/// SQLite's allocator interface over mimalloc (sizes SQLite asks for are non-negative ints).
mod sqlite_alloc {
    use libmimalloc_sys as mi;
    use libsqlite3_sys::sqlite3_mem_methods;
    use std::ffi::{c_int, c_void};

    unsafe extern "C" fn malloc(n: c_int) -> *mut c_void {
        unsafe { mi::mi_malloc(n.max(0) as usize) }
    }
    unsafe extern "C" fn free(p: *mut c_void) {
        unsafe { mi::mi_free(p) }
    }
    unsafe extern "C" fn realloc(p: *mut c_void, n: c_int) -> *mut c_void {
        unsafe { mi::mi_realloc(p, n.max(0) as usize) }
    }
    unsafe extern "C" fn size(p: *mut c_void) -> c_int {
        unsafe { mi::mi_usable_size(p).min(c_int::MAX as usize) as c_int }
    }
    unsafe extern "C" fn roundup(n: c_int) -> c_int {
        unsafe { mi::mi_good_size(n.max(0) as usize).min(c_int::MAX as usize) as c_int }
    }
    unsafe extern "C" fn init(_: *mut c_void) -> c_int {
        0
    }
    unsafe extern "C" fn shutdown(_: *mut c_void) {}

    pub(super) fn methods() -> sqlite3_mem_methods {
        sqlite3_mem_methods {
            xMalloc: Some(malloc),
            xFree: Some(free),
            xRealloc: Some(realloc),
            xSize: Some(size),
            xRoundup: Some(roundup),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            pAppData: std::ptr::null_mut(),
        }
    }
}

/// Connection settings changed for one job and put back after it ([`Pragmas::put_back`]), in the
/// opposite order; an integer pragma each.
pub(crate) struct Pragmas(Vec<(&'static str, i64)>);

impl Pragmas {
    /// Sets each pragma to its value, keeping what it was. On an error, what was set before it is
    /// still in the returned `Pragmas`, to be put back.
    pub(crate) async fn set(conn: &mut sqlx::SqliteConnection, wanted: &[(&'static str, i64)]) -> (Pragmas, Result<()>) {
        let mut saved = Pragmas(Vec::with_capacity(wanted.len()));
        for &(name, value) in wanted {
            let was = match sqlx::query_scalar::<_, i64>(&format!("PRAGMA {name}")).fetch_one(&mut *conn).await {
                Ok(was) => was,
                Err(e) => return (saved, Err(e.into())),
            };
            if let Err(e) = sqlx::query(&format!("PRAGMA {name} = {value}")).execute(&mut *conn).await {
                return (saved, Err(e.into()));
            }
            saved.0.push((name, was));
        }
        (saved, Ok(()))
    }

    /// Puts every pragma back (all of them tried, the first error returned).
    pub(crate) async fn put_back(self, conn: &mut sqlx::SqliteConnection) -> Result<()> {
        let mut outcome = Ok(());
        for (name, was) in self.0.into_iter().rev() {
            let put = sqlx::query(&format!("PRAGMA {name} = {was}")).execute(&mut *conn).await;
            outcome = outcome.and(put.map(|_| ()).map_err(Error::from));
        }
        outcome
    }
}

/// Looks at an existing file read-only before anything writes to it: a store from a newer Roadie,
/// or a database that is not a Roadie store at all, is refused and left exactly as it was.
async fn inspect_existing(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    if std::fs::metadata(path)?.len() == 0 {
        return Ok(()); // an empty file: SQLite treats it as a new database
    }
    let options = SqliteConnectOptions::new().filename(path).read_only(true).create_if_missing(false);
    let not_a_store = |reason: String| Error::NotAStore { path: shown.clone(), reason };
    let mut conn = sqlx::ConnectOptions::connect(&options).await.map_err(|e| not_a_store(e.to_string()))?;
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| not_a_store(e.to_string()))?;
    if tables.is_empty() {
        return Ok(());
    }
    if !tables.iter().any(|t| t == "_sqlx_migrations") {
        return Err(not_a_store(format!("it is a SQLite database with other tables ({})", tables.join(", "))));
    }
    let found: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await?;
    let supported = supported_schema_version();
    if found > supported {
        return Err(Error::StoreTooNew { path: shown, found, supported });
    }
    sqlx::Connection::close(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opens_creates_and_migrates_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/store.sqlite");
        let store = Store::open(&path).await.unwrap();
        assert!(path.exists());
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&store.pool).await.unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&store.pool).await.unwrap();
        assert_eq!(fk, 1);
        assert_eq!(store.schema_version().await.unwrap(), supported_schema_version());
        store.close().await;
        // Opening again applies nothing new and keeps the node id.
        let again = Store::open(&path).await.unwrap();
        assert_eq!(again.schema_version().await.unwrap(), supported_schema_version());
    }

    #[tokio::test]
    async fn refuses_a_store_written_by_a_newer_schema_and_leaves_it_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let store = Store::open(&path).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99990101000000, 'from the future', 1, x'00', 0)",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        store.close().await;
        let before = std::fs::read(&path).unwrap();

        let err = Store::open(&path).await.unwrap_err();
        assert_eq!(err.code(), "store_too_new");
        assert!(err.to_string().contains("newer Roadie"), "{err}");
        assert!(err.to_string().contains("99990101000000"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "the newer store must not be modified");
    }

    #[tokio::test]
    async fn refuses_files_that_are_not_roadie_stores() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.sqlite");
        std::fs::write(&text, "these are not the droids").unwrap();
        assert_eq!(Store::open(&text).await.unwrap_err().code(), "not_a_store");

        let other = dir.path().join("other.sqlite");
        {
            let opts = SqliteConnectOptions::new().filename(&other).create_if_missing(true);
            let mut conn = sqlx::ConnectOptions::connect(&opts).await.unwrap();
            sqlx::query("CREATE TABLE recipes (name TEXT)").execute(&mut conn).await.unwrap();
            sqlx::Connection::close(conn).await.unwrap();
        }
        let before = std::fs::read(&other).unwrap();
        let err = Store::open(&other).await.unwrap_err();
        assert_eq!(err.code(), "not_a_store");
        assert!(err.to_string().contains("recipes"));
        assert_eq!(std::fs::read(&other).unwrap(), before);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_processes_writing_at_once_queue_instead_of_failing() {
        use crate::catalog::{ArtistInput, NewWorkspace, ReleaseInput, ReleaseType, TrackInput, WorkspaceKind};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.sqlite");
        // Two stores on one file stand in for the app and the CLI open at the same time.
        let a = Arc::new(Store::open(&path).await.unwrap());
        let b = Arc::new(Store::open(&path).await.unwrap());
        let ws = a.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap();
        let artist = a.create_artist(ws.id, ArtistInput::named("A")).await.unwrap();
        let release = a.create_release(ws.id, ReleaseInput::new("R", ReleaseType::Album, vec![artist.id])).await.unwrap();
        let release_id = release.release.id;
        // Each add reads the last position, then writes the next: a read-then-write that, in a
        // deferred transaction, fails with SQLITE_BUSY or hands out one position twice.
        let mut tasks = Vec::new();
        for i in 0..40 {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move { store.add_track(release_id, TrackInput::titled(&format!("T{i}"))).await }));
        }
        for task in tasks {
            task.await.unwrap().expect("writers queue for the lock instead of failing");
        }
        let positions: Vec<u32> = b.list_tracks(release_id).await.unwrap().iter().map(|t| t.position).collect();
        assert_eq!(positions, (1..=40).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn settings_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite")).await.unwrap();
        assert_eq!(store.setting("language").await.unwrap(), None);
        store.set_setting("language", "zh-CN").await.unwrap();
        store.set_setting("language", "en").await.unwrap();
        assert_eq!(store.setting("language").await.unwrap().as_deref(), Some("en"));
    }
}
