//! Every command the UI can call, declared once. The macro makes each a Tauri command (a thin
//! call into the engine), registers them all, and lists their signatures for the TypeScript
//! bindings, so the three can never drift apart.

use crate::dialogs;
use crate::state::AppState;
use roadie::catalog::*;
use roadie::fans::import::{FanField, FanFilePreview, FanImportOptions, FanImportReport};
use roadie::fans::{
    ConsentInput, Contact, ContactFilter, ContactSummary, ContactsPage, DuplicateGroup, ExportFormat, ExportSummary,
    MergeChoices, Segment, TimelineEntry,
};
use roadie::jobs::Progress;
use roadie::preferences::Preferences;
use std::collections::BTreeMap;
use std::path::PathBuf;
use roadie::royalties::{
    AssignBy, AssignTarget, CancelToken, ColumnMapping, ImportOptions, ImportProgress, ReportBy, ReportFilter, RoyaltyReport,
    SavedMapping, UnmatchedGroup,
};
use roadie::royalties::ImportReport;
use roadie::royalties::StatementPreview;
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

/// Where a long job sends its progress: a `tauri::ipc::Channel` (in TypeScript, anything with an
/// `onmessage`; the Tauri `Channel` class in the app, a plain object in the mock host).
pub struct ProgressChannel(pub tauri::ipc::Channel<Progress>);

impl ProgressChannel {
    pub fn send(&self, progress: Progress) {
        let _ = self.0.send(progress);
    }
}

impl<'de, R: tauri::Runtime> tauri::ipc::CommandArg<'de, R> for ProgressChannel {
    fn from_command(command: tauri::ipc::CommandItem<'de, R>) -> Result<Self, tauri::ipc::InvokeError> {
        tauri::ipc::Channel::<Progress>::from_command(command).map(ProgressChannel)
    }
}

impl TS for ProgressChannel {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn name(_: &ts_rs::Config) -> String {
        "ProgressChannel".into()
    }
    fn inline(_: &ts_rs::Config) -> String {
        "ProgressChannel".into()
    }
}

/// The TypeScript declaration of [`ProgressChannel`] (ts-rs cannot derive it).
pub const PROGRESS_CHANNEL_TS: &str = "/** A progress channel: the Tauri `Channel` class in the app, a plain object in the mock host. */\n\
export type ProgressChannel = { onmessage: (progress: Progress) => void };";

/// Files the UI hands over as bytes (`<input type=file>`, HTML drag and drop) are written here,
/// under a fresh folder each, keeping their name (the import records it as the source).
fn upload_path(file_name: &str) -> roadie::Result<PathBuf> {
    let name = std::path::Path::new(file_name)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .filter(|n| !n.is_empty() && n != "." && n != "..")
        .unwrap_or_else(|| "upload.csv".into());
    let dir = std::env::temp_dir().join("roadie-uploads").join(Uuid::now_v7().to_string());
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join(name))
}

/// Largest file accepted as bytes over IPC; larger lists go through the native dialog (a path).
const MAX_UPLOAD: usize = 256 * 1024 * 1024;

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

    fn fans_list(state, workspace_id: Uuid, filter: ContactFilter, offset: u32, limit: u32) -> ContactsPage {
        store!(state).list_contacts(workspace_id, &filter, offset, limit.min(1000)).await
    }
    fn fans_count(state, workspace_id: Uuid, filter: ContactFilter) -> u32 { store!(state).count_contacts(workspace_id, &filter).await }
    fn fans_search(state, workspace_id: Uuid, query: String, limit: u32) -> Vec<ContactSummary> {
        store!(state).search_contacts(workspace_id, &query, limit.min(200)).await
    }
    fn fans_contact(state, id: Uuid) -> Contact { store!(state).get_contact(id).await }
    fn fans_timeline(state, id: Uuid) -> Vec<TimelineEntry> { store!(state).contact_timeline(id).await }
    fn fans_tag(state, ids: Vec<Uuid>, tags: Vec<String>) -> u32 { store!(state).tag_contacts(&ids, &tags).await }
    fn fans_record_consent(state, id: Uuid, input: ConsentInput) -> Contact { store!(state).record_consent(id, input).await }
    fn fans_erase(state, id: Uuid) -> () { store!(state).erase_contact(id).await }

    /// Native dialog: saves everything held about one contact as JSON. `null` when cancelled.
    fn fans_contact_export_dialog(state, id: Uuid) -> Option<String> {
        let store = store!(state);
        let record = store.contact_record(id).await?;
        let name = format!("contact-{}.json", record.contact.id);
        match dialogs::save_as(state.app(), "Export contact", &name, "JSON", "json").await {
            Some(path) => {
                let json = serde_json::to_vec_pretty(&record).map_err(|e| roadie::Error::Io(std::io::Error::other(e)))?;
                std::fs::write(&path, json)?;
                Ok(Some(path.display().to_string()))
            }
            None => Ok(None),
        }
    }

    fn fans_segments(state, workspace_id: Uuid) -> Vec<Segment> { store!(state).list_segments(workspace_id).await }
    fn fans_segment_save(state, workspace_id: Uuid, name: String, filter: ContactFilter) -> Segment {
        store!(state).save_segment(workspace_id, &name, &filter).await
    }
    fn fans_segment_delete(state, id: Uuid) -> () { store!(state).delete_segment(id).await }

    fn fans_duplicates(state, workspace_id: Uuid) -> Vec<DuplicateGroup> { store!(state).duplicate_suggestions(workspace_id).await }
    fn fans_merge(state, keep: Uuid, others: Vec<Uuid>, choices: MergeChoices) -> Contact {
        store!(state).merge_contacts(keep, &others, &choices).await
    }

    /// Native dialog: exports the contacts a filter selects. `null` when cancelled.
    fn fans_export_dialog(state, workspace_id: Uuid, filter: ContactFilter, format: ExportFormat, include_without_consent: bool) -> Option<ExportSummary> {
        let store = store!(state);
        let name = if format == ExportFormat::Mailchimp { "fans-mailchimp.csv" } else { "fans.csv" };
        match dialogs::save_as(state.app(), "Export fans", name, "CSV", "csv").await {
            Some(path) => {
                let file = std::fs::File::create(&path)?;
                let summary = store.export_contacts(workspace_id, &filter, format, include_without_consent, std::io::BufWriter::new(file)).await?;
                Ok(Some(summary))
            }
            None => Ok(None),
        }
    }

    /// Native dialog: picks a fan list and previews it. `null` when cancelled.
    fn fans_import_pick(state, workspace_id: Uuid) -> Option<FanFilePreview> {
        let store = store!(state);
        match dialogs::pick_fan_list(state.app()).await {
            Some(path) => Ok(Some(store.preview_fan_file(workspace_id, &path, None).await?)),
            None => Ok(None),
        }
    }
    /// Previews a file by path (dropped on the window), optionally in a given encoding.
    fn fans_import_preview(state, workspace_id: Uuid, path: String, encoding: Option<String>) -> FanFilePreview {
        store!(state).preview_fan_file(workspace_id, std::path::Path::new(&path), encoding.as_deref()).await
    }
    /// A file's bytes (from `<input type=file>`): written to a temporary file, then previewed.
    fn fans_import_upload(state, workspace_id: Uuid, file_name: String, bytes: Vec<u8>) -> FanFilePreview {
        let store = store!(state);
        if bytes.len() > MAX_UPLOAD {
            return Err(roadie::Error::FileUnreadable { path: file_name, reason: "too large to send this way; use the Choose file button".into() });
        }
        let path = upload_path(&file_name)?;
        std::fs::write(&path, &bytes)?;
        store.preview_fan_file(workspace_id, &path, None).await
    }
    fn fans_mapping_save(state, workspace_id: Uuid, name: String, headers: Vec<String>, fields: BTreeMap<FanField, String>) -> () {
        store!(state).save_fan_mapping(workspace_id, &name, &headers, &fields).await
    }
    /// Imports a previewed file, reporting progress; `fans_cancel(job_id)` stops it (nothing kept).
    fn fans_import(state, workspace_id: Uuid, path: String, options: FanImportOptions, job_id: String, progress: ProgressChannel) -> FanImportReport {
        let store = store!(state);
        let token = roadie::jobs::CancelToken::new();
        let _job = state.register_job(&job_id, token.clone());
        let report = |p: Progress| progress.send(p);
        store.import_fans(workspace_id, std::path::Path::new(&path), &options, &report, &token).await
    }
    /// Cancels a running job; false when it had already finished.
    fn fans_cancel(state, job_id: String) -> bool { Ok(state.cancel_job(&job_id)) }
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
    /// A statement's header and first rows for the mapping step, what Roadie knows of its
    /// header, and (given a mapping) the lines that would not read with it.
    fn royalties_statement_preview(state, path: String, encoding: Option<String>, mapping: Option<ColumnMapping>) -> StatementPreview {
        store!(state).statement_preview(std::path::Path::new(&path), encoding.as_deref(), mapping.as_ref()).await
    }
    /// The same for a statement the page read itself (`<input type=file>`, HTML drop).
    fn royalties_statement_preview_bytes(state, name: String, bytes: Vec<u8>, encoding: Option<String>, mapping: Option<ColumnMapping>) -> StatementPreview {
        let store = store!(state);
        let dir = tempfile_dir()?;
        let path = dir.join(temp_copy_name(&name));
        tokio::fs::write(&path, &bytes).await?;
        drop(bytes);
        let result = store.statement_preview(&path, encoding.as_deref(), mapping.as_ref()).await;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        // Name the file as the user knows it (the temp copy's path means nothing to them).
        result.map_err(|mut e| {
            if let roadie::Error::StatementUnreadable { file, .. } = &mut e {
                file.clone_from(&name);
            }
            e
        })
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

#[cfg(test)]
mod tests {
    #[test]
    fn uploads_keep_their_name_but_never_leave_their_folder() {
        let a = super::upload_path("粉丝名单.csv").unwrap();
        assert_eq!(a.file_name().unwrap(), "粉丝名单.csv");
        assert!(a.starts_with(std::env::temp_dir().join("roadie-uploads")));
        let b = super::upload_path("../../etc/passwd").unwrap();
        assert_eq!(b.file_name().unwrap(), "passwd");
        assert_eq!(b.parent().unwrap().parent().unwrap(), std::env::temp_dir().join("roadie-uploads"));
        assert_eq!(super::upload_path("..").unwrap().file_name().unwrap(), "upload.csv");
        assert_ne!(a.parent(), super::upload_path("粉丝名单.csv").unwrap().parent(), "each upload gets its own folder");
    }
}
