//! The catalog: workspaces, their roster of artists, releases and tracks.

mod artists;
mod credits;
mod releases;
pub(crate) mod rows;
mod tracks;
mod workspaces;

pub use artists::{Artist, ArtistInput, LocalizedName};
pub use releases::{ArtistRef, Release, ReleaseDetail, ReleaseFilter, ReleaseInput, ReleaseStatus, ReleaseType};
pub use tracks::{Track, TrackInput};
pub use workspaces::{NewWorkspace, Workspace, WorkspaceKind};

#[cfg(test)]
pub(crate) mod testing {
    use crate::clock::{ManualClock, SequentialIds};
    use crate::Store;

    /// A store in a temp dir with a pinned clock and sequential ids.
    pub async fn store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with(dir.path().join("t.sqlite"), ManualClock::at(2026, 11, 26), SequentialIds::new())
            .await
            .unwrap();
        (store, dir)
    }
}
