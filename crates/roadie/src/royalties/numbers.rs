//! Numbers as statements write them: thousands separators (`1,234.56`, `1.234,56`, `1 234,56`,
//! `1'234.56`), decimal commas, negatives as `-1`, `1-` or `(1)`, currency symbols or codes around
//! the number, 10+ decimals, and Excel's scientific notation. Parsed exactly into `Decimal`.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Parses an amount exactly, or says why it is not one.
pub fn parse_amount(input: &str) -> Result<Decimal, String> {
    // Fast path: the plain `-123.456` nearly every machine-made statement writes.
    let t = input.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
        && digits != "."
    {
        if let Ok(value) = Decimal::from_str(t) {
            return Ok(value);
        }
    }
    let bad = || format!("'{}' is not a number", input.trim());
    let mut s: String = input.trim().to_string();
    if s.is_empty() {
        return Err("the amount is empty".into());
    }
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') {
        negative = true;
        s = s[1..s.len() - 1].trim().to_string();
    }
    // Currency symbols and ISO codes before or after the number.
    s = strip_currency(&s);
    if let Some(rest) = s.strip_suffix('-') {
        negative = !negative;
        s = rest.trim().to_string();
    } else if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('−')) {
        negative = !negative;
        s = rest.trim().to_string();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim().to_string();
    }
    s = strip_currency(&s);
    if s.is_empty() {
        return Err(bad());
    }
    // Scientific notation, as Excel writes small floats (1.5E-05).
    if s.contains(['e', 'E']) && !s.contains(',') {
        let value = Decimal::from_scientific(&s).map_err(|_| bad())?;
        return Ok(if negative { -value } else { value });
    }
    let plain = unseparate(&s).ok_or_else(bad)?;
    let value = Decimal::from_str(&plain).map_err(|e| format!("'{}' is not a number ({e})", input.trim()))?;
    Ok(if negative { -value } else { value })
}

/// Units sold or streamed: a whole number (some sources write `3.0`).
pub fn parse_units(input: &str) -> Result<i64, String> {
    if input.trim().is_empty() {
        return Ok(0);
    }
    let value = parse_amount(input)?;
    if !value.fract().is_zero() {
        return Err(format!("'{}' is not a whole number of units", input.trim()));
    }
    i64::try_from(value.trunc()).map_err(|_| format!("'{}' is too many units", input.trim()))
}

fn strip_currency(s: &str) -> String {
    let symbols: &[char] = &['$', '€', '£', '¥', '￥', '₩', '₹', '₽', '₺', '฿', '₫', '₱', '₪'];
    let mut t = s.trim().trim_matches(symbols).trim().to_string();
    // A leading or trailing ISO 4217 code ("USD 1.00", "1,00 EUR", "US$1").
    for prefix in ["US", "HK", "NT", "R", "RMB", "CN"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            if rest.starts_with(symbols) {
                t = rest.trim_matches(symbols).trim().to_string();
            }
        }
    }
    let bytes = t.as_bytes();
    if bytes.len() > 4 && bytes[..3].iter().all(u8::is_ascii_uppercase) && !bytes[3].is_ascii_alphabetic() {
        t = t[3..].trim().to_string();
    }
    let n = t.len();
    if n > 4 && t.as_bytes()[n - 3..].iter().all(u8::is_ascii_uppercase) && !t.as_bytes()[n - 4].is_ascii_alphabetic() {
        t = t[..n - 3].trim().to_string();
    }
    t.trim_matches(symbols).trim().to_string()
}

/// Removes thousands separators and turns a decimal comma into a point. `None` when the digits
/// and separators make no number.
fn unseparate(s: &str) -> Option<String> {
    let s: String = s.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’' | '_')).collect();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let decimal = match (dots, commas) {
        (0, 0) => None,
        // Both: whichever comes last is the decimal separator.
        (_, _) if dots > 0 && commas > 0 => {
            let last = if s.rfind('.') > s.rfind(',') { '.' } else { ',' };
            let other = if last == '.' { ',' } else { '.' };
            if s.matches(last).count() > 1 {
                return None;
            }
            let (int, _) = s.rsplit_once(last)?;
            if !thousands_ok(int, other) {
                return None;
            }
            Some(last)
        }
        (1, 0) => Some('.'),
        (0, 1) => {
            // "1,234" is a thousand; "0,123", "1,5" and "12,34567" are decimal commas.
            let (int, frac) = s.split_once(',')?;
            if frac.len() == 3 && !int.is_empty() && int != "0" && int.len() <= 3 {
                None
            } else {
                Some(',')
            }
        }
        (_, 0) => {
            // "1.234.567": thousands points.
            if !thousands_ok(&s, '.') {
                return None;
            }
            None
        }
        (0, _) => {
            if !thousands_ok(&s, ',') {
                return None;
            }
            None
        }
        _ => return None,
    };
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' => out.push(c),
            c if Some(c) == decimal => out.push('.'),
            _ => {} // a thousands separator
        }
    }
    if out.is_empty() || out == "." {
        return None;
    }
    Some(out)
}

/// `1,234,567`: groups of three after the first group of 1-3.
fn thousands_ok(s: &str, sep: char) -> bool {
    let groups: Vec<&str> = s.split(sep).collect();
    if groups.len() == 1 {
        return true;
    }
    let first = groups[0];
    !first.is_empty() && first.len() <= 3 && groups[1..].iter().all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn number_styles_found_in_statements() {
        let cases = [
            ("0.00789993", "0.00789993"),
            ("0.0998269974", "0.0998269974"),
            ("0.000000000012345", "0.000000000012345"),
            ("1,234.56", "1234.56"),
            ("1,234,567.891", "1234567.891"),
            ("1.234,56", "1234.56"),
            ("1.234.567,5", "1234567.5"),
            ("1 234,56", "1234.56"),
            ("1\u{a0}234,56", "1234.56"),
            ("1'234.56", "1234.56"),
            ("0,5", "0.5"),
            ("12,34567", "12.34567"),
            ("1,234", "1234"),
            ("(12.50)", "-12.50"),
            ("12.50-", "-12.50"),
            ("-12.50", "-12.50"),
            ("$1,234.50", "1234.50"),
            ("-$3.20", "-3.20"),
            ("($3.20)", "-3.20"),
            ("€ 1.234,50", "1234.50"),
            ("¥1,000", "1000"),
            ("￥88.8", "88.8"),
            ("USD 4.20", "4.20"),
            ("4,20 EUR", "4.20"),
            ("US$9.99", "9.99"),
            ("1.5E-05", "0.000015"),
            ("+7", "7"),
            ("42", "42"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_amount(input), Ok(d(want)), "{input}");
        }
    }

    #[test]
    fn non_numbers_are_refused_with_the_text() {
        for bad in ["", "abc", "1.2.3,4,5", "12a", "--", "1,23,4", "()"] {
            let err = parse_amount(bad).unwrap_err();
            assert!(err.contains(bad.trim()) || bad.trim().is_empty() || bad == "()", "{bad}: {err}");
        }
    }

    #[test]
    fn units_are_whole() {
        assert_eq!(parse_units("3"), Ok(3));
        assert_eq!(parse_units("3.0"), Ok(3));
        assert_eq!(parse_units("-1"), Ok(-1));
        assert_eq!(parse_units("1,200"), Ok(1200));
        assert_eq!(parse_units(""), Ok(0));
        assert!(parse_units("1.5").is_err());
    }
}
