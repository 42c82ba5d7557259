//! Purchase amounts: exact decimals, stored as integer micro-units (× 10^6) so SQLite can sum and
//! compare them without floating point.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const SCALE: u32 = 6;

/// An amount in a currency, as a decimal string (`"12.50"`) so no precision is lost in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Money {
    pub currency: String,
    pub amount: String,
}

/// Decimal → micro-units, refusing more precision than we keep or an overflow.
pub fn to_micros(amount: Decimal) -> Result<i64, String> {
    let scaled = amount.checked_mul(Decimal::from(10i64.pow(SCALE))).ok_or("amount too large")?;
    if !scaled.fract().is_zero() {
        return Err(format!("amount {amount} has more than {SCALE} decimals"));
    }
    i64::try_from(scaled).map_err(|_| format!("amount {amount} is too large"))
}

pub fn from_micros(micros: i128) -> Decimal {
    Decimal::from_i128_with_scale(micros, SCALE).normalize()
}

/// Parses an amount as written in exports: `12.50`, `$12.50`, `1,234.5`, `¥88`.
pub fn parse_amount(text: &str) -> Result<Decimal, String> {
    let cleaned: String = text.trim().chars().filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-').collect();
    cleaned.parse::<Decimal>().map_err(|_| format!("'{}' is not an amount", text.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_are_exact() {
        let d: Decimal = "12.345678".parse().unwrap();
        assert_eq!(to_micros(d), Ok(12_345_678));
        assert_eq!(from_micros(12_345_678).to_string(), "12.345678");
        assert_eq!(from_micros(12_500_000).to_string(), "12.5");
        assert!(to_micros("0.0000001".parse().unwrap()).is_err());
        assert_eq!(parse_amount("$1,234.50").unwrap().to_string(), "1234.50");
        assert!(parse_amount("free").is_err());
    }
}
