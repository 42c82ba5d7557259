//! Advances and recoupable expenses of a payee (recording, mastering, video, marketing...),
//! scoped to a release or cross-collateralised over everything the payee earns. Recorded in
//! any currency; kept also in the payee's currency at the rate of the day it was incurred.

use super::fx::rate_on;
use super::money::{currency_code, round_to_minor};
use super::splits::{parse_date, parse_decimal, parse_uuid};
use crate::error::{Error, FieldIssue, Result};
use crate::Store;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AdvanceKind {
    Advance,
    Recording,
    Mastering,
    Video,
    Marketing,
    Other,
}

impl AdvanceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AdvanceKind::Advance => "advance",
            AdvanceKind::Recording => "recording",
            AdvanceKind::Mastering => "mastering",
            AdvanceKind::Video => "video",
            AdvanceKind::Marketing => "marketing",
            AdvanceKind::Other => "other",
        }
    }
}

impl std::str::FromStr for AdvanceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "advance" => AdvanceKind::Advance,
            "recording" => AdvanceKind::Recording,
            "mastering" => AdvanceKind::Mastering,
            "video" => AdvanceKind::Video,
            "marketing" => AdvanceKind::Marketing,
            "other" => AdvanceKind::Other,
            other => return Err(format!("unknown kind '{other}' (advance, recording, mastering, video, marketing, other)")),
        })
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct AdvanceInput {
    pub payee_id: Uuid,
    pub kind: AdvanceKind,
    #[ts(type = "string")]
    pub amount: Decimal,
    pub currency: String,
    /// Recouped only from this release's earnings; `None`: from everything (cross-collateralised).
    pub release_id: Option<Uuid>,
    pub incurred_on: NaiveDate,
    pub note: Option<String>,
}

impl AdvanceInput {
    /// An advance recouped from everything the payee earns (not one release's), without a note.
    pub fn new(payee_id: Uuid, amount: Decimal, currency: &str, incurred_on: NaiveDate) -> Self {
        Self { payee_id, kind: AdvanceKind::Advance, amount, currency: currency.into(), release_id: None, incurred_on, note: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Advance {
    pub id: Uuid,
    pub payee_id: Uuid,
    pub kind: AdvanceKind,
    #[ts(type = "string")]
    pub amount: Decimal,
    pub currency: String,
    /// In the payee's statement currency.
    #[ts(type = "string")]
    pub payee_amount: Decimal,
    #[ts(type = "string")]
    pub rate: Decimal,
    pub release_id: Option<Uuid>,
    pub incurred_on: NaiveDate,
    pub note: Option<String>,
    /// Recouped so far on issued statements (payee currency).
    #[ts(type = "string")]
    pub recouped: Decimal,
    #[ts(type = "string")]
    pub remaining: Decimal,
}

impl Store {
    pub async fn add_advance(&self, input: AdvanceInput) -> Result<Advance> {
        let mut issues = Vec::new();
        let currency = currency_code(&input.currency);
        if currency.is_none() {
            issues.push(FieldIssue::new("currency", "invalid_currency", format!("'{}' is not an ISO 4217 currency code", input.currency)));
        }
        if input.amount <= Decimal::ZERO {
            issues.push(FieldIssue::new("amount", "out_of_range", format!("the amount {} is not above 0", input.amount)));
        }
        let note = input.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(String::from);
        if !issues.is_empty() {
            return Err(Error::invalid("advance", issues));
        }
        let currency = currency.expect("checked");
        let payee = self.get_payee(input.payee_id).await?;
        if let Some(r) = input.release_id {
            self.get_release(r).await?;
        }
        let mut tx = self.write().await?;
        let rate = rate_on(&mut tx, &currency, &payee.currency, input.incurred_on).await?.rate;
        let payee_amount = round_to_minor(input.amount * rate, &payee.currency);
        let id = self.ids.new_id();
        sqlx::query(
            "INSERT INTO advances (id, payee_id, kind, amount, currency, payee_amount, rate, release_id, incurred_on, note, created_at, hlc) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(payee.id.to_string())
        .bind(input.kind.as_str())
        .bind(input.amount.normalize().to_string())
        .bind(&currency)
        .bind(payee_amount.to_string())
        .bind(rate.to_string())
        .bind(input.release_id.map(|r| r.to_string()))
        .bind(input.incurred_on.to_string())
        .bind(&note)
        .bind(self.clock.now())
        .bind(self.stamp())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut all = self.list_advances(payee.id).await?;
        let pos = all.iter().position(|a| a.id == id).expect("just written");
        Ok(all.swap_remove(pos))
    }

    /// A payee's advances and expenses, oldest first, with what is recouped and what remains.
    pub async fn list_advances(&self, payee_id: Uuid) -> Result<Vec<Advance>> {
        type Row = (String, String, String, String, String, String, Option<String>, String, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, kind, amount, currency, payee_amount, rate, release_id, incurred_on, note FROM advances \
             WHERE payee_id = ? AND deleted = 0 ORDER BY incurred_on, id",
        )
        .bind(payee_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for (id, kind, amount, currency, payee_amount, rate, release, on, note) in rows {
            let recouped: Vec<String> = sqlx::query_scalar("SELECT amount FROM issued_recoupments WHERE advance_id = ?")
                .bind(&id)
                .fetch_all(&self.pool)
                .await?;
            let recouped: Decimal = recouped.iter().map(|a| parse_decimal(a)).sum::<Result<Decimal>>()?;
            let payee_amount = parse_decimal(&payee_amount)?;
            out.push(Advance {
                id: parse_uuid(&id)?,
                payee_id,
                kind: kind.parse().map_err(|e: String| Error::Database(sqlx::Error::Decode(e.into())))?,
                amount: parse_decimal(&amount)?,
                currency,
                payee_amount,
                rate: parse_decimal(&rate)?,
                release_id: release.as_deref().map(parse_uuid).transpose()?,
                incurred_on: parse_date(&on)?,
                note,
                recouped,
                remaining: payee_amount - recouped,
            });
        }
        Ok(out)
    }
}
