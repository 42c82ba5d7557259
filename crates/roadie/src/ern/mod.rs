//! DDEX ERN: import of 4.x NewReleaseMessages (4.1.1, 4.2, 4.3) into the catalog.
//! The XML is read with quick-xml's reader API (namespace prefixes vary between senders, so
//! elements are matched on their local names) into a small element tree, then mapped.

mod export;
mod tree;

pub use export::{write_ern43, MessageParties, UNSET_DPID};

use crate::catalog::{
    ArtistInput, CommercialModel, CopyrightLine, Deal, ReleaseDetail, ReleaseInput, ReleaseType, TrackInput, UseType,
};
use crate::error::{Error, Result};
use crate::identifiers::{normalize_isrc, normalize_upc};
use crate::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use tree::Element;
use ts_rs::TS;
use uuid::Uuid;

/// What an import created, and what it had to leave out or correct.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Imported {
    /// `4.3`, `4.2`, `4.1.1`...
    pub ern_version: String,
    pub releases: Vec<ReleaseDetail>,
    pub warnings: Vec<String>,
}

/// `PT4M23.583S` → 263583 ms.
pub fn parse_duration(text: &str) -> Option<u32> {
    let rest = text.trim().strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut ms = 0f64;
    let mut num = String::new();
    for c in days.chars() {
        if c == 'D' {
            ms += num.parse::<f64>().ok()? * 86_400_000.0;
            num.clear();
        } else {
            num.push(c);
        }
    }
    for c in time.chars() {
        let unit = match c {
            'H' => 3_600_000.0,
            'M' => 60_000.0,
            'S' => 1000.0,
            _ => {
                num.push(c);
                continue;
            }
        };
        ms += num.parse::<f64>().ok()? * unit;
        num.clear();
    }
    Some(ms.round() as u32)
}

/// 263583 ms → `PT4M23.583S`.
pub fn format_duration(ms: u32) -> String {
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 || h > 0 {
        out.push_str(&format!("{m}M"));
    }
    if frac > 0 {
        out.push_str(&format!("{s}.{frac:03}S"));
    } else {
        out.push_str(&format!("{s}S"));
    }
    out
}

struct Recording {
    isrc: Option<String>,
    title: String,
    version: Option<String>,
    artists: Vec<(String, String)>,
    duration_ms: Option<u32>,
    explicit: bool,
    p_line: Option<CopyrightLine>,
}

fn title_of(e: &Element) -> Option<String> {
    e.find("DisplayTitle")
        .and_then(|t| t.find("TitleText"))
        .map(|t| t.text())
        .or_else(|| e.find("DisplayTitleText").map(|t| t.text()))
        .or_else(|| e.find("ReferenceTitle").and_then(|t| t.find("TitleText")).map(|t| t.text()))
        .filter(|t| !t.is_empty())
}

fn line(e: &Element, tag: &str, text_tag: &str) -> Option<CopyrightLine> {
    let l = e.find(tag)?;
    let text = l.find(text_tag).map(|t| t.text())?;
    let year = l.find("Year").and_then(|y| y.text().parse().ok()).or_else(|| text.get(..4)?.parse().ok())?;
    Some(CopyrightLine { year, text })
}

/// (party name, role) of each DisplayArtist, in sequence.
fn artists_of(e: &Element, parties: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut list: Vec<(u32, String, String)> = e
        .children_named("DisplayArtist")
        .filter_map(|a| {
            let seq = a.attr("SequenceNumber").and_then(|s| s.parse().ok()).unwrap_or(0);
            let name = a
                .find("ArtistPartyReference")
                .and_then(|r| parties.get(&r.text()).cloned())
                .or_else(|| a.find("PartyName").and_then(|p| p.find("FullName")).map(|n| n.text()))?;
            let role = a.find("DisplayArtistRole").map(|r| r.text()).unwrap_or_else(|| "MainArtist".into());
            Some((seq, name, role))
        })
        .collect();
    list.sort_by_key(|(s, _, _)| *s);
    list.into_iter().map(|(_, n, r)| (n, r)).collect()
}

fn upc_of(e: &Element) -> Option<String> {
    let id = e.find("ReleaseId")?;
    id.find("ICPN").or_else(|| id.find("EAN")).or_else(|| id.find("UPC")).map(|t| t.text())
}

fn commercial_model(text: &str) -> Option<CommercialModel> {
    match text {
        "SubscriptionModel" => Some(CommercialModel::SubscriptionModel),
        "AdvertisementSupportedModel" | "AdSupportedModel" => Some(CommercialModel::AdvertisementSupportedModel),
        "PayAsYouGoModel" => Some(CommercialModel::PayAsYouGoModel),
        _ => None,
    }
}

fn use_type(text: &str) -> Option<UseType> {
    match text {
        "Stream" => Some(UseType::Stream),
        "OnDemandStream" => Some(UseType::OnDemandStream),
        "NonInteractiveStream" => Some(UseType::NonInteractiveStream),
        "PermanentDownload" => Some(UseType::PermanentDownload),
        "ConditionalDownload" => Some(UseType::ConditionalDownload),
        _ => None,
    }
}

/// Deals of `release_ref`, with deals that differ only by territory merged.
fn deals_of(root: &Element, release_refs: &[String], warnings: &mut Vec<String>) -> Vec<Deal> {
    let mut deals: Vec<Deal> = Vec::new();
    let Some(list) = root.find("DealList") else { return deals };
    for rd in list.children_named("ReleaseDeal") {
        if !rd.children_named("DealReleaseReference").any(|r| release_refs.contains(&r.text())) {
            continue;
        }
        for deal in rd.children_named("Deal") {
            let Some(terms) = deal.find("DealTerms") else { continue };
            let models: Vec<_> = terms.children_named("CommercialModelType").map(|m| m.text()).collect();
            let uses: Vec<UseType> = terms
                .children_named("UseType")
                .chain(terms.find("Usage").into_iter().flat_map(|u| u.children_named("UseType")))
                .filter_map(|u| use_type(&u.text()))
                .collect();
            let mut territories: Vec<String> = terms.children_named("TerritoryCode").map(|t| t.text()).collect();
            if territories.iter().any(|t| t == "Worldwide") {
                territories = vec!["WW".into()];
            }
            territories.retain(|t| t == "WW" || crate::identifiers::is_country_code(t));
            let start_date = terms
                .find("ValidityPeriod")
                .and_then(|v| v.find("StartDate").or_else(|| v.find("StartDateTime")))
                .and_then(|d| chrono::NaiveDate::parse_from_str(d.text().get(..10)?, "%Y-%m-%d").ok());
            for m in models {
                let Some(model) = commercial_model(&m) else {
                    warnings.push(format!("deal with commercial model {m} left out (not supported)"));
                    continue;
                };
                if uses.is_empty() {
                    continue;
                }
                match deals.iter_mut().find(|d| d.commercial_model == model && d.use_types == uses && d.start_date == start_date) {
                    Some(d) => {
                        for t in &territories {
                            if !d.territories.contains(t) {
                                d.territories.push(t.clone());
                            }
                        }
                    }
                    None => deals.push(Deal { commercial_model: model, use_types: uses.clone(), territories: territories.clone(), start_date }),
                }
            }
        }
    }
    deals
}

impl Store {
    /// Imports the main release(s) of an ERN message into `workspace_id`: artists by name into
    /// the roster, the release with its tracks (in resource group order), ℗/© lines, genre and
    /// deals. Identifiers that fail their checks are left out with a warning.
    pub async fn import_ern(&self, workspace_id: Uuid, xml: &str, file: &str) -> Result<Imported> {
        let root = tree::parse(xml, file)?;
        if root.name != "NewReleaseMessage" {
            return Err(Error::InvalidErn { file: file.into(), line: 1, message: format!("not a NewReleaseMessage but {}", root.name) });
        }
        let ern_version = root
            .namespace
            .rsplit('/')
            .next()
            .map(|v| match v {
                "411" => "4.1.1".to_string(),
                v if v.len() == 2 => format!("{}.{}", &v[..1], &v[1..]),
                v => v.to_string(),
            })
            .unwrap_or_default();
        if !ern_version.starts_with('4') {
            return Err(Error::InvalidErn { file: file.into(), line: 1, message: format!("ERN {ern_version} is not supported (4.1.1, 4.2, 4.3 are)") });
        }
        let mut warnings = Vec::new();
        let parties: HashMap<String, String> = root
            .find("PartyList")
            .map(|l| {
                l.children_named("Party")
                    .filter_map(|p| Some((p.find("PartyReference")?.text(), p.find("PartyName")?.find("FullName")?.text())))
                    .collect()
            })
            .unwrap_or_default();
        let mut recordings: HashMap<String, Recording> = HashMap::new();
        let resources = root.find("ResourceList");
        for sr in resources.iter().flat_map(|r| r.children_named("SoundRecording")) {
            let Some(reference) = sr.find("ResourceReference").map(|r| r.text()) else { continue };
            let edition = sr.find("SoundRecordingEdition");
            let isrc_text = edition
                .and_then(|e| e.find("ResourceId"))
                .or_else(|| sr.find("ResourceId"))
                .or_else(|| sr.find("SoundRecordingId"))
                .and_then(|id| id.find("ISRC"))
                .map(|i| i.text());
            let isrc = match isrc_text.as_deref().map(normalize_isrc) {
                Some(Ok(code)) => Some(code),
                Some(Err(reason)) => {
                    warnings.push(format!("sound recording {reference}: ISRC left out: {reason}"));
                    None
                }
                None => None,
            };
            let title = title_of(sr).unwrap_or_else(|| reference.clone());
            let version = sr.find("DisplayTitle").and_then(|t| t.find("SubTitle")).map(|s| s.text());
            recordings.insert(
                reference,
                Recording {
                    isrc,
                    title,
                    version,
                    artists: artists_of(sr, &parties),
                    // PT0S stands for an unknown duration.
                    duration_ms: sr.find("Duration").and_then(|d| parse_duration(&d.text())).filter(|d| *d > 0),
                    explicit: sr.find("ParentalWarningType").is_some_and(|p| p.text() == "Explicit"),
                    p_line: edition.and_then(|e| line(e, "PLine", "PLineText")).or_else(|| line(sr, "PLine", "PLineText")),
                },
            );
        }
        for image in resources.iter().flat_map(|r| r.children_named("Image")) {
            if let Some(uri) = image.find_deep("URI") {
                warnings.push(format!("cover image {} is referenced, not embedded: set it with release set-artwork", uri.text()));
            }
        }
        let release_list = root.find("ReleaseList").ok_or_else(|| Error::InvalidErn {
            file: file.into(),
            line: 1,
            message: "the message has no ReleaseList".into(),
        })?;
        let mut releases = Vec::new();
        // The main release(s); TrackReleases describe single tracks of them.
        for rel in release_list.children_named("Release") {
            let reference = rel.find("ReleaseReference").map(|r| r.text()).unwrap_or_default();
            let kind = rel.children_named("ReleaseType").next().map(|t| t.text()).unwrap_or_default();
            let mut order: Vec<(Vec<u32>, String)> = Vec::new();
            collect_items(rel, &mut Vec::new(), &mut order);
            if order.is_empty() {
                // ERN 4.1 style without groups: every recording in document order.
                order = recordings.keys().map(|k| (vec![], k.clone())).collect();
                order.sort_by(|a, b| a.1.cmp(&b.1));
            }
            let tracks: Vec<&Recording> = order.iter().filter_map(|(_, r)| recordings.get(r)).collect();
            let release_type = match kind.as_str() {
                "Album" | "ClassicalAlbum" => ReleaseType::Album,
                "Single" | "SingleResourceRelease" | "AudioSingle" => ReleaseType::Single,
                "EP" => ReleaseType::Ep,
                _ if tracks.len() <= 3 => ReleaseType::Single,
                _ if tracks.len() <= 6 => ReleaseType::Ep,
                _ => ReleaseType::Album,
            };
            let title = title_of(rel).unwrap_or_else(|| reference.clone());
            let credits = artists_of(rel, &parties);
            let mut primary = Vec::new();
            let mut featuring = Vec::new();
            for (name, role) in &credits {
                let id = self.roster_artist(workspace_id, name).await?;
                if role.contains("Featured") {
                    featuring.push(id);
                } else {
                    primary.push(id);
                }
            }
            if primary.is_empty() {
                let name = rel.find("DisplayArtistName").map(|n| n.text()).unwrap_or_else(|| "Unknown artist".into());
                primary.push(self.roster_artist(workspace_id, &name).await?);
            }
            let upc = match upc_of(rel) {
                Some(code) => {
                    let code = if code.len() == 14 && code.starts_with('0') { code[1..].to_string() } else { code };
                    match normalize_upc(&code) {
                        Ok(c) => Some(c),
                        Err(reason) => {
                            warnings.push(format!("release {reference}: UPC/ICPN left out: {reason}"));
                            None
                        }
                    }
                }
                None => None,
            };
            let genre = rel.find("Genre");
            // The main release's deals and its track releases' (streaming is often dealt per track).
            let mut refs = vec![reference.clone()];
            let my_resources: Vec<&String> = order.iter().map(|(_, r)| r).collect();
            for tr in release_list.children_named("TrackRelease") {
                if tr.find("ReleaseResourceReference").is_some_and(|r| my_resources.contains(&&r.text())) {
                    refs.extend(tr.find("ReleaseReference").map(|r| r.text()));
                }
            }
            let deals = deals_of(&root, &refs, &mut warnings);
            let mut input = ReleaseInput::new(&title, release_type, primary);
            input.featuring_ids = featuring;
            input.upc = upc;
            input.label_name = rel.find("ReleaseLabelReference").and_then(|l| parties.get(&l.text()).cloned());
            input.p_line = line(rel, "PLine", "PLineText");
            input.c_line = line(rel, "CLine", "CLineText");
            input.genre = genre.and_then(|g| g.find("GenreText")).map(|g| g.text());
            input.subgenre = genre.and_then(|g| g.find("SubGenre")).map(|g| g.text()).filter(|_| input.genre.is_some());
            input.explicit = rel.find("ParentalWarningType").is_some_and(|p| p.text() == "Explicit")
                || tracks.iter().any(|t| t.explicit);
            input.release_date = rel
                .find("ReleaseDate")
                .and_then(|d| chrono::NaiveDate::parse_from_str(d.text().get(..10)?, "%Y-%m-%d").ok())
                .or_else(|| deals.iter().filter_map(|d| d.start_date).min());
            input.original_release_date = rel
                .find("OriginalReleaseDate")
                .and_then(|d| chrono::NaiveDate::parse_from_str(d.text().get(..10)?, "%Y-%m-%d").ok())
                .filter(|d| input.release_date.is_none_or(|r| *d <= r));
            input.proprietary_id = Some(reference.clone());
            input.deals = deals;
            let created = self.create_release(workspace_id, input).await?;
            let release_primary: Vec<String> = credits.iter().filter(|(_, r)| !r.contains("Featured")).map(|(n, _)| n.clone()).collect();
            for t in tracks {
                let names: Vec<&(String, String)> = t.artists.iter().filter(|(_, r)| !r.contains("Featured")).collect();
                let mut artist_ids = Vec::new();
                if names.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>() != release_primary {
                    for (name, _) in names {
                        artist_ids.push(self.roster_artist(workspace_id, name).await?);
                    }
                }
                let mut featuring_ids = Vec::new();
                for (name, _) in t.artists.iter().filter(|(_, r)| r.contains("Featured")) {
                    featuring_ids.push(self.roster_artist(workspace_id, name).await?);
                }
                let _ = &t.p_line;
                let input = TrackInput {
                    title: t.title.clone(),
                    version: t.version.clone(),
                    isrc: t.isrc.clone(),
                    duration_ms: t.duration_ms,
                    explicit: t.explicit,
                    artist_ids,
                    featuring_ids,
                    ..TrackInput::default()
                };
                self.add_track(created.release.id, input).await?;
            }
            releases.push(self.get_release(created.release.id).await?);
        }
        Ok(Imported { ern_version, releases, warnings })
    }

    /// The roster artist of that name, created when there is none.
    async fn roster_artist(&self, workspace_id: Uuid, name: &str) -> Result<Uuid> {
        let wanted = name.trim().to_lowercase();
        if let Some(a) = self.list_artists(workspace_id).await?.into_iter().find(|a| a.name.to_lowercase() == wanted) {
            return Ok(a.id);
        }
        Ok(self.create_artist(workspace_id, ArtistInput::named(name.trim())).await?.id)
    }
}

/// ResourceGroupContentItem references with their nested sequence numbers, in order.
fn collect_items(e: &Element, path: &mut Vec<u32>, out: &mut Vec<(Vec<u32>, String)>) {
    for group in e.children_named("ResourceGroup") {
        let seq = group.find("SequenceNumber").and_then(|s| s.text().parse().ok()).unwrap_or(0);
        path.push(seq);
        for item in group.children_named("ResourceGroupContentItem") {
            let n = item.find("SequenceNumber").and_then(|s| s.text().parse().ok()).unwrap_or(0);
            if let Some(r) = item.find("ReleaseResourceReference") {
                let mut key = path.clone();
                key.push(n);
                out.push((key, r.text()));
            }
        }
        collect_items(group, path, out);
        path.pop();
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
}

/// Reads and imports an ERN file.
pub async fn import_file(store: &Store, workspace_id: Uuid, path: &Path) -> Result<Imported> {
    let xml = std::fs::read_to_string(path).map_err(|e| Error::InvalidErn {
        file: path.display().to_string(),
        line: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    store.import_ern(workspace_id, &xml, &path.display().to_string()).await
}

/// The settings key holding a workspace's DDEX Party ID.
fn dpid_key(workspace_id: Uuid) -> String {
    format!("ddex_dpid:{workspace_id}")
}

/// A DDEX Party ID as the ERN schema takes it: `PADPIDA` then letters and digits (the code DDEX
/// issued, e.g. `PADPIDA2014120401D`). Spaces around it and letter case of the prefix are forgiven.
pub fn normalize_dpid(input: &str) -> std::result::Result<String, String> {
    let value = input.trim();
    let (prefix, rest) = value.split_at(value.len().min(7));
    if !prefix.eq_ignore_ascii_case("PADPIDA") || rest.is_empty() || !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("'{value}' is not a DDEX Party ID (PADPIDA followed by letters and digits)"));
    }
    if value.len() > 40 {
        return Err(format!("'{value}' is longer than a DDEX Party ID can be"));
    }
    Ok(format!("PADPIDA{rest}"))
}

impl Store {
    /// The workspace's own DDEX Party ID (the sender of its ERN messages), when set.
    pub async fn workspace_dpid(&self, workspace_id: Uuid) -> Result<Option<String>> {
        self.get_workspace(workspace_id).await?;
        Ok(self.setting(&dpid_key(workspace_id)).await?.filter(|v| !v.is_empty()))
    }

    /// Sets (or with `None` or blank, clears) the workspace's DDEX Party ID.
    pub async fn set_workspace_dpid(&self, workspace_id: Uuid, dpid: Option<&str>) -> Result<Option<String>> {
        self.get_workspace(workspace_id).await?;
        let value = match dpid.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => Some(normalize_dpid(v).map_err(|reason| {
                Error::invalid("workspace", vec![crate::FieldIssue::new("dpid", "invalid_dpid", reason)])
            })?),
            None => None,
        };
        self.set_setting(&dpid_key(workspace_id), value.as_deref().unwrap_or("")).await?;
        Ok(value)
    }

    /// The release as an ERN 4.3 NewReleaseMessage. The sender is the workspace (by name, with
    /// its DDEX Party ID when set) unless `parties` says otherwise.
    pub async fn export_ern(&self, release_id: Uuid, parties: Option<MessageParties>) -> Result<String> {
        let detail = self.get_release(release_id).await?;
        let parties = match parties {
            Some(p) => p,
            None => self.default_parties(&detail).await?,
        };
        let now = self.clock.now();
        let message_id = format!("ROADIE-{}-{}", release_id.simple(), now.timestamp());
        write_ern43(&detail, &parties, &message_id, &now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    /// Who sends a release's message by default: its label (or the workspace) with the
    /// workspace's DDEX Party ID, to a distributor not named.
    async fn default_parties(&self, detail: &ReleaseDetail) -> Result<MessageParties> {
        let ws = self.get_workspace(detail.release.workspace_id).await?;
        Ok(MessageParties {
            sender_dpid: self.workspace_dpid(ws.id).await?,
            sender_name: detail.release.label_name.clone().unwrap_or(ws.name),
            recipient_dpid: None,
            recipient_name: "Distributor".into(),
        })
    }

    /// The release's message with the sender's DDEX Party ID given here (e.g. a CLI flag) in
    /// place of the workspace's.
    pub async fn export_ern_as(&self, release_id: Uuid, sender_dpid: Option<&str>) -> Result<String> {
        let detail = self.get_release(release_id).await?;
        let mut parties = self.default_parties(&detail).await?;
        if let Some(dpid) = sender_dpid {
            parties.sender_dpid = Some(normalize_dpid(dpid).map_err(|reason| {
                Error::invalid("export", vec![crate::FieldIssue::new("sender_dpid", "invalid_dpid", reason)])
            })?);
        }
        self.export_ern(release_id, Some(parties)).await
    }
}

/// Writes the release's ERN 4.3 message to `path` (whole file or nothing); `sender_dpid`
/// overrides the workspace's DDEX Party ID.
pub async fn export_file(store: &Store, release_id: Uuid, path: &Path, sender_dpid: Option<&str>) -> Result<()> {
    let xml = store.export_ern_as(release_id, sender_dpid).await?;
    let tmp = path.with_extension("xml.part");
    std::fs::write(&tmp, xml)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests;
