//! A payee's statement as issued: every figure the PDF and the CSV show, stored as JSON so that
//! a closed period's files are rendered again byte for byte.

use crate::royalties::dates::YearMonth;
use crate::royalties::fx::RateUsed;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// Earnings of one release × track × store × territory × source currency (and reporting month:
/// lines of an earlier, closed month are adjustments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EarningRow {
    /// The month the lines were reported for (earlier than the statement's: an adjustment).
    pub reported: YearMonth,
    pub release: String,
    pub track: String,
    pub isrc: String,
    pub store: String,
    pub territory: String,
    /// The lines' currency and the payee's share in it (rounded to its minor unit).
    pub currency: String,
    #[ts(type = "string")]
    pub amount: Decimal,
    /// In the payee's currency.
    #[ts(type = "string")]
    pub converted: Decimal,
}

/// The payee's share of one source currency, and its conversion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CurrencyEarning {
    pub currency: String,
    #[ts(type = "string")]
    pub amount: Decimal,
    pub rate: RateUsed,
    #[ts(type = "string")]
    pub converted: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RecoupmentRow {
    pub advance_id: Uuid,
    pub kind: String,
    /// The release it is recouped from; empty: cross-collateralised.
    pub release: String,
    pub note: String,
    #[ts(type = "string")]
    pub opening: Decimal,
    #[ts(type = "string")]
    pub recouped: Decimal,
    #[ts(type = "string")]
    pub remaining: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StatementDocument {
    pub statement_id: Uuid,
    pub period: YearMonth,
    /// Who issues it: the label's or artist's workspace name.
    pub issuer: String,
    pub payee_id: Uuid,
    pub payee: String,
    pub currency: String,
    /// The conversion date: the last day of the period.
    pub rate_date: chrono::NaiveDate,
    pub by_currency: Vec<CurrencyEarning>,
    pub earnings: Vec<EarningRow>,
    pub recoupment: Vec<RecoupmentRow>,
    /// Owed after the previous statement, less payments made since.
    #[ts(type = "string")]
    pub balance_brought_forward: Decimal,
    /// Payments recorded since the previous statement.
    #[ts(type = "string")]
    pub payments: Decimal,
    /// Every payment recorded up to this statement (for the next one's "payments since").
    #[ts(type = "string")]
    pub payments_to_date: Decimal,
    #[ts(type = "string")]
    pub earned: Decimal,
    #[ts(type = "string")]
    pub recouped: Decimal,
    /// Earned less recouped: what this period adds to the balance.
    #[ts(type = "string")]
    pub payable: Decimal,
    /// Brought forward plus payable: what is owed after this statement.
    #[ts(type = "string")]
    pub balance: Decimal,
}
