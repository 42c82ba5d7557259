//! Splits: who gets what share of a release's or a track's earnings (the track's split wins),
//! from a start date, with history. Shares have up to 4 decimals and total exactly 100. Lines of
//! a track or release with no split go 100% to the release's primary artist's payee.

use super::dates::YearMonth;
use crate::error::{Error, FieldIssue, Result};
use crate::identifiers::{normalize_isrc, normalize_upc};
use crate::Store;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use ts_rs::TS;
use uuid::Uuid;

/// The most decimals a share may have.
pub const SHARE_DECIMALS: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SplitScope {
    Release,
    Track,
}

impl SplitScope {
    pub fn as_str(self) -> &'static str {
        match self {
            SplitScope::Release => "release",
            SplitScope::Track => "track",
        }
    }
}

/// What a split is set on, as the user names it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum SplitTarget {
    Release(Uuid),
    Track(Uuid),
    /// The live track with this ISRC.
    Isrc(String),
    /// The live release with this UPC/EAN.
    Upc(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Share {
    pub payee_id: Uuid,
    /// Percent of the line amount, up to 4 decimals (`33.3333`).
    #[ts(type = "string")]
    pub percent: Decimal,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SplitInput {
    pub target: SplitTarget,
    pub shares: Vec<Share>,
    /// Applies to lines reported in this date's month and later; `None`: to every line.
    pub effective_from: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SplitShare {
    pub payee_id: Uuid,
    pub payee: String,
    #[ts(type = "string")]
    pub percent: Decimal,
}

/// One version of a split.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Split {
    pub id: Uuid,
    pub scope: SplitScope,
    pub target_id: Uuid,
    pub effective_from: Option<NaiveDate>,
    /// Replaced by a later version with the same start date (kept as history).
    pub superseded: bool,
    pub shares: Vec<SplitShare>,
}

/// Checks shares: at least one, each above 0 and at most 100 with up to 4 decimals, each payee
/// once, totalling exactly 100. Every problem is reported.
pub fn check_shares(shares: &[Share]) -> Result<()> {
    let mut issues = Vec::new();
    if shares.is_empty() {
        issues.push(FieldIssue::new("shares", "required", "at least one share is required"));
    }
    let mut seen = HashSet::new();
    for (i, s) in shares.iter().enumerate() {
        let field = format!("shares[{i}].percent");
        if s.percent <= Decimal::ZERO || s.percent > Decimal::ONE_HUNDRED {
            issues.push(FieldIssue::new(&field, "out_of_range", format!("{} is not above 0 and at most 100", s.percent)));
        }
        if s.percent.normalize().scale() > SHARE_DECIMALS {
            issues.push(FieldIssue::new(&field, "too_precise", format!("{} has more than {SHARE_DECIMALS} decimals", s.percent)));
        }
        if !seen.insert(s.payee_id) {
            issues.push(FieldIssue::new(&format!("shares[{i}].payee_id"), "duplicate", format!("payee {} has two shares", s.payee_id)));
        }
    }
    let total: Decimal = shares.iter().map(|s| s.percent).sum();
    if !shares.is_empty() && total != Decimal::ONE_HUNDRED {
        issues.push(FieldIssue::new("shares", "total_not_100", format!("shares total {}; they must total exactly 100", total.normalize())));
    }
    if issues.is_empty() { Ok(()) } else { Err(Error::invalid("split", issues)) }
}

impl Store {
    /// Sets a split from a date (a new version; one with the same target and date is superseded).
    pub async fn set_split(&self, input: SplitInput) -> Result<Split> {
        check_shares(&input.shares)?;
        let (scope, target_id) = self.split_target(&input.target).await?;
        for s in &input.shares {
            self.get_payee(s.payee_id).await?;
        }
        let id = self.ids.new_id();
        let from = input.effective_from.map(|d| d.to_string());
        let mut tx = self.write().await?;
        let stamp = self.stamp();
        sqlx::query("UPDATE splits SET deleted = 1, hlc = ? WHERE scope = ? AND target_id = ? AND deleted = 0 AND effective_from IS ?")
            .bind(&stamp)
            .bind(scope.as_str())
            .bind(target_id.to_string())
            .bind(&from)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO splits (id, scope, target_id, effective_from, created_at, hlc) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(id.to_string())
            .bind(scope.as_str())
            .bind(target_id.to_string())
            .bind(&from)
            .bind(self.clock.now())
            .bind(&stamp)
            .execute(&mut *tx)
            .await?;
        for (pos, s) in input.shares.iter().enumerate() {
            sqlx::query("INSERT INTO split_shares (split_id, payee_id, percent, position, hlc) VALUES (?, ?, ?, ?, ?)")
                .bind(id.to_string())
                .bind(s.payee_id.to_string())
                .bind(s.percent.normalize().to_string())
                .bind(pos as i64)
                .bind(&stamp)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let mut history = self.split_history(scope, target_id).await?;
        let pos = history.iter().position(|s| s.id == id).expect("just written");
        Ok(history.swap_remove(pos))
    }

    /// Every version of a target's split, superseded ones too, by start date then age.
    pub async fn split_history(&self, scope: SplitScope, target_id: Uuid) -> Result<Vec<Split>> {
        let rows: Vec<(String, Option<String>, i64, String, String, String)> = sqlx::query_as(
            "SELECT s.id, s.effective_from, s.deleted, h.payee_id, p.name, h.percent FROM splits s \
             JOIN split_shares h ON h.split_id = s.id JOIN payees p ON p.id = h.payee_id \
             WHERE s.scope = ? AND s.target_id = ? ORDER BY s.effective_from, s.id, h.position",
        )
        .bind(scope.as_str())
        .bind(target_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<Split> = Vec::new();
        for (id, from, deleted, payee_id, payee, percent) in rows {
            let id = parse_uuid(&id)?;
            if out.last().map(|s| s.id) != Some(id) {
                out.push(Split {
                    id,
                    scope,
                    target_id,
                    effective_from: from.as_deref().map(parse_date).transpose()?,
                    superseded: deleted != 0,
                    shares: Vec::new(),
                });
            }
            out.last_mut().expect("pushed").shares.push(SplitShare {
                payee_id: parse_uuid(&payee_id)?,
                payee,
                percent: parse_decimal(&percent)?,
            });
        }
        // Two live versions from one date: set on two devices offline, met in a sync. The later
        // one (larger id) applies, as in allocation (`SplitBook`); the other shows as superseded.
        let mut live_from = std::collections::HashSet::new();
        for split in out.iter_mut().rev() {
            if !split.superseded && !live_from.insert(split.effective_from) {
                split.superseded = true;
            }
        }
        Ok(out)
    }

    async fn split_target(&self, target: &SplitTarget) -> Result<(SplitScope, Uuid)> {
        let bad = |field: &str, reason: &str, detail: String| Error::invalid("split", vec![FieldIssue::new(field, reason, detail)]);
        match target {
            SplitTarget::Release(id) => {
                self.get_release(*id).await?;
                Ok((SplitScope::Release, *id))
            }
            SplitTarget::Track(id) => {
                self.get_track(*id).await?;
                Ok((SplitScope::Track, *id))
            }
            SplitTarget::Isrc(code) => {
                let isrc = normalize_isrc(code).map_err(|e| bad("isrc", "invalid_isrc", e))?;
                let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM tracks WHERE isrc = ? AND deleted = 0")
                    .bind(&isrc)
                    .fetch_all(&self.pool)
                    .await?;
                match ids.as_slice() {
                    [one] => Ok((SplitScope::Track, parse_uuid(one)?)),
                    [] => Err(Error::not_found("track", isrc)),
                    _ => Err(bad("isrc", "ambiguous", format!("{} tracks have the ISRC {isrc}; name the track by id", ids.len()))),
                }
            }
            SplitTarget::Upc(code) => {
                let upc = normalize_upc(code).map_err(|e| bad("upc", "invalid_upc", e))?;
                let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM releases WHERE upc = ? AND deleted = 0")
                    .bind(&upc)
                    .fetch_all(&self.pool)
                    .await?;
                match ids.as_slice() {
                    [one] => Ok((SplitScope::Release, parse_uuid(one)?)),
                    [] => Err(Error::not_found("release", upc)),
                    _ => Err(bad("upc", "ambiguous", format!("{} releases have the UPC {upc}; name the release by id", ids.len()))),
                }
            }
        }
    }
}

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))
}

pub(crate) fn parse_decimal(s: &str) -> Result<Decimal> {
    s.parse::<Decimal>().map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))
}

/// Payee shares as allocation reads them: payee ids (store text) and percents.
pub(crate) type Shares = std::sync::Arc<Vec<(String, Decimal)>>;

/// Every live split version in memory, to pick the one that applies to a line.
#[derive(Default)]
pub(crate) struct SplitBook {
    /// (scope, target id) -> versions by start month ascending (`None`, from the start, first).
    versions: HashMap<(SplitScope, String), Vec<Version>>,
}

/// A split version: its start month (`None`: from the start) and shares.
type Version = (Option<YearMonth>, Shares);
/// A split row group while loading: id, scope, target, start month, shares.
type Loading = (String, SplitScope, String, Option<YearMonth>, Vec<(String, Decimal)>);

impl SplitBook {
    pub async fn load(conn: &mut sqlx::SqliteConnection) -> Result<SplitBook> {
        let rows: Vec<(String, String, String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT s.id, s.scope, s.target_id, s.effective_from, h.payee_id, h.percent FROM splits s \
             JOIN split_shares h ON h.split_id = s.id WHERE s.deleted = 0 ORDER BY s.id, h.position",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut book = SplitBook::default();
        let mut grouped: Vec<Loading> = Vec::new();
        for (id, scope, target, from, payee, percent) in rows {
            if grouped.last().map(|g| &g.0) != Some(&id) {
                let scope = if scope == "track" { SplitScope::Track } else { SplitScope::Release };
                let from = from.as_deref().map(parse_date).transpose()?.map(YearMonth::of);
                grouped.push((id, scope, target, from, Vec::new()));
            }
            grouped.last_mut().expect("pushed").4.push((payee, parse_decimal(&percent)?));
        }
        for (_, scope, target, from, shares) in grouped {
            book.versions.entry((scope, target)).or_default().push((from, std::sync::Arc::new(shares)));
        }
        for v in book.versions.values_mut() {
            v.sort_by_key(|a| a.0);
        }
        Ok(book)
    }

    /// The split of a target for lines reported in `period`: the version with the latest start
    /// month at or before it.
    pub fn for_period(&self, scope: SplitScope, target: &str, period: YearMonth) -> Option<&Shares> {
        let versions = self.versions.get(&(scope, target.to_string()))?;
        versions.iter().rev().find(|(from, _)| from.is_none_or(|f| f <= period)).map(|(_, s)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn share(p: &str) -> Share {
        Share { payee_id: Uuid::now_v7(), percent: Decimal::from_str(p).unwrap() }
    }

    #[test]
    fn shares_must_total_exactly_100_with_4_decimals() {
        assert!(check_shares(&[share("33.3333"), share("33.3333"), share("33.3334")]).is_ok());
        let err = check_shares(&[share("33.3333"), share("33.3333"), share("33.3333")]).unwrap_err();
        assert!(err.to_string().contains("total 99.9999"), "{err}");
        let err = check_shares(&[share("50.00001"), share("49.99999")]).unwrap_err();
        assert_eq!(err.payload().issues.iter().filter(|i| i.reason == "too_precise").count(), 2);
        assert!(check_shares(&[share("100.0000")]).is_ok());
        assert!(check_shares(&[share("0"), share("100")]).is_err());
        assert!(check_shares(&[]).is_err());
    }
}
