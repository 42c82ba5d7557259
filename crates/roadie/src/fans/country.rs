//! Countries as fans type them into sign-up forms: codes, English names, common Chinese names.

use crate::identifiers::is_country_code;
use std::str::FromStr;

/// Chinese names seen in Chinese platforms' exports (celes covers English names and codes).
const CHINESE: &[(&str, &str)] = &[
    ("中国", "CN"), ("中国大陆", "CN"), ("中华人民共和国", "CN"), ("香港", "HK"), ("中国香港", "HK"),
    ("澳门", "MO"), ("中国澳门", "MO"), ("台湾", "TW"), ("中国台湾", "TW"), ("美国", "US"), ("英国", "GB"),
    ("日本", "JP"), ("韩国", "KR"), ("新加坡", "SG"), ("马来西亚", "MY"), ("加拿大", "CA"), ("澳大利亚", "AU"),
    ("新西兰", "NZ"), ("德国", "DE"), ("法国", "FR"), ("意大利", "IT"), ("西班牙", "ES"), ("荷兰", "NL"),
    ("泰国", "TH"), ("越南", "VN"), ("印度尼西亚", "ID"), ("菲律宾", "PH"), ("印度", "IN"), ("俄罗斯", "RU"),
    ("巴西", "BR"), ("墨西哥", "MX"), ("瑞典", "SE"), ("瑞士", "CH"), ("爱尔兰", "IE"),
];

/// The ISO 3166-1 alpha-2 code for a country code or name, if we can tell.
pub fn country_code(input: &str) -> Option<String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return None;
    }
    let upper = trimmed.to_ascii_uppercase();
    if upper == "UK" {
        return Some("GB".into());
    }
    if is_country_code(&upper) {
        return Some(upper);
    }
    if let Some((_, code)) = CHINESE.iter().find(|(name, _)| *name == trimmed) {
        return Some((*code).into());
    }
    let key: String = trimmed.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    celes::Country::from_str(&key)
        .or_else(|_| celes::Country::from_alias(&key))
        .or_else(|_| celes::Country::from_name(&key))
        .ok()
        .map(|c| c.alpha2.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes() {
        assert_eq!(country_code("us").as_deref(), Some("US"));
        assert_eq!(country_code("United States").as_deref(), Some("US"));
        assert_eq!(country_code("United Kingdom").as_deref(), Some("GB"));
        assert_eq!(country_code("UK").as_deref(), Some("GB"));
        assert_eq!(country_code("中国").as_deref(), Some("CN"));
        assert_eq!(country_code("Germany").as_deref(), Some("DE"));
        assert_eq!(country_code("Atlantis"), None);
        assert_eq!(country_code(""), None);
    }
}
