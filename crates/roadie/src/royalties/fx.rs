//! Exchange rates by date and source: entered by hand, or imported from the European Central
//! Bank's euro foreign exchange reference rates CSV (`Date,USD,JPY,...` with `N/A` where a
//! currency has no rate; units of currency per 1 EUR). Conversions use the latest rate on or
//! before a date: a direct or inverse rate of the pair, or a cross rate through EUR.

use super::money::currency_code;
use super::splits::{parse_date, parse_decimal};
use crate::error::{Error, FieldIssue, Result};
use crate::Store;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use std::path::Path;
use ts_rs::TS;

/// Decimals kept of a derived (inverse or cross) rate; the statement shows and applies it.
pub const DERIVED_RATE_DECIMALS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    Manual,
    Ecb,
}

impl RateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            RateSource::Manual => "manual",
            RateSource::Ecb => "ecb",
        }
    }
}

/// A rate as stored: 1 `base` = `rate` `quote` on `date`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FxRate {
    pub date: NaiveDate,
    pub base: String,
    pub quote: String,
    #[ts(type = "string")]
    pub rate: Decimal,
    pub source: RateSource,
}

/// The rate a conversion used, as a statement shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RateUsed {
    pub from: String,
    pub to: String,
    #[ts(type = "string")]
    pub rate: Decimal,
    /// The date of the rate (the latest on or before the conversion date).
    pub date: NaiveDate,
    /// `manual`, `ecb`, `manual (inverse)`, `ecb (via EUR)`...
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FxImportReport {
    pub path: String,
    /// Days (rows) read.
    pub days: u64,
    /// Rates stored (new or changed).
    pub rates: u64,
    /// Cells without a rate (`N/A` or empty).
    pub missing: u64,
    pub currencies: Vec<String>,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
}

/// Parses the ECB file: one `(date, [(currency, rate)])` per row, and the count of missing cells.
#[allow(clippy::type_complexity)]
pub fn parse_ecb(path_shown: &str, text: &str) -> Result<(Vec<(NaiveDate, Vec<(String, Decimal)>)>, u64)> {
    let bad = |line: u64, reason: String| Error::BadLine { path: path_shown.to_string(), line, reason };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut rows = reader.records();
    let header = match rows.next() {
        Some(h) => h.map_err(|e| bad(1, e.to_string()))?,
        None => return Err(bad(1, "the file is empty".into())),
    };
    let first = header.get(0).unwrap_or("").trim_start_matches('\u{feff}');
    if !first.eq_ignore_ascii_case("date") {
        return Err(bad(1, format!("the first column is '{first}', not Date: not an ECB euro reference rates file")));
    }
    let mut currencies: Vec<Option<String>> = Vec::new();
    for (i, h) in header.iter().enumerate().skip(1) {
        if h.is_empty() {
            currencies.push(None); // the trailing comma of every ECB line
            continue;
        }
        match currency_code(h) {
            Some(c) => currencies.push(Some(c)),
            None => return Err(bad(1, format!("column {} is '{h}', not a currency code", i + 1))),
        }
    }
    let mut out = Vec::new();
    let mut missing = 0u64;
    for (n, row) in rows.enumerate() {
        let line = n as u64 + 2;
        let row = row.map_err(|e| bad(line, e.to_string()))?;
        let date_text = row.get(0).unwrap_or("");
        if date_text.is_empty() && row.iter().all(str::is_empty) {
            continue;
        }
        let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(date_text, "%d %B %Y"))
            .map_err(|_| bad(line, format!("Date: '{date_text}' is not a date (YYYY-MM-DD or '25 November 2026')")))?;
        let mut rates = Vec::new();
        for (i, cell) in row.iter().enumerate().skip(1) {
            let Some(Some(currency)) = currencies.get(i - 1) else {
                if !cell.is_empty() {
                    return Err(bad(line, format!("column {}: a value with no currency in the header", i + 1)));
                }
                continue;
            };
            if cell.is_empty() || cell.eq_ignore_ascii_case("N/A") {
                missing += 1;
                continue;
            }
            let rate: Decimal = cell.parse().map_err(|_| bad(line, format!("{currency}: '{cell}' is not a rate")))?;
            if rate <= Decimal::ZERO {
                return Err(bad(line, format!("{currency}: the rate {cell} is not above 0")));
            }
            rates.push((currency.clone(), rate.normalize()));
        }
        out.push((date, rates));
    }
    Ok((out, missing))
}

impl Store {
    /// Records a rate entered by hand: 1 `from` = `rate` `to` on `date` (replacing a manual rate
    /// of the same pair and day).
    pub async fn set_rate(&self, date: NaiveDate, from: &str, to: &str, rate: Decimal) -> Result<FxRate> {
        let mut issues = Vec::new();
        let base = currency_code(from);
        let quote = currency_code(to);
        if base.is_none() {
            issues.push(FieldIssue::new("from", "invalid_currency", format!("'{from}' is not an ISO 4217 currency code")));
        }
        if quote.is_none() {
            issues.push(FieldIssue::new("to", "invalid_currency", format!("'{to}' is not an ISO 4217 currency code")));
        }
        if base.is_some() && base == quote {
            issues.push(FieldIssue::new("to", "same_currency", "a rate converts between two different currencies"));
        }
        if rate <= Decimal::ZERO {
            issues.push(FieldIssue::new("rate", "out_of_range", format!("the rate {rate} is not above 0")));
        }
        if !issues.is_empty() {
            return Err(Error::invalid("exchange rate", issues));
        }
        let (base, quote) = (base.expect("checked"), quote.expect("checked"));
        let mut tx = self.write().await?;
        let ledger = super::ledger::ledger(&mut tx).await?;
        upsert(self, &mut tx, &ledger, date, &base, &quote, rate.normalize(), RateSource::Manual).await?;
        tx.commit().await?;
        Ok(FxRate { date, base, quote, rate: rate.normalize(), source: RateSource::Manual })
    }

    /// Imports the ECB's euro reference rates CSV (the history file or the daily one), all or
    /// nothing; importing it again changes nothing.
    pub async fn import_ecb_rates(&self, path: &Path) -> Result<FxImportReport> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| Error::FileUnreadable { path: shown.clone(), reason: e.to_string() })?;
        let text = String::from_utf8(bytes).map_err(|_| Error::FileUnreadable { path: shown.clone(), reason: "not UTF-8 text".into() })?;
        let (rows, missing) = parse_ecb(&shown, &text)?;
        let mut currencies: Vec<String> = rows.iter().flat_map(|(_, r)| r.iter().map(|(c, _)| c.clone())).collect();
        currencies.sort();
        currencies.dedup();
        let mut tx = self.write().await?;
        let ledger = super::ledger::ledger(&mut tx).await?;
        let mut stored = 0;
        for (date, rates) in &rows {
            for (currency, rate) in rates {
                stored += upsert(self, &mut tx, &ledger, *date, "EUR", currency, *rate, RateSource::Ecb).await?;
            }
        }
        tx.commit().await?;
        Ok(FxImportReport {
            path: shown,
            days: rows.len() as u64,
            rates: stored,
            missing,
            currencies,
            first_date: rows.iter().map(|r| r.0).min(),
            last_date: rows.iter().map(|r| r.0).max(),
        })
    }

    /// The rate to convert `from` into `to` on `date` (see [`rate_on`]).
    pub async fn rate_on(&self, from: &str, to: &str, date: NaiveDate) -> Result<RateUsed> {
        let mut conn = self.pool.acquire().await?;
        rate_on(&mut conn, from, to, date).await
    }

    /// Stored rates of a pair (either direction), newest first (at most `limit`).
    pub async fn list_rates(&self, base: &str, quote: &str, limit: u32) -> Result<Vec<FxRate>> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT rate_date, base, quote, rate, source FROM ledger_rates WHERE base = ? AND quote = ? \
             ORDER BY rate_date DESC, source LIMIT ?",
        )
        .bind(base)
        .bind(quote)
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

/// Inserts or updates one rate; 1 when something changed.
#[allow(clippy::too_many_arguments)]
async fn upsert(store: &Store, conn: &mut SqliteConnection, ledger: &super::ledger::Ledger, date: NaiveDate, base: &str, quote: &str, rate: Decimal, source: RateSource) -> Result<u64> {
    let done = sqlx::query(
        "INSERT INTO fx_rates (id, rate_date, base, quote, rate, source, workspace_id, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (ifnull(workspace_id, ''), base, quote, source, rate_date) WHERE deleted = 0 DO UPDATE SET rate = excluded.rate, hlc = excluded.hlc \
         WHERE rate <> excluded.rate",
    )
    // Derived from pair, source and day (in the ledger's scope): two devices importing the same
    // ECB file make the same rows, which sync as one (a random id per device would clash on the
    // unique index).
    .bind(ledger.derived_id("fx_rate", &[base, quote, source.as_str(), &date.to_string()]).to_string())
    .bind(date.to_string())
    .bind(base)
    .bind(quote)
    .bind(rate.to_string())
    .bind(source.as_str())
    .bind(&ledger.workspace)
    .bind(store.stamp())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// The latest stored rate of exactly this pair on or before `date` (manual before ECB on a day).
async fn stored(conn: &mut SqliteConnection, base: &str, quote: &str, date: NaiveDate) -> Result<Option<(Decimal, NaiveDate, String)>> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT rate, rate_date, source FROM ledger_rates WHERE base = ? AND quote = ? AND rate_date <= ? \
         ORDER BY rate_date DESC, source = 'manual' DESC LIMIT 1",
    )
    .bind(base)
    .bind(quote)
    .bind(date.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(r, d, s)| Ok((parse_decimal(&r)?, parse_date(&d)?, s))).transpose()
}

/// The rate to convert `from` into `to` on `date`: of the pair's own rate, the inverse of the
/// opposite pair, and the cross rate through EUR, the most recent (on a tie, in that order).
/// Derived rates are rounded to 10 decimals; that rounded rate is the one applied and shown.
pub(crate) async fn rate_on(conn: &mut SqliteConnection, from: &str, to: &str, date: NaiveDate) -> Result<RateUsed> {
    if from == to {
        return Ok(RateUsed { from: from.into(), to: to.into(), rate: Decimal::ONE, date, source: "same currency".into() });
    }
    let mut candidates: Vec<RateUsed> = Vec::new();
    if let Some((rate, d, s)) = stored(conn, from, to, date).await? {
        candidates.push(RateUsed { from: from.into(), to: to.into(), rate, date: d, source: s });
    }
    if let Some((rate, d, s)) = stored(conn, to, from, date).await? {
        let rate = (Decimal::ONE / rate).round_dp(DERIVED_RATE_DECIMALS).normalize();
        candidates.push(RateUsed { from: from.into(), to: to.into(), rate, date: d, source: format!("{s} (inverse)") });
    }
    if from != "EUR" && to != "EUR" {
        let eur_from = stored(conn, "EUR", from, date).await?;
        let eur_to = stored(conn, "EUR", to, date).await?;
        if let (Some((rf, df, sf)), Some((rt, dt, st))) = (eur_from, eur_to) {
            let rate = (rt / rf).round_dp(DERIVED_RATE_DECIMALS).normalize();
            let source = if sf == st { format!("{sf} (via EUR)") } else { format!("{sf}/{st} (via EUR)") };
            candidates.push(RateUsed { from: from.into(), to: to.into(), rate, date: df.min(dt), source });
        }
    }
    // Most recent first; the order pushed breaks ties (direct, inverse, cross).
    let best = candidates.into_iter().enumerate().max_by(|(i, a), (j, b)| a.date.cmp(&b.date).then(j.cmp(i)));
    best.map(|(_, r)| r).ok_or_else(|| Error::FxRateMissing { from: from.into(), to: to.into(), date: date.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing::store;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    // The real layout of eurofxref-hist.csv (header and trailing commas; N/A for currencies the
    // ECB stopped or had not started quoting), with values of those days.
    pub(crate) const ECB_HIST: &str = "Date,USD,JPY,BGN,CYP,CZK,DKK,EEK,GBP,HUF,LTL,LVL,MTL,PLN,ROL,RON,SEK,SIT,SKK,CHF,ISK,NOK,TRL,TRY,AUD,BRL,CAD,CNY,HKD,IDR,ILS,INR,KRW,MXN,MYR,NZD,PHP,SGD,THB,ZAR,\n\
2024-01-03,1.0919,155.94,1.9558,N/A,24.687,7.4582,N/A,0.86518,378.08,N/A,N/A,N/A,4.3573,N/A,4.9711,11.2265,N/A,N/A,0.9297,150.1,11.366,N/A,32.5031,1.6168,5.3658,1.4568,7.8128,8.5337,16972.32,3.9733,90.8705,1431.82,18.5589,5.0545,1.7482,60.772,1.4539,37.601,20.5294,\n\
2024-01-02,1.0956,155.09,1.9558,N/A,24.6,7.4565,N/A,0.86715,378.75,N/A,N/A,N/A,4.3478,N/A,4.9734,11.1915,N/A,N/A,0.9293,150.7,11.2425,N/A,32.4509,1.6147,5.3583,1.4573,7.8193,8.5532,16966.23,3.9627,91.0735,1430.7,18.597,5.0378,1.7467,60.686,1.4506,37.469,20.1796,\n";

    #[tokio::test]
    async fn ecb_history_imports_once_and_cross_rates_go_through_eur() {
        let (store, dir) = store().await;
        let path = dir.path().join("eurofxref-hist.csv");
        std::fs::write(&path, ECB_HIST).unwrap();
        let r = store.import_ecb_rates(&path).await.unwrap();
        assert_eq!((r.days, r.missing), (2, 2 * 9));
        assert_eq!(r.rates, 2 * 30);
        assert!(r.currencies.contains(&"CNY".to_string()) && !r.currencies.contains(&"CYP".to_string()));
        assert_eq!(store.import_ecb_rates(&path).await.unwrap().rates, 0, "a second import changes nothing");

        let eur_usd = store.rate_on("EUR", "USD", day("2024-01-03")).await.unwrap();
        assert_eq!((eur_usd.rate, eur_usd.source.as_str()), (d("1.0919"), "ecb"));
        // A weekend date takes the latest business day before it.
        let usd_cny = store.rate_on("USD", "CNY", day("2024-01-06")).await.unwrap();
        assert_eq!(usd_cny.rate, (d("7.8128") / d("1.0919")).round_dp(10).normalize());
        assert_eq!((usd_cny.date, usd_cny.source.as_str()), (day("2024-01-03"), "ecb (via EUR)"));
        let usd_eur = store.rate_on("USD", "EUR", day("2024-01-02")).await.unwrap();
        assert_eq!(usd_eur.rate, (Decimal::ONE / d("1.0956")).round_dp(10).normalize());
        let err = store.rate_on("USD", "JPY", day("2023-12-31")).await.unwrap_err();
        assert_eq!(err.code(), "fx_rate_missing");

        // A manual rate of the pair on the same day wins over the cross rate.
        store.set_rate(day("2024-01-03"), "usd", "jpy", d("142.5")).await.unwrap();
        let usd_jpy = store.rate_on("USD", "JPY", day("2024-01-03")).await.unwrap();
        assert_eq!((usd_jpy.rate, usd_jpy.source.as_str()), (d("142.5"), "manual"));
        assert_eq!(store.set_rate(day("2024-01-03"), "USD", "USD", d("1")).await.unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn ecb_errors_name_the_line_and_field() {
        let err = parse_ecb("x.csv", "Date,USD,\n2024-01-03,abc,\n").unwrap_err();
        assert_eq!(err.to_string(), "x.csv, line 2: USD: 'abc' is not a rate");
        let err = parse_ecb("x.csv", "Day,USD\n").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        // The daily file: the date written out, spaces after commas.
        let (rows, _) = parse_ecb("d.csv", "Date, USD, JPY, \n25 November 2026, 1.0563, 162.43, \n").unwrap();
        assert_eq!(rows[0].0, day("2026-11-25"));
        assert_eq!(rows[0].1, vec![("USD".to_string(), d("1.0563")), ("JPY".to_string(), d("162.43"))]);
    }
}
