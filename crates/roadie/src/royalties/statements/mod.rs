//! Statements: issuing a period allocates its lines to payees (splits, default 100% to the
//! release's primary artist), rounds with the largest-remainder rule so that per currency the
//! payees' amounts (and the unallocated rest) sum exactly to the lines' total rounded to the
//! minor unit, converts to each payee's currency, recoups advances, carries balances forward, and
//! writes a PDF and a CSV per payee. An issued period is closed: generating it again renders the
//! same stored statements (byte-identical files); lines imported later for a closed period go
//! into the next period's statements as adjustments.

mod csv;
mod document;
mod pdf;

pub use document::{CurrencyEarning, EarningRow, RecoupmentRow, StatementDocument};
pub use pdf::{find_font, FONT_ENV};

use super::allocate::{largest_remainder, split_amount};
use super::dates::YearMonth;
use super::fx::rate_on;
use super::money::{minor_units, round_dp, round_to_minor};
use super::payees::artist_payee;
use super::payouts::total_paid;
use super::recoup::{recoup, Unrecouped};
use super::splits::{parse_decimal, parse_uuid, SplitBook, SplitScope};
use crate::error::{Error, Result};
use crate::jobs::{CancelToken, Progress, ProgressFn};
use crate::Store;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use ts_rs::TS;
use uuid::Uuid;

/// One payee's statement in a run, as the CLI and the statements screen list it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StatementSummary {
    pub payee_id: Uuid,
    pub payee: String,
    pub currency: String,
    #[ts(type = "string")]
    pub earned: Decimal,
    #[ts(type = "string")]
    pub recouped: Decimal,
    #[ts(type = "string")]
    pub payable: Decimal,
    pub pdf: String,
    pub csv: String,
}

/// Per source currency: the lines' exact total, rounded, and how it was shared out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CurrencyTotal {
    pub currency: String,
    pub lines: u64,
    /// The exact sum of the lines.
    #[ts(type = "string")]
    pub imported: Decimal,
    /// `imported` rounded to the minor unit: what `allocated` + `unallocated` always make.
    #[ts(type = "string")]
    pub rounded: Decimal,
    /// The payees' statement amounts (before conversion).
    #[ts(type = "string")]
    pub allocated: Decimal,
    /// Lines matched to no release (or a release with no primary artist): paid to no one yet.
    #[ts(type = "string")]
    pub unallocated: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StatementRun {
    pub period: YearMonth,
    pub statements: Vec<StatementSummary>,
    pub totals: Vec<CurrencyTotal>,
    /// The period was issued before: its stored statements were rendered again.
    pub regenerated: bool,
}

type GroupKey = (YearMonth, u32, u32, u32, u32, u32); // period, currency, release, track, store, territory

#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn new() -> Self {
        let mut i = Interner::default();
        i.get("");
        i
    }
    fn get(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }
    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

struct Scan {
    strings: Interner,
    groups: HashMap<GroupKey, Decimal>,
    /// currency id -> (lines, exact total)
    totals: BTreeMap<String, (u64, Decimal)>,
}

fn db(e: rusqlite::Error) -> Error {
    Error::Database(sqlx::Error::Protocol(format!("statements: {e}")))
}

fn last_day(p: YearMonth) -> NaiveDate {
    let (y, m) = if p.month == 12 { (p.year + 1, 1) } else { (p.year, p.month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).expect("valid").pred_opt().expect("valid")
}

/// Reads every line a run takes (of months up to `period`, in the ledger's files whose lines are
/// here, not taken by an earlier run) and sums them exactly per period × currency × release ×
/// track × store × territory. `taken`: per file (its local seq), the latest period an earlier run covered
/// it up to (a run takes its files' lines of months up to its period).
async fn scan_lines(
    conn: &mut SqliteConnection,
    period: YearMonth,
    taken: &HashMap<i64, YearMonth>,
    track_release: &HashMap<String, String>,
    cancel: &CancelToken,
) -> Result<Scan> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is this transaction's live connection, locked for us until `handle`
    // drops; rusqlite borrows it (from_handle does not close it) and is dropped first, with its
    // statement.
    let conn = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }.map_err(db)?;
    let mut scan = Scan { strings: Interner::new(), groups: HashMap::new(), totals: BTreeMap::new() };
    {
        let mut stmt = conn
            .prepare(
                "SELECT l.id, l.reporting_period, l.currency, l.amount, l.track_id, l.release_id, l.store, l.territory, l.file_seq \
                 FROM statement_lines l JOIN ledger_files f ON f.seq = l.file_seq \
                 WHERE l.reporting_period <= ?1",
            )
            .map_err(db)?;
        let mut rows = stmt.query(rusqlite::params![period.to_string()]).map_err(db)?;
        // (A file's lines are contiguous: its earlier runs' period is looked up once per file.)
        let mut file: Option<(i64, Option<YearMonth>)> = None;
        let mut last: Option<(String, YearMonth)> = None;
        let mut read = 0u64;
        while let Some(row) = rows.next().map_err(db)? {
            read += 1;
            if read.is_multiple_of(65_536) && cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let id: i64 = row.get(0).map_err(db)?;
            let p_text = row.get_ref(1).map_err(db)?.as_str().map_err(|e| db(e.into()))?;
            let p = match &last {
                Some((t, p)) if t == p_text => *p,
                _ => {
                    let p: YearMonth = p_text.parse().map_err(|e: String| Error::Database(sqlx::Error::Protocol(e)))?;
                    last = Some((p_text.to_string(), p));
                    p
                }
            };
            let seq: i64 = row.get(8).map_err(db)?;
            let upto = match file {
                Some((s, upto)) if s == seq => upto,
                _ => {
                    let upto = taken.get(&seq).copied();
                    file = Some((seq, upto));
                    upto
                }
            };
            if upto.is_some_and(|u| p <= u) {
                continue;
            }
            let text = |i: usize| -> Result<Option<&str>> {
                let v = row.get_ref(i).map_err(db)?;
                Ok(match v {
                    rusqlite::types::ValueRef::Null => None,
                    v => Some(v.as_str().map_err(|e| db(e.into()))?),
                })
            };
            let currency = text(2)?.unwrap_or("");
            let amount_text = text(3)?.unwrap_or("0");
            let amount: Decimal = amount_text
                .parse()
                .map_err(|_| Error::Database(sqlx::Error::Protocol(format!("statement line {id}: amount '{amount_text}'"))))?;
            let track = text(4)?;
            let release = match track {
                Some(t) => track_release.get(t).map(String::as_str),
                None => text(5)?,
            };
            let key = (
                p,
                scan.strings.get(currency),
                scan.strings.get(release.unwrap_or("")),
                scan.strings.get(track.unwrap_or("")),
                scan.strings.get(text(6)?.unwrap_or("")),
                scan.strings.get(text(7)?.unwrap_or("")),
            );
            let sum = scan.groups.entry(key).or_default();
            *sum = sum.checked_add(amount).ok_or(Error::AmountOverflow)?;
            let total = match scan.totals.get_mut(currency) {
                Some(t) => t,
                None => scan.totals.entry(currency.to_string()).or_default(),
            };
            total.0 += 1;
            total.1 = total.1.checked_add(amount).ok_or(Error::AmountOverflow)?;
        }
    }
    drop(conn);
    drop(handle);
    Ok(scan)
}

struct PayeeInfo {
    name: String,
    currency: String,
    issuer: String,
}

impl Store {
    /// Issues the statements of a period (see the module docs) and writes `<period>_<payee id>`
    /// `.pdf` and `.csv` files into `out_dir`. All or nothing: on any error (a missing exchange
    /// rate, an unwritable directory) nothing is recorded.
    pub async fn generate_statements(&self, period: YearMonth, out_dir: &Path) -> Result<StatementRun> {
        self.generate_statements_with(period, out_dir, &|_| {}, &CancelToken::new()).await
    }

    /// [`Store::generate_statements`] with progress (payees done of the period's payees) and
    /// cancellation: a cancelled run records nothing and fails with `cancelled`.
    pub async fn generate_statements_with(
        &self,
        period: YearMonth,
        out_dir: &Path,
        progress: ProgressFn<'_>,
        cancel: &CancelToken,
    ) -> Result<StatementRun> {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let (font_path, index) = find_font()?;
        let font = pdf::load_font(&font_path, index)?;
        // Files are written into a staging directory and moved into `out_dir` only when the run
        // is about to be recorded: a failed or cancelled run leaves no file behind.
        let mut staging = Staging::new(out_dir)?;
        let mut files = Files { font: &font, staging: &mut staging, progress, cancel, done: 0, total: 0 };
        self.generate_statements_all(period, &mut files).await
    }

    async fn generate_statements_all(&self, period: YearMonth, files: &mut Files<'_>) -> Result<StatementRun> {
        let mut tx = self.write().await?;
        let run_rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT id, period, files, totals FROM ledger_runs ORDER BY period")
                .fetch_all(&mut *tx)
                .await?;
        let mut runs = Vec::new();
        for (_, p, files, _) in &run_rows {
            let files: Vec<String> = serde_json::from_str(files).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
            runs.push((p.parse::<YearMonth>().map_err(|e| Error::Database(sqlx::Error::Protocol(e)))?, files));
        }
        if let Some(latest) = runs.last().map(|r| r.0) {
            if period < latest {
                return Err(Error::PeriodClosed { period: period.to_string(), latest: latest.to_string() });
            }
            if period == latest {
                let (run_id, _, _, totals) = run_rows.last().expect("a run");
                let docs: Vec<String> = sqlx::query_scalar(
                    "SELECT s.document FROM issued_statements s JOIN payees p ON p.id = s.payee_id \
                     WHERE s.run_id = ? ORDER BY p.name COLLATE NOCASE, p.id",
                )
                .bind(run_id)
                .fetch_all(&mut *tx)
                .await?;
                drop(tx);
                let totals: Vec<CurrencyTotal> =
                    serde_json::from_str(totals).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
                let mut statements = Vec::new();
                files.total = docs.len() as u64;
                files.started();
                for d in docs {
                    let doc: StatementDocument =
                        serde_json::from_str(&d).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
                    statements.push(files.write(&doc)?);
                }
                files.publish()?;
                return Ok(StatementRun { period, statements, totals, regenerated: true });
            }
        }

        // The files whose lines are here: this run covers them (a file pulled from another device
        // whose lines have not come yet goes into a later run).
        let here: Vec<(String, i64)> =
            sqlx::query_as("SELECT id, seq FROM ledger_files WHERE seq > 0 ORDER BY id").fetch_all(&mut *tx).await?;
        let mut taken: HashMap<i64, YearMonth> = HashMap::new();
        {
            let seq_of: HashMap<&str, i64> = here.iter().map(|(id, seq)| (id.as_str(), *seq)).collect();
            for (p, files) in &runs {
                for f in files {
                    if let Some(seq) = seq_of.get(f.as_str()) {
                        let upto = taken.entry(*seq).or_insert(*p);
                        *upto = (*upto).max(*p);
                    }
                }
            }
        }
        let covered: Vec<&str> = here.iter().map(|(id, _)| id.as_str()).collect();
        let track_rows: Vec<(String, String, String, Option<String>)> =
            sqlx::query_as("SELECT id, release_id, title, isrc FROM tracks").fetch_all(&mut *tx).await?;
        let track_release: HashMap<String, String> = track_rows.iter().map(|(t, r, _, _)| (t.clone(), r.clone())).collect();
        let track_info: HashMap<String, (String, String)> =
            track_rows.into_iter().map(|(t, _, title, isrc)| (t, (title, isrc.unwrap_or_default()))).collect();
        let release_titles: HashMap<String, String> =
            sqlx::query_as::<_, (String, String)>("SELECT id, title FROM releases").fetch_all(&mut *tx).await?.into_iter().collect();

        let mut scan = scan_lines(&mut tx, period, &taken, &track_release, files.cancel).await?;
        let book = SplitBook::load(&mut tx).await?;

        // Allocate each group's exact sum to payees (slot 0: unallocated).
        let mut payees = Interner::new();
        let mut primary: HashMap<u32, Option<String>> = HashMap::new();
        // Per payee slot x currency: (group, exact share). A payee has one share per group (split
        // validation refuses two shares for one payee) and groups come once each, so no group
        // repeats within a payee's rows.
        let mut by_payee_currency: BTreeMap<(u32, u32), Vec<(GroupKey, Decimal)>> = BTreeMap::new();
        let mut keys: Vec<(GroupKey, Decimal)> = std::mem::take(&mut scan.groups).into_iter().collect();
        keys.sort_unstable_by_key(|k| k.0);
        for (key, sum) in keys {
            if files.cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let (p, _, release, track, _, _) = key;
            let mut shares = None;
            if track != 0 {
                shares = book.for_period(SplitScope::Track, scan.strings.name(track), p).cloned();
            }
            if shares.is_none() && release != 0 {
                shares = book.for_period(SplitScope::Release, scan.strings.name(release), p).cloned();
            }
            let shares: Vec<(String, Decimal)> = match shares {
                Some(s) => s.as_ref().clone(),
                None if release != 0 => {
                    if let std::collections::hash_map::Entry::Vacant(slot) = primary.entry(release) {
                        let artist: Option<String> = sqlx::query_scalar(
                            "SELECT artist_id FROM release_artists WHERE release_id = ? AND role = 'primary' AND deleted = 0 \
                             ORDER BY position LIMIT 1",
                        )
                        .bind(scan.strings.name(release))
                        .fetch_optional(&mut *tx)
                        .await?;
                        let payee = match artist {
                            Some(a) => Some(artist_payee(self, &mut tx, &a).await?),
                            None => None,
                        };
                        slot.insert(payee);
                    }
                    match &primary[&release] {
                        Some(payee) => vec![(payee.clone(), Decimal::ONE_HUNDRED)],
                        None => Vec::new(),
                    }
                }
                None => Vec::new(),
            };
            if shares.is_empty() {
                by_payee_currency.entry((0, key.1)).or_default().push((key, sum));
                continue;
            }
            let percents: Vec<Decimal> = shares.iter().map(|s| s.1).collect();
            for ((payee, _), amount) in shares.iter().zip(split_amount(sum, &percents)) {
                let slot = payees.get(payee);
                by_payee_currency.entry((slot, key.1)).or_default().push((key, amount));
            }
        }

        // Per currency: the payees' rounded totals sum exactly to the rounded total; then each
        // payee's rows sum exactly to their total.
        let mut rounded_rows: HashMap<u32, Vec<(GroupKey, Decimal)>> = HashMap::new(); // payee slot -> rows (source currency)
        let mut payee_currency_total: BTreeMap<(u32, u32), Decimal> = BTreeMap::new();
        let mut totals = Vec::new();
        let sort_key = |k: &GroupKey, s: &Interner| {
            let release = s.name(k.2);
            let track = s.name(k.3);
            (
                k.0,
                release_titles.get(release).cloned().unwrap_or_default(),
                track_info.get(track).map(|t| t.0.clone()).unwrap_or_default(),
                release.to_string(),
                track.to_string(),
                s.name(k.4).to_string(),
                s.name(k.5).to_string(),
            )
        };
        for (currency, (lines, exact)) in &scan.totals {
            let cid = *scan.strings.ids.get(currency).expect("interned");
            let dp = minor_units(currency);
            let rounded = round_dp(*exact, dp);
            // Slots in payee-id order (unallocated first): a stable order for tie-breaks.
            let mut slots: Vec<u32> = by_payee_currency.keys().filter(|(_, c)| *c == cid).map(|(s, _)| *s).collect();
            slots.sort_by(|a, b| payees.name(*a).cmp(payees.name(*b)));
            let exacts: Vec<Decimal> = slots.iter().map(|s| by_payee_currency[&(*s, cid)].iter().map(|r| r.1).sum()).collect();
            let shares = largest_remainder(&exacts, rounded, dp);
            let mut unallocated = Decimal::ZERO;
            for (slot, share) in slots.iter().zip(shares) {
                if *slot == 0 {
                    unallocated = share;
                    by_payee_currency.remove(&(0, cid));
                    continue;
                }
                payee_currency_total.insert((*slot, cid), share);
                let mut rows = by_payee_currency.remove(&(*slot, cid)).expect("present");
                rows.sort_by_cached_key(|r| sort_key(&r.0, &scan.strings));
                let amounts: Vec<Decimal> = rows.iter().map(|r| r.1).collect();
                let amounts = largest_remainder(&amounts, share, dp);
                rounded_rows.entry(*slot).or_default().extend(rows.into_iter().zip(amounts).map(|((k, _), a)| (k, a)));
            }
            totals.push(CurrencyTotal {
                currency: currency.clone(),
                lines: *lines,
                imported: exact.normalize(),
                rounded,
                allocated: rounded - unallocated,
                unallocated,
            });
        }

        // Payees of this run, and those with a balance carried from an earlier statement.
        let mut payee_ids: BTreeSet<String> = (1..payees.names.len() as u32).map(|s| payees.name(s).to_string()).collect();
        let earlier: Vec<String> = sqlx::query_scalar("SELECT DISTINCT payee_id FROM issued_statements")
            .fetch_all(&mut *tx)
            .await?;
        payee_ids.extend(earlier);
        let mut infos: Vec<(String, PayeeInfo)> = Vec::new();
        for id in payee_ids {
            let (name, currency, issuer): (String, String, Option<String>) = sqlx::query_as(
                "SELECT p.name, p.currency, w.name FROM payees p LEFT JOIN workspaces w ON w.id = p.workspace_id WHERE p.id = ?",
            )
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
            infos.push((id, PayeeInfo { name, currency, issuer: issuer.unwrap_or_else(|| "Roadie".into()) }));
        }
        infos.sort_by(|a, b| a.1.name.to_lowercase().cmp(&b.1.name.to_lowercase()).then(a.0.cmp(&b.0)));

        let rate_date = last_day(period);
        // Ids every device derives alike: a period issued on two devices while offline is one run
        // (and one statement per payee) after a sync, the later issue's, not a clash.
        let ledger = super::ledger::ledger(&mut tx).await?;
        let run_id = ledger.derived_id("statement_run", &[&period.to_string()]);
        let stamp = self.stamp();
        // This issue's rows (the run's, its statements', their recoupments') carry its id: see
        // the `issued_statements` view.
        let issue = self.ids.new_id().to_string();
        sqlx::query(
            "INSERT INTO statement_runs (id, period, files, totals, issued_at, workspace_id, issue, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
            .bind(run_id.to_string())
            .bind(period.to_string())
            .bind(serde_json::to_string(&covered).expect("serialisable"))
            .bind(serde_json::to_string(&totals).expect("serialisable"))
            .bind(self.clock.now())
            .bind(&ledger.workspace)
            .bind(&issue)
            .bind(&stamp)
            .execute(&mut *tx)
            .await?;
        // One unit of progress per payee: each payee's statement is made, recorded and written,
        // then dropped (only one document is in memory at a time).
        files.total = infos.len() as u64;
        files.started();
        let mut statements = Vec::new();
        for (payee_id, info) in infos {
            if files.cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let slot = payees.ids.get(&payee_id).copied();
            let cur = info.currency.as_str();
            let pdp = minor_units(cur);
            let mut by_currency = Vec::new();
            let mut earnings = Vec::new();
            let mut by_release: HashMap<String, Decimal> = HashMap::new();
            if let Some(slot) = slot {
                let rows = rounded_rows.remove(&slot).unwrap_or_default();
                for ((_, cid), total) in payee_currency_total.range((slot, 0)..=(slot, u32::MAX)) {
                    let source = scan.strings.name(*cid);
                    let rate = rate_on(&mut tx, source, cur, rate_date).await?;
                    let converted = round_to_minor(*total * rate.rate, cur);
                    let mine: Vec<&(GroupKey, Decimal)> = rows.iter().filter(|r| r.0 .1 == *cid).collect();
                    let exact: Vec<Decimal> = mine.iter().map(|r| r.1 * rate.rate).collect();
                    let conv = largest_remainder(&exact, converted, pdp);
                    for ((key, amount), converted) in mine.into_iter().zip(conv) {
                        let release = scan.strings.name(key.2);
                        let track = scan.strings.name(key.3);
                        *by_release.entry(release.to_string()).or_default() += converted;
                        let (track_title, isrc) = track_info.get(track).cloned().unwrap_or_default();
                        earnings.push(EarningRow {
                            reported: key.0,
                            release: release_titles.get(release).cloned().unwrap_or_default(),
                            track: track_title,
                            isrc,
                            store: scan.strings.name(key.4).to_string(),
                            territory: scan.strings.name(key.5).to_string(),
                            currency: source.to_string(),
                            amount: *amount,
                            converted,
                        });
                    }
                    by_currency.push(CurrencyEarning { currency: source.to_string(), amount: *total, rate, converted });
                }
            }
            let mut earned = by_currency.iter().map(|b| b.converted).sum::<Decimal>();
            earned.rescale(pdp);

            // Recoupment, oldest advance first.
            type AdvanceRow = (String, String, String, Option<String>, Option<String>);
            let advances: Vec<AdvanceRow> = sqlx::query_as(
                "SELECT id, kind, payee_amount, release_id, note FROM advances WHERE payee_id = ? AND deleted = 0 \
                 AND incurred_on <= ? ORDER BY incurred_on, id",
            )
            .bind(&payee_id)
            .bind(rate_date.to_string())
            .fetch_all(&mut *tx)
            .await?;
            let mut open = Vec::new();
            let mut meta = Vec::new();
            for (id, kind, amount, release, note) in advances {
                let done: Vec<String> = sqlx::query_scalar("SELECT amount FROM issued_recoupments WHERE advance_id = ?")
                    .bind(&id)
                    .fetch_all(&mut *tx)
                    .await?;
                let done: Decimal = done.iter().map(|a| parse_decimal(a)).sum::<Result<Decimal>>()?;
                let opening = parse_decimal(&amount)? - done;
                if opening > Decimal::ZERO {
                    open.push(Unrecouped { advance_id: id.clone(), release_id: release.clone(), opening });
                    meta.push((id, kind, release, note));
                }
            }
            let (recouped_rows, recouped) = recoup(earned, &by_release, &open);
            let recoupment: Vec<RecoupmentRow> = recouped_rows
                .iter()
                .zip(meta)
                .map(|(r, (id, kind, release, note))| {
                    Ok(RecoupmentRow {
                        advance_id: parse_uuid(&id)?,
                        kind,
                        release: release.map(|r| release_titles.get(&r).cloned().unwrap_or(r)).unwrap_or_default(),
                        note: note.unwrap_or_default(),
                        opening: r.opening,
                        recouped: r.recouped,
                        remaining: r.remaining,
                    })
                })
                .collect::<Result<_>>()?;

            // Balances.
            let prev: Option<(String, String)> = sqlx::query_as(
                "SELECT balance, document FROM issued_statements WHERE payee_id = ? ORDER BY period DESC LIMIT 1",
            )
            .bind(&payee_id)
            .fetch_optional(&mut *tx)
            .await?;
            let (prev_balance, prev_paid) = match &prev {
                Some((balance, doc)) => {
                    let doc: StatementDocument =
                        serde_json::from_str(doc).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))?;
                    (parse_decimal(balance)?, doc.payments_to_date)
                }
                None => (Decimal::ZERO, Decimal::ZERO),
            };
            let paid = total_paid(&mut tx, &payee_id).await?;
            let payments = paid - prev_paid;
            let brought_forward = prev_balance - payments;
            if slot.is_none() && brought_forward.is_zero() && recoupment.is_empty() {
                files.step();
                continue; // nothing to say to this payee this period
            }
            let payable = earned - recouped;
            let fix = |mut d: Decimal| {
                d.rescale(pdp);
                d
            };
            let doc = StatementDocument {
                statement_id: ledger.derived_id("payee_statement", &[&period.to_string(), &payee_id]),
                period,
                issuer: info.issuer,
                payee_id: parse_uuid(&payee_id)?,
                payee: info.name,
                currency: info.currency.clone(),
                rate_date,
                by_currency,
                earnings,
                recoupment,
                balance_brought_forward: fix(brought_forward),
                payments: fix(payments),
                payments_to_date: fix(paid),
                earned,
                recouped: fix(recouped),
                payable: fix(payable),
                balance: fix(brought_forward + payable),
            };
            let id = doc.statement_id.to_string();
            sqlx::query(
                "INSERT INTO payee_statements (id, run_id, period, payee_id, currency, earned, recouped, payable, balance, document, \
                 issue, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(run_id.to_string())
            .bind(period.to_string())
            .bind(doc.payee_id.to_string())
            .bind(&doc.currency)
            .bind(doc.earned.to_string())
            .bind(doc.recouped.to_string())
            .bind(doc.payable.to_string())
            .bind(doc.balance.to_string())
            .bind(serde_json::to_string(&doc).expect("serialisable"))
            .bind(&issue)
            .bind(&stamp)
            .execute(&mut *tx)
            .await?;
            for r in doc.recoupment.iter().filter(|r| !r.recouped.is_zero()) {
                sqlx::query("INSERT INTO recoupments (statement_id, advance_id, amount, issue, hlc) VALUES (?, ?, ?, ?, ?)")
                    .bind(&id)
                    .bind(r.advance_id.to_string())
                    .bind(r.recouped.to_string())
                    .bind(&issue)
                    .bind(&stamp)
                    .execute(&mut *tx)
                    .await?;
            }
            statements.push(files.write(&doc)?);
        }
        // The files go into place just before the run is recorded; if recording fails they go.
        files.publish()?;
        if let Err(e) = tx.commit().await {
            files.unpublish();
            return Err(e.into());
        }
        Ok(StatementRun { period, statements, totals, regenerated: false })
    }

    /// The statements issued for a period (for the statements screen's preview), by payee name.
    pub async fn statement_documents(&self, period: YearMonth) -> Result<Vec<StatementDocument>> {
        let docs: Vec<String> = sqlx::query_scalar(
            "SELECT s.document FROM issued_statements s JOIN payees p ON p.id = s.payee_id \
             WHERE s.period = ? ORDER BY p.name COLLATE NOCASE, p.id",
        )
        .bind(period.to_string())
        .fetch_all(&self.pool)
        .await?;
        docs.iter()
            .map(|d| serde_json::from_str(d).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e)))))
            .collect()
    }
}

/// A run's files: written into a staging directory inside the output directory, moved into it
/// by `publish` (just before the run is recorded), and removed with the staging directory when
/// the run fails or is cancelled.
struct Staging {
    out_dir: std::path::PathBuf,
    dir: std::path::PathBuf,
    /// File names written so far (moved into `out_dir` by `publish`).
    names: Vec<String>,
    /// Moved into `out_dir`: removed again if the run is not recorded after all.
    published: Vec<std::path::PathBuf>,
}

impl Staging {
    fn new(out_dir: &Path) -> Result<Self> {
        let failed = |path: &Path, e: std::io::Error| Error::FileUnreadable { path: path.display().to_string(), reason: e.to_string() };
        std::fs::create_dir_all(out_dir).map_err(|e| failed(out_dir, e))?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = out_dir.join(format!(".roadie-statements-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).map_err(|e| failed(&dir, e))?;
        Ok(Self { out_dir: out_dir.to_path_buf(), dir, names: Vec::new(), published: Vec::new() })
    }

    fn write(&mut self, name: String, bytes: &[u8]) -> Result<std::path::PathBuf> {
        let path = self.dir.join(&name);
        std::fs::write(&path, bytes).map_err(|e| Error::FileUnreadable { path: path.display().to_string(), reason: e.to_string() })?;
        self.names.push(name.clone());
        Ok(self.out_dir.join(name))
    }

    fn publish(&mut self) -> Result<()> {
        for name in std::mem::take(&mut self.names) {
            let to = self.out_dir.join(&name);
            std::fs::rename(self.dir.join(&name), &to).map_err(|e| {
                self.unpublish();
                Error::FileUnreadable { path: to.display().to_string(), reason: e.to_string() }
            })?;
            self.published.push(to);
        }
        Ok(())
    }

    fn unpublish(&mut self) {
        for path in self.published.drain(..) {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What a run writes its files with, and reports its progress and checks its cancel through.
struct Files<'a> {
    font: &'a krilla::text::Font,
    staging: &'a mut Staging,
    progress: ProgressFn<'a>,
    cancel: &'a CancelToken,
    done: u64,
    total: u64,
}

impl Files<'_> {
    fn started(&self) {
        (self.progress)(Progress { done: 0, total: Some(self.total) });
    }

    fn step(&mut self) {
        self.done += 1;
        (self.progress)(Progress { done: self.done, total: Some(self.total) });
    }

    /// Renders one statement's PDF and CSV (one unit of progress); cancelled runs stop here.
    fn write(&mut self, doc: &StatementDocument) -> Result<StatementSummary> {
        if self.cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let base = format!("{}_{}", doc.period, doc.payee_id);
        let pdf_path = self.staging.write(format!("{base}.pdf"), &pdf::render(doc, self.font)?)?;
        let csv_path = self.staging.write(format!("{base}.csv"), &csv::render(doc))?;
        self.step();
        Ok(StatementSummary {
            payee_id: doc.payee_id,
            payee: doc.payee.clone(),
            currency: doc.currency.clone(),
            earned: doc.earned,
            recouped: doc.recouped,
            payable: doc.payable,
            pdf: pdf_path.display().to_string(),
            csv: csv_path.display().to_string(),
        })
    }

    fn publish(&mut self) -> Result<()> {
        if self.cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        self.staging.publish()
    }

    fn unpublish(&mut self) {
        self.staging.unpublish();
    }
}
