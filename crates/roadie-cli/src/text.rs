//! The readable (non-JSON) forms of the CLI's output.

use roadie::catalog::*;
use uuid::Uuid;
use roadie::royalties::{ImportReport, RoyaltyReport, UnmatchedGroup};

pub fn workspace_created(w: &Workspace) -> String {
    format!("created {} workspace {} ({})", w.kind.as_str(), w.name, w.id)
}

pub fn workspaces(list: &[Workspace], current: Option<Uuid>) -> String {
    if list.is_empty() {
        return "no workspaces yet (roadie workspace create --kind label|artist --name NAME)".into();
    }
    list.iter()
        .map(|w| {
            let mark = if Some(w.id) == current { "*" } else { " " };
            format!("{mark} {}  {:<6}  {}", w.id, w.kind.as_str(), w.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn artists(list: &[Artist]) -> String {
    if list.is_empty() {
        return "no artists on the roster yet (roadie artist add NAME)".into();
    }
    list.iter()
        .map(|a| {
            let alt = a.localized_names.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ");
            let alt = if alt.is_empty() { String::new() } else { format!(" ({alt})") };
            format!("{}  {:<2}  {}{alt}", a.id, a.country.as_deref().unwrap_or("-"), a.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn artist(a: &Artist) -> String {
    let mut lines = vec![format!("{} ({})", a.name, a.id), format!("  sort name: {}", a.sort_name)];
    for n in &a.localized_names {
        lines.push(format!("  {}: {}", n.language, n.name));
    }
    if let Some(c) = &a.country {
        lines.push(format!("  country: {c}"));
    }
    for l in &a.links {
        lines.push(format!("  link: {l}"));
    }
    lines.join("\n")
}

fn credit(artists: &[ArtistRef]) -> String {
    artists.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
}

pub fn releases(list: &[Release]) -> String {
    if list.is_empty() {
        return "no releases yet (roadie release add --title T --type album --artist ARTIST_ID)".into();
    }
    list.iter()
        .map(|r| {
            let date = r.release_date.map(|d| d.to_string()).unwrap_or_else(|| "undated".into());
            format!(
                "{}  {:<10}  {:<11}  {:<9}  {} — {} ({} tracks)",
                r.id,
                date,
                r.release_type.as_str(),
                r.status.as_str(),
                credit(&r.artists),
                r.title,
                r.track_count
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn duration(ms: u32) -> String {
    let s = ms / 1000;
    if s >= 3600 { format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) } else { format!("{}:{:02}", s / 60, s % 60) }
}

pub fn release(d: &ReleaseDetail) -> String {
    let r = &d.release;
    let mut lines = vec![
        format!("{} — {}", credit(&r.artists), r.title),
        format!("  id: {}", r.id),
        format!("  type: {}   status: {}", r.release_type.as_str(), r.status.as_str()),
    ];
    if let Some(date) = r.release_date {
        lines.push(format!("  release date: {date}"));
    }
    for (label, value) in [("label", &r.label_name), ("catalog number", &r.catalog_number), ("UPC", &r.upc)] {
        if let Some(v) = value {
            lines.push(format!("  {label}: {v}"));
        }
    }
    if d.tracks.is_empty() {
        lines.push("  no tracks yet".into());
    }
    for t in &d.tracks {
        let version = t.version.as_ref().map(|v| format!(" ({v})")).unwrap_or_default();
        let isrc = t.isrc.as_deref().unwrap_or("");
        let len = t.duration_ms.map(duration).unwrap_or_default();
        lines.push(format!("  {}.{:02}  {}{version}  {len}  {isrc}", t.disc_number, t.position, t.title));
    }
    lines.join("\n")
}

pub fn assets(reports: &[roadie::media::AssetReport]) -> String {
    use roadie::media::AssetReport;
    let opt = |v: Option<f64>, unit: &str| v.map(|v| format!("{v:.1} {unit}")).unwrap_or_else(|| "-".into());
    reports
        .iter()
        .map(|r| match r {
            AssetReport::Audio { analysis: a, .. } => format!(
                "{}: {} {} Hz {}-bit {} ch, {:.1} s, {} , {}, clipped {}{}",
                a.path,
                a.codec,
                a.sample_rate,
                a.bit_depth.map(|b| b.to_string()).unwrap_or_else(|| "?".into()),
                a.channels,
                a.duration_seconds,
                opt(a.integrated_lufs, "LUFS"),
                opt(a.true_peak_dbtp, "dBTP"),
                a.clipped_samples,
                if a.lossy { " (lossy)" } else { "" }
            ),
            AssetReport::Image { analysis: a, .. } => {
                format!("{}: {} {}x{} {:?}", a.path, a.format, a.width, a.height, a.color_model)
            }
            AssetReport::Failed { error, .. } => format!("{}: error: {} [{}]", error.path, error.message, error.code),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn added_tracks(a: &roadie::catalog::AddedTracks) -> String {
    let mut lines: Vec<String> = a.tracks.iter().map(|t| format!("added track {}.{} {} ({})", t.disc_number, t.position, t.title, t.id)).collect();
    if a.artwork_set {
        lines.push("cover set".into());
    }
    for f in a.files.iter().filter(|f| f.is_failed()) {
        if let roadie::media::AssetReport::Failed { error, .. } = f {
            lines.push(format!("skipped {}: {}", error.path, error.message));
        }
    }
    lines.join("\n")
}

pub fn readiness(r: &roadie::readiness::Readiness) -> String {
    let mut lines = vec![if r.ready { "ready for delivery".to_string() } else { "not ready".to_string() }];
    for p in &r.problems {
        let track = p.track.map(|n| format!("track {n}: ")).unwrap_or_default();
        let sev = match p.severity {
            roadie::readiness::Severity::Error => "error",
            roadie::readiness::Severity::Warning => "warning",
        };
        lines.push(format!("{sev:7} {track}{} [{}]", p.message, p.code));
    }
    lines.join("\n")
}

pub fn imported(i: &roadie::ern::Imported) -> String {
    let mut lines: Vec<String> = i.releases.iter().map(|r| format!("imported {} ({}), {} tracks", r.release.title, r.release.id, r.tracks.len())).collect();
    lines.extend(i.warnings.iter().map(|w| format!("warning: {w}")));
    lines.join("\n")
}

pub fn imports(reports: &[ImportReport]) -> String {
    let mut out = Vec::new();
    for r in reports {
        if r.duplicate_file {
            out.push(format!("{}: already imported ({}), nothing changed", r.path, r.format));
            continue;
        }
        out.push(format!(
            "{}: {} ({}, {}), {} lines, {} imported, {} matched, {} unmatched, {} skipped",
            r.path, r.format, r.layout, r.encoding, r.lines, r.imported, r.matched, r.unmatched, r.skipped.len()
        ));
        for s in &r.skipped {
            out.push(format!("  skipped line {}: {}", s.line, s.reason));
        }
    }
    out.join("\n")
}

/// Each file of a multi-file import: its report, or why it failed (nothing of it imported).
pub fn import_outcomes(outcomes: &[(String, roadie::Result<ImportReport>)]) -> String {
    outcomes
        .iter()
        .map(|(path, o)| match o {
            Ok(r) => imports(std::slice::from_ref(r)),
            Err(e) => format!("{path}: FAILED, nothing imported: {e}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn report(r: &RoyaltyReport) -> String {
    if r.rows.is_empty() {
        return "no earnings yet (roadie import statement FILE)".into();
    }
    let width = r.rows.iter().map(|row| row.key.chars().count()).max().unwrap_or(0).max(3);
    r.rows
        .iter()
        .map(|row| format!("{:<width$}  {}  {:>12}  {}", row.key, row.currency, row.units, row.amount))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn unmatched(total: u64, groups: &[UnmatchedGroup]) -> String {
    let mut out = vec![format!("{total} unmatched line(s)")];
    for g in groups {
        out.push(format!(
            "{:>6} lines  {:<12}  {} — {}",
            g.lines,
            g.isrc.as_deref().unwrap_or("-"),
            g.title.as_deref().unwrap_or("(no title)"),
            g.artist.as_deref().unwrap_or("(no artist)")
        ));
    }
    out.join("\n")
}
