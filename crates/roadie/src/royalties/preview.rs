//! Split preview for the split editor: who would get what of a release's or a track's lines of
//! the last month they were reported in, under shares being edited (not yet saved). Each line
//! total is split at full precision, then rounded to the currency's minor unit with the
//! largest-remainder rule, as statements do, so the shares always add up to the total shown.

use super::allocate::{largest_remainder, split_amount};
use super::dates::YearMonth;
use super::money::{minor_units, round_dp};
use super::splits::{check_shares, parse_decimal, Share, SplitScope};
use crate::error::{Error, Result};
use crate::Store;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PreviewShare {
    pub payee_id: Uuid,
    pub payee: String,
    #[ts(type = "string")]
    pub percent: Decimal,
    /// Rounded to the currency's minor unit.
    #[ts(type = "string")]
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PreviewCurrency {
    pub currency: String,
    pub lines: u64,
    /// The lines' total rounded to the minor unit: what the shares add up to.
    #[ts(type = "string")]
    pub total: Decimal,
    pub shares: Vec<PreviewShare>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SplitPreview {
    /// The last month the target's lines were reported in; `None` when it has no lines yet.
    pub period: Option<YearMonth>,
    pub currencies: Vec<PreviewCurrency>,
}

impl Store {
    /// What `shares` would give each payee of the target's lines of the last reported month.
    /// A release's lines include its tracks' lines, except tracks with a split of their own.
    pub async fn split_preview(&self, scope: SplitScope, target_id: Uuid, shares: &[Share]) -> Result<SplitPreview> {
        check_shares(shares)?;
        match scope {
            SplitScope::Release => self.get_release(target_id).await.map(|_| ())?,
            SplitScope::Track => self.get_track(target_id).await.map(|_| ())?,
        };
        let mut names = Vec::with_capacity(shares.len());
        for s in shares {
            names.push(self.get_payee(s.payee_id).await?.name);
        }
        let target = target_id.to_string();
        let filter = match scope {
            SplitScope::Track => "l.track_id = ?1",
            SplitScope::Release => {
                "(l.release_id = ?1 OR l.track_id IN (SELECT t.id FROM tracks t WHERE t.release_id = ?1 \
                 AND t.id NOT IN (SELECT s.target_id FROM splits s WHERE s.scope = 'track' AND s.deleted = 0)))"
            }
        };
        let last: Option<String> = sqlx::query_scalar(&format!("SELECT MAX(l.reporting_period) FROM statement_lines l WHERE {filter}"))
            .bind(&target)
            .fetch_one(&self.pool)
            .await?;
        let Some(last) = last else {
            return Ok(SplitPreview { period: None, currencies: Vec::new() });
        };
        let period: YearMonth = last.parse().map_err(|e: String| Error::Database(sqlx::Error::Protocol(e)))?;
        let rows: Vec<(String, String)> =
            sqlx::query_as(&format!("SELECT l.currency, l.amount FROM statement_lines l WHERE {filter} AND l.reporting_period = ?2"))
                .bind(&target)
                .bind(&last)
                .fetch_all(&self.pool)
                .await?;
        let percents: Vec<Decimal> = shares.iter().map(|s| s.percent).collect();
        // Per currency: lines, exact total, exact share of each payee.
        let mut by_currency: BTreeMap<String, (u64, Decimal, Vec<Decimal>)> = BTreeMap::new();
        for (currency, amount) in rows {
            let amount = parse_decimal(&amount)?;
            let entry = by_currency.entry(currency).or_insert_with(|| (0, Decimal::ZERO, vec![Decimal::ZERO; shares.len()]));
            entry.0 += 1;
            entry.1 += amount;
            for (acc, part) in entry.2.iter_mut().zip(split_amount(amount, &percents)) {
                *acc += part;
            }
        }
        let currencies = by_currency
            .into_iter()
            .map(|(currency, (lines, exact, parts))| {
                let dp = minor_units(&currency);
                let total = round_dp(exact, dp);
                let rounded = largest_remainder(&parts, total, dp);
                let shares = shares
                    .iter()
                    .zip(&names)
                    .zip(rounded)
                    .map(|((s, name), amount)| PreviewShare { payee_id: s.payee_id, payee: name.clone(), percent: s.percent, amount })
                    .collect();
                PreviewCurrency { currency, lines, total, shares }
            })
            .collect();
        Ok(SplitPreview { period: Some(period), currencies })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{PayeeInput, SplitInput, SplitTarget};
    use super::*;
    use crate::catalog::testing::store;
    use crate::catalog::{ArtistInput, NewWorkspace, ReleaseInput, ReleaseType, TrackInput, WorkspaceKind};
    use std::str::FromStr;

    /// A test line: (period, currency, amount, track, release).
    pub(crate) type Line<'a> = (&'a str, &'a str, &'a str, Option<Uuid>, Option<Uuid>);

    pub(crate) async fn lines(store: &Store, rows: &[Line<'_>]) {
        let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM statement_files").fetch_one(&store.pool).await.unwrap();
        sqlx::query(
            "INSERT INTO statement_files (id, seq, content_hash, file_name, format, layout, encoding, byte_size, line_count, imported, imported_at, hlc) \
             VALUES (?, ?, ?, 'test.tsv', 'mapped', 'test', 'utf-8', 0, ?, ?, '2026-11-26T00:00:00Z', '0')",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(seq)
        .bind(format!("hash{seq}"))
        .bind(rows.len() as i64)
        .bind(rows.len() as i64)
        .execute(&store.pool)
        .await
        .unwrap();
        for (i, (period, currency, amount, track, release)) in rows.iter().enumerate() {
            sqlx::query(
                "INSERT INTO statement_lines (file_seq, line_no, reporting_period, store, territory, usage_type, units, amount, currency, raw, track_id, release_id) \
                 VALUES (?, ?, ?, 'Spotify', 'US', 'stream', 1, ?, ?, '[]', ?, ?)",
            )
            .bind(seq)
            .bind(i as i64 + 2)
            .bind(period)
            .bind(amount)
            .bind(currency)
            .bind(track.map(|t| t.to_string()))
            .bind(release.map(|r| r.to_string()))
            .execute(&store.pool)
            .await
            .unwrap();
        }
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[tokio::test]
    async fn preview_splits_the_last_reported_month_to_the_cent() {
        let (store, _dir) = store().await;
        let ws = store.create_workspace(NewWorkspace { kind: WorkspaceKind::Label, name: "L".into() }).await.unwrap().id;
        let artist = store.create_artist(ws, ArtistInput::named("A")).await.unwrap().id;
        let release = store.create_release(ws, ReleaseInput::new("R", ReleaseType::Album, vec![artist])).await.unwrap().release.id;
        let t1 = store.add_track(release, TrackInput::titled("One")).await.unwrap().id;
        let t2 = store.add_track(release, TrackInput::titled("Two")).await.unwrap().id;
        let ann = store.create_payee(Some(ws), PayeeInput::named("Ann")).await.unwrap().id;
        let ben = store.create_payee(Some(ws), PayeeInput::named("Ben")).await.unwrap().id;
        let shares = vec![Share { payee_id: ann, percent: d("33.3333") }, Share { payee_id: ben, percent: d("66.6667") }];

        // No lines yet: nothing to preview.
        let p = store.split_preview(SplitScope::Release, release, &shares).await.unwrap();
        assert_eq!(p, SplitPreview { period: None, currencies: vec![] });

        lines(
            &store,
            &[
                ("2026-08", "USD", "100.00", Some(t1), None),
                ("2026-09", "USD", "0.01", Some(t1), None),
                ("2026-09", "USD", "0.005", Some(t2), None),
                ("2026-09", "JPY", "101", None, Some(release)),
            ],
        )
        .await;
        let p = store.split_preview(SplitScope::Release, release, &shares).await.unwrap();
        assert_eq!(p.period, Some("2026-09".parse().unwrap()));
        let jpy = &p.currencies[0];
        assert_eq!((jpy.currency.as_str(), jpy.lines, jpy.total), ("JPY", 1, d("101")));
        assert_eq!(jpy.shares.iter().map(|s| s.amount).collect::<Vec<_>>(), vec![d("34"), d("67")]);
        let usd = &p.currencies[1];
        assert_eq!((usd.lines, usd.total.to_string().as_str()), (2, "0.02"));
        assert_eq!(usd.shares.iter().map(|s| s.amount).sum::<Decimal>(), usd.total);
        assert_eq!(usd.shares[0].payee, "Ann");

        // A track with its own split leaves the release's preview; its own shows only its lines.
        store
            .set_split(SplitInput { target: SplitTarget::Track(t2), shares: vec![Share { payee_id: ann, percent: d("100") }], effective_from: None })
            .await
            .unwrap();
        let p = store.split_preview(SplitScope::Release, release, &shares).await.unwrap();
        assert_eq!(p.currencies[1].total.to_string(), "0.01");
        let p = store.split_preview(SplitScope::Track, t2, &shares).await.unwrap();
        assert_eq!(p.currencies.len(), 1);
        assert_eq!(p.currencies[0].total.to_string(), "0.01");

        // Shares that do not total 100 are refused as the split itself would be.
        let bad = vec![Share { payee_id: ann, percent: d("60") }];
        assert_eq!(store.split_preview(SplitScope::Release, release, &bad).await.unwrap_err().code(), "invalid_input");
    }
}
