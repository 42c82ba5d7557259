//! Identifier checks used by the catalog's validation: ISO 3166 countries, ISRC format, UPC/EAN
//! check digits. (Registrant-prefix generation and ISWC arrive with the release builder.)

/// Officially assigned ISO 3166-1 alpha-2 codes (249).
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR \
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK \
FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO \
JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU \
MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC \
SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA \
VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Is `code` (upper case) an assigned ISO 3166-1 alpha-2 country code?
pub fn is_country_code(code: &str) -> bool {
    // The list is sorted, one code every 3 bytes: a binary search (statement imports ask this
    // for every line).
    let list = ISO_3166_ALPHA2.as_bytes();
    let code = code.as_bytes();
    if code.len() != 2 {
        return false;
    }
    let (mut lo, mut hi) = (0, list.len().div_ceil(3));
    while lo < hi {
        let mid = (lo + hi) / 2;
        match list[mid * 3..mid * 3 + 2].cmp(code) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

#[cfg(test)]
#[test]
fn the_country_list_is_sorted_with_a_fixed_stride() {
    let codes: Vec<&str> = ISO_3166_ALPHA2.split(' ').collect();
    assert_eq!(codes.len(), 249);
    assert!(codes.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(ISO_3166_ALPHA2.len(), 249 * 3 - 1);
    for c in &codes {
        assert!(is_country_code(c), "{c}");
    }
    for bad in ["", "A", "XX", "ZZ", "AAA", "us"] {
        assert!(!is_country_code(bad), "{bad}");
    }
}

/// Normalises a country as users type it (` cn `) to the stored form (`CN`), or says why not.
pub fn normalize_country(input: &str) -> Result<String, String> {
    let code = input.trim().to_ascii_uppercase();
    if is_country_code(&code) {
        Ok(code)
    } else {
        Err(format!("'{}' is not an ISO 3166-1 alpha-2 country code (e.g. CN, US, GB)", input.trim()))
    }
}

/// Normalises an ISRC (`CN-A01-26-00001` or `cna012600001`) to its 12-character stored form, or
/// says what is wrong with it.
pub fn normalize_isrc(input: &str) -> Result<String, String> {
    let code: String = input.trim().chars().filter(|c| *c != '-').collect::<String>().to_ascii_uppercase();
    if code.len() != 12 || !code.is_ascii() {
        return Err(format!("an ISRC has 12 characters (CC-XXX-YY-NNNNN); '{}' has {}", input.trim(), code.chars().count()));
    }
    let (country, rest) = code.split_at(2);
    let (registrant, rest) = rest.split_at(3);
    let (year, designation) = rest.split_at(2);
    if !country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(format!("'{country}' is not a country code: an ISRC starts with two letters"));
    }
    if !registrant.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("registrant code '{registrant}' must be 3 letters or digits"));
    }
    if !year.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("year '{year}' must be 2 digits"));
    }
    if !designation.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("designation '{designation}' must be 5 digits"));
    }
    Ok(code)
}

/// Normalises a UPC-A (12 digits) or EAN-13 (13 digits), checking the GS1 check digit.
pub fn normalize_upc(input: &str) -> Result<String, String> {
    let code: String = input.trim().chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if !(code.len() == 12 || code.len() == 13) || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("a UPC has 12 digits (EAN: 13); got '{}'", input.trim()));
    }
    let digits: Vec<u32> = code.chars().map(|c| c.to_digit(10).expect("digit")).collect();
    let (body, check) = digits.split_at(digits.len() - 1);
    // GS1: weights 3,1,3,... from the rightmost body digit.
    let sum: u32 = body.iter().rev().enumerate().map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d }).sum();
    let expected = (10 - sum % 10) % 10;
    if expected != check[0] {
        return Err(format!("check digit of '{code}' should be {expected}, not {}", check[0]));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries() {
        assert_eq!(ISO_3166_ALPHA2.split(' ').count(), 249);
        assert_eq!(normalize_country(" cn ").unwrap(), "CN");
        assert!(normalize_country("XX").is_err());
        assert!(normalize_country("CHN").is_err());
    }

    #[test]
    fn isrc_with_or_without_hyphens() {
        assert_eq!(normalize_isrc("CN-A01-26-00001").unwrap(), "CNA012600001");
        assert_eq!(normalize_isrc("usrc17607839").unwrap(), "USRC17607839");
        assert!(normalize_isrc("US-RC1-76-0783").unwrap_err().contains("12 characters"));
        assert!(normalize_isrc("U1RC17607839").unwrap_err().contains("country"));
        assert!(normalize_isrc("USRC1A607839").unwrap_err().contains("year"));
    }

    #[test]
    fn upc_and_ean_check_digits() {
        assert_eq!(normalize_upc("036000291452").unwrap(), "036000291452");
        assert_eq!(normalize_upc("4006381333931").unwrap(), "4006381333931");
        assert!(normalize_upc("036000291453").unwrap_err().contains("should be 2"));
        assert!(normalize_upc("12345").is_err());
    }
}
