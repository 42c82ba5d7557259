//! The parts of release and track metadata that are more than a field: ℗/© lines, contributors,
//! the musical work with its writers' shares, territories, deals. Stored as JSON columns.

use crate::identifiers::{is_country_code, normalize_iswc};
use crate::validate::Checker;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// "℗ 2026 Modern Sky" / "© 2026 Modern Sky".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CopyrightLine {
    pub year: i32,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ContributorRole {
    Composer,
    Lyricist,
    Producer,
    Performer,
    MixingEngineer,
    MasteringEngineer,
    Arranger,
}

impl ContributorRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ContributorRole::Composer => "composer",
            ContributorRole::Lyricist => "lyricist",
            ContributorRole::Producer => "producer",
            ContributorRole::Performer => "performer",
            ContributorRole::MixingEngineer => "mixing_engineer",
            ContributorRole::MasteringEngineer => "mastering_engineer",
            ContributorRole::Arranger => "arranger",
        }
    }
}

/// Someone who made the recording: by name (contributors need not be on the roster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Contributor {
    pub name: String,
    pub role: ContributorRole,
    /// For performers: "guitar", "vocals"...
    #[serde(default)]
    pub instrument: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WriterRole {
    Composer,
    Lyricist,
    ComposerLyricist,
    Arranger,
    Publisher,
}

/// A writer of the work and their share of it, in percent (exact decimal, as a string in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Writer {
    pub name: String,
    pub role: WriterRole,
    #[ts(type = "string")]
    pub share: Decimal,
}

/// The song (composition) a recording performs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct MusicalWork {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub iswc: Option<String>,
    #[serde(default)]
    pub writers: Vec<Writer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CommercialModel {
    SubscriptionModel,
    AdvertisementSupportedModel,
    PayAsYouGoModel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UseType {
    Stream,
    OnDemandStream,
    NonInteractiveStream,
    PermanentDownload,
    ConditionalDownload,
}

/// A deal: which uses under which model, where, from when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Deal {
    pub commercial_model: CommercialModel,
    pub use_types: Vec<UseType>,
    /// `["WW"]` for worldwide, else ISO 3166 codes.
    pub territories: Vec<String>,
    pub start_date: Option<NaiveDate>,
}

pub fn worldwide() -> Vec<String> {
    vec!["WW".into()]
}

/// Territories as stored: upper case, `WW` alone for worldwide, else ISO 3166 codes.
pub(crate) fn check_territories(check: &mut Checker, field: &str, input: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in input {
        let code = t.trim().to_ascii_uppercase();
        if code != "WW" && !is_country_code(&code) {
            check.issue(field, "invalid_territory", format!("'{}' is not WW (worldwide) or an ISO 3166 country code", t.trim()));
        } else if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.is_empty() {
        return worldwide();
    }
    if out.len() > 1 && out.contains(&"WW".to_string()) {
        check.issue(field, "invalid_territory", "WW (worldwide) cannot be combined with countries");
    }
    out
}

/// A BCP 47 language tag, lightly checked: `en`, `zh-Hans`, `pt-BR`, `yue`.
pub(crate) fn check_language(check: &mut Checker, field: &str, input: Option<&str>) -> Option<String> {
    let value = input.map(str::trim).filter(|v| !v.is_empty())?;
    let mut parts = value.split('-');
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !ok {
        check.issue(field, "invalid_language", format!("'{value}' is not a language code such as en, zh-Hans or pt-BR"));
        return None;
    }
    Some(value.to_string())
}

pub(crate) fn check_line(check: &mut Checker, field: &str, line: Option<&CopyrightLine>) -> Option<CopyrightLine> {
    let line = line?;
    if !(1900..=2100).contains(&line.year) {
        check.issue(field, "out_of_range", format!("{field} year {} must be between 1900 and 2100", line.year));
    }
    let text = check.required(field, &line.text, 200);
    Some(CopyrightLine { year: line.year, text })
}

pub(crate) fn check_contributors(check: &mut Checker, input: &[Contributor]) -> Vec<Contributor> {
    input
        .iter()
        .map(|c| {
            let name = check.required("contributors", &c.name, 200);
            let instrument = check.optional("contributors", c.instrument.as_deref(), 100);
            if instrument.is_some() && c.role != ContributorRole::Performer {
                check.issue("contributors", "instrument_not_performer", format!("{name}: only performers have an instrument"));
            }
            Contributor { name, role: c.role, instrument }
        })
        .collect()
}

pub(crate) fn check_work(check: &mut Checker, work: Option<&MusicalWork>) -> Option<MusicalWork> {
    let work = work?;
    let title = check.optional("work.title", work.title.as_deref(), 500);
    let iswc = check.identifier("work.iswc", "invalid_iswc", work.iswc.as_deref(), normalize_iswc);
    let mut total = Decimal::ZERO;
    let writers = work
        .writers
        .iter()
        .map(|w| {
            let name = check.required("work.writers", &w.name, 200);
            if w.share <= Decimal::ZERO || w.share > Decimal::ONE_HUNDRED {
                check.issue("work.writers", "invalid_share", format!("{name}: a share is more than 0 and at most 100 (%)"));
            }
            total += w.share;
            Writer { name, role: w.role, share: w.share.normalize() }
        })
        .collect();
    if total > Decimal::ONE_HUNDRED {
        check.issue("work.writers", "shares_over_100", format!("writers' shares add up to {}%, more than 100%", total.normalize()));
    }
    Some(MusicalWork { title, iswc, writers })
}

pub(crate) fn check_deals(check: &mut Checker, deals: &[Deal]) -> Vec<Deal> {
    deals
        .iter()
        .map(|d| {
            if d.use_types.is_empty() {
                check.issue("deals", "required", "a deal needs at least one use type");
            }
            Deal {
                commercial_model: d.commercial_model,
                use_types: d.use_types.clone(),
                territories: check_territories(check, "deals", &d.territories),
                start_date: d.start_date,
            }
        })
        .collect()
}
