//! What stores and distributors accept, as data the UI can show next to each check.
//! Artwork: Apple Music and Spotify (via distributors) ask for square RGB JPEG/PNG of at least
//! 3000×3000 px. Audio: lossless PCM/FLAC, 16 or 24 bit, 44.1 kHz or more. Loudness: streaming
//! services normalise to about −14 LUFS; masters quieter than −20 or louder than −6 LUFS, or with a
//! true peak above −1 dBTP, are flagged as warnings (not refusals).

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DeliveryRules {
    pub artwork_min_px: u32,
    pub artwork_max_px: u32,
    pub artwork_square: bool,
    pub artwork_color_model: &'static str,
    pub artwork_formats: &'static [&'static str],
    pub audio_lossless: bool,
    pub audio_min_sample_rate: u32,
    pub audio_bit_depths: &'static [u32],
    pub audio_channels: &'static [u32],
    /// Integrated loudness below this (LUFS) is "too quiet".
    pub loudness_min_lufs: f64,
    /// Integrated loudness above this (LUFS) is "too loud".
    pub loudness_max_lufs: f64,
    /// The level streaming services play at, for reference.
    pub loudness_reference_lufs: f64,
    /// True peak above this (dBTP) risks distortion after lossy encoding.
    pub true_peak_max_dbtp: f64,
    /// Leading or trailing silence longer than this (seconds) is flagged.
    pub silence_max_seconds: f64,
    /// A track shorter than this (seconds) is refused by most stores.
    pub track_min_seconds: f64,
}

pub const DELIVERY_RULES: DeliveryRules = DeliveryRules {
    artwork_min_px: 3000,
    artwork_max_px: 6000,
    artwork_square: true,
    artwork_color_model: "rgb",
    artwork_formats: &["jpeg", "png"],
    audio_lossless: true,
    audio_min_sample_rate: 44_100,
    audio_bit_depths: &[16, 24],
    audio_channels: &[1, 2],
    loudness_min_lufs: -20.0,
    loudness_max_lufs: -6.0,
    loudness_reference_lufs: -14.0,
    true_peak_max_dbtp: -1.0,
    silence_max_seconds: 2.0,
    track_min_seconds: 30.0,
};
