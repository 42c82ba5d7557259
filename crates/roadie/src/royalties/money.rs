//! Currencies and their minor units: codes checked, amounts rounded to what a currency can pay.

use rust_decimal::{Decimal, RoundingStrategy};

/// Decimals of a currency's minor unit (ISO 4217). Currencies Roadie does not list pay in cents.
pub fn minor_units(currency: &str) -> u32 {
    match currency {
        // No minor unit in practice.
        "JPY" | "KRW" | "ISK" | "CLP" | "VND" | "PYG" | "UGX" | "XAF" | "XOF" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD" => 3,
        _ => 2,
    }
}

/// An ISO 4217 code as users type it (`usd`, ` EUR `), upper-cased; `None` when not 3 letters.
pub fn currency_code(input: &str) -> Option<String> {
    let code = input.trim().to_ascii_uppercase();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(code)
}

/// Rounds to the currency's minor unit, halves away from zero (as payments are rounded).
pub fn round_to_minor(amount: Decimal, currency: &str) -> Decimal {
    round_dp(amount, minor_units(currency))
}

pub fn round_dp(amount: Decimal, dp: u32) -> Decimal {
    let mut r = amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    r
}

/// An amount for display and files: exactly the currency's decimals (`12.30`, `1500`).
pub fn fmt_amount(amount: Decimal, currency: &str) -> String {
    round_to_minor(amount, currency).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn minor_units_and_rounding() {
        assert_eq!(minor_units("JPY"), 0);
        assert_eq!(minor_units("USD"), 2);
        assert_eq!(minor_units("CNY"), 2);
        assert_eq!(round_to_minor(Decimal::from_str("1.005").unwrap(), "USD").to_string(), "1.01");
        assert_eq!(round_to_minor(Decimal::from_str("-1.005").unwrap(), "USD").to_string(), "-1.01");
        assert_eq!(round_to_minor(Decimal::from_str("149.5").unwrap(), "JPY").to_string(), "150");
        assert_eq!(fmt_amount(Decimal::from_str("12.3").unwrap(), "EUR"), "12.30");
        assert_eq!(currency_code(" usd "), Some("USD".into()));
        assert_eq!(currency_code("US"), None);
    }
}
