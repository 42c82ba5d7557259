//! `roadie payee|split|advance|fx|statements|payout ...`: Royalties II on the command line
//! (payees, splits, advances and expenses, exchange rates, statements, payouts).

use crate::run::{Ctx, Output};
use chrono::NaiveDate;
use clap::{ArgGroup, Args, Subcommand};
use roadie::royalties::fx::FxRate;
use roadie::royalties::{
    AdvanceInput, AdvanceKind, PayeeInput, PayoutInput, Share, SplitInput, SplitTarget, StatementRun, YearMonth,
};
use roadie::{Error, FieldIssue, Result};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::str::FromStr;
use uuid::Uuid;

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("'{s}' is not a date as YYYY-MM-DD"))
}

fn parse_period(s: &str) -> Result<YearMonth, String> {
    s.parse()
}

fn parse_decimal(s: &str) -> Result<Decimal, String> {
    Decimal::from_str(s.trim()).map_err(|_| format!("'{s}' is not a decimal number (e.g. 1234.56)"))
}

fn parse_share(s: &str) -> Result<(String, Decimal), String> {
    let (payee, pct) = s.split_once('=').ok_or_else(|| format!("'{s}' is not PAYEE_ID=PERCENT"))?;
    Ok((payee.trim().to_string(), parse_decimal(pct)?))
}

#[derive(Subcommand, Debug)]
pub enum PayeeCmd {
    /// Add a payee (a collaborator, band member, producer, label...).
    Add {
        name: String,
        /// Statement currency (ISO 4217), USD when not given.
        #[arg(long)]
        currency: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// The roster artist this payee is (their default splits pay it).
        #[arg(long, value_name = "ARTIST_ID")]
        artist: Option<String>,
    },
    /// Payees by name, with what is payable to each.
    List,
}

#[derive(Subcommand, Debug)]
pub enum SplitCmd {
    /// Set the split of a track or release from a date (shares total exactly 100).
    #[command(group(ArgGroup::new("target").required(true).args(["isrc", "track", "upc", "release"])))]
    Set {
        #[arg(long)]
        isrc: Option<String>,
        #[arg(long, value_name = "ID")]
        track: Option<String>,
        #[arg(long)]
        upc: Option<String>,
        #[arg(long, value_name = "ID")]
        release: Option<String>,
        /// PAYEE_ID=PERCENT (up to 4 decimals), repeatable or several after one --share.
        #[arg(long = "share", required = true, num_args = 1.., value_parser = parse_share, value_name = "PAYEE_ID=PERCENT")]
        shares: Vec<(String, Decimal)>,
        /// Applies to lines reported in this date's month and later (default: all lines).
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        from: Option<NaiveDate>,
    },
    /// The versions of a track's or release's split (superseded ones too).
    #[command(group(ArgGroup::new("target").required(true).args(["track", "release"])))]
    History {
        #[arg(long, value_name = "ID")]
        track: Option<String>,
        #[arg(long, value_name = "ID")]
        release: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdvanceCmd {
    /// Record an advance or a recoupable expense of a payee.
    Add {
        #[arg(long, value_name = "ID")]
        payee: String,
        #[arg(long, value_parser = parse_decimal)]
        amount: Decimal,
        #[arg(long)]
        currency: String,
        /// Recoup it from this release only (default: from everything the payee earns).
        #[arg(long, value_name = "ID")]
        release: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// advance, recording, mastering, video, marketing, other.
        #[arg(long, default_value = "advance")]
        kind: AdvanceKind,
        /// When it was paid or incurred (default: today).
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
    },
    /// A payee's advances and expenses, with what is recouped and what remains.
    List {
        #[arg(long, value_name = "ID")]
        payee: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum FxCmd {
    /// Import the ECB euro reference rates CSV (eurofxref-hist.csv or the daily eurofxref.csv).
    Import { file: PathBuf },
    /// Set a rate by hand: 1 FROM = RATE TO on DATE.
    Set {
        #[arg(long, value_parser = parse_date)]
        date: NaiveDate,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long, value_parser = parse_decimal)]
        rate: Decimal,
    },
    /// The rate a statement would use to convert FROM into TO on DATE.
    Show {
        #[arg(long, value_parser = parse_date)]
        date: NaiveDate,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum StatementsCmd {
    /// Issue the statements of a period (a PDF and a CSV per payee in DIR); an issued period is
    /// closed, and generating it again writes the same files.
    Generate {
        #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
        period: YearMonth,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct PayoutArgs {
    #[arg(long, value_name = "ID")]
    pub payee: String,
    #[arg(long, value_parser = parse_decimal)]
    pub amount: Decimal,
    #[arg(long)]
    pub currency: String,
    #[arg(long, value_parser = parse_date)]
    pub date: NaiveDate,
    #[arg(long)]
    pub reference: Option<String>,
    /// bank transfer, PayPal, ...
    #[arg(long)]
    pub method: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum PayoutCmd {
    /// Record a payout (at most what is payable); the rest carries forward.
    Add(PayoutArgs),
}

fn id(entity: &'static str, s: &str) -> Result<Uuid> {
    Uuid::parse_str(s.trim()).map_err(|_| Error::not_found(entity, s))
}

pub async fn payee(ctx: &Ctx<'_>, out: &Output, cmd: PayeeCmd) -> Result<()> {
    match cmd {
        PayeeCmd::Add { name, currency, email, artist } => {
            let workspace = match ctx.workspace().await {
                Ok(w) => Some(w.id),
                Err(Error::NoWorkspace) => None,
                Err(e) => return Err(e),
            };
            let artist_id = artist.as_deref().map(|a| id("artist", a)).transpose()?;
            let p = ctx.store.create_payee(workspace, PayeeInput { name, currency, email, artist_id, platform_user_id: None }).await?;
            out.show(&serde_json::json!({ "id": p.id }), |_| format!("payee {} added: {} ({})", p.id, p.name, p.currency));
        }
        PayeeCmd::List => {
            let mut list = Vec::new();
            for p in ctx.store.list_payees().await? {
                let payable = ctx.store.payable(p.id).await?;
                list.push(serde_json::json!({ "id": p.id, "name": p.name, "currency": p.currency, "email": p.email, "payable": payable }));
            }
            out.show(&serde_json::json!({ "payees": list }), |v| {
                let rows = v["payees"].as_array().expect("array");
                if rows.is_empty() {
                    return "no payees yet".into();
                }
                rows.iter()
                    .map(|p| format!("{}  {}  payable {} {}", p["id"].as_str().unwrap_or(""), p["name"].as_str().unwrap_or(""), p["payable"].as_str().unwrap_or(""), p["currency"].as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

pub async fn split(ctx: &Ctx<'_>, out: &Output, cmd: SplitCmd) -> Result<()> {
    match cmd {
        SplitCmd::Set { isrc, track, upc, release, shares, from } => {
            let target = match (isrc, track, upc, release) {
                (Some(i), ..) => SplitTarget::Isrc(i),
                (_, Some(t), ..) => SplitTarget::Track(id("track", &t)?),
                (_, _, Some(u), _) => SplitTarget::Upc(u),
                (_, _, _, Some(r)) => SplitTarget::Release(id("release", &r)?),
                _ => unreachable!("clap requires one target"),
            };
            let mut list = Vec::new();
            for (i, (payee, percent)) in shares.into_iter().enumerate() {
                let payee_id = Uuid::parse_str(&payee).map_err(|_| {
                    Error::invalid("split", vec![FieldIssue::new(&format!("shares[{i}].payee_id"), "invalid_id", format!("'{payee}' is not a payee id"))])
                })?;
                list.push(Share { payee_id, percent });
            }
            let split = ctx.store.set_split(SplitInput { target, shares: list, effective_from: from }).await?;
            out.show(&split, |s| {
                let from = s.effective_from.map(|d| format!("from {d}")).unwrap_or_else(|| "for every line".into());
                let shares: Vec<String> = s.shares.iter().map(|h| format!("{} {}%", h.payee, h.percent)).collect();
                format!("split of {} {} set {from}: {}", s.scope.as_str(), s.target_id, shares.join(", "))
            });
        }
        SplitCmd::History { track, release } => {
            let (scope, target) = match (track, release) {
                (Some(t), _) => (roadie::royalties::SplitScope::Track, id("track", &t)?),
                (_, Some(r)) => (roadie::royalties::SplitScope::Release, id("release", &r)?),
                _ => unreachable!("clap requires one target"),
            };
            let history = ctx.store.split_history(scope, target).await?;
            out.show(&serde_json::json!({ "versions": history }), |_| {
                if history.is_empty() {
                    return "no split set: lines go 100% to the release's primary artist".into();
                }
                history
                    .iter()
                    .map(|s| {
                        let from = s.effective_from.map(|d| d.to_string()).unwrap_or_else(|| "start".into());
                        let shares: Vec<String> = s.shares.iter().map(|h| format!("{} {}%", h.payee, h.percent)).collect();
                        format!("{from}{}  {}", if s.superseded { " (superseded)" } else { "" }, shares.join(", "))
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

pub async fn advance(ctx: &Ctx<'_>, out: &Output, cmd: AdvanceCmd) -> Result<()> {
    match cmd {
        AdvanceCmd::Add { payee, amount, currency, release, note, kind, date } => {
            let input = AdvanceInput {
                payee_id: id("payee", &payee)?,
                kind,
                amount,
                currency,
                release_id: release.as_deref().map(|r| id("release", r)).transpose()?,
                incurred_on: date.unwrap_or_else(|| chrono::Utc::now().date_naive()),
                note,
            };
            let a = ctx.store.add_advance(input).await?;
            out.show(&a, |a| format!("{} {} {} recorded ({}); {} to recoup", a.kind.as_str(), a.amount, a.currency, a.id, a.remaining));
        }
        AdvanceCmd::List { payee } => {
            let list = ctx.store.list_advances(id("payee", &payee)?).await?;
            out.show(&serde_json::json!({ "advances": list }), |_| {
                list.iter()
                    .map(|a| format!("{}  {} {} {}  recouped {}  remaining {}", a.incurred_on, a.kind.as_str(), a.amount, a.currency, a.recouped, a.remaining))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

pub async fn fx(ctx: &Ctx<'_>, out: &Output, cmd: FxCmd) -> Result<()> {
    match cmd {
        FxCmd::Import { file } => {
            let r = ctx.store.import_ecb_rates(&file).await?;
            out.show(&r, |r| {
                let span = match (r.first_date, r.last_date) {
                    (Some(a), Some(b)) => format!(" from {a} to {b}"),
                    _ => String::new(),
                };
                format!("{}: {} day(s){span}, {} currencies, {} rate(s) stored", r.path, r.days, r.currencies.len(), r.rates)
            });
        }
        FxCmd::Set { date, from, to, rate } => {
            let r: FxRate = ctx.store.set_rate(date, &from, &to, rate).await?;
            out.show(&r, |r| format!("1 {} = {} {} on {} (manual)", r.base, r.rate, r.quote, r.date));
        }
        FxCmd::Show { date, from, to } => {
            let from = from.trim().to_ascii_uppercase();
            let to = to.trim().to_ascii_uppercase();
            let r = ctx.store.rate_on(&from, &to, date).await?;
            out.show(&r, |r| format!("1 {} = {} {} (rate of {}, {})", r.from, r.rate, r.to, r.date, r.source));
        }
    }
    Ok(())
}

pub async fn statements(ctx: &Ctx<'_>, out: &Output, cmd: StatementsCmd) -> Result<()> {
    match cmd {
        StatementsCmd::Generate { period, out: dir } => {
            let run: StatementRun = ctx.store.generate_statements(period, &dir).await?;
            out.show(&run, |run| {
                let mut lines = vec![format!(
                    "{} statement(s) for {}{}",
                    run.statements.len(),
                    run.period,
                    if run.regenerated { " (issued before: the same files written again)" } else { "" }
                )];
                for s in &run.statements {
                    lines.push(format!("  {}  earned {} recouped {} payable {} {}  {}", s.payee, s.earned, s.recouped, s.payable, s.currency, s.pdf));
                }
                for t in &run.totals {
                    lines.push(format!("  {} lines {}: total {} = payees {} + unallocated {}", t.currency, t.lines, t.rounded, t.allocated, t.unallocated));
                }
                lines.join("\n")
            });
        }
    }
    Ok(())
}

pub async fn payout(ctx: &Ctx<'_>, out: &Output, cmd: PayoutCmd) -> Result<()> {
    match cmd {
        PayoutCmd::Add(a) => {
            let p = ctx
                .store
                .add_payout(PayoutInput {
                    payee_id: id("payee", &a.payee)?,
                    amount: a.amount,
                    currency: a.currency,
                    paid_on: a.date,
                    method: a.method,
                    reference: a.reference,
                })
                .await?;
            out.show(&p, |p| format!("payout {} {} on {} recorded; {} {} still payable", p.amount, p.currency, p.paid_on, p.payable_after, p.currency));
        }
    }
    Ok(())
}
