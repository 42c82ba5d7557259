//! One fan as read from any list, before it meets the store.

use crate::fans::ConsentStatus;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FanRow {
    /// Line of the file where the row starts (1-based, the header is line 1).
    pub line: u64,
    pub name: Option<String>,
    pub emails: Vec<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub joined: Option<DateTime<Utc>>,
    /// Consent as the source states it: status, when (if the source says), and the wording.
    pub consent: Option<(ConsentStatus, Option<DateTime<Utc>>, Option<String>)>,
    /// The address is known to bounce (Mailchimp "cleaned").
    pub bounced: bool,
}

/// Name from "name", or "first" + "last" (Chinese order when the parts are CJK: 周 + 杰伦 → 周杰伦).
pub fn full_name(name: Option<&str>, first: Option<&str>, last: Option<&str>) -> Option<String> {
    if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
        return Some(n.to_string());
    }
    match (first.map(str::trim).filter(|s| !s.is_empty()), last.map(str::trim).filter(|s| !s.is_empty())) {
        (Some(f), Some(l)) if f.chars().chain(l.chars()).all(|c| !c.is_ascii()) => Some(format!("{l}{f}")),
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(f), None) => Some(f.to_string()),
        (None, Some(l)) => Some(l.to_string()),
        (None, None) => None,
    }
}

/// Tags as lists write them: `vip, merch`, `"vip","merch"`, `vip;merch`, `vip|merch`, `vip、merch`.
pub fn split_tags(text: &str) -> Vec<String> {
    text.split([',', ';', '|', '、', '，'])
        .map(|t| t.trim().trim_matches('"').trim())
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect()
}

/// Dates and times as exports write them; a date alone is midnight UTC.
pub fn parse_when(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%d %b %Y %H:%M:%S"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(Utc.from_utc_datetime(&n));
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d %b %Y", "%b %d, %Y", "%B %d, %Y", "%Y年%m月%d日"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, fmt) {
            return Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_tags_dates() {
        assert_eq!(full_name(None, Some("Lin"), Some("Qiao")).as_deref(), Some("Lin Qiao"));
        assert_eq!(full_name(None, Some("杰伦"), Some("周")).as_deref(), Some("周杰伦"));
        assert_eq!(full_name(Some(" X "), Some("a"), None).as_deref(), Some("X"));
        assert_eq!(split_tags("\"vip\",\"merch table\""), ["vip", "merch table"]);
        assert_eq!(split_tags("上海、北京"), ["上海", "北京"]);
        assert_eq!(parse_when("2026-11-20 10:11:12").unwrap().to_rfc3339(), "2026-11-20T10:11:12+00:00");
        assert_eq!(parse_when("11/20/2026").unwrap().to_rfc3339(), "2026-11-20T00:00:00+00:00");
        assert_eq!(parse_when("2026年11月20日").unwrap().to_rfc3339(), "2026-11-20T00:00:00+00:00");
        assert!(parse_when("soon").is_none());
    }
}
