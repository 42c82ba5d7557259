//! Analysis against generated audio and images with known values.

use super::*;
use std::f64::consts::PI;
use std::path::Path;
use std::sync::Mutex;

/// Test signal generators, shared with the readiness and CLI tests.
pub(crate) mod gen {
    use super::*;

    /// Writes a WAV of `seconds` with `f(frame, channel) -> sample in [-1, 1]` (clamped).
    pub fn wav(path: &Path, rate: u32, bits: u16, channels: u16, seconds: f64, f: impl Fn(u64, u16) -> f64) {
        let spec = hound::WavSpec { channels, sample_rate: rate, bits_per_sample: bits, sample_format: hound::SampleFormat::Int };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        let full = ((1i64 << (bits - 1)) - 1) as f64;
        for n in 0..(seconds * rate as f64).round() as u64 {
            for c in 0..channels {
                let v = (f(n, c).clamp(-1.0, 1.0) * full).round() as i32;
                w.write_sample(v).unwrap();
            }
        }
        w.finalize().unwrap();
    }

    pub fn sine(rate: u32, freq: f64, dbfs: f64) -> impl Fn(u64, u16) -> f64 {
        let amp = 10f64.powf(dbfs / 20.0);
        move |n, _| amp * (2.0 * PI * freq * n as f64 / rate as f64).sin()
    }

    /// A 16-bit big-endian AIFF (FORM/COMM/SSND) with the same generator.
    pub fn aiff(path: &Path, rate: u32, channels: u16, seconds: f64, f: impl Fn(u64, u16) -> f64) {
        let frames = (seconds * rate as f64).round() as u32;
        let mut ssnd = vec![0u8; 8];
        for n in 0..frames as u64 {
            for c in 0..channels {
                let v = (f(n, c).clamp(-1.0, 1.0) * 32767.0).round() as i16;
                ssnd.extend_from_slice(&v.to_be_bytes());
            }
        }
        // 80-bit extended sample rate.
        let mut ext = [0u8; 10];
        let exp = 31 - rate.leading_zeros();
        ext[0..2].copy_from_slice(&((16383 + exp) as u16).to_be_bytes());
        ext[2..10].copy_from_slice(&((rate as u64) << (63 - exp)).to_be_bytes());
        let mut comm = Vec::new();
        comm.extend_from_slice(&channels.to_be_bytes());
        comm.extend_from_slice(&frames.to_be_bytes());
        comm.extend_from_slice(&16u16.to_be_bytes());
        comm.extend_from_slice(&ext);
        let mut body = b"AIFF".to_vec();
        body.extend_from_slice(b"COMM");
        body.extend_from_slice(&(comm.len() as u32).to_be_bytes());
        body.extend_from_slice(&comm);
        body.extend_from_slice(b"SSND");
        body.extend_from_slice(&(ssnd.len() as u32).to_be_bytes());
        body.extend_from_slice(&ssnd);
        let mut file = b"FORM".to_vec();
        file.extend_from_slice(&(body.len() as u32).to_be_bytes());
        file.extend_from_slice(&body);
        std::fs::write(path, file).unwrap();
    }

    /// An RGB (or grey) test picture.
    pub fn picture(path: &Path, width: u32, height: u32, grey: bool) {
        if grey {
            ::image::GrayImage::from_fn(width, height, |x, y| ::image::Luma([((x + y) % 256) as u8])).save(path).unwrap();
        } else {
            ::image::RgbImage::from_fn(width, height, |x, y| ::image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]))
                .save(path)
                .unwrap();
        }
    }
}

fn audio(path: &Path) -> AudioAnalysis {
    match analyze(path) {
        AssetReport::Audio { analysis, .. } => analysis,
        other => panic!("{}: {other:?}", path.display()),
    }
}

fn close(actual: Option<f64>, expected: f64, tolerance: f64, what: &str) {
    let a = actual.unwrap_or_else(|| panic!("{what}: no value"));
    assert!((a - expected).abs() <= tolerance, "{what}: {a} is not within {tolerance} of {expected}");
}

#[test]
fn stereo_1khz_sine_at_minus_20_dbfs_is_minus_20_lufs_and_dbtp() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sine.wav");
    gen::wav(&p, 48_000, 16, 2, 20.0, gen::sine(48_000, 1000.0, -20.0));
    let a = audio(&p);
    assert_eq!((a.container.as_str(), a.codec.as_str()), ("wav", "pcm_s16le"));
    assert_eq!((a.sample_rate, a.bit_depth, a.channels, a.lossy), (48_000, Some(16), 2, false));
    assert!((a.duration_seconds - 20.0).abs() < 1e-6);
    close(a.integrated_lufs, -20.0, 0.1, "integrated");
    close(a.true_peak_dbtp, -20.0, 0.2, "true peak");
    close(a.sample_peak_dbfs, -20.0, 0.1, "sample peak");
    close(a.loudness_range_lu, 0.0, 0.1, "loudness range of a steady tone");
    assert_eq!(a.clipped_samples, 0);
    assert!(a.leading_silence_seconds < 0.001 && a.trailing_silence_seconds < 0.001);
    assert_eq!(a.sha256, sha256_file(&p).unwrap());
    assert_eq!(a.sha256.len(), 64);
    assert_eq!(a.size_bytes, std::fs::metadata(&p).unwrap().len());
}

#[test]
fn ebu_tech_3341_case_1_and_2() {
    // Tech 3341 cases 1 and 2: stereo 1 kHz at −23 dBFS → −23.0 LUFS; at −33 dBFS → −33.0 LUFS.
    let dir = tempfile::tempdir().unwrap();
    for (level, rate) in [(-23.0, 44_100), (-33.0, 48_000)] {
        let p = dir.path().join(format!("case{level}.wav"));
        gen::wav(&p, rate, 24, 2, 20.0, gen::sine(rate, 1000.0, level));
        close(audio(&p).integrated_lufs, level, 0.1, "integrated");
    }
}

#[test]
fn formats_rates_and_depths() {
    let dir = tempfile::tempdir().unwrap();
    // Mono counts once: a mono sine is 3 dB below the same sine in stereo.
    let mono = dir.path().join("mono.wav");
    gen::wav(&mono, 44_100, 24, 1, 10.0, gen::sine(44_100, 1000.0, -20.0));
    let a = audio(&mono);
    assert_eq!((a.sample_rate, a.bit_depth, a.channels, a.codec.as_str()), (44_100, Some(24), 1, "pcm_s24le"));
    close(a.integrated_lufs, -23.01, 0.1, "mono integrated");

    let hi = dir.path().join("hires.wav");
    gen::wav(&hi, 96_000, 24, 2, 5.0, gen::sine(96_000, 1000.0, -20.0));
    let a = audio(&hi);
    assert_eq!((a.sample_rate, a.bit_depth, a.channels), (96_000, Some(24), 2));
    close(a.integrated_lufs, -20.0, 0.1, "96 kHz integrated");
    close(a.true_peak_dbtp, -20.0, 0.2, "96 kHz true peak");

    // Compressed formats come from small committed files (tests/fixtures/README.md says how).
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let a = audio(&fixtures.join("sine-1k-minus20-48k-24bit.flac"));
    assert_eq!((a.container.as_str(), a.codec.as_str(), a.lossy), ("flac", "flac", false));
    assert_eq!((a.sample_rate, a.bit_depth, a.channels), (48_000, Some(24), 2));
    close(a.integrated_lufs, -20.0, 0.1, "flac integrated");
    close(a.true_peak_dbtp, -20.0, 0.2, "flac true peak");
    assert!((a.duration_seconds - 1.0).abs() < 1e-6);
    for (file, codec) in [("sine-1k-44k.mp3", "mp3"), ("sine-1k-44k.m4a", "aac")] {
        let a = audio(&fixtures.join(file));
        assert_eq!((a.codec.as_str(), a.lossy, a.bit_depth, a.sample_rate, a.channels), (codec, true, None, 44_100, 2), "{file}");
        assert!((a.duration_seconds - 2.0).abs() < 0.1, "{file}: {}", a.duration_seconds);
        assert!(a.integrated_lufs.is_some());
    }

    let aif = dir.path().join("master.aiff");
    gen::aiff(&aif, 44_100, 2, 5.0, gen::sine(44_100, 1000.0, -20.0));
    let a = audio(&aif);
    assert_eq!((a.container.as_str(), a.sample_rate, a.bit_depth, a.channels), ("aiff", 44_100, Some(16), 2));
    close(a.integrated_lufs, -20.0, 0.1, "aiff integrated");
}

#[test]
fn silence_noise_clipping_and_padding() {
    let dir = tempfile::tempdir().unwrap();
    let silent = dir.path().join("silence.wav");
    gen::wav(&silent, 44_100, 16, 2, 3.0, |_, _| 0.0);
    let a = audio(&silent);
    assert_eq!(a.integrated_lufs, None);
    assert_eq!(a.true_peak_dbtp, None);
    assert!((a.leading_silence_seconds - 3.0).abs() < 1e-3);

    // Deterministic white noise at −12 dBFS RMS per channel; K-weighting lifts the highs and both
    // channels add up: about −6 LUFS.
    let noise = dir.path().join("noise.wav");
    let seed = std::cell::Cell::new(12345u64);
    gen::wav(&noise, 48_000, 16, 2, 5.0, |_, _| {
        seed.set(seed.get().wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407));
        ((seed.get() >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 0.87
    });
    let a = audio(&noise);
    let lufs = a.integrated_lufs.unwrap();
    assert!((-8.0..-4.0).contains(&lufs), "noise loudness {lufs}");
    assert_eq!(a.clipped_samples, 0);

    // A sine driven 6 dB past full scale clips on every crest.
    let clipped = dir.path().join("clipped.wav");
    gen::wav(&clipped, 44_100, 16, 2, 2.0, gen::sine(44_100, 1000.0, 6.0));
    let a = audio(&clipped);
    assert!(a.clipped_samples > 10_000, "{}", a.clipped_samples);
    assert!(a.true_peak_dbtp.unwrap() >= -0.01);

    // 1 s silence, 2 s tone, 0.5 s silence.
    let padded = dir.path().join("padded.wav");
    let tone = gen::sine(48_000, 440.0, -10.0);
    gen::wav(&padded, 48_000, 16, 2, 3.5, |n, c| if (48_000..144_000).contains(&n) { tone(n, c) } else { 0.0 });
    let a = audio(&padded);
    assert!((a.leading_silence_seconds - 1.0).abs() < 0.01, "{}", a.leading_silence_seconds);
    assert!((a.trailing_silence_seconds - 0.5).abs() < 0.01, "{}", a.trailing_silence_seconds);
}

#[test]
fn tags_prefill_tracks() {
    use lofty::config::WriteOptions;
    use lofty::file::TaggedFileExt;
    use lofty::tag::{Accessor, ItemKey, Tag, TagExt, TagType};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("tagged.wav");
    gen::wav(&p, 44_100, 16, 2, 1.0, gen::sine(44_100, 1000.0, -20.0));
    let mut tag = Tag::new(TagType::Id3v2);
    tag.set_title("红豆".into());
    tag.set_artist("Faye Wong".into());
    tag.set_track(3);
    tag.insert_text(ItemKey::Isrc, "CNA019900003".into());
    tag.save_to_path(&p, WriteOptions::default()).unwrap();
    let tags = audio(&p).tags;
    assert_eq!(tags.title.as_deref(), Some("红豆"));
    assert_eq!(tags.artist.as_deref(), Some("Faye Wong"));
    assert_eq!(tags.isrc.as_deref(), Some("CNA019900003"));
    assert_eq!(tags.track_number, Some(3));
    let _ = lofty::read_from_path(&p).unwrap().primary_tag().map(|t| t.title());
}

#[test]
fn artwork_dimensions_colour_and_thumbnail() {
    let dir = tempfile::tempdir().unwrap();
    let rgb = dir.path().join("cover.jpg");
    gen::picture(&rgb, 640, 480, false);
    let AssetReport::Image { analysis: a, .. } = analyze(&rgb) else { panic!() };
    assert_eq!((a.format.as_str(), a.width, a.height, a.square), ("jpeg", 640, 480, false));
    assert_eq!(a.color_model, ColorModel::Rgb);
    assert!(a.thumbnail.starts_with("data:image/png;base64,"));
    assert_eq!(a.sha256, sha256_file(&rgb).unwrap());

    let grey = dir.path().join("grey.png");
    gen::picture(&grey, 300, 300, true);
    let AssetReport::Image { analysis: a, .. } = analyze(&grey) else { panic!() };
    assert_eq!((a.format.as_str(), a.square, a.color_model), ("png", true, ColorModel::Grey));

    let grey_jpeg = dir.path().join("grey.jpg");
    gen::picture(&grey_jpeg, 64, 64, true);
    let AssetReport::Image { analysis: a, .. } = analyze(&grey_jpeg) else { panic!() };
    assert_eq!(a.color_model, ColorModel::Grey);

    // The JPEG frame header says how many components: 4 is CMYK (image decodes it as RGB).
    let cmyk = dir.path().join("cmyk.jpg");
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
    bytes.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x14, 0x08, 0x00, 0x10, 0x00, 0x10, 0x04]);
    std::fs::write(&cmyk, bytes).unwrap();
    assert_eq!(super::image::jpeg_components_for_test(&cmyk), Some(4));
}

#[test]
fn bad_files_are_problems_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.wav");
    gen::wav(&good, 44_100, 16, 2, 2.0, gen::sine(44_100, 1000.0, -20.0));
    let text = dir.path().join("notes.wav");
    std::fs::write(&text, "these are lyrics, not audio\n".repeat(50)).unwrap();
    let empty = dir.path().join("empty.flac");
    std::fs::write(&empty, b"").unwrap();
    let truncated = dir.path().join("truncated.wav");
    let full = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    let missing = dir.path().join("missing.wav");
    let fake_cover = dir.path().join("cover.jpg");
    std::fs::write(&fake_cover, "not a picture").unwrap();
    let folder = dir.path().join("folder.png");
    std::fs::create_dir(&folder).unwrap();

    let paths = vec![text, empty, truncated, good.clone(), missing, fake_cover, folder];
    let seen = Mutex::new(Vec::new());
    let reports = analyze_all(&paths, 2, &AtomicBool::new(false), &|p| seen.lock().unwrap().push(p.done));
    let codes: Vec<&str> = reports
        .iter()
        .map(|r| match r {
            AssetReport::Failed { error, .. } => error.code.as_str(),
            _ => "ok",
        })
        .collect();
    assert_eq!(
        codes,
        ["unsupported_audio", "empty_file", "truncated_audio", "ok", "not_found", "not_an_image", "unreadable"]
    );
    for r in &reports {
        if let AssetReport::Failed { error, path, .. } = r {
            assert!(!error.message.is_empty() && error.path == *path);
        }
    }
    assert_eq!(reports[3].path(), good.display().to_string());
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    assert_eq!(seen, (1..=7).collect::<Vec<_>>());

    // Cancelled before start: nothing analysed, every file says so.
    let reports = analyze_all(&paths[3..4], 1, &AtomicBool::new(true), &|_| {});
    assert!(matches!(&reports[0], AssetReport::Failed { error, .. } if error.code == "cancelled"));
}

#[test]
fn report_json_has_the_cli_fields() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.wav");
    gen::wav(&p, 44_100, 16, 1, 1.0, gen::sine(44_100, 1000.0, -20.0));
    let v = serde_json::to_value(analyze(&p)).unwrap();
    for key in ["path", "kind", "codec", "sample_rate", "bit_depth", "channels", "duration_seconds", "integrated_lufs", "true_peak_dbtp", "sha256"] {
        assert!(v.get(key).is_some(), "{key} missing in {v}");
    }
    assert_eq!(v["kind"], "audio");
    let back: AssetReport = serde_json::from_value(v).unwrap();
    assert!(matches!(back, AssetReport::Audio { .. }));
}

#[test]
fn a_dropped_folder_becomes_its_media_files_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    let album = dir.path().join("album");
    std::fs::create_dir_all(album.join("disc 2")).unwrap();
    std::fs::create_dir_all(album.join(".hidden")).unwrap();
    for name in ["02 b.wav", "01 a.FLAC", "cover.jpg", "notes.txt", "disc 2/01 c.aiff", ".hidden/x.wav", ".DS_Store"] {
        std::fs::write(album.join(name), b"x").unwrap();
    }
    let single = dir.path().join("single.wav");
    std::fs::write(&single, b"x").unwrap();
    let missing = dir.path().join("gone.wav");
    let got = expand_paths(&[album.clone(), single.clone(), missing.clone(), single.clone()]);
    let names: Vec<String> = got.iter().map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string()).collect();
    assert_eq!(names, ["album/01 a.FLAC", "album/02 b.wav", "album/cover.jpg", "album/disc 2/01 c.aiff", "single.wav", "gone.wav"]);
}
