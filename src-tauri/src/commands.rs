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
use roadie::platform::UploadQueueItem;
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

/// The platform account as the Settings screen shows it: who is signed in (if anyone), and where
/// the token is kept.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AccountStatus {
    pub account: Option<roadie::platform::Account>,
    pub secret_store: roadie::platform::SecretStoreInfo,
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

async fn account_status(state: &AppState) -> roadie::Result<AccountStatus> {
    let store = store!(state);
    let (_, secret_store) = state.secrets().await;
    Ok(AccountStatus { account: store.account().await?, secret_store })
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
    /// The platform account and where its token is kept.
    fn account_get(state) -> AccountStatus { account_status(&state).await }
    /// Signs in to a platform server (the token goes to the keychain or the 0600 file).
    fn account_sign_in(state, server: String, email: String, password: String) -> AccountStatus {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.login(&server, &email, &password, secrets.as_ref()).await?;
        account_status(&state).await
    }
    /// Creates an account on a platform server and signs in.
    fn account_sign_up(state, server: String, email: String, password: String, name: String) -> AccountStatus {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.signup(&server, &email, &password, &name, secrets.as_ref()).await?;
        account_status(&state).await
    }
    /// Signs out: revokes the token on the server when reachable, forgets it here.
    fn account_sign_out(state) -> roadie::platform::SignedOut {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.logout(secrets.as_ref()).await
    }

    /// The upload queue, oldest first.
    fn uploads_list(state) -> Vec<UploadQueueItem> { store!(state).upload_queue().await }
    /// Queues files by path (dialog or drag and drop) for a release.
    fn uploads_add(state, release_id: Option<Uuid>, paths: Vec<String>) -> Vec<UploadQueueItem> {
        let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
        store!(state).enqueue_uploads(release_id, &paths).await
    }
    /// Queues a release's attached masters and artwork.
    fn uploads_add_release(state, release_id: Uuid) -> Vec<UploadQueueItem> { store!(state).enqueue_release_assets(release_id).await }
    /// Queues a file the page read itself (`<input type=file>`): kept as a temp copy, then queued.
    fn uploads_add_bytes(state, release_id: Option<Uuid>, file_name: String, bytes: Vec<u8>) -> Vec<UploadQueueItem> {
        let store = store!(state);
        if bytes.len() > MAX_UPLOAD {
            return Err(roadie::Error::FileUnreadable { path: file_name, reason: "too large to send this way; use the Choose files button".into() });
        }
        let path = upload_path(&file_name)?;
        tokio::fs::write(&path, &bytes).await?;
        store.enqueue_uploads(release_id, &[path]).await
    }
    /// Native dialog: masters and artwork to queue (none when cancelled).
    fn uploads_pick(state, release_id: Option<Uuid>) -> Vec<UploadQueueItem> {
        let store = store!(state);
        let paths = dialogs::pick_assets(state.app()).await;
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        store.enqueue_uploads(release_id, &paths).await
    }
    fn uploads_pause(state, id: Uuid) -> UploadQueueItem { store!(state).pause_upload(id, state.uploads()).await }
    fn uploads_resume(state, id: Uuid) -> UploadQueueItem { store!(state).resume_upload(id).await }
    fn uploads_cancel(state, id: Uuid) -> UploadQueueItem {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.cancel_upload(id, state.uploads(), secrets.as_ref()).await
    }
    /// Removes complete and cancelled items from the list.
    fn uploads_clear(state) -> u64 { store!(state).clear_finished_uploads().await }
    /// Sends the queued items one after the other, each change of an item on `on_change`; returns
    /// at once when the queue already runs (that run picks up new items). Resolves with how many
    /// completed.
    fn uploads_run(state; on_change: Channel<UploadQueueItem>) -> u32 {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        let last = std::sync::Mutex::new((None::<uuid::Uuid>, None::<std::time::Instant>));
        let report = |item: &UploadQueueItem| {
            // Progress of one item at most ten times a second; status changes always.
            let now = std::time::Instant::now();
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            let same = last.0 == Some(item.id) && item.status == roadie::platform::UploadQueueStatus::Uploading;
            if !same || last.1.is_none_or(|t| now.duration_since(t).as_millis() >= 100) {
                *last = (Some(item.id), Some(now));
                let _ = on_change.send(item.clone());
            }
        };
        store.run_upload_queue(secrets.as_ref(), state.uploads(), &roadie::platform::QueueOptions::default(), &report).await
    }

    /// The platform workspaces of the signed-in account (its own first).
    fn team_workspaces(state) -> Vec<roadie::platform::TeamWorkspace> {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.team_workspaces(secrets.as_ref()).await
    }
    /// One platform workspace's team: members, roster with assigned staff, invitations.
    fn team_get(state, workspace_id: Uuid) -> roadie::platform::Team {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.team(secrets.as_ref(), workspace_id).await
    }
    /// Creates a label workspace on the platform, owned by the account.
    fn team_create_label(state, name: String) -> roadie::platform::Team {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.team_create_label(secrets.as_ref(), &name).await
    }
    /// Invites an e-mail address with a role; the result carries the link to copy (shown once).
    fn team_invite(state, workspace_id: Uuid, email: String, role: roadie::platform::TeamRole, roster_artist_id: Option<Uuid>) -> roadie::platform::CreatedInvitation {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.team_invite(secrets.as_ref(), workspace_id, &email, role, roster_artist_id).await
    }
    /// Withdraws a pending invitation.
    fn team_revoke_invitation(state, workspace_id: Uuid, invitation_id: Uuid) -> roadie::platform::Team {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.team_revoke_invitation(secrets.as_ref(), workspace_id, invitation_id).await
    }
    /// Changes a member's role.
    fn team_set_role(state, workspace_id: Uuid, user_id: Uuid, role: roadie::platform::TeamRole) -> roadie::platform::Team {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.team_set_role(secrets.as_ref(), workspace_id, user_id, role).await
    }
    /// Removes a member from the workspace.
    fn team_remove_member(state, workspace_id: Uuid, user_id: Uuid) -> roadie::platform::Team {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.team_remove_member(secrets.as_ref(), workspace_id, user_id).await
    }
    /// Adds an artist to the label's roster.
    fn team_add_artist(state, workspace_id: Uuid, name: String) -> roadie::platform::Team {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.team_add_artist(secrets.as_ref(), workspace_id, &name).await
    }
    /// Assigns (or unassigns) a label staff member to a roster artist.
    fn team_assign(state, workspace_id: Uuid, artist_id: Uuid, user_id: Uuid, assigned: bool) -> roadie::platform::Team {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.team_assign(secrets.as_ref(), workspace_id, artist_id, user_id, assigned).await
    }
    /// Accepts an invitation (its link or token) as the signed-in account.
    fn team_accept(state, link: String) -> roadie::platform::JoinedWorkspace {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        store.team_accept(secrets.as_ref(), &link).await
    }

    fn royalties_mapping_list(state) -> Vec<SavedMapping> { store!(state).list_mappings().await }
    fn royalties_mapping_save(state, name: String, header: Vec<String>, mapping: ColumnMapping) -> SavedMapping {
        store!(state).save_mapping(&name, &header, mapping).await
    }

    /// Analyses masters and a cover (files or folders, dropped or picked) in parallel and adds a
    /// track per audio file, prefilled from its tags; an image becomes the cover. Progress on
    /// `on_analysis`; `release_files_cancel(job_id)` stops before the next file.
    fn release_add_files(state, release_id: Uuid, job_id: String, paths: Vec<String>; on_analysis: Channel<roadie::media::Progress>) -> AddedTracks {
        let store = store!(state);
        let paths = roadie::media::expand_paths(&paths.into_iter().map(PathBuf::from).collect::<Vec<_>>());
        let token = roadie::jobs::CancelToken::new();
        let _job = state.register_job(&job_id, token.clone());
        let channel = on_analysis.clone();
        let _ = channel.send(roadie::media::Progress { done: 0, total: paths.len() });
        store.add_tracks_from_files(release_id, paths, token.flag(), std::sync::Arc::new(move |p| { let _ = channel.send(p); })).await
    }
    /// Cancels a running analysis; `false` when it had already finished.
    fn release_files_cancel(state, job_id: String) -> bool { Ok(state.cancel_job(&job_id)) }
    /// Native dialog: masters (WAV, FLAC, AIFF...) and a cover to add. Empty when cancelled.
    fn release_files_dialog(state) -> Vec<String> {
        let picked = dialogs::pick_files(state.app(), "Add masters and cover", "Audio and images", roadie::media::MEDIA_EXTENSIONS, true).await;
        Ok(picked.into_iter().map(|p| p.display().to_string()).collect())
    }
    /// A file the page read itself (`<input type=file>`, a browser drop): written to a private
    /// temp folder under its own name; the path goes to the commands that take paths.
    fn release_upload(state, file_name: String, bytes: Vec<u8>) -> String {
        let _ = &state;
        if bytes.len() > MAX_UPLOAD {
            return Err(roadie::Error::FileUnreadable { path: file_name, reason: "too large to send this way; use the Choose files button".into() });
        }
        let path = upload_path(&file_name)?;
        tokio::fs::write(&path, &bytes).await?;
        Ok(path.display().to_string())
    }
    /// Analyses an image and makes it the release's cover (its analysis kept for the checks).
    fn release_set_artwork(state, id: Uuid, path: String) -> ReleaseDetail {
        let store = store!(state);
        let image = tokio::task::spawn_blocking(move || roadie::media::analyze_image(std::path::Path::new(&path)))
            .await
            .map_err(|e| roadie::Error::Io(std::io::Error::other(e.to_string())))?
            .map_err(roadie::Error::Asset)?;
        store.set_release_artwork(id, Some(&image)).await
    }
    fn release_remove_artwork(state, id: Uuid) -> ReleaseDetail { store!(state).set_release_artwork(id, None).await }
    /// Native dialog: one cover image. `null` when cancelled.
    fn release_artwork_dialog(state) -> Option<String> {
        let picked = dialogs::pick_files(state.app(), "Choose the cover", "Images", &["jpg", "jpeg", "png"], false).await;
        Ok(picked.into_iter().next().map(|p| p.display().to_string()))
    }
    /// What stores accept (artwork size, audio format, loudness), shown next to each check.
    fn delivery_rules(state) -> roadie::media::DeliveryRules {
        let _ = &state;
        Ok(roadie::media::DELIVERY_RULES)
    }
    /// Every problem of the release: errors block delivery, warnings do not.
    fn release_check(state, id: Uuid) -> roadie::readiness::Readiness { store!(state).check_release(id).await }
    /// Gives a track the next ISRC from its artist's or the workspace's registrant prefix.
    fn isrc_assign(state, track_id: Uuid) -> String { store!(state).assign_isrc(track_id).await }
    fn isrc_prefix_get(state, owner: IsrcOwner) -> Option<String> { store!(state).isrc_prefix(owner).await }
    fn isrc_prefix_set(state, owner: IsrcOwner, prefix: Option<String>) -> Option<String> {
        store!(state).set_isrc_prefix(owner, prefix.as_deref()).await
    }
    /// Imports an ERN message (a path: dropped, picked or uploaded) into the workspace.
    fn release_import_ern(state, workspace_id: Uuid, path: String) -> roadie::ern::Imported {
        let store = store!(state);
        roadie::ern::import_file(&store, workspace_id, std::path::Path::new(&path)).await
    }
    /// Native dialog: an ERN message to import. `null` when cancelled.
    fn release_import_ern_dialog(state, workspace_id: Uuid) -> Option<roadie::ern::Imported> {
        let store = store!(state);
        match dialogs::pick_files(state.app(), "Import a DDEX ERN message", "DDEX ERN", &["xml"], false).await.into_iter().next() {
            Some(path) => Ok(Some(roadie::ern::import_file(&store, workspace_id, &path).await?)),
            None => Ok(None),
        }
    }
    /// The workspace's DDEX Party ID (the sender of its ERN messages), when set.
    fn workspace_dpid_get(state, workspace_id: Uuid) -> Option<String> { store!(state).workspace_dpid(workspace_id).await }
    /// Sets or (with `null` or blank) clears the workspace's DDEX Party ID.
    fn workspace_dpid_set(state, workspace_id: Uuid, dpid: Option<String>) -> Option<String> {
        store!(state).set_workspace_dpid(workspace_id, dpid.as_deref()).await
    }
    /// Native dialog: saves the release as an ERN 4.3 message. `null` when cancelled.
    fn release_export_ern_dialog(state, id: Uuid) -> Option<String> {
        let store = store!(state);
        let xml = store.export_ern(id, None).await?;
        let name = match store.get_release(id).await?.release.upc {
            Some(upc) => format!("{upc}.xml"),
            None => format!("release-{}.xml", id.simple()),
        };
        match dialogs::save_as(state.app(), "Export DDEX ERN 4.3", &name, "DDEX ERN", "xml").await {
            Some(path) => {
                let tmp = path.with_extension("xml.part");
                std::fs::write(&tmp, xml)?;
                std::fs::rename(&tmp, &path)?;
                Ok(Some(path.display().to_string()))
            }
            None => Ok(None),
        }
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
    /// Replaces a contact's fields, e-mails (the first is primary) and tags; sources and history stay.
    fn fans_update(state, id: Uuid, input: roadie::fans::ContactInput) -> Contact { store!(state).update_contact(id, input).await }
    /// Bandcamp sales of imported statements become purchases of the fans with the buyers' e-mails.
    fn fans_link_sales(state, workspace_id: Uuid) -> roadie::fans::SalesLinkReport { store!(state).link_bandcamp_sales(workspace_id).await }
    /// The Fans table's rows after a row (keyset paging: as fast deep in the list as at its top).
    fn fans_list_after(state, workspace_id: Uuid, filter: ContactFilter, after: Option<roadie::fans::ContactCursor>, limit: u32) -> Vec<ContactSummary> {
        store!(state).list_contacts_after(workspace_id, &filter, after.as_ref(), limit.min(1000)).await
    }
    /// The Fans table's rows before a row, in table order (scrolling back to a page not loaded).
    fn fans_list_before(state, workspace_id: Uuid, filter: ContactFilter, before: roadie::fans::ContactCursor, limit: u32) -> Vec<ContactSummary> {
        store!(state).list_contacts_before(workspace_id, &filter, &before, limit.min(1000)).await
    }

    /// Syncs with the platform now: pushes local changes, pulls the others'. Progress on
    /// `on_progress`; `sync_cancel(job_id)` stops between batches (what was done stays done).
    fn sync_now(state, job_id: String; on_sync: Channel<roadie::sync::SyncProgress>) -> roadie::sync::SyncReport {
        let store = store!(state);
        let (secrets, _) = state.secrets().await;
        let token = roadie::jobs::CancelToken::new();
        let _job = state.register_job(&job_id, token.clone());
        let cancel = roadie::sync::SyncCancel::from(&token);
        let report = |p: &roadie::sync::SyncProgress| { let _ = on_sync.send(p.clone()); };
        store.sync(secrets.as_ref(), &report, &cancel).await
    }
    fn sync_cancel(state, job_id: String) -> bool { Ok(state.cancel_job(&job_id)) }
    /// Last sync, pending changes, open conflicts, recent errors, signed in or not.
    fn sync_status(state) -> roadie::sync::SyncStatus { store!(state).sync_status().await }
    /// Open conflicts, oldest first.
    fn conflicts_list(state) -> Vec<roadie::sync::Conflict> { store!(state).list_conflicts().await }
    /// Keeps one side of a conflict (a new edit that syncs and closes it everywhere).
    fn conflicts_resolve(state, id: Uuid, take: roadie::sync::Take) -> roadie::sync::Conflict {
        store!(state).resolve_conflict(id, take).await
    }

    // ---- Royalties II: the ledger (payees, splits, advances, rates, statements, payouts) ----
    /// Payees by name with earned, recouped, unrecouped, paid and payable (their currency).
    fn ledger_payees(state) -> Vec<roadie::royalties::PayeeBalance> { store!(state).payee_balances().await }
    fn ledger_payee_add(state, workspace_id: Option<Uuid>, input: roadie::royalties::PayeeInput) -> roadie::royalties::Payee {
        store!(state).create_payee(workspace_id, input).await
    }
    fn ledger_payee_update(state, id: Uuid, input: roadie::royalties::PayeeInput) -> roadie::royalties::Payee {
        store!(state).update_payee(id, input).await
    }
    /// Every version of a release's or a track's split (superseded ones too).
    fn ledger_split_history(state, scope: roadie::royalties::SplitScope, target_id: Uuid) -> Vec<roadie::royalties::Split> {
        store!(state).split_history(scope, target_id).await
    }
    fn ledger_split_set(state, input: roadie::royalties::SplitInput) -> roadie::royalties::Split { store!(state).set_split(input).await }
    /// Who would get what of the target's last reported month under these (unsaved) shares.
    fn ledger_split_preview(state, scope: roadie::royalties::SplitScope, target_id: Uuid, shares: Vec<roadie::royalties::Share>) -> roadie::royalties::SplitPreview {
        store!(state).split_preview(scope, target_id, &shares).await
    }
    fn ledger_advances(state, payee_id: Uuid) -> Vec<roadie::royalties::Advance> { store!(state).list_advances(payee_id).await }
    fn ledger_advance_add(state, input: roadie::royalties::AdvanceInput) -> roadie::royalties::Advance { store!(state).add_advance(input).await }
    /// Stored exchange rates, newest first.
    fn ledger_rates(state, limit: u32) -> Vec<roadie::royalties::FxRate> { store!(state).all_rates(limit).await }
    fn ledger_rate_set(state, input: roadie::royalties::RateInput) -> roadie::royalties::FxRate {
        store!(state).set_rate(input.date, &input.from, &input.to, input.rate).await
    }
    /// Native dialog: an ECB reference rates CSV, imported. `null` when cancelled.
    fn ledger_rates_import_dialog(state) -> Option<roadie::royalties::FxImportReport> {
        let store = store!(state);
        let picked = dialogs::pick_files(state.app(), "Import ECB rates", "ECB rates CSV", &["csv"], false).await;
        match picked.into_iter().next() {
            Some(path) => store.import_ecb_rates(&path).await.map(Some),
            None => Ok(None),
        }
    }
    /// The ECB CSV as the page read it (`<input type=file>`).
    fn ledger_rates_import_bytes(state, name: String, bytes: Vec<u8>) -> roadie::royalties::FxImportReport {
        let store = store!(state);
        let dir = tempfile_dir()?;
        let path = dir.join(temp_copy_name(&name));
        tokio::fs::write(&path, &bytes).await?;
        let result = store.import_ecb_rates(&path).await;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        result.map(|mut r| {
            r.path = name;
            r
        })
    }
    /// The workspace whose ledger this store keeps (`null`: the account's own).
    fn ledger_workspace(state) -> Option<Workspace> { store!(state).ledger_workspace().await }
    /// Keeps a label's ledger (shared with its staff) from now on, or the account's own (`null`).
    fn ledger_workspace_set(state, workspace_id: Option<Uuid>) -> Option<Workspace> { store!(state).set_ledger_workspace(workspace_id).await }
    /// The months lines were reported in, newest first, issued or not.
    fn ledger_periods(state) -> Vec<roadie::royalties::LedgerPeriod> { store!(state).ledger_periods().await }
    /// A period's issued statements and totals; `null` when not issued.
    fn ledger_statements(state, period: roadie::royalties::YearMonth) -> Option<roadie::royalties::IssuedPeriod> {
        store!(state).issued_period(period).await
    }
    /// The issued statements' documents (every figure the PDF shows), for the preview.
    fn ledger_statement_documents(state, period: roadie::royalties::YearMonth) -> Vec<roadie::royalties::StatementDocument> {
        store!(state).statement_documents(period).await
    }
    /// Issues a period's statements (PDF + CSV per payee next to the store, under
    /// `Statements/<period>`), with progress; `ledger_generate_cancel(job_id)` stops it.
    fn ledger_generate(state, job_id: String, period: roadie::royalties::YearMonth; on_generate: Channel<Progress>) -> roadie::royalties::StatementRun {
        let store = store!(state);
        let out = statements_dir(&state, period).await;
        let cancel = CancelToken::new();
        let _job = state.register_job(&job_id, cancel.clone());
        let progress = |p: Progress| { let _ = on_generate.send(p); };
        store.generate_statements_with(period, &out, &progress, &cancel).await
    }
    fn ledger_generate_cancel(state, job_id: String) -> bool { Ok(state.cancel_job(&job_id)) }
    /// Native dialog: saves a payee's statement of a period as PDF or CSV (`kind`). The files
    /// are rendered again first when missing. `null` when cancelled.
    fn ledger_statement_export(state, period: roadie::royalties::YearMonth, payee_id: Uuid, kind: String) -> Option<String> {
        let store = store!(state);
        let ext = if kind == "csv" { "csv" } else { "pdf" };
        let dir = statements_dir(&state, period).await;
        let source = dir.join(format!("{period}_{payee_id}.{ext}"));
        if !source.exists() {
            store.generate_statements(period, &dir).await?;
        }
        let name = store.get_payee(payee_id).await?.name;
        let suggested = format!("{period} {}.{ext}", temp_copy_name(&name));
        let kind_label = if ext == "csv" { "CSV" } else { "PDF" };
        match dialogs::save_as(state.app(), "Export statement", &suggested, kind_label, ext).await {
            Some(target) => {
                tokio::fs::copy(&source, &target).await?;
                Ok(Some(target.display().to_string()))
            }
            None => Ok(None),
        }
    }
    /// Where a period's statement files are: the folder (for "reveal").
    fn ledger_statements_folder(state, period: roadie::royalties::YearMonth) -> String {
        Ok(statements_dir(&state, period).await.display().to_string())
    }
    /// Records a payout (refused above what is payable: `payout_exceeds_payable`).
    fn ledger_payout_add(state, input: roadie::royalties::PayoutInput) -> roadie::royalties::Payout { store!(state).add_payout(input).await }
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

/// Where a period's statements are written: `Statements/<period>` next to the store.
async fn statements_dir(state: &AppState, period: roadie::royalties::YearMonth) -> std::path::PathBuf {
    let store_path = state.path().await;
    let base = store_path.parent().map(|p| p.to_path_buf()).unwrap_or_else(std::env::temp_dir);
    base.join("Statements").join(period.to_string())
}
