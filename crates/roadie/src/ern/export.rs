//! DDEX ERN 4.3 NewReleaseMessage export for an audio album/EP/single, written with quick-xml's
//! writer: MessageHeader, PartyList, ResourceList (SoundRecordings and the cover Image),
//! ReleaseList (the main release and a TrackRelease per track), DealList. Element order follows
//! the ERN 4.3 schema (fixtures/real/ddex-ern43-xsd); tests validate the output with xmllint.

use super::format_duration;
use crate::catalog::{CommercialModel, ReleaseDetail, ReleaseType, UseType};
use crate::error::{Error, Result};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::collections::BTreeMap;

/// Who sends and who receives the message. DDEX Party IDs (DPIDs, `PADPIDA…`) are issued by
/// DDEX and required by the schema; without one [`UNSET_DPID`] stands in and must be replaced
/// before delivery.
#[derive(Debug, Clone, Default)]
pub struct MessageParties {
    pub sender_dpid: Option<String>,
    pub sender_name: String,
    pub recipient_dpid: Option<String>,
    pub recipient_name: String,
}

/// Stands in for a DPID that was not given (matches the schema's pattern, names no party).
pub const UNSET_DPID: &str = "PADPIDAROADIEUNSET";

struct Xml {
    w: Writer<Vec<u8>>,
}

type Attrs<'a> = &'a [(&'a str, &'a str)];

impl Xml {
    fn open(&mut self, name: &str, attrs: Attrs) -> std::io::Result<()> {
        let mut start = BytesStart::new(name);
        for a in attrs {
            start.push_attribute(*a);
        }
        self.w.write_event(Event::Start(start))
    }
    fn close(&mut self, name: &str) -> std::io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }
    fn leaf(&mut self, name: &str, attrs: Attrs, text: &str) -> std::io::Result<()> {
        self.open(name, attrs)?;
        self.w.write_event(Event::Text(BytesText::new(text)))?;
        self.close(name)
    }
    fn text(&mut self, name: &str, text: &str) -> std::io::Result<()> {
        self.leaf(name, &[], text)
    }
}

fn model(m: CommercialModel) -> &'static str {
    match m {
        CommercialModel::SubscriptionModel => "SubscriptionModel",
        CommercialModel::AdvertisementSupportedModel => "AdvertisementSupportedModel",
        CommercialModel::PayAsYouGoModel => "PayAsYouGoModel",
    }
}

fn use_type(u: UseType) -> &'static str {
    match u {
        UseType::Stream => "Stream",
        UseType::OnDemandStream => "OnDemandStream",
        UseType::NonInteractiveStream => "NonInteractiveStream",
        UseType::PermanentDownload => "PermanentDownload",
        UseType::ConditionalDownload => "ConditionalDownload",
    }
}

fn warning(explicit: bool) -> &'static str {
    if explicit {
        "Explicit"
    } else {
        "NotExplicit"
    }
}

/// Writes the message. `message_id` must be unique per sender; `created` is an ISO 8601 time.
pub fn write_ern43(detail: &ReleaseDetail, parties: &MessageParties, message_id: &str, created: &str) -> Result<String> {
    write(detail, parties, message_id, created).map_err(Error::Io)
}

fn write(d: &ReleaseDetail, parties: &MessageParties, message_id: &str, created: &str) -> std::io::Result<String> {
    let r = &d.release;
    let mut x = Xml { w: Writer::new_with_indent(Vec::new(), b' ', 2) };
    x.w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    x.open(
        "ern:NewReleaseMessage",
        &[
            ("xmlns:ern", "http://ddex.net/xml/ern/43"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xsi:schemaLocation", "http://ddex.net/xml/ern/43 http://ddex.net/xml/ern/43/release-notification.xsd"),
            ("ReleaseProfileVersionId", "Audio"),
            ("LanguageAndScriptCode", "en"),
            ("AvsVersionId", "3"),
        ],
    )?;

    // Parties: every credited artist, then the label.
    let mut party_refs: BTreeMap<String, String> = BTreeMap::new();
    let mut party_order: Vec<String> = Vec::new();
    let mut party = |name: &str| -> String {
        if let Some(p) = party_refs.get(name) {
            return p.clone();
        }
        let reference = format!("P{}", party_refs.len() + 1);
        party_refs.insert(name.to_string(), reference.clone());
        party_order.push(name.to_string());
        reference
    };
    let credits = |artists: &[crate::catalog::ArtistRef], featuring: &[crate::catalog::ArtistRef]| {
        artists.iter().map(|a| (a.name.clone(), "MainArtist")).chain(featuring.iter().map(|a| (a.name.clone(), "FeaturedArtist"))).collect::<Vec<_>>()
    };
    let release_credits = credits(&r.artists, &r.featuring);
    for (name, _) in &release_credits {
        party(name);
    }
    let mut track_credits = Vec::new();
    for t in &d.tracks {
        let c = if t.artists.is_empty() { release_credits.clone() } else { credits(&t.artists, &t.featuring) };
        for (name, _) in &c {
            party(name);
        }
        track_credits.push(c);
    }
    let label = r.label_name.clone().unwrap_or_else(|| parties.sender_name.clone());
    let label_ref = party(&label);

    x.open("MessageHeader", &[])?;
    x.text("MessageThreadId", message_id)?;
    x.text("MessageId", message_id)?;
    for (tag, dpid, name) in [
        ("MessageSender", &parties.sender_dpid, &parties.sender_name),
        ("MessageRecipient", &parties.recipient_dpid, &parties.recipient_name),
    ] {
        x.open(tag, &[])?;
        x.text("PartyId", dpid.as_deref().unwrap_or(UNSET_DPID))?;
        x.open("PartyName", &[])?;
        x.text("FullName", name)?;
        x.close("PartyName")?;
        x.close(tag)?;
    }
    x.text("MessageCreatedDateTime", created)?;
    x.text("MessageControlType", "LiveMessage")?;
    x.close("MessageHeader")?;

    x.open("PartyList", &[])?;
    for name in &party_order {
        x.open("Party", &[])?;
        x.text("PartyReference", &party_refs[name])?;
        x.open("PartyName", &[])?;
        x.text("FullName", name)?;
        x.close("PartyName")?;
        x.close("Party")?;
    }
    x.close("PartyList")?;

    let display_artists = |x: &mut Xml, line: &str, list: &[(String, &str)]| -> std::io::Result<()> {
        x.leaf("DisplayArtistName", &[("ApplicableTerritoryCode", "Worldwide")], line)?;
        for (i, (name, role)) in list.iter().enumerate() {
            let seq = (i + 1).to_string();
            x.open("DisplayArtist", &[("SequenceNumber", &seq)])?;
            x.text("ArtistPartyReference", &party_refs[name])?;
            x.text("DisplayArtistRole", role)?;
            x.close("DisplayArtist")?;
        }
        Ok(())
    };
    let title = |x: &mut Xml, text: &str, version: Option<&str>| -> std::io::Result<()> {
        let full = match version {
            Some(v) => format!("{text} ({v})"),
            None => text.to_string(),
        };
        x.text("DisplayTitleText", &full)?;
        x.open("DisplayTitle", &[("ApplicableTerritoryCode", "Worldwide"), ("IsDefault", "true")])?;
        x.text("TitleText", text)?;
        if let Some(v) = version {
            x.text("SubTitle", v)?;
        }
        x.close("DisplayTitle")
    };
    let release_line = r.display_artist_text();

    x.open("ResourceList", &[])?;
    for (i, t) in d.tracks.iter().enumerate() {
        x.open("SoundRecording", &[])?;
        x.text("ResourceReference", &format!("A{}", i + 1))?;
        x.text("Type", "MusicalWorkSoundRecording")?;
        x.open("SoundRecordingEdition", &[])?;
        x.open("ResourceId", &[])?;
        match &t.isrc {
            Some(isrc) => x.text("ISRC", isrc)?,
            None => x.leaf("ProprietaryId", &[("Namespace", "DPID:ROADIE")], &t.id.to_string())?,
        }
        x.close("ResourceId")?;
        if let Some(p) = &r.p_line {
            x.open("PLine", &[])?;
            x.text("Year", &p.year.to_string())?;
            x.text("PLineText", &p.text)?;
            x.close("PLine")?;
        }
        if let Some(a) = &t.audio {
            let file = std::path::Path::new(&a.path).file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
            x.open("TechnicalDetails", &[])?;
            x.text("TechnicalResourceDetailsReference", &format!("T{}", i + 1))?;
            x.open("DeliveryFile", &[])?;
            x.text("Type", "AudioFile")?;
            x.open("File", &[])?;
            x.text("URI", &file)?;
            x.open("HashSum", &[])?;
            x.text("Algorithm", "SHA256")?;
            x.text("HashSumValue", &a.sha256)?;
            x.close("HashSum")?;
            x.close("File")?;
            x.close("DeliveryFile")?;
            x.close("TechnicalDetails")?;
        }
        x.close("SoundRecordingEdition")?;
        title(&mut x, &t.title, t.version.as_deref())?;
        display_artists(&mut x, &t.display_artist_text(&release_line), &track_credits[i])?;
        // Required by the schema; a track without a known duration says PT0S.
        x.text("Duration", &format_duration(t.duration_ms.unwrap_or(0)))?;
        x.text("ParentalWarningType", warning(t.explicit))?;
        if let Some(lang) = t.language.as_ref().or(r.language.as_ref()) {
            x.text("LanguageOfPerformance", lang)?;
        }
        x.close("SoundRecording")?;
    }
    let image_ref = format!("A{}", d.tracks.len() + 1);
    if let Some(art) = &r.artwork {
        let file = std::path::Path::new(&art.path).file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
        x.open("Image", &[])?;
        x.text("ResourceReference", &image_ref)?;
        x.text("Type", "FrontCoverImage")?;
        x.open("ResourceId", &[])?;
        x.leaf("ProprietaryId", &[("Namespace", "DPID:ROADIE")], &art.sha256)?;
        x.close("ResourceId")?;
        x.text("ParentalWarningType", warning(false))?;
        x.open("TechnicalDetails", &[])?;
        x.text("TechnicalResourceDetailsReference", &format!("T{}", d.tracks.len() + 1))?;
        x.open("File", &[])?;
        x.text("URI", &file)?;
        x.open("HashSum", &[])?;
        x.text("Algorithm", "SHA256")?;
        x.text("HashSumValue", &art.sha256)?;
        x.close("HashSum")?;
        x.close("File")?;
        x.close("TechnicalDetails")?;
        x.close("Image")?;
    }
    x.close("ResourceList")?;

    x.open("ReleaseList", &[])?;
    x.open("Release", &[])?;
    x.text("ReleaseReference", "R0")?;
    x.text(
        "ReleaseType",
        match r.release_type {
            ReleaseType::Album | ReleaseType::Compilation => "Album",
            ReleaseType::Ep => "EP",
            ReleaseType::Single => "Single",
        },
    )?;
    x.open("ReleaseId", &[])?;
    match &r.upc {
        Some(upc) => x.text("ICPN", upc)?,
        None => x.leaf("ProprietaryId", &[("Namespace", "DPID:ROADIE")], &r.id.to_string())?,
    }
    x.close("ReleaseId")?;
    title(&mut x, &r.title, r.version.as_deref())?;
    display_artists(&mut x, &release_line, &release_credits)?;
    x.leaf("ReleaseLabelReference", &[("ApplicableTerritoryCode", "Worldwide")], &label_ref)?;
    if let Some(p) = &r.p_line {
        x.open("PLine", &[])?;
        x.text("Year", &p.year.to_string())?;
        x.text("PLineText", &p.text)?;
        x.close("PLine")?;
    }
    if let Some(c) = &r.c_line {
        x.open("CLine", &[])?;
        x.text("Year", &c.year.to_string())?;
        x.text("CLineText", &c.text)?;
        x.close("CLine")?;
    }
    let total: u32 = d.tracks.iter().filter_map(|t| t.duration_ms).sum();
    if total > 0 {
        x.text("Duration", &format_duration(total))?;
    }
    if let Some(g) = &r.genre {
        x.open("Genre", &[("ApplicableTerritoryCode", "Worldwide")])?;
        x.text("GenreText", g)?;
        if let Some(s) = &r.subgenre {
            x.text("SubGenre", s)?;
        }
        x.close("Genre")?;
    }
    if let Some(date) = r.release_date {
        x.leaf("ReleaseDate", &[("ApplicableTerritoryCode", "Worldwide")], &date.to_string())?;
    }
    if let Some(date) = r.original_release_date {
        x.leaf("OriginalReleaseDate", &[("ApplicableTerritoryCode", "Worldwide")], &date.to_string())?;
    }
    x.text("ParentalWarningType", warning(r.explicit))?;
    x.open("ResourceGroup", &[])?;
    x.text("SequenceNumber", "1")?;
    for (i, _) in d.tracks.iter().enumerate() {
        x.open("ResourceGroupContentItem", &[])?;
        x.text("SequenceNumber", &(i + 1).to_string())?;
        x.text("ReleaseResourceReference", &format!("A{}", i + 1))?;
        x.close("ResourceGroupContentItem")?;
    }
    if r.artwork.is_some() {
        x.text("LinkedReleaseResourceReference", &image_ref)?;
    }
    x.close("ResourceGroup")?;
    x.close("Release")?;
    for (i, t) in d.tracks.iter().enumerate() {
        x.open("TrackRelease", &[])?;
        x.text("ReleaseReference", &format!("R{}", i + 1))?;
        x.open("ReleaseId", &[])?;
        x.leaf("ProprietaryId", &[("Namespace", "DPID:ROADIE")], &t.id.to_string())?;
        x.close("ReleaseId")?;
        x.text("ReleaseResourceReference", &format!("A{}", i + 1))?;
        x.leaf("ReleaseLabelReference", &[("ApplicableTerritoryCode", "Worldwide")], &label_ref)?;
        if let Some(g) = &r.genre {
            x.open("Genre", &[("ApplicableTerritoryCode", "Worldwide")])?;
            x.text("GenreText", g)?;
            x.close("Genre")?;
        }
        x.close("TrackRelease")?;
    }
    x.close("ReleaseList")?;

    if !r.deals.is_empty() {
        x.open("DealList", &[])?;
        x.open("ReleaseDeal", &[])?;
        x.text("DealReleaseReference", "R0")?;
        for (i, _) in d.tracks.iter().enumerate() {
            x.text("DealReleaseReference", &format!("R{}", i + 1))?;
        }
        for deal in &r.deals {
            x.open("Deal", &[])?;
            x.open("DealTerms", &[])?;
            for t in &deal.territories {
                x.text("TerritoryCode", if t == "WW" { "Worldwide" } else { t })?;
            }
            x.open("ValidityPeriod", &[])?;
            let start = deal.start_date.or(r.release_date).map(|d| d.to_string()).unwrap_or_else(|| created[..10].to_string());
            x.text("StartDate", &start)?;
            x.close("ValidityPeriod")?;
            x.text("CommercialModelType", model(deal.commercial_model))?;
            for u in &deal.use_types {
                x.text("UseType", use_type(*u))?;
            }
            x.close("DealTerms")?;
            x.close("Deal")?;
        }
        x.close("ReleaseDeal")?;
        x.close("DealList")?;
    }
    x.close("ern:NewReleaseMessage")?;
    Ok(String::from_utf8(x.w.into_inner()).expect("UTF-8"))
}
