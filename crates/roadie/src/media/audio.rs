//! Audio masters: decode with symphonia packet by packet (memory stays a few packets whatever the
//! file size), measure with ebur128 (EBU R128 integrated loudness, loudness range, true peak),
//! count clipped samples and leading/trailing silence, hash the file on a second thread, and
//! read tags with lofty (read only: masters are never written to).

use super::{file_size, sha256_file, AssetError};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::path::Path;
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use ts_rs::TS;

/// Below this level (dBFS) a frame counts as silence.
pub const SILENCE_DBFS: f64 = -60.0;
/// At or above this magnitude a sample is at full scale (−0.0009 dBFS).
const FULL_SCALE: f32 = 0.9999;

/// Tags found in the file, used to prefill a track.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct AudioTags {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub isrc: Option<String>,
    pub track_number: Option<u32>,
    pub disc_number: Option<u32>,
}

/// What Roadie measured in one audio file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AudioAnalysis {
    pub path: String,
    /// The container: `wav`, `aiff`, `flac`, `mp3`, `isomp4`...
    pub container: String,
    /// The codec: `pcm_s16le`, `flac`, `mp3`, `aac`...
    pub codec: String,
    /// MP3, AAC, Vorbis: accepted for reference, not for delivery.
    pub lossy: bool,
    pub sample_rate: u32,
    /// Bits per sample for PCM and FLAC; none for lossy codecs.
    pub bit_depth: Option<u32>,
    pub channels: u32,
    pub duration_seconds: f64,
    /// EBU R128 integrated loudness (LUFS); none for silence.
    pub integrated_lufs: Option<f64>,
    /// EBU R128 loudness range (LU).
    pub loudness_range_lu: Option<f64>,
    /// Highest true peak of any channel (dBTP, 4× oversampled below 96 kHz).
    pub true_peak_dbtp: Option<f64>,
    /// Highest sample peak of any channel (dBFS).
    pub sample_peak_dbfs: Option<f64>,
    /// Samples in runs of two or more consecutive full-scale samples (a sign of clipping).
    pub clipped_samples: u64,
    /// Silence (below −60 dBFS) before the first sound and after the last.
    pub leading_silence_seconds: f64,
    pub trailing_silence_seconds: f64,
    /// Packets the decoder could not decode (skipped).
    pub decode_errors: u32,
    pub size_bytes: u64,
    pub sha256: String,
    pub tags: AudioTags,
}

fn db(linear: f64) -> Option<f64> {
    (linear > 0.0 && linear.is_finite()).then(|| 20.0 * linear.log10())
}

fn finite(v: Result<f64, ebur128::Error>) -> Option<f64> {
    v.ok().filter(|v| v.is_finite())
}

/// Per-channel state for clipping runs, plus silence bounds.
struct Scan {
    channels: usize,
    runs: Vec<u32>,
    clipped: u64,
    frames: u64,
    first_loud: Option<u64>,
    last_loud: Option<u64>,
    threshold: f32,
}

impl Scan {
    fn new(channels: usize) -> Self {
        Scan {
            channels,
            runs: vec![0; channels],
            clipped: 0,
            frames: 0,
            first_loud: None,
            last_loud: None,
            threshold: 10f64.powf(SILENCE_DBFS / 20.0) as f32,
        }
    }

    fn feed(&mut self, interleaved: &[f32]) {
        for frame in interleaved.chunks_exact(self.channels) {
            let mut loud = false;
            for (ch, s) in frame.iter().enumerate() {
                let a = s.abs();
                loud |= a > self.threshold;
                if a >= FULL_SCALE {
                    self.runs[ch] += 1;
                    match self.runs[ch] {
                        2 => self.clipped += 2,
                        n if n > 2 => self.clipped += 1,
                        _ => {}
                    }
                } else {
                    self.runs[ch] = 0;
                }
            }
            if loud {
                self.first_loud.get_or_insert(self.frames);
                self.last_loud = Some(self.frames);
            }
            self.frames += 1;
        }
    }
}

fn is_lossy(codec: &str) -> bool {
    matches!(codec, "mp3" | "mp2" | "mp1" | "aac" | "vorbis" | "opus")
}

/// Reads tags without touching the file; a file without tags (or unreadable ones) has none.
pub fn read_tags(path: &Path) -> AudioTags {
    use lofty::config::ParseOptions;
    use lofty::file::TaggedFileExt;
    use lofty::tag::{Accessor, ItemKey};
    let Ok(probe) = lofty::probe::Probe::open(path) else { return AudioTags::default() };
    let options = ParseOptions::new().read_properties(false).read_cover_art(false);
    let Ok(file) = probe.options(options).read() else { return AudioTags::default() };
    let Some(tag) = file.primary_tag().or_else(|| file.first_tag()) else { return AudioTags::default() };
    let text = |v: Option<std::borrow::Cow<'_, str>>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    AudioTags {
        title: text(tag.title()),
        artist: text(tag.artist()),
        album: text(tag.album()),
        isrc: tag.get_string(ItemKey::Isrc).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        track_number: tag.track(),
        disc_number: tag.disk(),
    }
}

/// Analyses one audio file. Fails with a clear reason for what cannot be decoded.
pub fn analyze_audio(path: &Path) -> Result<AudioAnalysis, AssetError> {
    let size = file_size(path)?;
    if size == 0 {
        return Err(AssetError::new(path, "empty_file", "the file is empty (0 bytes)"));
    }
    std::thread::scope(|scope| {
        let hasher = scope.spawn(|| sha256_file(path));
        let measured = measure(path);
        let sha = hasher.join().map_err(|_| AssetError::new(path, "io", "hashing failed"))??;
        let mut analysis = measured?;
        analysis.sha256 = sha;
        analysis.size_bytes = size;
        analysis.tags = read_tags(path);
        Ok(analysis)
    })
}

fn measure(path: &Path) -> Result<AudioAnalysis, AssetError> {
    let unsupported =
        |detail: String| AssetError::new(path, "unsupported_audio", format!("not a readable audio file: {detail}"));
    let file = File::open(path).map_err(|e| AssetError::io(path, e))?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let mut format = symphonia::default::get_probe()
        .probe(&hint, mss, FormatOptions::default(), MetadataOptions::default())
        .map_err(|e| unsupported(e.to_string()))?;
    let container = match format.format_info().short_name {
        "wave" => "wav".to_string(),
        other => other.to_string(),
    };
    let track = format.default_track(TrackType::Audio).ok_or_else(|| unsupported("no audio track".into()))?;
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| unsupported("no audio codec parameters".into()))?
        .clone();
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| unsupported(format!("no decoder for this codec ({e})")))?;
    let codec_short = decoder.codec_info().short_name.to_string();
    let mut sample_rate = params.sample_rate.unwrap_or(0);
    let mut channels = params.channels.as_ref().map(|c| c.count()).unwrap_or(0);
    let bit_depth = params.bits_per_sample;

    let mut meter: Option<ebur128::EbuR128> = None;
    let mut scan: Option<Scan> = None;
    let mut buffer: Vec<f32> = Vec::new();
    let mut decode_errors = 0u32;
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(AssetError::new(
                    path,
                    "truncated_audio",
                    "the audio ends before its header says it should (truncated or incomplete copy)",
                ));
            }
            Err(e) => return Err(AssetError::new(path, "corrupt_audio", format!("cannot read the audio: {e}"))),
        };
        if packet.track_id != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(b) => b,
            Err(SymError::DecodeError(_)) => {
                decode_errors += 1;
                continue;
            }
            Err(e) => return Err(AssetError::new(path, "corrupt_audio", format!("cannot decode the audio: {e}"))),
        };
        if meter.is_none() {
            sample_rate = decoded.spec().rate();
            channels = decoded.spec().channels().count();
            if sample_rate == 0 || channels == 0 {
                return Err(unsupported("no sample rate or channels".into()));
            }
            let mode = ebur128::Mode::I
                | ebur128::Mode::LRA
                | ebur128::Mode::TRUE_PEAK
                | ebur128::Mode::SAMPLE_PEAK
                | ebur128::Mode::HISTOGRAM;
            meter = Some(
                ebur128::EbuR128::new(channels as u32, sample_rate, mode)
                    .map_err(|e| unsupported(format!("cannot meter this layout: {e}")))?,
            );
            scan = Some(Scan::new(channels));
        }
        buffer.resize(decoded.samples_interleaved(), 0.0);
        decoded.copy_to_slice_interleaved(&mut buffer[..]);
        if let (Some(meter), Some(scan)) = (meter.as_mut(), scan.as_mut()) {
            meter
                .add_frames_f32(&buffer)
                .map_err(|e| AssetError::new(path, "corrupt_audio", format!("cannot meter the audio: {e}")))?;
            scan.feed(&buffer);
        }
    }
    let (Some(meter), Some(scan)) = (meter, scan) else {
        return Err(AssetError::new(path, "corrupt_audio", "the file holds no decodable audio"));
    };
    let rate = sample_rate as f64;
    let peak = |f: &dyn Fn(u32) -> Result<f64, ebur128::Error>| {
        (0..channels as u32).filter_map(|c| f(c).ok()).fold(0.0f64, f64::max)
    };
    let true_peak = peak(&|c| meter.true_peak(c));
    let sample_peak = peak(&|c| meter.sample_peak(c));
    let (leading, trailing) = match (scan.first_loud, scan.last_loud) {
        (Some(first), Some(last)) => (first as f64 / rate, (scan.frames - 1 - last) as f64 / rate),
        _ => (scan.frames as f64 / rate, scan.frames as f64 / rate),
    };
    let codec = codec_short;
    Ok(AudioAnalysis {
        path: path.display().to_string(),
        container,
        lossy: is_lossy(&codec),
        bit_depth: if is_lossy(&codec) { None } else { bit_depth },
        codec,
        sample_rate,
        channels: channels as u32,
        duration_seconds: scan.frames as f64 / rate,
        integrated_lufs: finite(meter.loudness_global()),
        loudness_range_lu: finite(meter.loudness_range()),
        true_peak_dbtp: db(true_peak),
        sample_peak_dbfs: db(sample_peak),
        clipped_samples: scan.clipped,
        leading_silence_seconds: leading,
        trailing_silence_seconds: trailing,
        decode_errors,
        size_bytes: 0,
        sha256: String::new(),
        tags: AudioTags::default(),
    })
}
