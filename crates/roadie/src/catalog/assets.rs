//! "Drop a folder of masters and a cover": analyse the files (in parallel, cancellable, with
//! progress), create a track per good audio file from its tags, set the cover from the image.

use super::{Track, TrackInput};
use crate::error::Result;
use crate::identifiers::normalize_isrc;
use crate::media::{analyze_all, AssetReport, Progress};
use crate::Store;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, TS)]
pub struct AddedTracks {
    pub release_id: Uuid,
    pub tracks: Vec<Track>,
    /// Whether an image among the files became the cover.
    pub artwork_set: bool,
    /// Every file's analysis, failures included (with `error`).
    pub files: Vec<AssetReport>,
}

impl Store {
    /// Analyses `paths` and adds a track per audio file (tags prefill title, ISRC, order; the file
    /// name is the title otherwise) after the release's last track; an image becomes the cover.
    /// Files that fail are reported and skipped; the others still go in.
    pub async fn add_tracks_from_files(
        &self,
        release_id: Uuid,
        paths: Vec<PathBuf>,
        cancel: Arc<AtomicBool>,
        progress: Arc<dyn Fn(Progress) + Send + Sync>,
    ) -> Result<AddedTracks> {
        self.get_release(release_id).await?;
        let reports = tokio::task::spawn_blocking(move || analyze_all(&paths, 0, &cancel, &*progress))
            .await
            .map_err(|e| crate::Error::Io(std::io::Error::other(e.to_string())))?;
        let mut audio: Vec<_> = reports
            .iter()
            .filter_map(|r| match r {
                AssetReport::Audio { analysis, .. } => Some(analysis.clone()),
                _ => None,
            })
            .collect();
        // Tag order first (disc, track number), then file name.
        audio.sort_by(|a, b| {
            let key = |x: &crate::media::AudioAnalysis| (x.tags.disc_number.unwrap_or(1), x.tags.track_number.unwrap_or(u32::MAX), x.path.clone());
            key(a).cmp(&key(b))
        });
        let mut inputs = Vec::new();
        for a in audio {
            let stem = std::path::Path::new(&a.path).file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            let input = TrackInput {
                title: a.tags.title.clone().unwrap_or(stem),
                isrc: a.tags.isrc.as_deref().and_then(|i| normalize_isrc(i).ok()),
                disc_number: a.tags.disc_number.filter(|d| (1..=99).contains(d)),
                audio: Some(a),
                ..TrackInput::default()
            };
            inputs.push(input);
        }
        // All tracks or none: a refused one leaves the release as it was.
        let tracks = self.add_tracks(release_id, &inputs).await?;
        let cover = reports.iter().find_map(|r| match r {
            AssetReport::Image { analysis, .. } => Some(analysis.clone()),
            _ => None,
        });
        let artwork_set = cover.is_some();
        if let Some(cover) = cover {
            self.set_release_artwork(release_id, Some(&cover)).await?;
        }
        Ok(AddedTracks { release_id, tracks, artwork_set, files: reports })
    }
}
