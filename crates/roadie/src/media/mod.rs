//! Media analysis: audio masters and cover art, one file or a whole album at once (in parallel,
//! cancellable, with progress). A file that cannot be analysed is a result with an error, never a
//! panic, and the rest of the batch goes on.

mod audio;
mod image;
pub mod rules;

pub use self::image::{analyze_image, ColorModel, ImageAnalysis};
pub use audio::{analyze_audio, read_tags, AudioAnalysis, AudioTags};
pub use rules::{DeliveryRules, DELIVERY_RULES};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use ts_rs::TS;

/// Why a file could not be analysed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AssetError {
    pub path: String,
    /// Stable code: `not_found`, `unreadable`, `empty_file`, `unsupported_audio`, `truncated_audio`,
    /// `corrupt_audio`, `not_an_image`, `corrupt_image`, `image_too_large`, `cancelled`, `internal`.
    pub code: String,
    pub message: String,
}

impl AssetError {
    pub fn new(path: &Path, code: &str, message: impl Into<String>) -> Self {
        AssetError { path: path.display().to_string(), code: code.into(), message: message.into() }
    }

    fn io(path: &Path, err: std::io::Error) -> Self {
        let code = match err.kind() {
            std::io::ErrorKind::NotFound => "not_found",
            _ => "unreadable",
        };
        AssetError::new(path, code, format!("cannot read {}: {err}", path.display()))
    }
}

impl std::fmt::Display for AssetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Audio or image, decided from the extension (then from the content for unknown extensions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Audio,
    Image,
}

pub fn kind_of(path: &Path) -> AssetKind {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" | "png" | "gif" | "webp" | "tif" | "tiff" | "bmp" => AssetKind::Image,
        _ => AssetKind::Audio,
    }
}

/// One analysed file as the CLI and UI see it: `kind` plus the analysis, or `error`.
// A batch holds one per file (tens, not millions): boxing the analyses would only complicate
// the serde flattening that gives the CLI and UI their flat JSON.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum AssetReport {
    Audio {
        kind: AssetKind,
        #[serde(flatten)]
        analysis: AudioAnalysis,
    },
    Image {
        kind: AssetKind,
        #[serde(flatten)]
        analysis: ImageAnalysis,
    },
    Failed {
        path: String,
        kind: AssetKind,
        error: AssetError,
    },
}

impl AssetReport {
    pub fn path(&self) -> &str {
        match self {
            AssetReport::Audio { analysis, .. } => &analysis.path,
            AssetReport::Image { analysis, .. } => &analysis.path,
            AssetReport::Failed { path, .. } => path,
        }
    }

    pub fn is_failed(&self) -> bool {
        matches!(self, AssetReport::Failed { .. })
    }
}

/// Analyses one file, turning every failure — including a panic inside a decoder — into an error.
pub fn analyze(path: &Path) -> AssetReport {
    let kind = kind_of(path);
    let result = std::panic::catch_unwind(|| match kind {
        AssetKind::Audio => analyze_audio(path).map(|analysis| AssetReport::Audio { kind, analysis }),
        AssetKind::Image => analyze_image(path).map(|analysis| AssetReport::Image { kind, analysis }),
    });
    let error = match result {
        Ok(Ok(report)) => return report,
        Ok(Err(error)) => error,
        Err(_) => AssetError::new(path, "internal", "the decoder failed on this file; it may be corrupt"),
    };
    AssetReport::Failed { path: path.display().to_string(), kind, error }
}

/// Progress of a batch: `done` of `total` files finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// Analyses files on `workers` threads (the machine's cores when 0), results in input order.
/// Setting `cancel` stops before the next file; files not started come back as `cancelled`.
pub fn analyze_all(
    paths: &[PathBuf],
    workers: usize,
    cancel: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Vec<AssetReport> {
    let total = paths.len();
    let workers = if workers == 0 { std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) } else { workers };
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let mut slots: Vec<Option<AssetReport>> = vec![None; total];
    let results = std::sync::Mutex::new(&mut slots);
    std::thread::scope(|scope| {
        for _ in 0..workers.min(total.max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= total {
                    break;
                }
                let report = if cancel.load(Ordering::SeqCst) {
                    let kind = kind_of(&paths[i]);
                    let error = AssetError::new(&paths[i], "cancelled", "analysis was cancelled");
                    AssetReport::Failed { path: paths[i].display().to_string(), kind, error }
                } else {
                    analyze(&paths[i])
                };
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(report);
                progress(Progress { done: done.fetch_add(1, Ordering::SeqCst) + 1, total });
            });
        }
    });
    slots.into_iter().map(|s| s.expect("every slot filled")).collect()
}

/// Extensions picked up from a dropped folder: masters (and lossy references) and covers.
pub const MEDIA_EXTENSIONS: &[&str] = &["wav", "wave", "flac", "aif", "aiff", "aifc", "mp3", "m4a", "aac", "ogg", "jpg", "jpeg", "png"];

/// Files to analyse from what the user dropped or picked: files as given, folders replaced by
/// the media files inside them (sub-folders too, at most 4 levels, hidden entries skipped), in
/// name order. A path that does not exist is kept, so its analysis reports it.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if depth < 4 {
                    walk(&path, depth + 1, out);
                }
            } else {
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
                if MEDIA_EXTENSIONS.contains(&ext.as_str()) {
                    out.push(path);
                }
            }
        }
    }
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, 1, &mut out);
        } else if !out.contains(path) {
            out.push(path.clone());
        }
    }
    out
}

fn file_size(path: &Path) -> Result<u64, AssetError> {
    let meta = std::fs::metadata(path).map_err(|e| AssetError::io(path, e))?;
    if meta.is_dir() {
        return Err(AssetError::new(path, "unreadable", format!("{} is a folder, not a file", path.display())));
    }
    Ok(meta.len())
}

/// SHA-256 of a file, read in 256 KiB blocks.
pub fn sha256_file(path: &Path) -> Result<String, AssetError> {
    let mut file = std::fs::File::open(path).map_err(|e| AssetError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| AssetError::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
pub(crate) mod tests;
