//! Every command the UI can call, declared once. The macro makes each a Tauri command (a thin
//! call into the engine), registers them all, and lists their signatures for the TypeScript
//! bindings, so the three can never drift apart.

use crate::dialogs;
use crate::state::AppState;
use roadie::catalog::*;
use roadie::preferences::Preferences;
use roadie::royalties::{
    AssignBy, AssignTarget, CancelToken, ColumnMapping, ImportOptions, ImportProgress, ReportBy, ReportFilter, RoyaltyReport,
    SavedMapping, UnmatchedGroup,
};
use roadie::royalties::ImportReport;
use roadie::ErrorPayload;
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

/// What the shell knows about the open store.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub store_path: String,
    /// Present when the store could not be opened: the UI shows it and offers another store.
    pub store_error: Option<ErrorPayload>,
}

/// Where a statement import is: the file being read (of how many) and its progress. Lines/s and
/// time left are worked out by the UI from these and its clock.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportProgressEvent {
    pub file_index: u32,
    pub file_count: u32,
    pub name: String,
    pub lines: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// One file of an import: its report, or the error that stopped it (nothing of it committed).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportFileResult {
    pub name: String,
    pub report: Option<ImportReport>,
    pub error: Option<ErrorPayload>,
}

pub struct CommandSignature {
    pub name: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub result: String,
}

macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($state:ident $(, $arg:ident : $ty:ty)* $(; $chan:ident : Channel<$cty:ty>)?) -> $ret:ty $body:block
    )*) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command(rename_all = "snake_case")]
            pub async fn $name(
                $state: tauri::State<'_, AppState>,
                $($arg: $ty,)*
                $($chan: tauri::ipc::Channel<$cty>,)?
            ) -> Result<$ret, ErrorPayload> {
                let result: roadie::Result<$ret> = async $body.await;
                result.map_err(|e| e.payload())
            }
        )*

        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        pub fn signatures() -> Vec<CommandSignature> {
            let cfg = ts_rs::Config::new().with_large_int("number");
            vec![$(CommandSignature {
                name: stringify!($name),
                #[allow(unused_mut)]
                args: {
                    let mut args = vec![$((stringify!($arg), <$ty as TS>::name(&cfg))),*];
                    // A progress channel: `Channel<T>` in TypeScript (declared in the bindings).
                    $(args.push((stringify!($chan), format!("Channel<{}>", <$cty as TS>::name(&cfg))));)?
                    args
                },
                result: <$ret as TS>::name(&cfg),
            }),*]
        }
    };
}

/// Turns the shell's "store unavailable" payload back into an engine error for `?`.
macro_rules! store {
    ($state:ident) => {
        match $state.store().await {
            Ok(store) => store,
            Err(payload) => return Err(roadie::Error::StoreUnavailable {
                path: payload.params.get("path").cloned().unwrap_or_default(),
                reason: payload.message,
            }),
        }
    };
}

commands! {
    /// Version and store location, and why the store failed to open if it did.
    fn app_info(state) -> AppInfo {
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            store_path: state.path().await.display().to_string(),
            store_error: state.failure().await,
        })
    }

    /// Native dialog: open another store file. `null` when the user cancels.
    fn store_open_dialog(state) -> Option<AppInfo> {
        match dialogs::pick_store(state.app(), false).await {
            Some(path) => {
                state.switch(&path).await?;
                Ok(Some(AppInfo { version: env!("CARGO_PKG_VERSION").into(), store_path: path.display().to_string(), store_error: None }))
            }
            None => Ok(None),
        }
    }

    /// Native dialog: create a new, empty store file and switch to it.
    fn store_new_dialog(state) -> Option<AppInfo> {
        match dialogs::pick_store(state.app(), true).await {
            Some(path) => {
                state.switch(&path).await?;
                Ok(Some(AppInfo { version: env!("CARGO_PKG_VERSION").into(), store_path: path.display().to_string(), store_error: None }))
            }
            None => Ok(None),
        }
    }

    fn preferences_get(state) -> Preferences { store!(state).preferences().await }
    fn preferences_set(state, preferences: Preferences) -> Preferences { store!(state).set_preferences(&preferences).await }

    fn workspace_list(state) -> Vec<Workspace> { store!(state).list_workspaces().await }
    fn workspace_current(state) -> Option<Workspace> { store!(state).current_workspace().await }
    fn workspace_create(state, input: NewWorkspace) -> Workspace {
        let store = store!(state);
        let ws = store.create_workspace(input).await?;
        store.use_workspace(ws.id).await
    }
    fn workspace_use(state, id: Uuid) -> Workspace { store!(state).use_workspace(id).await }
    fn workspace_rename(state, id: Uuid, name: String) -> Workspace { store!(state).rename_workspace(id, &name).await }

    fn artist_list(state, workspace_id: Uuid) -> Vec<Artist> { store!(state).list_artists(workspace_id).await }
    fn artist_create(state, workspace_id: Uuid, input: ArtistInput) -> Artist { store!(state).create_artist(workspace_id, input).await }
    fn artist_update(state, id: Uuid, input: ArtistInput) -> Artist { store!(state).update_artist(id, input).await }
    fn artist_delete(state, id: Uuid) -> () { store!(state).delete_artist(id).await }

    fn release_list(state, workspace_id: Uuid, filter: ReleaseFilter) -> Vec<Release> {
        store!(state).list_releases(workspace_id, &filter).await
    }
    fn release_get(state, id: Uuid) -> ReleaseDetail { store!(state).get_release(id).await }
    fn release_create(state, workspace_id: Uuid, input: ReleaseInput) -> ReleaseDetail {
        store!(state).create_release(workspace_id, input).await
    }
    fn release_update(state, id: Uuid, input: ReleaseInput) -> ReleaseDetail { store!(state).update_release(id, input).await }
    fn release_delete(state, id: Uuid) -> () { store!(state).delete_release(id).await }

    fn track_add(state, release_id: Uuid, input: TrackInput) -> Track { store!(state).add_track(release_id, input).await }
    fn track_update(state, id: Uuid, input: TrackInput) -> Track { store!(state).update_track(id, input).await }
    fn track_delete(state, id: Uuid) -> () { store!(state).delete_track(id).await }

    /// Imports statement files by path (dialog or drag and drop), each all or nothing, with
    /// progress on `on_progress`; `royalties_import_cancel(job_id)` stops it.
    fn royalties_import(state, job_id: String, paths: Vec<String>, options: ImportOptions; on_progress: Channel<ImportProgressEvent>) -> Vec<ImportFileResult> {
        let files = paths.into_iter().map(|p| ImportFile { name: p.clone(), path: p.into() }).collect();
        import_files(&state, &job_id, files, &options, &on_progress).await
    }

    /// Imports a statement the page read itself (`<input type=file>`): written to a private temp
    /// file and imported like a path; the report names the file as the user picked it.
    fn royalties_import_bytes(state, job_id: String, name: String, bytes: Vec<u8>, options: ImportOptions; on_progress: Channel<ImportProgressEvent>) -> Vec<ImportFileResult> {
        let dir = tempfile_dir()?;
        let path = dir.join(temp_copy_name(&name));
        tokio::fs::write(&path, &bytes).await?;
        drop(bytes);
        let result = import_files(&state, &job_id, vec![ImportFile { name, path: path.clone() }], &options, &on_progress).await;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        result
    }

    /// Cancels a running import; `false` when no import has that id (already finished).
    fn royalties_import_cancel(state, job_id: String) -> bool { Ok(state.cancel_job(&job_id)) }

    /// Native dialog: statement files to import (none when cancelled).
    fn royalties_statement_dialog(state) -> Vec<String> {
        Ok(dialogs::pick_statements(state.app()).await.into_iter().map(|p| p.display().to_string()).collect())
    }

    fn royalties_report(state, by: ReportBy, filter: ReportFilter) -> RoyaltyReport { store!(state).royalty_report(by, &filter).await }
    fn royalties_unmatched(state, limit: u32) -> Vec<UnmatchedGroup> { store!(state).unmatched_groups(limit).await }
    fn royalties_unmatched_count(state) -> u64 { store!(state).unmatched_count().await }
    fn royalties_assign(state, by: AssignBy, target: AssignTarget) -> u64 { store!(state).assign_unmatched(by, target).await }

    /// A statement's header (for making a column mapping).
    fn royalties_statement_header(state, path: String, encoding: Option<String>) -> Vec<String> {
        store!(state).statement_header(std::path::Path::new(&path), encoding.as_deref()).await
    }
    fn royalties_mapping_list(state) -> Vec<SavedMapping> { store!(state).list_mappings().await }
    fn royalties_mapping_save(state, name: String, header: Vec<String>, mapping: ColumnMapping) -> SavedMapping {
        store!(state).save_mapping(&name, &header, mapping).await
    }
}

/// A file to import: the name the user knows it by, and where it is.
struct ImportFile {
    name: String,
    path: std::path::PathBuf,
}

/// Imports files one after the other (each all or nothing), reporting progress on `channel` at
/// most ten times a second. A cancel stops the file being read (nothing of it commits) and
/// skips the rest; an error in one file does not stop the others.
async fn import_files(
    state: &AppState,
    job_id: &str,
    files: Vec<ImportFile>,
    options: &ImportOptions,
    channel: &tauri::ipc::Channel<ImportProgressEvent>,
) -> roadie::Result<Vec<ImportFileResult>> {
    let store = store!(state);
    let cancel = CancelToken::new();
    let _job = state.register_job(job_id, cancel.clone());
    let count = files.len() as u32;
    let mut results = Vec::with_capacity(files.len());
    for (index, file) in files.into_iter().enumerate() {
        if cancel.is_cancelled() {
            break;
        }
        let last = std::sync::Mutex::new(None::<std::time::Instant>);
        let name = file.name.clone();
        let progress = |p: ImportProgress| {
            let now = std::time::Instant::now();
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            let done = p.bytes_total > 0 && p.bytes_done >= p.bytes_total;
            if done || last.is_none_or(|t| now.duration_since(t).as_millis() >= 100) {
                *last = Some(now);
                let _ = channel.send(ImportProgressEvent {
                    file_index: index as u32,
                    file_count: count,
                    name: name.clone(),
                    lines: p.lines,
                    bytes_done: p.bytes_done,
                    bytes_total: p.bytes_total,
                });
            }
        };
        let outcome = store.import_statement_with(&file.path, options, &progress, &cancel).await;
        results.push(match outcome {
            Ok(mut report) => {
                report.path = file.name.clone();
                ImportFileResult { name: file.name, report: Some(report), error: None }
            }
            Err(err) => {
                // Name the file as the user knows it (a temp copy's path means nothing to them).
                let mut payload = err.payload();
                let shown = file.path.display().to_string();
                if let Some(f) = payload.params.get_mut("file") {
                    *f = file.name.clone();
                }
                payload.message = payload.message.replace(&shown, &file.name);
                ImportFileResult { name: file.name, report: None, error: Some(payload) }
            }
        });
    }
    Ok(results)
}

/// A safe file name for a temp copy (the user's name, without any directory part).
fn temp_copy_name(name: &str) -> String {
    let base = std::path::Path::new(name).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let cleaned: String = base.chars().map(|c| if c.is_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    if cleaned.is_empty() { "statement".into() } else { cleaned }
}
/// A fresh private directory for one uploaded statement.
fn tempfile_dir() -> roadie::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("roadie-import-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(dir)
}
