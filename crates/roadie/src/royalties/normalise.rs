//! Turning a source's fields into Roadie's normalised line: territories, usage types,
//! identifiers, the title + artist key used for matching.

use super::UsageType;
use crate::identifiers::{check_isrc, is_country_code, normalize_isrc};

/// An ISO 3166-1 alpha-2 code for a territory: a code (any case), or a country's name in English
/// (`United States`, `Korea, Republic of`) or Chinese (`中国`, `美国`); else `None` (the raw row
/// keeps it).
pub fn territory(text: &str) -> Option<String> {
    let code = text.trim().to_ascii_uppercase();
    match code.as_str() {
        "UK" => Some("GB".into()),
        _ if is_country_code(&code) => Some(code),
        _ if code.len() <= 3 && code.is_ascii() => None,
        _ => country_by_name(text).map(str::to_string),
    }
}

/// [`territory`] of a cell written over `out` (a plain two-letter code, nearly every line's,
/// without allocating).
pub fn territory_into(text: Option<&str>, out: &mut Option<String>) {
    let Some(text) = text else {
        *out = None;
        return;
    };
    let t = text.trim().as_bytes();
    if let [a, b] = *t {
        let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
        if let Ok(code) = std::str::from_utf8(&code) {
            if code != "UK" && is_country_code(code) {
                super::formats::set_opt(out, Some(code));
                return;
            }
        }
    }
    *out = territory(text);
}

/// The code of a country named in English or Chinese.
fn country_by_name(text: &str) -> Option<&'static str> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static BY_NAME: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    let map = BY_NAME.get_or_init(|| super::countries::NAMES.iter().copied().collect());
    let key = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let key = key.trim_start_matches("the ");
    map.get(key).copied()
}

/// The usage a source's sales/transaction type describes.
pub fn usage(text: &str) -> UsageType {
    let t = text.trim().to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["sync", "licens"]) {
        UsageType::Sync
    } else if has(&["physical", "package", "vinyl", "cassette", "merch", "cd"]) && !has(&["cdbaby"]) {
        UsageType::Physical
    } else if has(&["download", "digital album", "digital track", "itunes", "purchase", "album", "track", "sale"]) {
        UsageType::Download
    } else if has(&["stream", "subscription", "adsupport", "ad support", "ad-support", "radio", "video", "ugc", "play"]) {
        UsageType::Stream
    } else {
        UsageType::Other
    }
}

/// DistroKid reports no usage type: its stores tell it (download stores sell, the rest stream).
pub fn usage_from_store(store: &str) -> UsageType {
    if store.is_ascii() {
        // The same test without allocating: ASCII lower-cases byte by byte.
        let has = |word: &str| store.as_bytes().windows(word.len()).any(|w| w.eq_ignore_ascii_case(word.as_bytes()));
        return if has("itunes") || has("download") || has("amazon mp3") || has("beatport") { UsageType::Download } else { UsageType::Stream };
    }
    let s = store.to_lowercase();
    if s.contains("itunes") || s.contains("download") || s.contains("amazon mp3") || s.contains("beatport") {
        UsageType::Download
    } else {
        UsageType::Stream
    }
}

/// A stored ISRC when the text is one (statements write them lower case or hyphenated).
pub fn isrc(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    normalize_isrc(t.trim_start_matches("ISRC").trim_start_matches("isrc").trim_start_matches(':')).ok()
}

/// [`isrc`] of a cell written over `out` (a plain 12-character code, nearly every line's, without
/// allocating).
pub fn isrc_into(text: Option<&str>, out: &mut Option<String>) {
    let Some(text) = text else {
        *out = None;
        return;
    };
    let t = text.trim().trim_start_matches("ISRC").trim_start_matches("isrc").trim_start_matches(':');
    if t.len() == 12 && t.bytes().all(|b| b.is_ascii_alphanumeric()) {
        // What `normalize_isrc` makes of it: the same text upper-cased, if it passes its checks.
        let mut code = [0u8; 12];
        code.copy_from_slice(t.as_bytes());
        code.make_ascii_uppercase();
        let code = std::str::from_utf8(&code).expect("ASCII");
        if check_isrc(code).is_ok() {
            super::formats::set_opt(out, Some(code));
        } else {
            *out = None;
        }
        return;
    }
    *out = isrc(text);
}

/// Digits of a UPC/EAN (quotes, spaces and a spreadsheet's ".0" removed); `None` when empty.
pub fn upc(text: &str) -> Option<String> {
    let t = text.trim().trim_matches('"').trim_matches('\'');
    let t = t.strip_suffix(".0").unwrap_or(t);
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() != t.chars().filter(|c| !matches!(c, ' ' | '-')).count() {
        return None;
    }
    // A UPC-A read as a number loses its leading zero: 11 digits are restored to 12.
    Some(if digits.len() == 11 { format!("0{digits}") } else { digits })
}

/// Lower case, letters and digits only, single spaces: "Song 1 (feat. X)" and "song 1 feat x"
/// meet.
pub fn text_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// The title + artist match key.
pub fn title_artist_key(title: &str, artist: &str) -> Option<String> {
    let (t, a) = (text_key(title), text_key(artist));
    (!t.is_empty()).then(|| format!("{t}\u{1f}{a}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_normalise() {
        assert_eq!(territory("us").as_deref(), Some("US"));
        assert_eq!(territory("UK").as_deref(), Some("GB"));
        assert_eq!(territory("Worldwide"), None);
        for (name, code) in [
            ("United States", "US"),
            ("united  states of america", "US"),
            ("Korea, Republic of", "KR"),
            ("South Korea", "KR"),
            ("the Netherlands", "NL"),
            ("Taiwan", "TW"),
            ("中国", "CN"),
            ("美国", "US"),
            ("中国香港", "HK"),
            ("日本", "JP"),
            ("英国", "GB"),
        ] {
            assert_eq!(territory(name).as_deref(), Some(code), "{name}");
        }
        assert_eq!(territory("火星"), None);
        assert_eq!(territory("XX"), None);
        assert_eq!(usage("Streaming"), UsageType::Stream);
        assert_eq!(usage("Digital Download"), UsageType::Download);
        assert_eq!(usage("package"), UsageType::Physical);
        assert_eq!(usage("album"), UsageType::Download);
        assert_eq!(usage("Sync License"), UsageType::Sync);
        assert_eq!(usage("payout"), UsageType::Other);
        assert_eq!(usage_from_store("iTunes"), UsageType::Download);
        assert_eq!(usage_from_store("Spotify"), UsageType::Stream);
        assert_eq!(isrc("usrc17607839").as_deref(), Some("USRC17607839"));
        assert_eq!(isrc("US-RC1-76-07839").as_deref(), Some("USRC17607839"));
        assert_eq!(isrc("n/a"), None);
        assert_eq!(upc("\"880000000001\"").as_deref(), Some("880000000001"));
        assert_eq!(upc("36000291452").as_deref(), Some("036000291452"));
        assert_eq!(upc("8.8E+11"), None);
        assert_eq!(title_artist_key("Song 1 (Remix)", "Artist  One"), Some("song 1 remix\u{1f}artist one".into()));
        // The in-place forms give exactly what the allocating ones give, over any old value.
        for text in ["us", "US", " gb ", "UK", "uk", "XX", "é", "Us", "United States", "中国", "", "u", "USA", "zz"] {
            for old in [None, Some("DE".to_string())] {
                let mut out = old.clone();
                territory_into(Some(text).filter(|t| !t.is_empty()), &mut out);
                assert_eq!(out, Some(text).filter(|t| !t.is_empty()).and_then(territory), "{text:?}");
                let mut out = old;
                isrc_into(Some(text).filter(|t| !t.is_empty()), &mut out);
                assert_eq!(out, Some(text).filter(|t| !t.is_empty()).and_then(isrc), "{text:?}");
            }
        }
        for text in ["usrc17607839", "USRC17607839", " QZRDB2600001 ", "ISRCUSRC17607839", "isrc:usrc17607839", "XXRC17607839",
            "US1C17607839", "USRC1760783X", "USRC1A607839", "1SRC17607839", "ZZ0001700001", "US-RC1-76-07839", "USRC1760783"] {
            let mut out = Some("QZRDB2600000".to_string());
            isrc_into(Some(text), &mut out);
            assert_eq!(out, isrc(text), "{text:?}");
        }
        for store in ["iTunes", "ITUNES Store", "Amazon MP3", "Beatport", "Spotify", "Digital Download", "Apple Music", "Amazon Music"] {
            let s = store.to_lowercase();
            let slow = if s.contains("itunes") || s.contains("download") || s.contains("amazon mp3") || s.contains("beatport") { UsageType::Download } else { UsageType::Stream };
            assert_eq!(usage_from_store(store), slow, "{store}");
        }
        assert_eq!(text_key("周杰伦 - 晴天"), "周杰伦 晴天");
    }
}
