//! Payouts: what was paid to a payee (date, amount, method, reference). A payout can't exceed
//! what is payable (the balance of issued statements less earlier payouts); what is not paid
//! carries forward to the next statement.

use super::money::{currency_code, minor_units};
use super::splits::parse_decimal;
use crate::error::{Error, FieldIssue, Result};
use crate::Store;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, TS)]
pub struct PayoutInput {
    pub payee_id: Uuid,
    #[ts(type = "string")]
    pub amount: Decimal,
    pub currency: String,
    pub paid_on: NaiveDate,
    pub method: Option<String>,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Payout {
    pub id: Uuid,
    pub payee_id: Uuid,
    #[ts(type = "string")]
    pub amount: Decimal,
    pub currency: String,
    pub paid_on: NaiveDate,
    pub method: Option<String>,
    pub reference: Option<String>,
    /// What is still payable after this payout.
    #[ts(type = "string")]
    pub payable_after: Decimal,
}

/// A payee's balance: the payable of every issued statement less every payout.
pub(crate) async fn payable_balance(conn: &mut SqliteConnection, payee_id: &str) -> Result<Decimal> {
    let payable: Vec<String> = sqlx::query_scalar("SELECT payable FROM issued_statements WHERE payee_id = ?")
        .bind(payee_id)
        .fetch_all(&mut *conn)
        .await?;
    let paid = total_paid(conn, payee_id).await?;
    let owed: Decimal = payable.iter().map(|p| parse_decimal(p)).sum::<Result<Decimal>>()?;
    Ok(owed - paid)
}

pub(crate) async fn total_paid(conn: &mut SqliteConnection, payee_id: &str) -> Result<Decimal> {
    let paid: Vec<String> = sqlx::query_scalar("SELECT amount FROM payouts WHERE payee_id = ? AND deleted = 0")
        .bind(payee_id)
        .fetch_all(&mut *conn)
        .await?;
    paid.iter().map(|p| parse_decimal(p)).sum()
}

impl Store {
    /// Records a payout of (at most) what is payable to the payee, in their statement currency.
    pub async fn add_payout(&self, input: PayoutInput) -> Result<Payout> {
        let payee = self.get_payee(input.payee_id).await?;
        let mut issues = Vec::new();
        let currency = currency_code(&input.currency).unwrap_or_default();
        if currency != payee.currency {
            issues.push(FieldIssue::new(
                "currency",
                "wrong_currency",
                format!("{} is paid in {}, not {}", payee.name, payee.currency, input.currency.trim()),
            ));
        }
        if input.amount <= Decimal::ZERO {
            issues.push(FieldIssue::new("amount", "out_of_range", format!("the amount {} is not above 0", input.amount)));
        } else if input.amount.normalize().scale() > minor_units(&payee.currency) {
            issues.push(FieldIssue::new(
                "amount",
                "too_precise",
                format!("{} has more decimals than {} pays", input.amount, payee.currency),
            ));
        }
        if !issues.is_empty() {
            return Err(Error::invalid("payout", issues));
        }
        let mut tx = self.write().await?;
        let payable = payable_balance(&mut tx, &payee.id.to_string()).await?;
        if input.amount > payable {
            return Err(Error::PayoutExceedsPayable {
                payee: payee.name,
                amount: input.amount.to_string(),
                payable: payable.to_string(),
                currency: payee.currency,
            });
        }
        let id = self.ids.new_id();
        let trim = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let (method, reference) = (trim(&input.method), trim(&input.reference));
        sqlx::query(
            "INSERT INTO payouts (id, payee_id, amount, currency, paid_on, method, reference, created_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(payee.id.to_string())
        .bind(input.amount.to_string())
        .bind(&currency)
        .bind(input.paid_on.to_string())
        .bind(&method)
        .bind(&reference)
        .bind(self.clock.now())
        .bind(self.stamp())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Payout {
            id,
            payee_id: payee.id,
            amount: input.amount,
            currency,
            paid_on: input.paid_on,
            method,
            reference,
            payable_after: payable - input.amount,
        })
    }

    /// What is payable to a payee now (issued statements less payouts), in their currency.
    pub async fn payable(&self, payee_id: Uuid) -> Result<Decimal> {
        self.get_payee(payee_id).await?;
        let mut conn = self.pool.acquire().await?;
        payable_balance(&mut conn, &payee_id.to_string()).await
    }
}

