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

pub struct CommandSignature {
    pub name: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub result: String,
}

macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($state:ident $(, $arg:ident : $ty:ty)*) -> $ret:ty $body:block
    )*) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command(rename_all = "snake_case")]
            pub async fn $name(
                $state: tauri::State<'_, AppState>,
                $($arg: $ty),*
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
                args: vec![$((stringify!($arg), <$ty as TS>::name(&cfg))),*],
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
        let job = state.start_job(&job_id);
        let report = |p: Progress| progress.send(p);
        store.import_fans(workspace_id, std::path::Path::new(&path), &options, &report, &job.token).await
    }
    /// Cancels a running job; false when it had already finished.
    fn fans_cancel(state, job_id: String) -> bool { Ok(state.cancel_job(&job_id)) }
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
