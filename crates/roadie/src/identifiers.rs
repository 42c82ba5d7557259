//! Identifier checks used by the catalog's validation: ISO 3166 countries, ISRC format and
//! country prefix, ISRC registrant prefixes, UPC/EAN (GTIN) and ISWC check digits. Every check
//! says why a value is wrong, in words a user can act on.

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

/// ISRC country elements that are not ISO 3166 countries but are allocated all the same.
/// Sources: International ISRC Agency Bulletin 2015/01 "Validating an ISRC" (rev. 2021), "valid
/// values for element 1": high demand led to extra codes for the United States (QM, QT, QZ) and
/// the United Kingdom (GX); Bulletin 2007/01: "ZZ" is used by the International ISRC Agency itself
/// for registrants it serves directly.
pub const ISRC_SPECIAL_PREFIXES: [&str; 5] = ["QM", "QT", "QZ", "GX", "ZZ"];

/// Strips what people put around an ISRC (an "ISRC" label, hyphens, spaces) and upper-cases it.
fn isrc_chars(input: &str) -> String {
    let mut code: String =
        input.trim().chars().filter(|c| *c != '-' && !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if code.len() == 16 && code.starts_with("ISRC") {
        code.drain(..4);
    }
    code
}

/// Normalises an ISRC (`CN-A01-26-00001`, `cna012600001`, `ISRC CN-A01-26-00001`) to its
/// 12-character stored form, or says what is wrong with it: length, characters of each element
/// (Bulletin 2015/01, table A) and a country element that is neither ISO 3166 nor a special prefix.
pub fn normalize_isrc(input: &str) -> Result<String, String> {
    let code = isrc_chars(input);
    if code.len() != 12 || !code.is_ascii() {
        return Err(format!("an ISRC has 12 characters (CC-XXX-YY-NNNNN); '{}' has {}", input.trim(), code.chars().count()));
    }
    check_isrc(&code)?;
    Ok(code)
}

/// The checks of [`normalize_isrc`] on a code already stripped and upper-cased (12 ASCII
/// characters): what each element may hold.
pub fn check_isrc(code: &str) -> Result<(), String> {
    if code.len() != 12 || !code.is_ascii() {
        return Err(format!("an ISRC has 12 characters (CC-XXX-YY-NNNNN); '{code}' has {}", code.chars().count()));
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
    if !is_country_code(country) && !ISRC_SPECIAL_PREFIXES.contains(&country) {
        return Err(format!(
            "country code '{country}' is neither an ISO 3166 country nor an ISRC special prefix ({})",
            ISRC_SPECIAL_PREFIXES.join(", ")
        ));
    }
    Ok(())
}

/// Writes a stored ISRC the way people read it: `CN-A01-26-00001`.
pub fn display_isrc(code: &str) -> String {
    if code.len() == 12 && code.is_ascii() {
        format!("{}-{}-{}-{}", &code[..2], &code[2..5], &code[5..7], &code[7..])
    } else {
        code.to_string()
    }
}

/// Normalises an ISRC registrant prefix (country + registrant code, `CN-A01` or `cna01`).
pub fn normalize_isrc_prefix(input: &str) -> Result<String, String> {
    let code = isrc_chars(input);
    if code.len() != 5 || !code.is_ascii() {
        return Err(format!("an ISRC prefix has 5 characters (country + registrant, e.g. CN-A01); got '{}'", input.trim()));
    }
    // The rest of the checks are the full code's, on a placeholder year and designation.
    normalize_isrc(&format!("{code}0000000")).map(|_| code)
}

/// The ISRC for `designation` (1..=99999) of `year` under a normalised `prefix`.
pub fn make_isrc(prefix: &str, year: i32, designation: u32) -> Result<String, String> {
    if !(1..=99_999).contains(&designation) {
        return Err(format!("designation {designation} is out of range: {prefix} has used all 99999 codes of {year}"));
    }
    Ok(format!("{prefix}{:02}{designation:05}", year.rem_euclid(100)))
}

/// Normalises an ISWC (`T-910.940.292-8`, `T9109402928`) to `T9109402928`, checking the check
/// digit (CISAC: c = (10 − (1 + Σ i·dᵢ) mod 10) mod 10 over the 9 digits, i = 1..9).
pub fn normalize_iswc(input: &str) -> Result<String, String> {
    let code: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, '-' | '.' | ' '))
        .collect::<String>()
        .to_ascii_uppercase();
    let code = code.strip_prefix("ISWC").map(str::to_string).unwrap_or(code);
    if code.len() != 11 || !code.starts_with('T') || !code[1..].chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("an ISWC is T followed by 10 digits (T-123.456.789-C); got '{}'", input.trim()));
    }
    let digits: Vec<u32> = code[1..].chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = 1 + digits[..9].iter().enumerate().map(|(i, d)| (i as u32 + 1) * d).sum::<u32>();
    let expected = (10 - sum % 10) % 10;
    if expected != digits[9] {
        return Err(format!("check digit of '{code}' should be {expected}, not {}", digits[9]));
    }
    Ok(code)
}

/// Writes a stored ISWC the way people read it: `T-910.940.292-8`.
pub fn display_iswc(code: &str) -> String {
    if code.len() == 11 && code.is_ascii() {
        format!("T-{}.{}.{}-{}", &code[1..4], &code[4..7], &code[7..10], &code[10..])
    } else {
        code.to_string()
    }
}

/// Normalises a UPC-A (12 digits) or EAN-13 (13 digits), checking the GS1 check digit.
pub fn normalize_upc(input: &str) -> Result<String, String> {
    let code: String = input.trim().chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("a UPC has only digits; '{}' has other characters", input.trim()));
    }
    if !(code.len() == 12 || code.len() == 13) {
        return Err(format!("a UPC has 12 digits (EAN: 13); '{}' has {}", input.trim(), code.len()));
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
        assert_eq!(normalize_isrc("ISRC GB-EMI-03-00013").unwrap(), "GBEMI0300013");
        assert_eq!(display_isrc("GBEMI0300013"), "GB-EMI-03-00013");
    }

    #[test]
    fn isrc_country_element_is_iso_3166_or_a_special_prefix() {
        // Published examples: USRC17607839 (IFPI handbook), GBAYE0000351 ("Yesterday" remaster).
        for ok in ["USRC17607839", "GBAYE0000351", "QMFME1712345", "QZES71900001", "ZZAAA2000001", "GXAAA1900001"] {
            assert!(normalize_isrc(ok).is_ok(), "{ok}");
        }
        let err = normalize_isrc("XXRC17607839").unwrap_err();
        assert!(err.contains("neither an ISO 3166 country"), "{err}");
        assert!(normalize_isrc("US RC1 76 07839!").unwrap_err().contains("12 characters"));
    }

    #[test]
    fn isrc_prefixes_and_generation() {
        assert_eq!(normalize_isrc_prefix("cn-a01").unwrap(), "CNA01");
        assert!(normalize_isrc_prefix("XXA01").unwrap_err().contains("ISO 3166"));
        assert!(normalize_isrc_prefix("CNA0").unwrap_err().contains("5 characters"));
        assert_eq!(make_isrc("CNA01", 2026, 7).unwrap(), "CNA012600007");
        assert!(make_isrc("CNA01", 2026, 100_000).unwrap_err().contains("used all"));
    }

    #[test]
    fn iswc_check_digit() {
        // CISAC's published example and a few real works.
        assert_eq!(normalize_iswc("T-910.940.292-8").unwrap(), "T9109402928");
        assert_eq!(normalize_iswc("T-034.524.680-1").unwrap(), "T0345246801");
        assert_eq!(normalize_iswc("ISWC T-070.237.182-1").unwrap(), "T0702371821");
        assert_eq!(display_iswc("T9109402928"), "T-910.940.292-8");
        assert!(normalize_iswc("T-910.940.292-7").unwrap_err().contains("should be 8"));
        assert!(normalize_iswc("910.940.292-8").unwrap_err().contains("T followed by 10 digits"));
    }

    #[test]
    fn upc_and_ean_check_digits() {
        assert_eq!(normalize_upc("036000291452").unwrap(), "036000291452");
        assert_eq!(normalize_upc("4006381333931").unwrap(), "4006381333931");
        assert!(normalize_upc("036000291453").unwrap_err().contains("should be 2"));
        assert!(normalize_upc("12345").unwrap_err().contains("has 5"));
        assert!(normalize_upc("03600029145X").unwrap_err().contains("only digits"));
        // GS1's own examples: UPC-A 614141000036, EAN-13 5901234123457.
        assert!(normalize_upc("614141000036").is_ok());
        assert!(normalize_upc("5901234123457").is_ok());
        assert!(normalize_upc("5901234123458").unwrap_err().contains("should be 7"));
    }
}
