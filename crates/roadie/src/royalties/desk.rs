//! Reads and edits for the desktop's ledger screens: a payee edited, every payee's balances, the
//! periods lines were reported in (issued or not), a period's issued statements and totals, and
//! the stored exchange rates.

use super::dates::YearMonth;
use super::fx::{FxRate, RateSource};
use super::money::currency_code;
use super::payees::{Payee, PayeeInput};
use super::splits::{parse_date, parse_decimal, parse_uuid};
use super::statements::CurrencyTotal;
use crate::error::{Error, FieldIssue, Result};
use crate::validate::Checker;
use crate::Store;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// A payee with their running figures, all in their statement currency.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PayeeBalance {
    pub payee: Payee,
    /// Earned on every issued statement.
    #[ts(type = "string")]
    pub earned: Decimal,
    /// Recouped from those earnings.
    #[ts(type = "string")]
    pub recouped: Decimal,
    /// What remains to recoup of their advances and expenses.
    #[ts(type = "string")]
    pub unrecouped: Decimal,
    #[ts(type = "string")]
    pub paid: Decimal,
    /// Owed now: issued statements' payable less payouts.
    #[ts(type = "string")]
    pub payable: Decimal,
    pub statements: u64,
}

/// A month lines were reported in, and whether its statements are issued.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LedgerPeriod {
    pub period: YearMonth,
    pub lines: u64,
    pub issued: bool,
}

/// One payee's issued statement of a period.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IssuedStatement {
    pub statement_id: Uuid,
    pub payee_id: Uuid,
    pub payee: String,
    pub currency: String,
    #[ts(type = "string")]
    pub earned: Decimal,
    #[ts(type = "string")]
    pub recouped: Decimal,
    #[ts(type = "string")]
    pub payable: Decimal,
    /// Owed after this statement (brought forward plus payable).
    #[ts(type = "string")]
    pub balance: Decimal,
}

/// A period's issued statements (by payee name) and its totals per source currency.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IssuedPeriod {
    pub period: YearMonth,
    pub issued_at: String,
    pub statements: Vec<IssuedStatement>,
    pub totals: Vec<CurrencyTotal>,
}

/// A rate entered by hand: 1 `from` = `rate` `to` on `date`.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct RateInput {
    pub date: NaiveDate,
    pub from: String,
    pub to: String,
    #[ts(type = "string")]
    pub rate: Decimal,
}

fn sum(values: &[String]) -> Result<Decimal> {
    values.iter().map(|v| parse_decimal(v)).sum()
}

impl Store {
    /// Replaces a payee's name, currency, e-mail and artist (the same checks as adding one).
    pub async fn update_payee(&self, id: Uuid, input: PayeeInput) -> Result<Payee> {
        let current = self.get_payee(id).await?;
        let mut c = Checker::default();
        let name = c.required("name", &input.name, 200);
        let currency = match input.currency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => current.currency.clone(),
            Some(cur) => currency_code(cur).unwrap_or_else(|| {
                c.issue("currency", "invalid_currency", format!("'{cur}' is not an ISO 4217 currency code"));
                String::new()
            }),
        };
        let email = c.optional("email", input.email.as_deref(), 320);
        if let Some(e) = &email {
            if !e.contains('@') {
                c.issue("email", "invalid_email", format!("'{e}' is not an e-mail address"));
            }
        }
        let platform_user_id = c.optional("platform_user_id", input.platform_user_id.as_deref(), 100);
        c.finish("payee")?;
        if let Some(artist) = input.artist_id {
            self.get_artist(artist).await?;
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE payees SET name = ?, currency = ?, email = ?, artist_id = ?, platform_user_id = ?, updated_at = ?, hlc = ? WHERE id = ?")
            .bind(&name)
            .bind(&currency)
            .bind(&email)
            .bind(input.artist_id.map(|a| a.to_string()))
            .bind(&platform_user_id)
            .bind(self.clock.now())
            .bind(self.stamp())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if crate::catalog::rows::is_unique_violation(&e, "payees.artist_id") {
                    Error::invalid("payee", vec![FieldIssue::new("artist_id", "taken", "this artist already has a payee")])
                } else {
                    e.into()
                }
            })?;
        tx.commit().await?;
        self.get_payee(id).await
    }

    /// Every live payee by name with earned, recouped, unrecouped, paid and payable.
    pub async fn payee_balances(&self) -> Result<Vec<PayeeBalance>> {
        let mut out = Vec::new();
        for payee in self.list_payees().await? {
            let pid = payee.id.to_string();
            let rows: Vec<(String, String, String)> =
                sqlx::query_as("SELECT earned, recouped, payable FROM issued_statements WHERE payee_id = ?")
                    .bind(&pid)
                    .fetch_all(&self.pool)
                    .await?;
            let paid: Vec<String> = sqlx::query_scalar("SELECT amount FROM payouts WHERE payee_id = ? AND deleted = 0")
                .bind(&pid)
                .fetch_all(&self.pool)
                .await?;
            let earned = sum(&rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>())?;
            let recouped = sum(&rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>())?;
            let payable = sum(&rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>())?;
            let paid = sum(&paid)?;
            let unrecouped: Decimal = self.list_advances(payee.id).await?.iter().map(|a| a.remaining).sum();
            out.push(PayeeBalance { earned, recouped, unrecouped, paid, payable: payable - paid, statements: rows.len() as u64, payee });
        }
        Ok(out)
    }

    /// The months lines were reported in, newest first, with whether each is issued.
    pub async fn ledger_periods(&self) -> Result<Vec<LedgerPeriod>> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT l.reporting_period, COUNT(*), EXISTS (SELECT 1 FROM ledger_runs r WHERE r.period = l.reporting_period) \
             FROM statement_lines l WHERE l.file_seq IN (SELECT seq FROM ledger_files) GROUP BY l.reporting_period ORDER BY l.reporting_period DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(p, n, issued)| {
                Ok(LedgerPeriod {
                    period: p.parse().map_err(|e: String| Error::Database(sqlx::Error::Protocol(e)))?,
                    lines: n as u64,
                    issued: issued != 0,
                })
            })
            .collect()
    }

    /// The issued statements of a period; `None` when it is not issued.
    pub async fn issued_period(&self, period: YearMonth) -> Result<Option<IssuedPeriod>> {
        let run: Option<(String, String, String)> =
            sqlx::query_as("SELECT id, totals, issued_at FROM ledger_runs WHERE period = ?")
                .bind(period.to_string())
                .fetch_optional(&self.pool)
                .await?;
        let Some((run_id, totals, issued_at)) = run else { return Ok(None) };
        let totals: Vec<CurrencyTotal> = serde_json::from_str(&totals).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
        type Row = (String, String, String, String, String, String, String, String);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT s.id, s.payee_id, p.name, s.currency, s.earned, s.recouped, s.payable, s.balance FROM issued_statements s \
             JOIN payees p ON p.id = s.payee_id WHERE s.run_id = ? ORDER BY p.name COLLATE NOCASE, p.id",
        )
        .bind(&run_id)
        .fetch_all(&self.pool)
        .await?;
        let statements = rows
            .into_iter()
            .map(|(id, payee_id, payee, currency, earned, recouped, payable, balance)| {
                Ok(IssuedStatement {
                    statement_id: parse_uuid(&id)?,
                    payee_id: parse_uuid(&payee_id)?,
                    payee,
                    currency,
                    earned: parse_decimal(&earned)?,
                    recouped: parse_decimal(&recouped)?,
                    payable: parse_decimal(&payable)?,
                    balance: parse_decimal(&balance)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(IssuedPeriod { period, issued_at, statements, totals }))
    }

    /// Stored exchange rates of every pair, newest first (at most `limit`).
    pub async fn all_rates(&self, limit: u32) -> Result<Vec<FxRate>> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT rate_date, base, quote, rate, source FROM ledger_rates \
             ORDER BY rate_date DESC, base, quote, source LIMIT ?",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(d, base, quote, rate, source)| {
                Ok(FxRate {
                    date: parse_date(&d)?,
                    base,
                    quote,
                    rate: parse_decimal(&rate)?,
                    source: if source == "ecb" { RateSource::Ecb } else { RateSource::Manual },
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AdvanceInput, AdvanceKind, PayoutInput, Share, SplitInput, SplitTarget};
    use super::*;
    use crate::catalog::testing::store;
    use crate::catalog::{ArtistInput, NewWorkspace, ReleaseInput, ReleaseType, TrackInput, WorkspaceKind};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[tokio::test]
    async fn balances_periods_and_issued_statements() {
        if super::super::statements::find_font().is_err() {
            eprintln!("no CJK font: skipped (statements need one)");
            return;
        }
        let (store, dir) = store().await;
        let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
        let artist = store.create_artist(ws, ArtistInput::named("A")).await.unwrap().id;
        let release = store.create_release(ws, ReleaseInput::new("R", ReleaseType::Album, vec![artist])).await.unwrap().release.id;
        let t1 = store.add_track(release, TrackInput::titled("One")).await.unwrap().id;
        let ann = store.create_payee(Some(ws), PayeeInput::named("Ann")).await.unwrap().id;
        let ben = store.create_payee(Some(ws), PayeeInput::named("Ben")).await.unwrap().id;
        store
            .set_split(SplitInput {
                target: SplitTarget::Release(release),
                shares: vec![Share { payee_id: ann, percent: d("60") }, Share { payee_id: ben, percent: d("40") }],
                effective_from: None,
            })
            .await
            .unwrap();
        store
            .add_advance(AdvanceInput { kind: AdvanceKind::Recording, ..AdvanceInput::new(ben, d("10"), "USD", NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()) })
            .await
            .unwrap();
        super::super::preview::tests::lines(&store, &[("2026-09", "USD", "100.00", Some(t1), None), ("2026-08", "USD", "1", Some(t1), None)]).await;

        let periods = store.ledger_periods().await.unwrap();
        assert_eq!(periods.iter().map(|p| (p.period.to_string(), p.lines, p.issued)).collect::<Vec<_>>(), vec![
            ("2026-09".to_string(), 1, false),
            ("2026-08".to_string(), 1, false)
        ]);
        let sep: YearMonth = "2026-09".parse().unwrap();
        assert_eq!(store.issued_period(sep).await.unwrap(), None);
        store.generate_statements(sep, &dir.path().join("out")).await.unwrap();
        assert!(store.ledger_periods().await.unwrap()[0].issued);
        let issued = store.issued_period(sep).await.unwrap().unwrap();
        assert_eq!(issued.statements.iter().map(|s| s.payee.as_str()).collect::<Vec<_>>(), vec!["Ann", "Ben"]);
        let payable: Decimal = issued.statements.iter().map(|s| s.payable).sum::<Decimal>() + issued.statements.iter().map(|s| s.recouped).sum::<Decimal>();
        assert_eq!(payable, issued.totals[0].rounded);

        store
            .add_payout(PayoutInput { payee_id: ann, amount: d("10"), currency: "USD".into(), paid_on: NaiveDate::from_ymd_opt(2026, 10, 2).unwrap(), method: None, reference: None })
            .await
            .unwrap();
        let b = store.payee_balances().await.unwrap();
        let (a, bb) = (&b[0], &b[1]);
        assert_eq!((a.earned, a.paid, a.payable, a.statements), (d("60.60"), d("10"), d("50.60"), 1));
        assert_eq!((bb.earned, bb.recouped, bb.unrecouped, bb.payable), (d("40.40"), d("10.00"), d("0.00"), d("30.40")));

        let edited = store
            .update_payee(ann, PayeeInput { currency: Some("eur".into()), email: Some("ann@example.com".into()), ..PayeeInput::named("Ann Lee") })
            .await
            .unwrap();
        assert_eq!((edited.name.as_str(), edited.currency.as_str()), ("Ann Lee", "EUR"));
        let err = store.update_payee(ann, PayeeInput { email: Some("nope".into()), ..PayeeInput::named("") }).await.unwrap_err();
        assert_eq!(err.payload().issues.len(), 2);

        store.set_rate(NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(), "USD", "JPY", d("150")).await.unwrap();
        let rates = store.all_rates(10).await.unwrap();
        assert_eq!((rates[0].base.as_str(), rates[0].quote.as_str(), rates[0].rate), ("USD", "JPY", d("150")));
    }
}
