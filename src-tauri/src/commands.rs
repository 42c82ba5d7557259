//! Every command the UI can call, declared once. The macro makes each a Tauri command (a thin
//! call into the engine), registers them all, and lists their signatures for the TypeScript
//! bindings, so the three can never drift apart.

use crate::dialogs;
use crate::state::AppState;
use roadie::catalog::*;
use roadie::preferences::Preferences;
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
}
