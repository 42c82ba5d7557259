//! The readiness check: every reason a distributor or store would reject a release, found in one
//! call, as errors (block delivery) and warnings, each with a stable code, the track it concerns
//! and a message in English and Chinese. The rules' numbers come from [`DELIVERY_RULES`].

use crate::catalog::{ReleaseDetail, ReleaseType, Track};
use crate::error::Result;
use crate::media::{ColorModel, DELIVERY_RULES};
use crate::Store;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Problem {
    pub severity: Severity,
    /// Stable code: `missing_upc`, `too_quiet`, `artwork_too_small`...
    pub code: String,
    /// The track's number in the release (1-based, in disc and position order); none for the
    /// release itself.
    pub track: Option<u32>,
    pub track_id: Option<Uuid>,
    /// The form field to jump to.
    pub field: Option<String>,
    /// English.
    pub message: String,
    /// 简体中文.
    pub message_zh: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Readiness {
    /// No errors (warnings allowed).
    pub ready: bool,
    pub problems: Vec<Problem>,
}

struct Found<'a> {
    problems: Vec<Problem>,
    track: Option<(u32, &'a Track)>,
}

impl Found<'_> {
    fn add(&mut self, severity: Severity, code: &str, field: &str, message: String, message_zh: String) {
        self.problems.push(Problem {
            severity,
            code: code.into(),
            track: self.track.map(|(n, _)| n),
            track_id: self.track.map(|(_, t)| t.id),
            field: Some(field.into()),
            message,
            message_zh,
        });
    }
    fn error(&mut self, code: &str, field: &str, en: String, zh: String) {
        self.add(Severity::Error, code, field, en, zh);
    }
    fn warn(&mut self, code: &str, field: &str, en: String, zh: String) {
        self.add(Severity::Warning, code, field, en, zh);
    }
}

/// Checks a release as loaded; `elsewhere` holds ISRCs that other releases use for a different
/// recording, and `today` is the date to compare release dates with.
pub fn check(detail: &ReleaseDetail, elsewhere: &BTreeMap<String, String>, today: chrono::NaiveDate) -> Readiness {
    let rules = &DELIVERY_RULES;
    let r = &detail.release;
    let mut f = Found { problems: Vec::new(), track: None };
    let s = |v: &str| v.to_string();

    if r.upc.is_none() {
        f.error("missing_upc", "upc", s("The release has no UPC/EAN barcode."), s("发行缺少 UPC/EAN 条形码。"));
    }
    match r.release_date {
        None => f.error("missing_release_date", "release_date", s("The release date is missing."), s("缺少发行日期。")),
        Some(d) if d < today => f.warn(
            "release_date_in_past",
            "release_date",
            format!("The release date {d} is in the past; stores need a future date to schedule it."),
            format!("发行日期 {d} 已过；商店需要未来的日期来安排上架。"),
        ),
        _ => {}
    }
    if r.label_name.is_none() {
        f.warn("missing_label", "label_name", s("No label name: stores will show the artist as the label."), s("未填写厂牌名称：商店将以艺人名作为厂牌。"));
    }
    if r.p_line.is_none() {
        f.error("missing_p_line", "p_line", s("The ℗ line (sound recording copyright) is missing."), s("缺少 ℗（录音版权）声明。"));
    }
    if r.c_line.is_none() {
        f.error("missing_c_line", "c_line", s("The © line (artwork and text copyright) is missing."), s("缺少 ©（版权）声明。"));
    }
    if r.genre.is_none() {
        f.error("missing_genre", "genre", s("The genre is missing."), s("缺少流派。"));
    }
    if r.language.is_none() {
        f.warn("missing_language", "language", s("The language of performance is missing."), s("未填写演唱语言。"));
    }
    if r.deals.is_empty() {
        f.warn("no_deals", "deals", s("No deal: the release will go out with the distributor's default terms."), s("未设置交易条款：将使用发行商的默认条款。"));
    }
    match &r.artwork {
        None => f.error("missing_artwork", "artwork", s("The release has no cover art."), s("发行缺少封面。")),
        Some(a) => {
            if a.width < rules.artwork_min_px || a.height < rules.artwork_min_px {
                f.error(
                    "artwork_too_small",
                    "artwork",
                    format!("The cover is {}×{} px; stores need at least {m}×{m}.", a.width, a.height, m = rules.artwork_min_px),
                    format!("封面为 {}×{} 像素；商店要求至少 {m}×{m}。", a.width, a.height, m = rules.artwork_min_px),
                );
            } else if a.width > rules.artwork_max_px || a.height > rules.artwork_max_px {
                f.warn(
                    "artwork_too_large",
                    "artwork",
                    format!("The cover is {}×{} px; some stores accept at most {m}×{m}.", a.width, a.height, m = rules.artwork_max_px),
                    format!("封面为 {}×{} 像素；部分商店最多接受 {m}×{m}。", a.width, a.height, m = rules.artwork_max_px),
                );
            }
            if !a.square {
                f.error("artwork_not_square", "artwork", s("The cover is not square."), s("封面不是正方形。"));
            }
            if a.color_model != ColorModel::Rgb {
                let model = format!("{:?}", a.color_model).to_uppercase();
                f.error(
                    "artwork_not_rgb",
                    "artwork",
                    format!("The cover is {model}; stores need RGB."),
                    format!("封面色彩模式为 {model}；商店要求 RGB。"),
                );
            }
        }
    }
    if detail.tracks.is_empty() {
        f.error("no_tracks", "tracks", s("The release has no tracks."), s("发行没有曲目。"));
    }
    let n = detail.tracks.len();
    if r.release_type == ReleaseType::Single && n > 3 {
        f.warn("too_many_tracks_for_single", "type", format!("A single has at most 3 tracks; this one has {n}."), format!("单曲最多 3 首曲目；此发行有 {n} 首。"));
    }
    if r.release_type == ReleaseType::Ep && n > 6 {
        f.warn("too_many_tracks_for_ep", "type", format!("An EP has at most 6 tracks; this one has {n}."), format!("EP 最多 6 首曲目；此发行有 {n} 首。"));
    }
    // Gaps: each disc numbered 1..n, discs 1..d.
    let mut discs: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for t in &detail.tracks {
        discs.entry(t.disc_number).or_default().push(t.position);
    }
    for (i, (disc, positions)) in discs.iter().enumerate() {
        if *disc != i as u32 + 1 {
            f.error("disc_gap", "disc_number", format!("Disc {} is missing.", i + 1), format!("缺少第 {} 张碟。", i + 1));
        }
        // Two tracks at one position: each added on its own device while offline (sync keeps both).
        if let Some(shared) = positions.windows(2).find(|w| w[0] == w[1]).map(|w| w[0]) {
            f.error(
                "track_position_shared",
                "position",
                format!("Disc {disc} has two tracks at position {shared} (added on two devices): renumber them."),
                format!("第 {disc} 张碟的第 {shared} 首有两首曲目（在两台设备上添加）：请重新编号。"),
            );
            continue;
        }
        for (j, p) in positions.iter().enumerate() {
            if *p != j as u32 + 1 {
                f.error(
                    "track_list_gap",
                    "position",
                    format!("Disc {disc} has no track {}: the track list has a gap.", j + 1),
                    format!("第 {disc} 张碟缺少第 {} 首：曲目列表有空缺。", j + 1),
                );
                break;
            }
        }
    }
    let mut seen_isrc: BTreeMap<&str, u32> = BTreeMap::new();
    for (i, t) in detail.tracks.iter().enumerate() {
        f.track = Some((i as u32 + 1, t));
        check_track(&mut f, r.explicit, t, &mut seen_isrc, elsewhere);
    }
    let ready = !f.problems.iter().any(|p| p.severity == Severity::Error);
    Readiness { ready, problems: f.problems }
}

fn check_track<'a>(
    f: &mut Found<'a>,
    release_explicit: bool,
    t: &'a Track,
    seen: &mut BTreeMap<&'a str, u32>,
    elsewhere: &BTreeMap<String, String>,
) {
    let rules = &DELIVERY_RULES;
    let s = |v: &str| v.to_string();
    let number = f.track.map(|(n, _)| n).unwrap_or(0);
    match t.isrc.as_deref() {
        None => f.error("missing_isrc", "isrc", s("The track has no ISRC."), s("曲目缺少 ISRC。")),
        Some(code) => {
            if let Some(other) = seen.insert(code, number) {
                f.error(
                    "duplicate_isrc",
                    "isrc",
                    format!("ISRC {code} is also on track {other}: each recording needs its own."),
                    format!("ISRC {code} 与第 {other} 首重复：每个录音需要独立的 ISRC。"),
                );
            }
            if let Some(title) = elsewhere.get(code) {
                f.warn(
                    "isrc_used_elsewhere",
                    "isrc",
                    format!("ISRC {code} is used in the catalog for a different recording (\"{title}\")."),
                    format!("ISRC {code} 已在目录中用于另一录音（“{title}”）。"),
                );
            }
        }
    }
    if t.explicit && !release_explicit {
        f.error("explicit_mismatch", "explicit", s("The track is explicit but the release is not marked explicit."), s("曲目含露骨内容，但发行未标记为露骨。"));
    }
    if let Some(work) = &t.work {
        if work.writers.is_empty() {
            f.warn("missing_writers", "work.writers", s("The musical work has no writers."), s("音乐作品缺少词曲作者。"));
        } else {
            let total: Decimal = work.writers.iter().map(|w| w.share).sum();
            if total != Decimal::ONE_HUNDRED {
                f.warn(
                    "writer_shares_not_100",
                    "work.writers",
                    format!("Writers' shares add up to {}%, not 100%.", total.normalize()),
                    format!("词曲作者份额合计 {}%，不是 100%。", total.normalize()),
                );
            }
        }
    } else {
        f.warn("missing_work", "work", s("No musical work (writers, ISWC) for publishing royalties."), s("缺少音乐作品信息（词曲作者、ISWC），影响版税收取。"));
    }
    let Some(a) = &t.audio else {
        f.error("missing_audio", "audio", s("The track has no audio file."), s("曲目缺少音频文件。"));
        return;
    };
    if !std::path::Path::new(&a.path).exists() {
        f.warn("audio_file_missing", "audio", format!("The audio file {} is no longer there.", a.path), format!("音频文件 {} 已不存在。", a.path));
    }
    if a.lossy {
        f.error(
            "lossy_audio",
            "audio",
            format!("The audio is {} (lossy); stores need lossless WAV, FLAC or AIFF.", a.codec.to_uppercase()),
            format!("音频为 {}（有损）；商店要求无损 WAV、FLAC 或 AIFF。", a.codec.to_uppercase()),
        );
    }
    if a.sample_rate < rules.audio_min_sample_rate {
        f.error(
            "low_sample_rate",
            "audio",
            format!("The sample rate is {} Hz; at least {} Hz is needed.", a.sample_rate, rules.audio_min_sample_rate),
            format!("采样率为 {} Hz；至少需要 {} Hz。", a.sample_rate, rules.audio_min_sample_rate),
        );
    }
    if let Some(bits) = a.bit_depth {
        if !rules.audio_bit_depths.contains(&bits) {
            f.warn("unusual_bit_depth", "audio", format!("The audio is {bits}-bit; stores expect 16 or 24-bit."), format!("音频为 {bits} 位；商店通常要求 16 或 24 位。"));
        }
    }
    if !rules.audio_channels.contains(&a.channels) {
        f.error("unsupported_channels", "audio", format!("The audio has {} channels; stores take mono or stereo.", a.channels), format!("音频有 {} 个声道；商店只接受单声道或立体声。", a.channels));
    }
    if a.duration_seconds < rules.track_min_seconds {
        f.warn(
            "too_short",
            "audio",
            format!("The track is {:.1} s long; most stores need at least {} s.", a.duration_seconds, rules.track_min_seconds),
            format!("曲目时长 {:.1} 秒；多数商店要求至少 {} 秒。", a.duration_seconds, rules.track_min_seconds),
        );
    }
    match a.integrated_lufs {
        None => f.error("silent_audio", "audio", s("The audio is silent."), s("音频是静音的。")),
        Some(l) if l < rules.loudness_min_lufs => f.warn(
            "too_quiet",
            "audio",
            format!("The track is {l:.1} LUFS, quieter than {} LUFS: it will sound weak next to others.", rules.loudness_min_lufs),
            format!("曲目响度为 {l:.1} LUFS，低于 {} LUFS：与其他曲目相比会显得偏弱。", rules.loudness_min_lufs),
        ),
        Some(l) if l > rules.loudness_max_lufs => f.warn(
            "too_loud",
            "audio",
            format!("The track is {l:.1} LUFS, louder than {} LUFS: streaming services will turn it down.", rules.loudness_max_lufs),
            format!("曲目响度为 {l:.1} LUFS，高于 {} LUFS：流媒体平台会将其调低。", rules.loudness_max_lufs),
        ),
        _ => {}
    }
    if let Some(tp) = a.true_peak_dbtp {
        if tp > rules.true_peak_max_dbtp {
            f.warn(
                "true_peak_high",
                "audio",
                format!("The true peak is {tp:.1} dBTP, above {} dBTP: it may distort once encoded.", rules.true_peak_max_dbtp),
                format!("真峰值为 {tp:.1} dBTP，高于 {} dBTP：编码后可能失真。", rules.true_peak_max_dbtp),
            );
        }
    }
    if a.clipped_samples > 0 {
        f.warn("clipping", "audio", format!("{} clipped samples.", a.clipped_samples), format!("有 {} 个削波采样。", a.clipped_samples));
    }
    if a.leading_silence_seconds > rules.silence_max_seconds && a.integrated_lufs.is_some() {
        f.warn("leading_silence", "audio", format!("{:.1} s of silence at the start.", a.leading_silence_seconds), format!("开头有 {:.1} 秒静音。", a.leading_silence_seconds));
    }
    if a.trailing_silence_seconds > rules.silence_max_seconds && a.integrated_lufs.is_some() {
        f.warn("trailing_silence", "audio", format!("{:.1} s of silence at the end.", a.trailing_silence_seconds), format!("结尾有 {:.1} 秒静音。", a.trailing_silence_seconds));
    }
    if a.decode_errors > 0 {
        f.warn("decode_errors", "audio", format!("{} damaged packets were skipped while decoding.", a.decode_errors), format!("解码时跳过了 {} 个损坏的数据包。", a.decode_errors));
    }
}

impl Store {
    /// Every problem of a release, in one call.
    pub async fn check_release(&self, id: Uuid) -> Result<Readiness> {
        let detail = self.get_release(id).await?;
        let mut elsewhere = BTreeMap::new();
        for dup in self.duplicate_isrcs().await? {
            let mine: Vec<_> = dup.tracks.iter().filter(|t| t.release_id == id).collect();
            if let Some(me) = mine.first() {
                if let Some(other) = dup.tracks.iter().find(|t| t.release_id != id && !t.title.trim().eq_ignore_ascii_case(me.title.trim())) {
                    elsewhere.insert(dup.isrc.clone(), other.title.clone());
                }
            }
        }
        Ok(check(&detail, &elsewhere, self.clock.now().date_naive()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing::store;
    use crate::catalog::*;
    use crate::media::tests::gen;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    fn codes(r: &Readiness) -> Vec<(Option<u32>, &str)> {
        r.problems.iter().map(|p| (p.track, p.code.as_str())).collect()
    }

    #[tokio::test]
    async fn a_release_from_two_wavs_and_a_cover_lists_every_problem_until_fixed() {
        let (store, dir) = store().await;
        let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
        let me = store.create_artist(ws, ArtistInput::named("Me")).await.unwrap().id;
        let rel = store.create_release(ws, ReleaseInput::new("Debut", ReleaseType::Single, vec![me])).await.unwrap().release.id;
        let loud = dir.path().join("b-loud.wav");
        gen::wav(&loud, 44_100, 16, 2, 31.0, gen::sine(44_100, 1000.0, 0.5));
        let quiet = dir.path().join("a-quiet.wav");
        gen::wav(&quiet, 48_000, 24, 2, 31.0, gen::sine(48_000, 1000.0, -30.0));
        let cover = dir.path().join("cover.png");
        gen::picture(&cover, 500, 400, false);
        let junk = dir.path().join("junk.wav");
        std::fs::write(&junk, "text").unwrap();
        let seen = Arc::new(std::sync::Mutex::new(0));
        let counter = seen.clone();
        let added = store
            .add_tracks_from_files(rel, vec![loud, quiet, cover, junk], Arc::new(AtomicBool::new(false)), Arc::new(move |_| *counter.lock().unwrap() += 1))
            .await
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), 4);
        assert!(added.artwork_set);
        assert!(added.files[3].is_failed());
        let titles: Vec<_> = added.tracks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles, ["a-quiet", "b-loud"]);
        assert_eq!(added.tracks[0].duration_ms, Some(31_000));

        let r = store.check_release(rel).await.unwrap();
        assert!(!r.ready);
        assert_eq!(
            codes(&r),
            [
                (None, "missing_upc"), (None, "missing_release_date"), (None, "missing_label"), (None, "missing_p_line"),
                (None, "missing_c_line"), (None, "missing_genre"), (None, "missing_language"), (None, "no_deals"),
                (None, "artwork_too_small"), (None, "artwork_not_square"),
                (Some(1), "missing_isrc"), (Some(1), "missing_work"), (Some(1), "too_quiet"),
                (Some(2), "missing_isrc"), (Some(2), "missing_work"), (Some(2), "too_loud"), (Some(2), "true_peak_high"), (Some(2), "clipping"),
            ]
        );
        let p = &r.problems[0];
        assert!(p.message.contains("UPC") && p.message_zh.contains("条形码"));
        assert_eq!(p.severity, Severity::Error);

        // Fix the release's fields: those problems clear, the rest stay.
        let current = store.get_release(rel).await.unwrap().release;
        let mut input = ReleaseInput::from_release(&current);
        input.upc = Some("036000291452".into());
        input.release_date = chrono::NaiveDate::from_ymd_opt(2026, 12, 24);
        input.label_name = Some("L".into());
        input.p_line = Some(CopyrightLine { year: 2026, text: "L".into() });
        input.c_line = Some(CopyrightLine { year: 2026, text: "L".into() });
        input.genre = Some("Pop".into());
        input.language = Some("en".into());
        store.update_release(rel, input).await.unwrap();
        store.set_isrc_prefix(IsrcOwner::Workspace(ws), Some("CN-A01")).await.unwrap();
        for t in &added.tracks {
            store.assign_isrc(t.id).await.unwrap();
        }
        let r = store.check_release(rel).await.unwrap();
        let left: Vec<_> = codes(&r).into_iter().map(|(_, c)| c).collect();
        assert_eq!(left, ["no_deals", "artwork_too_small", "artwork_not_square", "missing_work", "too_quiet", "missing_work", "too_loud", "true_peak_high", "clipping"]);

        // Gaps and duplicates.
        let t2 = &added.tracks[1];
        let mut moved = TrackInput::from_track(&store.get_track(t2.id).await.unwrap());
        moved.position = Some(4);
        moved.isrc = Some("CNA012600001".into());
        store.update_track(t2.id, moved).await.unwrap();
        let r = store.check_release(rel).await.unwrap();
        let codes: Vec<_> = codes(&r).into_iter().map(|(_, c)| c).collect();
        assert!(codes.contains(&"track_list_gap") && codes.contains(&"duplicate_isrc"), "{codes:?}");
    }
}

/// Every rule on its own, through the pure check on an edited in-memory release.
#[cfg(test)]
mod rules {
    use super::*;
    use crate::catalog::*;
    use crate::media::{AudioAnalysis, AudioTags, ImageAnalysis};
    use chrono::NaiveDate;

    fn audio() -> AudioAnalysis {
        AudioAnalysis {
            path: env!("CARGO_MANIFEST_DIR").to_string() + "/Cargo.toml",
            container: "wav".into(),
            codec: "pcm_s24le".into(),
            lossy: false,
            sample_rate: 48_000,
            bit_depth: Some(24),
            channels: 2,
            duration_seconds: 200.0,
            integrated_lufs: Some(-14.0),
            loudness_range_lu: Some(6.0),
            true_peak_dbtp: Some(-1.5),
            sample_peak_dbfs: Some(-1.6),
            clipped_samples: 0,
            leading_silence_seconds: 0.1,
            trailing_silence_seconds: 0.5,
            decode_errors: 0,
            size_bytes: 1,
            sha256: "0".repeat(64),
            tags: AudioTags::default(),
        }
    }

    fn cover() -> ImageAnalysis {
        ImageAnalysis {
            path: "cover.jpg".into(),
            format: "jpeg".into(),
            width: 3000,
            height: 3000,
            square: true,
            color_model: crate::media::ColorModel::Rgb,
            has_alpha: false,
            size_bytes: 1,
            sha256: "0".repeat(64),
            thumbnail: String::new(),
        }
    }

    /// A release with nothing wrong, from the store, then edited in memory per case.
    async fn clean() -> ReleaseDetail {
        let (store, _dir) = crate::catalog::testing::store().await;
        let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
        let me = store.create_artist(ws, ArtistInput::named("Me")).await.unwrap().id;
        let mut input = ReleaseInput::new("R", ReleaseType::Single, vec![me]);
        input.upc = Some("036000291452".into());
        input.release_date = NaiveDate::from_ymd_opt(2027, 1, 1);
        input.label_name = Some("L".into());
        input.p_line = Some(CopyrightLine { year: 2026, text: "L".into() });
        input.c_line = Some(CopyrightLine { year: 2026, text: "L".into() });
        input.genre = Some("Pop".into());
        input.language = Some("en".into());
        input.deals = vec![Deal { commercial_model: CommercialModel::SubscriptionModel, use_types: vec![UseType::OnDemandStream], territories: vec!["WW".into()], start_date: None }];
        let r = store.create_release(ws, input).await.unwrap();
        let work = MusicalWork { title: None, iswc: None, writers: vec![Writer { name: "W".into(), role: WriterRole::Composer, share: Decimal::ONE_HUNDRED }] };
        store.add_track(r.release.id, TrackInput { isrc: Some("CNA012600001".into()), work: Some(work), audio: Some(audio()), ..TrackInput::titled("T") }).await.unwrap();
        let mut d = store.set_release_artwork(r.release.id, Some(&cover())).await.unwrap();
        d.release.artwork = Some(cover());
        d
    }

    fn codes(d: &ReleaseDetail) -> Vec<String> {
        check(d, &BTreeMap::new(), NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()).problems.into_iter().map(|p| p.code).collect()
    }

    #[tokio::test]
    async fn each_rule_has_its_code() {
        let base = clean().await;
        assert!(codes(&base).is_empty(), "{:?}", codes(&base));
        let case = |edit: &dyn Fn(&mut ReleaseDetail)| {
            let mut d = base.clone();
            edit(&mut d);
            codes(&d)
        };
        let a = |edit: &dyn Fn(&mut AudioAnalysis)| case(&|d| edit(d.tracks[0].audio.as_mut().unwrap()));
        assert_eq!(a(&|x| { x.lossy = true; x.codec = "mp3".into(); x.bit_depth = None }), ["lossy_audio"]);
        assert_eq!(a(&|x| x.sample_rate = 22_050), ["low_sample_rate"]);
        assert_eq!(a(&|x| x.bit_depth = Some(8)), ["unusual_bit_depth"]);
        assert_eq!(a(&|x| x.channels = 6), ["unsupported_channels"]);
        assert_eq!(a(&|x| x.duration_seconds = 12.0), ["too_short"]);
        assert_eq!(a(&|x| x.integrated_lufs = None), ["silent_audio"]);
        assert_eq!(a(&|x| x.integrated_lufs = Some(-25.0)), ["too_quiet"]);
        assert_eq!(a(&|x| x.integrated_lufs = Some(-4.0)), ["too_loud"]);
        assert_eq!(a(&|x| x.true_peak_dbtp = Some(0.3)), ["true_peak_high"]);
        assert_eq!(a(&|x| x.clipped_samples = 9), ["clipping"]);
        assert_eq!(a(&|x| x.leading_silence_seconds = 3.0), ["leading_silence"]);
        assert_eq!(a(&|x| x.trailing_silence_seconds = 5.0), ["trailing_silence"]);
        assert_eq!(a(&|x| x.decode_errors = 2), ["decode_errors"]);
        assert_eq!(a(&|x| x.path = "/nowhere/gone.wav".into()), ["audio_file_missing"]);
        let art = |edit: &dyn Fn(&mut ImageAnalysis)| case(&|d| edit(d.release.artwork.as_mut().unwrap()));
        assert_eq!(art(&|x| { x.width = 1400; x.height = 1400 }), ["artwork_too_small"]);
        assert_eq!(art(&|x| { x.width = 8000; x.height = 8000 }), ["artwork_too_large"]);
        assert_eq!(art(&|x| { x.width = 3000; x.height = 3200; x.square = false }), ["artwork_not_square"]);
        assert_eq!(art(&|x| x.color_model = crate::media::ColorModel::Cmyk), ["artwork_not_rgb"]);
        assert_eq!(case(&|d| d.release.artwork = None), ["missing_artwork"]);
        assert_eq!(case(&|d| d.release.release_date = NaiveDate::from_ymd_opt(2020, 1, 1)), ["release_date_in_past"]);
        assert_eq!(case(&|d| d.tracks[0].explicit = true), ["explicit_mismatch"]);
        assert_eq!(case(&|d| d.tracks[0].work.as_mut().unwrap().writers.clear()), ["missing_writers"]);
        assert_eq!(case(&|d| d.tracks[0].work.as_mut().unwrap().writers[0].share = Decimal::from(60)), ["writer_shares_not_100"]);
        assert_eq!(case(&|d| d.tracks[0].work = None), ["missing_work"]);
        assert_eq!(case(&|d| d.tracks[0].audio = None), ["missing_audio"]);
        assert_eq!(case(&|d| d.tracks[0].disc_number = 2), ["disc_gap"]);
        assert_eq!(case(&|d| d.tracks.clear()), ["no_tracks"]);
        let four = |d: &mut ReleaseDetail| {
            for p in 2..=4 {
                let mut t = d.tracks[0].clone();
                t.position = p;
                t.isrc = Some(format!("CNA01260000{p}"));
                d.tracks.push(t);
            }
        };
        assert_eq!(case(&four), ["too_many_tracks_for_single"]);
        assert_eq!(case(&|d| { four(d); d.tracks[1].isrc = d.tracks[0].isrc.clone() }), ["too_many_tracks_for_single", "duplicate_isrc"]);
        let elsewhere = BTreeMap::from([("CNA012600001".to_string(), "Another song".to_string())]);
        let found = check(&base, &elsewhere, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
        assert_eq!(found.problems[0].code, "isrc_used_elsewhere");
        assert!(found.ready, "a warning does not block delivery");
        assert!(found.problems[0].message_zh.contains("另一录音"));
    }
}

/// The release builder's types declare to TypeScript (the desktop shell's bindings list them).
#[cfg(test)]
mod typescript {
    use crate::catalog::*;
    use crate::ern::Imported;
    use crate::media::*;
    use crate::readiness::{Problem, Readiness, Severity};
    use ts_rs::TS;

    #[test]
    fn release_builder_types_declare() {
        let cfg = ts_rs::Config::new().with_large_int("number");
        let decls = [
            Release::decl(&cfg), Track::decl(&cfg), ReleaseInput::decl(&cfg), TrackInput::decl(&cfg),
            CopyrightLine::decl(&cfg), Contributor::decl(&cfg), ContributorRole::decl(&cfg), MusicalWork::decl(&cfg),
            Writer::decl(&cfg), WriterRole::decl(&cfg), Deal::decl(&cfg), CommercialModel::decl(&cfg), UseType::decl(&cfg),
            AddedTracks::decl(&cfg), DuplicateIsrc::decl(&cfg), IsrcHolder::decl(&cfg), IsrcOwner::decl(&cfg),
            AudioAnalysis::decl(&cfg), AudioTags::decl(&cfg), ImageAnalysis::decl(&cfg), ColorModel::decl(&cfg),
            AssetReport::decl(&cfg), AssetKind::decl(&cfg), AssetError::decl(&cfg), Progress::decl(&cfg),
            DeliveryRules::decl(&cfg), Readiness::decl(&cfg), Problem::decl(&cfg), Severity::decl(&cfg), Imported::decl(&cfg),
        ];
        let all = decls.join("\n");
        assert!(all.contains("share: string"), "{all}");
        assert!(all.contains("integrated_lufs: number | null"), "{all}");
    }
}
